"""Document features on three classification tasks, side by side in one run.

Part 1, all labels: 5-fold cross-validated accuracy (stratified, shuffled
with seed 0, the same folds for every row) of ``features + classifier`` on BBC
News (5 topics), movie-review polarity and SMS spam, the classifier being
``LogisticRegressionCV(Cs=[0.1, 1, 10, 100], cv=3)`` for every feature type
(so each gets its C tuned the same way), with these features:

* ``TfidfVectorizer()``;
* ``SkipGramVectorizer`` for each configuration of ``CONFIGS``, vectors
  trained inside each fold on its training part, with every pooling (mean,
  max, tfidf, sif, scdv; one fit per fold and configuration: the vectorizer
  is fitted with ``pooling="scdv"`` and the other poolings reuse its vectors);
  the last configuration, ``wide``, is SCDV alone with 100 clusters of
  200-dimensional vectors (negative sampling, counts solver), the settings
  that did best on polarity when tuned one parameter at a time.

Part 2, few labels (BBC News and polarity): 20% of the documents are held out
for testing; ``SkipGramVectorizer`` (the best pooling of part 1's default
configuration; the idf-weighted mean scaled to unit length, as
``TfidfVectorizer``'s rows are; and the ``wide`` SCDV when part 1 ran it) and
``TfidfVectorizer`` are fitted once on all the texts,
without labels, wrapped in ``sklearn.frozen.FrozenEstimator``, and a
``GridSearchCV`` over C fits the classifier on 1%, 5%, 20% and 100% of the
training labels (5 random stratified subsets each); the table gives the mean
test accuracy.

Also printed: ``transform``'s speed in tokens per second for every pooling
(default settings) and for the ``wide`` SCDV.

Word-vector settings: vector_size 100, window 5, min_count 2, sample 1e-3, 10
epochs (small corpora), 2 threads.

Usage::

    pip install ".[benchmarks]"
    python benchmarks/bench_pooling.py [--data ../shared/data] [--datasets bbc,polarity,sms]
        [--configs softmax/counts,negative/counts,negative/sgd,wide] [--curves bbc,polarity]
        [--curve-pooling tfidf]

``--configs none`` leaves out part 1's word-vector rows (TF-IDF and the
transform speeds remain); part 2 then uses ``--curve-pooling`` (default
tfidf). ``--datasets none`` leaves out part 1, ``--curves none`` part 2.
``--datasets none --configs wide`` runs part 2 with the wide SCDV.
"""

import argparse
import copy
import os
import time
import warnings

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline

from skw2v import SkipGramVectorizer

# scikit-learn 1.9 announces changes to LogisticRegressionCV's defaults at every fit.
warnings.filterwarnings("ignore", category=FutureWarning)
DEFAULT_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
POOLINGS = ["mean", "max", "tfidf", "sif", "scdv"]
WORD2VEC = dict(vector_size=100, window=5, min_count=2, sample=1e-3, epochs=10, n_jobs=2, random_state=0)
#: name -> (estimator parameters beyond WORD2VEC, poolings measured).
CONFIGS = {
    "softmax/counts": (dict(loss="softmax", solver="counts"), POOLINGS),
    "negative/counts": (dict(loss="negative", solver="counts"), POOLINGS),
    "negative/sgd": (dict(loss="negative", solver="sgd"), POOLINGS),
    "wide": (dict(loss="negative", solver="counts", vector_size=200, scdv_clusters=100), ["scdv"]),
}
DEFAULT_CONFIG = "softmax/counts"
FRACTIONS = [0.01, 0.05, 0.2, 1.0]


def load_polarity(folder):
    documents, labels = [], []
    for label, name in enumerate(["rt-polarity.neg", "rt-polarity.pos"]):
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as handle:
            lines = [line.strip() for line in handle if line.strip()]
        documents += lines
        labels += [label] * len(lines)
    return documents, np.array(labels)


def load_labelled_tsv(path, positive=None):
    documents, labels = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            documents.append(text)
            labels.append(label if positive is None else int(label == positive))
    return documents, np.array(labels)


