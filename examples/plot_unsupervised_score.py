"""
===========================================================
Choosing a window without labels: ``score`` in GridSearchCV
===========================================================

Without labels, :meth:`~skw2v.SkipGramVectorizer.score` measures how well a
model predicts held-out text: the mean log-probability of each word's context
words under the full softmax. It is the default scorer of
:class:`~sklearn.model_selection.GridSearchCV`, as for
:class:`~sklearn.decomposition.LatentDirichletAllocation`.
"""

# %%
from sklearn.model_selection import GridSearchCV

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_example_corpus

# Labels are not used: any text works (a real corpus when one is available).
documents, _, _, description = load_example_corpus(n_documents=500, random_state=1)
documents = documents[:800]
print(description, "-", len(documents), "documents")
search = GridSearchCV(
    SkipGramVectorizer(vector_size=30, min_count=2, max_features=3000, random_state=0),
    {"window": [1, 3, 8], "learning_rate": [0.001, 0.025]},
    cv=3,
)
search.fit(documents)
for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
    print(params, f"mean held-out log-probability {score:.3f}")
print("chosen:", search.best_params_)

# %%
# The loss per epoch of the chosen model
# --------------------------------------
best = search.best_estimator_
print("loss per epoch:", best.loss_curve_.round(3))
