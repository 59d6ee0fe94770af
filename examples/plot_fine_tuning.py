"""
================================================
Fine-tuning pretrained vectors on a small corpus
================================================

A small labelled corpus is too little text to learn good word vectors from
scratch. Starting from vectors trained on a large general corpus
(``initial_vectors``) and fine-tuning them on the small one keeps what the
large corpus taught.

Here the "general" vectors are trained on the bulk of the example corpus and
saved in word2vec's binary format, as you would download pretrained vectors;
the small corpus is 60 other documents. Set ``SKW2V_PRETRAINED`` to a
word2vec-format file of 100-dimensional vectors (e.g. written by
``python -m skw2v train``) to start from those instead.
"""

# %%
# General vectors, saved in the word2vec format
# ---------------------------------------------
import os
import tempfile

from skw2v import SkipGramVectorizer, load_word2vec_format
from skw2v.datasets import load_example_corpus

documents, labels, probes, description = load_example_corpus(n_documents=1500)
print(description, "-", len(documents), "documents")
small, small_labels = documents[:60], labels[:60]

path = os.environ.get("SKW2V_PRETRAINED")
if not path:
    general = SkipGramVectorizer(vector_size=100, min_count=2, max_features=5000, random_state=0)
    general.fit(documents[60:1500])
    path = os.path.join(tempfile.mkdtemp(), "general.bin")
    general.save_word2vec_format(path, binary=True)
pretrained = load_word2vec_format(path)
print(pretrained)

# %%
# From scratch or fine-tuned, on 60 documents
# -------------------------------------------
params = dict(vector_size=pretrained.vector_size, min_count=1, random_state=0)
scratch = SkipGramVectorizer(**params).fit(small)
tuned = SkipGramVectorizer(**params, initial_vectors=path).fit(small)
print(f"{tuned.n_initialized_} of {len(tuned.vocabulary_)} words started from the pretrained vectors")
for word in [w for w in probes if w in scratch.vocabulary_][:2]:
    print(f"{word}: from scratch ->", [w for w, _ in scratch.most_similar(word, topn=4)])
    print(f"{word}: fine-tuned   ->", [w for w, _ in tuned.most_similar(word, topn=4)])

# %%
# Do the document vectors classify better?
# ----------------------------------------
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

folds = StratifiedKFold(5, shuffle=True, random_state=0)
accuracy = {}
for name, extra in [("from scratch", {}), ("fine-tuned", {"initial_vectors": path})]:
    pipeline = make_pipeline(SkipGramVectorizer(**params, **extra),
                             LogisticRegression(C=10, max_iter=2000))
    accuracy[name] = cross_val_score(pipeline, small, small_labels, cv=folds)
    print(f"{name}: 5-fold accuracy {accuracy[name].mean():.3f}")

fig, ax = plt.subplots(figsize=(4.5, 3.2))
ax.bar(list(accuracy), [a.mean() for a in accuracy.values()],
       yerr=[a.std() for a in accuracy.values()], capsize=4, color=["grey", "C0"])
ax.set_ylabel("5-fold accuracy")
ax.set_ylim(0, 1)
ax.set_title("60 documents: vectors from scratch vs fine-tuned")
fig.tight_layout()
plt.show()
