"""
===========================================
A map of word vectors, and their neighbours
===========================================

Word vectors place words that occur in similar contexts near each other. Here
:class:`~skw2v.SkipGramVectorizer` learns vectors from a generated corpus with
known topics (:func:`skw2v.datasets.make_topic_corpus`), and a two-dimensional
PCA projection shows the topics as clusters; a table lists each probe word's
nearest neighbours by cosine similarity.
"""

# %%
# Train on documents about six topics
# -----------------------------------
from skw2v import SkipGramVectorizer
from skw2v.datasets import make_topic_corpus

documents, labels, topics = make_topic_corpus(
    n_documents=800, n_topics=6, random_state=0, return_topics=True
)
vectorizer = SkipGramVectorizer(vector_size=50, min_count=2, random_state=0).fit(documents)
print(f"{len(vectorizer.vocabulary_)} words, loss per epoch: {vectorizer.loss_curve_.round(3)}")

# %%
# Nearest neighbours
# ------------------
# In this generated corpus the words of a topic are interchangeable (they are
# drawn alike), so they get nearly identical vectors: cosine close to 1.
import pandas as pd

probes = [words[0] for words in topics]
table = pd.DataFrame(
    {word: [f"{w} ({s:.3f})" for w, s in vectorizer.most_similar(word, topn=5)] for word in probes}
)
print(table.to_string(index=False))

# %%
# Vector arithmetic works as in gensim: positive and negative words.
print(vectorizer.most_similar(positive=["football", "bread"], negative=["goal"], topn=3))
print("odd one out:", vectorizer.doesnt_match(["football", "goal", "match", "guitar"]))

# %%
# A two-dimensional map, coloured by topic
# ----------------------------------------
# Topic words are coloured by their topic; the shared filler words (grey) sit
# between the clusters, since they occur in every topic.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

words = list(vectorizer.vocabulary_)
points = PCA(n_components=2, random_state=0).fit_transform(vectorizer.word_vectors_)
topic_of = {w: k for k, topic_words in enumerate(topics) for w in topic_words}
colours = plt.get_cmap("tab10")
fig, ax = plt.subplots(figsize=(7, 6))
filler = np.array([w not in topic_of for w in words])
ax.scatter(*points[filler].T, s=8, c="lightgrey", label="shared words")
for k, topic_words in enumerate(topics):
    rows = [vectorizer.vocabulary_[w] for w in topic_words if w in vectorizer.vocabulary_]
    ax.scatter(*points[rows].T, s=14, color=colours(k), label=topic_words[0])
    for row in rows[:4]:
        ax.annotate(words[row], points[row], fontsize=8, color=colours(k))
ax.set_xlabel("first principal component")
ax.set_ylabel("second principal component")
ax.legend(title="topic (first word)", fontsize=8)
ax.set_title("Word vectors, PCA projection")
plt.show()
