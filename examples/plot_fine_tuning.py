"""
================================================
Fine-tuning pretrained vectors on a small corpus
================================================

A small domain corpus is too little text to learn good word vectors from
scratch. Starting from vectors trained on a large general corpus
(``initial_vectors``) and fine-tuning them on the small one keeps what the
large corpus taught.

Here the "general" vectors are trained on a large generated corpus and saved
in word2vec's binary format, as you would download pretrained vectors; set
the environment variable ``SKW2V_PRETRAINED`` to a word2vec-format file of
100-dimensional vectors (e.g. written by ``python -m skw2v train``) to start
from those instead.
"""

# %%
# General vectors, saved in the word2vec format
# ---------------------------------------------
import os
import tempfile

from skw2v import SkipGramVectorizer, load_word2vec_format
from skw2v.datasets import make_topic_corpus

path = os.environ.get("SKW2V_PRETRAINED")
if not path:
    general_corpus, _ = make_topic_corpus(n_documents=1500, n_topics=8, random_state=1)
    general = SkipGramVectorizer(vector_size=100, min_count=2, random_state=0)
    general.fit(general_corpus)
    path = os.path.join(tempfile.mkdtemp(), "general.bin")
    general.save_word2vec_format(path, binary=True)
pretrained = load_word2vec_format(path)
print(pretrained)

# %%
# A small, noisy domain corpus
# ----------------------------
# 60 short documents on four of the topics, with labels.
small, labels, topics = make_topic_corpus(
    n_documents=60, n_topics=4, document_length=(8, 20), topic_purity=0.35,
    random_state=2, return_topics=True,
)
params = dict(vector_size=pretrained.vector_size, min_count=1, random_state=0)
scratch = SkipGramVectorizer(**params).fit(small)
tuned = SkipGramVectorizer(**params, initial_vectors=path).fit(small)
print(f"{tuned.n_initialized_} of {len(tuned.vocabulary_)} words started from the pretrained vectors")
for word in ["football", "bread"]:
    if word in scratch.vocabulary_:
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
    accuracy[name] = cross_val_score(pipeline, small, labels, cv=folds)
    print(f"{name}: 5-fold accuracy {accuracy[name].mean():.3f}")

fig, ax = plt.subplots(figsize=(4.5, 3.2))
ax.bar(list(accuracy), [a.mean() for a in accuracy.values()],
       yerr=[a.std() for a in accuracy.values()], capsize=4, color=["grey", "C0"])
ax.set_ylabel("5-fold accuracy")
ax.set_ylim(0, 1)
ax.set_title("60 documents: vectors from scratch vs fine-tuned")
fig.tight_layout()
plt.show()
