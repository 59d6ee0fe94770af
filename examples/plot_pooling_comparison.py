"""
=====================================================
Document features: pooled word vectors against TF-IDF
=====================================================

:class:`~skw2v.SkipGramVectorizer` turns a document into one vector by
pooling its words' vectors: their mean, element-wise max, idf-weighted mean,
SIF (smooth inverse frequency weights with the first principal component
removed) or SCDV (sparse composite document vectors: one idf-weighted copy
of each word's vector per soft cluster of the vocabulary). Each is compared here with ``TfidfVectorizer`` features in front of
the same classifier, by cross-validated accuracy. Everything the poolings
learn (idf, frequencies, the SIF component) is fitted on the training folds.

Which features win depends on the data: TF-IDF is strong when a few words
decide the label and there is plenty of labelled text; word vectors help when
documents are short and share few exact words, or when labels are few and
the vectors can learn from more text than the labels cover (see the few-labels
example). ``benchmarks/bench_pooling.py`` runs the same comparison on BBC
News, movie-review polarity and SMS spam.
"""

# %%
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_example_corpus

documents, labels, _, description = load_example_corpus(n_documents=1000)
documents, labels = documents[:1000], labels[:1000]  # a real corpus: its first 1000
print(description, "-", len(documents), "documents")
folds = StratifiedKFold(5, shuffle=True, random_state=0)

features = {"TF-IDF": TfidfVectorizer()}
for pooling in ["mean", "max", "tfidf", "sif", "scdv"]:
    features[pooling] = SkipGramVectorizer(
        vector_size=50, min_count=2, max_features=3000, pooling=pooling, norm="l2",
        scdv_clusters=10, random_state=0,
    )
results = {}
for name, vectorizer in features.items():
    pipeline = make_pipeline(vectorizer, LogisticRegression(C=10, max_iter=2000))
    results[name] = cross_val_score(pipeline, documents, labels, cv=folds)
    print(f"{name:7s} accuracy {results[name].mean():.3f} +- {results[name].std():.3f}")

# %%
# Side by side
# ------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.5))
names = list(results)
ax.bar(names, [results[n].mean() for n in names], yerr=[results[n].std() for n in names],
       color=["grey"] + ["C0"] * (len(names) - 1), capsize=4)
ax.set_ylim(min(r.mean() for r in results.values()) - 0.1, 1.0)
ax.set_ylabel("5-fold accuracy")
ax.set_title("TF-IDF vs pooled word vectors (pooling=...)")
fig.tight_layout()
plt.show()