LOADERS = {
    "bbc": ("BBC News", lambda d: load_labelled_tsv(os.path.join(d, "bbc-news.tsv"))),
    "polarity": ("movie-review polarity", load_polarity),
    "sms": ("SMS spam", lambda d: load_labelled_tsv(os.path.join(d, "SMSSpamCollection"), "spam")),
}


def classifier():
    return LogisticRegressionCV(Cs=[0.1, 1, 10, 100], cv=3, max_iter=3000)


def cross_validate_vectors(params, poolings, documents, labels, folds):
    """Accuracy of each pooling on every fold, one vectorizer fit per fold."""
    scores = {p: [] for p in poolings}
    seconds = 0.0
    for train, test in folds:
        train_docs = [documents[i] for i in train]
        test_docs = [documents[i] for i in test]
        tic = time.perf_counter()
        vectorizer = SkipGramVectorizer(**{**WORD2VEC, **params}, pooling="scdv")
        vectorizer.fit(train_docs)
        seconds += time.perf_counter() - tic
        for pooling in poolings:
            vectorizer.set_params(pooling=pooling)
            model = classifier().fit(vectorizer.transform(train_docs), labels[train])
            scores[pooling].append(model.score(vectorizer.transform(test_docs), labels[test]))
    return {p: np.array(s) for p, s in scores.items()}, seconds / len(folds)


def cross_validate_tfidf(documents, labels, folds):
    scores = []
    for train, test in folds:
        pipeline = make_pipeline(TfidfVectorizer(), classifier())
        pipeline.fit([documents[i] for i in train], labels[train])
        scores.append(pipeline.score([documents[i] for i in test], labels[test]))
    return np.array(scores)


_FITTED_ON_ALL = {}


def fitted_on_all(key, documents, config=DEFAULT_CONFIG):
    """The vectorizer of ``config`` fitted on all of dataset ``key``'s texts, once.

    Fitted with ``pooling="scdv"``, which needs the training documents; the
    other poolings are then fitted from the stored statistics, on the same
    vectors, by ``set_params(pooling=...)``.
    """
    if (key, config) not in _FITTED_ON_ALL:
        params = {**WORD2VEC, **CONFIGS[config][0], "pooling": "scdv"}
        _FITTED_ON_ALL[key, config] = SkipGramVectorizer(**params).fit(documents)
    return _FITTED_ON_ALL[key, config]


def transform_speed(vectorizer, documents, poolings=POOLINGS):
    vectorizer = copy.deepcopy(vectorizer)  # set_params below must not change the caller's
    n_tokens = sum(len(vectorizer.build_analyzer()(d)) for d in documents)
    speeds = {}
    for pooling in poolings:
        vectorizer.set_params(pooling=pooling)
        vectorizer.transform(documents[:10])  # fit the pooling from the statistics first
        tic = time.perf_counter()
        vectorizer.transform(documents)
        speeds[pooling] = n_tokens / (time.perf_counter() - tic)
    return n_tokens, speeds


