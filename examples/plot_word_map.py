"""
===========================================
A map of word vectors, and their neighbours
===========================================

Word vectors place words that occur in similar contexts near each other. Here
:class:`~skw2v.SkipGramVectorizer` learns vectors from a labelled corpus, each
word is coloured by the class whose documents hold most of its occurrences,
and a two-dimensional PCA projection shows the classes as regions; a table
lists nearest neighbours by cosine similarity.

The corpus comes from :func:`skw2v.datasets.load_example_corpus`: a file named
by ``SKW2V_EXAMPLE_DATA``, or 20 newsgroups from scikit-learn's local cache,
or else the paragraphs of Python's documentation that ship with skw2v, each
labelled with the topic of the module it documents.
"""

# %%
# Train the vectors
# -----------------
import numpy as np

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_example_corpus

documents, labels, probes, description = load_example_corpus(n_documents=1500)
documents, labels = documents[:1500], labels[:1500]
vectorizer = SkipGramVectorizer(
    vector_size=50, min_count=3, max_features=3000, random_state=0
).fit(documents)
print(f"{description}: {len(documents)} documents, {len(vectorizer.vocabulary_)} words")

# %%
# Which class does each word belong to?
# -------------------------------------
# The share of a word's occurrences that fall in each class's documents; a
# word "belongs" to a class when most of its occurrences are there.
from sklearn.feature_extraction.text import CountVectorizer

counts = CountVectorizer(
    analyzer=vectorizer.build_analyzer(), vocabulary=vectorizer.vocabulary_
).fit_transform(documents)
classes = np.unique(labels)
per_class = np.vstack([np.asarray(counts[labels == c].sum(axis=0)).ravel() for c in classes])
share = per_class / np.maximum(per_class.sum(axis=0), 1)
owner, purity = share.argmax(axis=0), share.max(axis=0)
words = list(vectorizer.vocabulary_)  # row order
# The 25 most frequent words of each class among those it owns clearly.
marked = {
    k: [i for i in np.argsort(-per_class[k]) if owner[i] == k and purity[i] > 0.6][:25]
    for k in range(len(classes))
}

# %%
# Nearest neighbours
# ------------------
import pandas as pd

probes = [w for w in probes if w in vectorizer.vocabulary_] or [words[m[0]] for m in marked.values()]
table = pd.DataFrame(
    {word: [f"{w} ({s:.3f})" for w, s in vectorizer.most_similar(word, topn=5)] for word in probes}
)
print(table.to_string(index=False))

# %%
# A two-dimensional map, coloured by class
# ----------------------------------------
# Words shared by every class (grey) sit between the class regions.
import matplotlib.pyplot as plt
from sklearn.decomposition import PCA

points = PCA(n_components=2, random_state=0).fit_transform(vectorizer.word_vectors_)
colours = plt.get_cmap("tab10")
fig, ax = plt.subplots(figsize=(7, 6))
shared = purity < 0.6
ax.scatter(*points[shared].T, s=6, c="lightgrey", label="shared words")
for k, rows in marked.items():
    ax.scatter(*points[rows].T, s=14, color=colours(k % 10), label=str(classes[k]))
    for row in rows[:4]:
        ax.annotate(words[row], points[row], fontsize=8, color=colours(k % 10))
ax.set_xlabel("first principal component")
ax.set_ylabel("second principal component")
ax.legend(title="class", fontsize=8)
ax.set_title("Word vectors, PCA projection")
plt.show()

# %%
# Vector arithmetic, as in gensim: positive and negative words.
a, b = probes[:2]
print(f"{a} + {b}:", vectorizer.most_similar(positive=[a, b], topn=3))
group = [words[i] for i in marked[0][:3]] + [words[marked[1][0]]]
print("odd one out of", group, "->", vectorizer.doesnt_match(group))
