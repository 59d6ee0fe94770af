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

# %%
# Held-out score by window, for each learning rate
# ------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

results = search.cv_results_
windows = np.array(results["param_window"], dtype=int)
rates = np.array(results["param_learning_rate"], dtype=float)
fig, ax = plt.subplots(figsize=(5.5, 3.5))
for rate in sorted(set(rates)):
    chosen = rates == rate
    order = np.argsort(windows[chosen])
    ax.errorbar(windows[chosen][order], results["mean_test_score"][chosen][order],
                yerr=results["std_test_score"][chosen][order], marker="o", capsize=3,
                label=f"learning_rate={rate:g}")
ax.set(xlabel="window", ylabel="held-out log-probability",
       title="Model selection without labels")
ax.legend()
fig.tight_layout()
plt.show()