def learning_curve(features, documents, labels, train, test, repeats=5):
    """Mean test accuracy of a frozen feature extractor + grid-searched C per label fraction."""
    rows = {}
    rng = np.random.RandomState(0)
    frozen = FrozenEstimator(features)
    for fraction in FRACTIONS:
        accuracies = []
        for _ in range(repeats if fraction < 1 else 1):
            if fraction < 1:
                chosen, _ = train_test_split(train, train_size=fraction, stratify=labels[train],
                                             random_state=rng.randint(2**31))
            else:
                chosen = train
            smallest = np.bincount(np.unique(labels[chosen], return_inverse=True)[1]).min()
            search = GridSearchCV(
                make_pipeline(frozen, LogisticRegression(max_iter=3000)),
                {"logisticregression__C": [0.1, 1, 10, 100]},
                cv=StratifiedKFold(max(2, min(3, smallest))),
            )
            search.fit([documents[i] for i in chosen], labels[chosen])
            accuracies.append(search.score([documents[i] for i in test], labels[test]))
        rows[fraction] = float(np.mean(accuracies))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--datasets", default="bbc,polarity,sms")
    parser.add_argument("--curves", default="bbc,polarity", help="datasets for part 2")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"configurations of part 1, among {', '.join(CONFIGS)} "
                        "('none': TF-IDF and the speeds only)")
    parser.add_argument("--curve-pooling", help="pooling of part 2 (default: part 1's best, "
                        "or tfidf when part 1 trained nothing)")
    args = parser.parse_args()
    configs = [c for c in args.configs.split(",") if c != "none"]
    unknown = sorted(set(configs) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configuration(s) {unknown}; choose among {list(CONFIGS)}")
    best_pooling = {}
    for key in [d for d in args.datasets.split(",") if d != "none"]:
        title, load = LOADERS[key]
        documents, labels = load(args.data)
        folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(documents, labels))
        print(f"\n== {title}: {len(documents):,} documents, 5-fold accuracy (mean +- std), all labels", flush=True)
        tfidf = cross_validate_tfidf(documents, labels, folds)
        print(f"  {'TfidfVectorizer':44s} {tfidf.mean():.4f} +- {tfidf.std():.4f}", flush=True)
        best = (0.0, None)
        for name in configs:
            params, poolings = CONFIGS[name]
            scores, seconds = cross_validate_vectors(params, poolings, documents, labels, folds)
            for pooling, values in scores.items():
                print(f"  {f'skw2v {name} {pooling}':44s} "
                      f"{values.mean():.4f} +- {values.std():.4f}", flush=True)
                if name == DEFAULT_CONFIG and values.mean() > best[0]:
                    best = (values.mean(), pooling)
            print(f"  ({name}: {seconds:.1f} s per fit)", flush=True)
        if best[1] is not None:
            best_pooling[key] = best[1]
            print(f"  best skw2v pooling (default configuration): {best[1]}, {best[0]:.4f} "
                  f"against TF-IDF {tfidf.mean():.4f} ({best[0] - tfidf.mean():+.4f})")
        n_tokens, speeds = transform_speed(fitted_on_all(key, documents), documents)
        print(f"  transform speed over {n_tokens:,} tokens: " + ", ".join(
            f"{p} {s:,.0f} tokens/s" for p, s in speeds.items()), flush=True)
        if "wide" in configs:
            _, speeds = transform_speed(fitted_on_all(key, documents, "wide"), documents, ["scdv"])
            print(f"  transform speed, wide scdv: {speeds['scdv']:,.0f} tokens/s", flush=True)
    for key in [c for c in args.curves.split(",") if c != "none"]:
        title, load = LOADERS[key]
        documents, labels = load(args.data)
        index = np.arange(len(documents))
        train, test = train_test_split(index, test_size=0.2, stratify=labels, random_state=0)
        pooling = args.curve_pooling or best_pooling.get(key, "tfidf")
        default = fitted_on_all(key, documents)
        features = {
            "TfidfVectorizer": TfidfVectorizer().fit(documents),
            f"skw2v {pooling}": copy.deepcopy(default).set_params(pooling=pooling),
            # TfidfVectorizer's rows have unit length (norm="l2"); so do these.
            "skw2v tfidf, l2": copy.deepcopy(default).set_params(pooling="tfidf", norm="l2"),
        }
        if "wide" in configs:
            features["skw2v wide scdv"] = fitted_on_all(key, documents, "wide")
        print(f"\n== {title}: learning curve, features fitted on all {len(documents):,} texts "
              f"(no labels), test accuracy on {len(test):,} held-out documents", flush=True)
        print(f"  {'labels used':30s}" + "".join(f"{f:>10.0%}" for f in FRACTIONS))
        curves = {name: learning_curve(f, documents, labels, train, test) for name, f in features.items()}
        for name, row in curves.items():
            print(f"  {name:30s}" + "".join(f"{row[f]:>10.4f}" for f in FRACTIONS), flush=True)
        theirs = curves["TfidfVectorizer"]
        for name in [n for n in curves if n != "TfidfVectorizer"]:
            print(f"  {name + ' - TF-IDF':30s}"
                  + "".join(f"{curves[name][f] - theirs[f]:>+10.4f}" for f in FRACTIONS))


if __name__ == "__main__":
    main()
