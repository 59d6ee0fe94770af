"""
=====================================================
Tuning word vectors for a classifier with grid search
=====================================================

:class:`~skw2v.SkipGramVectorizer` is an ordinary scikit-learn transformer, so
its window, vector size and learning rate can be tuned by
:class:`~sklearn.model_selection.GridSearchCV` in front of any classifier.

The corpus comes from :func:`skw2v.datasets.load_example_corpus`: the
labelled file named by the ``SKW2V_EXAMPLE_DATA`` environment variable if set,
else four groups of 20 newsgroups if they are in scikit-learn's local cache,
else paragraphs of Python's documentation that ship with skw2v, each labelled
with the topic of the module it documents (networking, concurrency, text,
files, numbers, data). ``memory`` caches the tokenized corpus, the
co-occurrence counts and the spectral start, so candidates that differ only
in the learning rate (or, for the counts, in the vector size) share them.
"""

# %%
# The data
# --------
import textwrap

from skw2v.datasets import load_example_corpus

documents, labels, probe_words, description = load_example_corpus()
print(description, "-", len(documents), "documents")
print(textwrap.shorten(documents[0], 160))
print("label:", labels[0])

# %%
# The pipeline and the grid
# -------------------------
# ``max_features`` caps the vocabulary: the full softmax's passes over the
# counts cost time in proportion to its square.
import tempfile

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skw2v import SkipGramVectorizer

pipeline = make_pipeline(
    SkipGramVectorizer(min_count=2, max_features=5000, memory=tempfile.mkdtemp(), random_state=0),
    LogisticRegression(max_iter=1000),
)
grid = {
    "skipgramvectorizer__window": [2, 5],
    "skipgramvectorizer__vector_size": [20, 50],
    "skipgramvectorizer__learning_rate": [0.005, 0.05],
}
search = GridSearchCV(pipeline, grid, cv=3, n_jobs=2).fit(documents, labels)
for name, value in search.best_params_.items():
    print(f"best {name.split('__')[1]}: {value}")
print(f"best cross-validated accuracy: {search.best_score_:.3f}")

# %%
# Every candidate
# ---------------
# Each candidate's mean accuracy over the three folds.
import pandas as pd

results = pd.DataFrame(search.cv_results_)
columns = {c: c.split("__")[1] for c in results if c.startswith("param_")}
columns.update(mean_test_score="accuracy", std_test_score="std", rank_test_score="rank")
table = results[list(columns)].rename(columns=columns).sort_values("rank")
print(table.to_string(index=False, float_format="{:.3f}".format))

# %%
# The scores as heatmaps, one per vector size
# -------------------------------------------
import matplotlib.pyplot as plt

sizes = grid["skipgramvectorizer__vector_size"]
fig, axes = plt.subplots(1, len(sizes), figsize=(4.5 * len(sizes), 3.6), sharey=True)
for ax, size in zip(axes, sizes):
    table = results[results["param_skipgramvectorizer__vector_size"] == size].pivot(
        index="param_skipgramvectorizer__window",
        columns="param_skipgramvectorizer__learning_rate",
        values="mean_test_score",
    )
    image = ax.imshow(table.to_numpy(dtype=float), vmin=results["mean_test_score"].min(),
                      vmax=results["mean_test_score"].max(), cmap="viridis")
    ax.set_xticks(range(table.shape[1]), [f"{v:g}" for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(v) for v in table.index])
    ax.set_xlabel("learning_rate")
    ax.set_title(f"vector_size={size}")
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        ax.text(j, i, f"{value:.3f}", ha="center", va="center", color="white")
axes[0].set_ylabel("window")
fig.colorbar(image, ax=axes, label="mean CV accuracy")
plt.show()

# %%
# The words the best model learned
# --------------------------------
vectorizer = search.best_estimator_.named_steps["skipgramvectorizer"]
for word in probe_words or list(vectorizer.vocabulary_)[50:54]:
    if word in vectorizer.vocabulary_:
        print(word, "->", [w for w, _ in vectorizer.most_similar(word, topn=5)])
