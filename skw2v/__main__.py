"""``python -m skw2v``: the demo (a pipeline tuned by grid search, then neighbours).

Runs on scikit-learn's 20 newsgroups data when it is already in the local
scikit-learn data cache (nothing is downloaded), otherwise on a corpus generated
by :func:`skw2v.datasets.make_topic_corpus`, which ships with the package.
"""

import argparse
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from . import SkipGramVectorizer, __version__
from .datasets import make_topic_corpus

NEWSGROUPS = ["rec.sport.hockey", "sci.space", "comp.graphics", "talk.politics.guns"]


def load_demo_corpus(source):
    """Return ``(documents, labels, probe_words, description)``."""
    if source in ("auto", "20newsgroups"):
        try:
            from sklearn.datasets import fetch_20newsgroups

            data = fetch_20newsgroups(
                subset="train",
                categories=NEWSGROUPS,
                remove=("headers", "footers", "quotes"),
                download_if_missing=False,
            )
            probes = ["hockey", "space", "graphics", "gun"]
            return data.data, data.target, probes, "20 newsgroups (local cache), 4 groups"
        except OSError:
            if source == "20newsgroups":
                raise SystemExit(
                    "20 newsgroups is not in the local scikit-learn data cache; run "
                    "sklearn.datasets.fetch_20newsgroups() once with network access, "
                    "or use --data generated."
                ) from None
    documents, labels = make_topic_corpus(
        n_documents=600, n_topics=4, document_length=(8, 30), topic_purity=0.35, random_state=0
    )
    probes = ["football", "bread", "planet", "guitar"]
    return documents, labels, probes, "generated topic corpus (skw2v.datasets.make_topic_corpus)"


def run_demo(args):
    documents, labels, probes, description = load_demo_corpus(args.data)
    print(f"skw2v {__version__} demo on {description}: {len(documents)} documents")
    # The full softmax costs time proportional to the vocabulary: cap it.
    vectorizer = SkipGramVectorizer(max_features=5000, min_count=2, epochs=5, random_state=0)
    pipeline = make_pipeline(vectorizer, LogisticRegression(max_iter=1000))
    grid = {
        "skipgramvectorizer__window": [2, 5],
        "skipgramvectorizer__vector_size": [20, 50],
        "skipgramvectorizer__learning_rate": [0.005, 0.05],
    }
    search = GridSearchCV(pipeline, grid, cv=3, n_jobs=args.n_jobs)
    tic = time.perf_counter()
    search.fit(documents, labels)
    print(f"grid search over {len(search.cv_results_['params'])} candidates x 3 folds "
          f"in {time.perf_counter() - tic:.1f} s")
    print("best parameters:")
    for name, value in search.best_params_.items():
        print(f"  {name.split('__')[1]} = {value}")
    print(f"best cross-validated accuracy: {search.best_score_:.3f}")
    ranks = np.argsort(search.cv_results_["rank_test_score"])
    print("all candidates (mean accuracy):")
    for i in ranks:
        params = search.cv_results_["params"][i]
        short = ", ".join(f"{k.split('__')[1]}={v}" for k, v in params.items())
        print(f"  {search.cv_results_['mean_test_score'][i]:.3f}  {short}")
    best = search.best_estimator_.named_steps["skipgramvectorizer"]
    print(f"nearest neighbours in the best model ({len(best.vocabulary_)} words):")
    for word in probes:
        if word in best.vocabulary_:
            neighbours = ", ".join(f"{w} ({s:.2f})" for w, s in best.most_similar(word, topn=6))
            print(f"  {word}: {neighbours}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m skw2v",
        description="skw2v: skip-gram word2vec as a scikit-learn transformer.",
    )
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="grid-search a pipeline and print neighbours (default)")
    for target in (parser, demo):
        target.add_argument(
            "--data",
            choices=["auto", "20newsgroups", "generated"],
            default="auto",
            help="corpus: 20 newsgroups if cached locally (auto), or the generated one",
        )
        target.add_argument("--n-jobs", type=int, default=2, help="GridSearchCV workers")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return run_demo(args)


if __name__ == "__main__":
    sys.exit(main())
