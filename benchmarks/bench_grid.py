"""The mission's use, timed: the default fit, and GridSearchCV over window x vector_size x learning_rate.

First, ``SkipGramVectorizer()`` with every default against gensim's
``Word2Vec(sg=1)`` with its defaults on the same tokens (time, analogy,
WordSim-353). Then, on the first ``--tokens`` words of a corpus (default 3M words of
``wiki30m.txt``, as 1,000-word documents, tokenized by SkipGramVectorizer's
default analyzer), searches 2 values of each of window, vector_size and
learning_rate with 3-fold cross-validation and the default scorer (the
held-out log-probability, ``score``), with ``memory`` set, on 2 cores. Prints
the total time, each candidate's mean score and fit time, and, as the
reference measured in the same run, the time of one gensim
``Word2Vec(sg=1)`` fit (its defaults) on one training fold: the grid's 25
fits would cost about 25 times that with gensim, which has no scorer.

Usage::

    pip install ".[benchmarks]"
    python benchmarks/bench_grid.py ../shared/data/wiki30m.txt [--tokens 3000000]
"""

import argparse
import os
import tempfile
import time

import numpy as np
from sklearn.model_selection import GridSearchCV, KFold

from skw2v import SkipGramVectorizer

GRID = {"window": [2, 5], "vector_size": [50, 100], "learning_rate": [0.0125, 0.05]}


def documents(path, n_tokens, length=1000):
    with open(path, encoding="utf-8") as handle:
        words = handle.read(n_tokens * 12).split()[:n_tokens]
    return [" ".join(words[i : i + length]) for i in range(0, len(words), length)]


def default_fit(docs, data):
    """SkipGramVectorizer() and gensim's Word2Vec(sg=1), all defaults, same tokens."""
    vectorizer = SkipGramVectorizer()
    tic = time.perf_counter()
    vectorizer.fit(docs)
    mine = time.perf_counter() - tic
    questions, pairs = os.path.join(data, "questions-words.txt"), os.path.join(data, "wordsim353.tsv")
    print(f"SkipGramVectorizer() on {len(docs):,} documents: {mine:.1f} s, vocabulary "
          f"{len(vectorizer.vocabulary_):,}, analogy {vectorizer.evaluate_word_analogies(questions)['accuracy']:.4f}, "
          f"WordSim {vectorizer.evaluate_word_pairs(pairs)['spearman']:.4f}")
    try:
        from gensim.models import Word2Vec
    except ImportError:
        return
    from skw2v import WordVectors

    analyze = vectorizer.build_analyzer()
    tokens = [analyze(d) for d in docs]
    tic = time.perf_counter()
    model = Word2Vec(tokens, sg=1, seed=0)
    theirs = time.perf_counter() - tic
    wv = WordVectors(model.wv.index_to_key, model.wv.vectors)
    print(f"gensim Word2Vec(sg=1) on the same tokens: {theirs:.1f} s, vocabulary {len(wv):,}, "
          f"analogy {wv.evaluate_word_analogies(questions)['accuracy']:.4f}, "
          f"WordSim {wv.evaluate_word_pairs(pairs)['spearman']:.4f}; time ratio {mine / theirs:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "data", "wiki30m.txt"))
    parser.add_argument("--tokens", type=int, default=3_000_000)
    parser.add_argument("--n-jobs", type=int, default=1, help="GridSearchCV workers")
    args = parser.parse_args()
    docs = documents(args.corpus, args.tokens)
    folds = list(KFold(3).split(docs))
    default_fit(docs, os.path.dirname(args.corpus))
    print(f"{sum(len(d.split()) for d in docs):,} words in {len(docs):,} documents; grid {GRID}; 3 folds")
    with tempfile.TemporaryDirectory() as cache:
        search = GridSearchCV(
            SkipGramVectorizer(memory=cache, random_state=0), GRID, cv=folds, n_jobs=args.n_jobs
        )
        tic = time.perf_counter()
        search.fit(docs)
        seconds = time.perf_counter() - tic
    results = search.cv_results_
    print(f"grid of {len(results['params'])} candidates x 3 folds + refit: {seconds:.1f} s "
          f"({seconds / 60:.1f} min)")
    for i in np.argsort(results["rank_test_score"]):
        print(f"  score {results['mean_test_score'][i]:8.4f}  fit {results['mean_fit_time'][i]:6.1f} s  "
              f"score time {results['mean_score_time'][i]:5.1f} s  {results['params'][i]}")
    print(f"best: {search.best_params_}")
    try:
        from gensim.models import Word2Vec
    except ImportError:
        print("gensim is not installed: no reference (pip install '.[benchmarks]')")
        return
    analyze = SkipGramVectorizer().build_analyzer()
    train = [analyze(docs[i]) for i in folds[0][0]]
    tic = time.perf_counter()
    Word2Vec(train, sg=1, seed=0)
    gensim_seconds = time.perf_counter() - tic
    print(f"reference: one gensim Word2Vec(sg=1) fit on a training fold: {gensim_seconds:.1f} s; "
          f"25 of them: {25 * gensim_seconds:.0f} s; the grid took {seconds / (25 * gensim_seconds):.2f} of that")


if __name__ == "__main__":
    main()
