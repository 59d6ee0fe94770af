"""
=============================================================
Few labels, much text: vectors trained on everything, frozen
=============================================================

Users often have many documents and few labels. Word vectors need no labels,
so :class:`~skw2v.SkipGramVectorizer` can learn from all the text; wrapped in
:class:`sklearn.frozen.FrozenEstimator`, it is then left as it is while
``GridSearchCV`` tunes the classifier on the labelled part. ``TfidfVectorizer``
fitted the same way (its vocabulary and idf from all the text) is the
baseline.

The data ship with skw2v: 17,657 paragraphs of Python's documentation, of
which the 7,723 that document a module of six topics (networking,
concurrency, text, files, numbers, data) carry that topic. A third of the
labelled paragraphs are held out for testing; the classifier sees 1%, 5%,
20% or all of the rest.
"""

# %%
# Features fitted on all the text, without labels
# ------------------------------------------------
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_python_docs

docs = load_python_docs(subset="all")
labelled = np.flatnonzero(docs.target >= 0)
print(f"{len(docs.data):,} paragraphs, {len(labelled):,} of them labelled")
features = {
    "TF-IDF": TfidfVectorizer(min_df=2).fit(docs.data),
    "skw2v (idf-weighted)": SkipGramVectorizer(
        min_count=3, max_features=8000, pooling="tfidf", norm="l2", random_state=0
    ).fit(docs.data),
}
vectors = features["skw2v (idf-weighted)"]
for word in ("socket", "thread", "decimal"):
    print(word, "->", [w for w, _ in vectors.most_similar(word, topn=5)])

# %%
# The classifier on a fraction of the labels
# -------------------------------------------
# ``Pipeline(memory=...)`` keeps the frozen features of each fold's training
# paragraphs, so the candidates of C do not compute them again.
import tempfile

from sklearn.pipeline import Pipeline

cache = tempfile.mkdtemp()
texts = np.array(docs.data, dtype=object)[labelled]
target = docs.target[labelled]
train, test = train_test_split(np.arange(len(target)), test_size=1 / 3, stratify=target, random_state=0)
fractions = [0.01, 0.05, 0.2, 1.0]
scores = {name: [] for name in features}
for fraction in fractions:
    chosen = train if fraction == 1 else train_test_split(
        train, train_size=fraction, stratify=target[train], random_state=0)[0]
    for name, fitted in features.items():
        pipeline = Pipeline(
            [("features", FrozenEstimator(fitted)), ("classifier", LogisticRegression(max_iter=3000))],
            memory=cache,
        )
        search = GridSearchCV(pipeline, {"classifier__C": [0.1, 1, 10, 100]}, cv=StratifiedKFold(3))
        search.fit(list(texts[chosen]), target[chosen])
        scores[name].append(search.score(list(texts[test]), target[test]))
    print(f"{fraction:>5.0%} of the labels ({len(chosen):,}): " + ", ".join(
        f"{name} {scores[name][-1]:.3f}" for name in features))

# %%
# Learning curves
# ---------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.8))
for name, style in zip(features, ["s--", "o-"]):
    ax.plot([f * 100 for f in fractions], scores[name], style, label=name)
ax.set_xscale("log")
ax.set(xlabel="labelled training paragraphs (%)", ylabel="test accuracy",
       title="Features fitted on all the text, classifier on few labels")
ax.legend()
fig.tight_layout()
plt.show()
