"""Document pooling on two classification tasks, side by side in one run.

10-fold cross-validated accuracy (stratified, shuffled with seed 0, the same
folds for every row) of ``Pipeline(features, LogisticRegression())`` on the
movie-review polarity sentences (Pang & Lee 2005) and the SMS spam collection,
with these features:

* ``TfidfVectorizer`` (default settings);
* ``SkipGramVectorizer`` with each ``pooling`` (mean, max, tfidf, sif), vectors
  trained inside each fold on its training part only;
* gensim ``Word2Vec`` trained the same way (same tokens, same settings) and
  pooled by the same code (mean, and the other poolings);
* optionally (``--pretrained FILE``), ``SkipGramVectorizer`` fine-tuned from
  word2vec-format vectors trained on a general corpus, e.g. by
  ``python -m skw2v train ../shared/data/wiki30m.txt -o wiki.bin --binary``.

Word-vector settings (both libraries): skip-gram with negative sampling,
vector_size 100, window 5, min_count 2, sample 1e-3, 10 epochs (small
corpora), 2 threads; the classifier is ``LogisticRegression(C=C, max_iter=2000)``
with ``C=10`` for the 100 dense word-vector features (``--C`` changes it) and
the default ``C=1`` for the sparse TF-IDF features.

Usage::

    pip install ".[benchmarks]"
    python benchmarks/bench_pooling.py [--data ../shared/data] [--pretrained wiki.bin]
"""

import argparse
import os
import time

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skw2v import SkipGramVectorizer

DEFAULT_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
POOLINGS = ["mean", "max", "tfidf", "sif"]
WORD2VEC = dict(vector_size=100, window=5, min_count=2, sample=1e-3, epochs=10)


def load_polarity(folder):
    documents, labels = [], []
    for label, name in enumerate(["rt-polarity.neg", "rt-polarity.pos"]):
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as handle:
            lines = [line.strip() for line in handle if line.strip()]
        documents += lines
        labels += [label] * len(lines)
    return documents, np.array(labels)


def load_sms(folder):
    documents, labels = [], []
    with open(os.path.join(folder, "SMSSpamCollection"), encoding="utf-8") as handle:
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            documents.append(text)
            labels.append(int(label == "spam"))
    return documents, np.array(labels)


class GensimVectorizer(TransformerMixin, BaseEstimator):
    """gensim Word2Vec on SkipGramVectorizer's tokens, pooled by SkipGramVectorizer's code.

    ``fit`` trains gensim on the documents; the fitted vectors are then handed
    to a SkipGramVectorizer as ``initial_vectors`` with a vanishing learning
    rate, so that tokenization, idf, SIF and pooling are exactly skw2v's and
    only the vectors differ (a 1e-12 learning rate leaves them as gensim made them).
    """

    def __init__(self, pooling="mean"):
        self.pooling = pooling

    def fit(self, X, y=None):
        from gensim.models import Word2Vec

        from skw2v import WordVectors

        analyze = SkipGramVectorizer().build_analyzer()
        sentences = [analyze(doc) for doc in X]
        model = Word2Vec(
            sentences, sg=1, negative=5, hs=0, workers=2, seed=0,
            vector_size=WORD2VEC["vector_size"], window=WORD2VEC["window"],
            min_count=WORD2VEC["min_count"], sample=WORD2VEC["sample"],
            epochs=WORD2VEC["epochs"],
        )
        vectors = WordVectors(model.wv.index_to_key, model.wv.vectors)
        self.vectorizer_ = SkipGramVectorizer(
            **dict(WORD2VEC, epochs=1), loss="negative", pooling=self.pooling,
            initial_vectors=vectors, learning_rate=1e-12, min_learning_rate=0, random_state=0,
        ).fit(X)
        return self

    def transform(self, X):
        return self.vectorizer_.transform(X)


def evaluate(name, features, documents, labels, folds, C):
    pipeline = make_pipeline(features, LogisticRegression(C=C, max_iter=2000))
    tic = time.perf_counter()
    scores = cross_val_score(pipeline, documents, labels, cv=folds)
    print(f"  {name:38s} {scores.mean():.4f} +- {scores.std():.4f}   "
          f"({time.perf_counter() - tic:5.1f} s)", flush=True)
    return scores.mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder with rt-polarity.* and SMSSpamCollection")
    parser.add_argument("--pretrained", help="word2vec-format vectors to fine-tune from (optional)")
    parser.add_argument("--C", type=float, default=10.0, help="LogisticRegression C for word vectors")
    parser.add_argument("--datasets", default="polarity,sms")
    args = parser.parse_args()
    try:
        import gensim  # noqa: F401
        have_gensim = True
    except ImportError:
        have_gensim = False
        print("gensim is not installed: its rows are left out (pip install '.[benchmarks]').")
    loaders = {"polarity": ("movie-review polarity", load_polarity), "sms": ("SMS spam", load_sms)}
    for key in args.datasets.split(","):
        title, load = loaders[key]
        documents, labels = load(args.data)
        folds = list(StratifiedKFold(10, shuffle=True, random_state=0).split(documents, labels))
        print(f"\n== {title}: {len(documents):,} documents, 10-fold accuracy (mean +- std)")
        evaluate("TfidfVectorizer", TfidfVectorizer(), documents, labels, folds, C=1.0)
        for pooling in POOLINGS:
            vectorizer = SkipGramVectorizer(
                **WORD2VEC, loss="negative", pooling=pooling, n_jobs=2, random_state=0
            )
            evaluate(f"SkipGramVectorizer pooling={pooling}", vectorizer, documents, labels,
                     folds, args.C)
        if have_gensim:
            for pooling in POOLINGS:
                evaluate(f"gensim Word2Vec, pooling={pooling}", GensimVectorizer(pooling),
                         documents, labels, folds, args.C)
        if args.pretrained:
            for pooling in POOLINGS:
                vectorizer = SkipGramVectorizer(
                    **WORD2VEC, loss="negative", pooling=pooling, n_jobs=2, random_state=0,
                    initial_vectors=args.pretrained,
                )
                evaluate(f"skw2v fine-tuned, pooling={pooling}", vectorizer, documents, labels,
                         folds, args.C)


if __name__ == "__main__":
    main()
