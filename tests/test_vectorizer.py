"""SkipGramVectorizer as a user meets it: the scikit-learn contract, training
quality on the generated corpus, reproducibility, and every kind of bad input.

Calibration of the stochastic thresholds (tests/conftest.py's topic_separation on
make_topic_corpus(n_documents=400), vector_size=20, min_count=1, sample=0,
window shrinking on, 10 seeds 0-9).

The default (solver="counts", init="spectral"), measured 2026-12-01: gap
0.887 and purity 1.00 for every seed (with sample=0 the counts and the exact
SVD of a 136-word vocabulary are seed-free, and one batch holds every row);
first-to-last epoch loss drop 0.451; held-out score -4.031. loss="negative":
gap 0.290-0.339, purity 0.98-1.00, loss drop 1.435-1.660. sample=1e-3: gap
0.953-0.961, drop 0.225-0.228. shrink_windows=False: gap 0.904.
learning_rate=1e-6: gap 0.675 (the spectral start's), drop 0.002, held-out
score -4.461; learning_rate=20: gap 0.885, score -4.030 (the steps saturate).

solver="sgd" (init="random"), measured 2026-11-25:
- softmax, default batch 1024: same-minus-cross-topic cosine gap 0.900-0.916,
  nearest-neighbour purity 1.00 in all 10; first-to-last epoch loss drop
  0.460-0.484.
- batch_size=64: gap 0.964-0.969; batch_size=512: gap 0.928-0.939; purity 1.00.
- learning_rate=1e-4: gap -0.014..0.024, purity 0.16-0.28 (learns nothing).
- learning_rate=20: gap 0.689-0.722 (degraded), all vectors finite.
- loss="negative": gap 0.196-0.241 (its vectors spread out more than the
  softmax's), purity 1.00 in all 10; loss drop 1.059-1.137.
- sample=1e-3 (the default until 2026-12-07): gap 1.259-1.296, purity 1.00.
Thresholds sit outside those ranges: gap > 0.6 (softmax) or > 0.1 (negative)
and purity >= 0.9 for a trained model, loss drop > 0.15; for SGD, gap < 0.1
for lr=1e-4 and lr=20's gap at least 0.1 below the default's; for the counts
solver, lr=1e-6's held-out score at least 0.2 below the default's.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils import estimator_checks

from conftest import topic_separation
from skw2v import SkipGramVectorizer
from skw2v.datasets import make_topic_corpus

# Tiny corpora want min_count=1 and no subsampling (every word of a 136-word
# vocabulary is "frequent" for the default sample); subsampling is tested on its own.
FAST = dict(vector_size=20, min_count=1, epochs=5, sample=0, random_state=0)


@pytest.fixture(scope="module")
def fitted(topic_corpus):
    docs, _, _ = topic_corpus
    return SkipGramVectorizer(**FAST).fit(docs)


# -- scikit-learn's data-independent checks ---------------------------------
# parametrize_with_checks skips estimators that take strings, so call them here.
CHECKS = [
    "check_no_attributes_set_in_init",
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_valid_tag_types",
    "check_estimator_tags_renamed",
    "check_mixin_order",
]


@pytest.mark.parametrize("check", CHECKS)
def test_sklearn_check(check):
    getattr(estimator_checks, check)("SkipGramVectorizer", SkipGramVectorizer())


def test_tags_declare_string_input():
    tags = SkipGramVectorizer().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


# -- fitted attributes and outputs ------------------------------------------


def test_fitted_attributes(fitted, topic_corpus):
    n_words = len(fitted.vocabulary_)
    assert fitted.word_vectors_.shape == (n_words, 20)
    assert fitted.word_vectors_.dtype == np.float32
    assert fitted.context_vectors_.shape == (n_words, 20)
    assert fitted.context_vectors_.dtype == np.float32
    assert sorted(fitted.vocabulary_.values()) == list(range(n_words))
    assert fitted.loss_curve_.dtype == np.float64 and fitted.loss_curve_.shape == (5,)
    assert fitted.n_iter_ == 5
    # rows are in decreasing frequency, counts are the true token counts
    assert np.all(np.diff(fitted.word_counts_) <= 0)
    docs, _, _ = topic_corpus
    assert fitted.word_counts_[fitted.vocabulary_["the"]] == sum(d.split().count("the") for d in docs)


def test_auto_solver_trains_by_counts_below_its_threshold_and_by_pairs_from_it(
    topic_corpus, monkeypatch, capsys
):
    """``solver="auto"`` is exactly the solver it names in ``solver_``, on
    either side of the threshold (the threshold moved to this corpus's length)."""
    from skw2v import _registry

    docs, _, _ = topic_corpus
    fitted = {solver: SkipGramVectorizer(**FAST, solver=solver).fit(docs)
              for solver in ("counts", "pairs")}
    n_words = int(fitted["counts"].word_counts_.sum())
    assert n_words < _registry.PAIRS_FROM_TOKENS
    for threshold, expected in [(n_words + 1, "counts"), (n_words, "pairs")]:
        monkeypatch.setattr(_registry, "PAIRS_FROM_TOKENS", threshold)
        auto = SkipGramVectorizer(**FAST, verbose=1).fit(docs)
        assert auto.solver_ == expected
        np.testing.assert_array_equal(auto.word_vectors_, fitted[expected].word_vectors_)
        assert f"solver='auto' chose {expected!r} for {n_words:,} words" in capsys.readouterr().out
    assert fitted["pairs"].solver_ == "pairs"


def test_resolve_solver():
    from skw2v._registry import PAIRS_FROM_TOKENS, SOLVERS, resolve_solver

    assert resolve_solver("auto", PAIRS_FROM_TOKENS - 1) == "counts"
    assert resolve_solver("auto", PAIRS_FROM_TOKENS) == "pairs"
    for name in SOLVERS:
        assert resolve_solver(name, 0) == resolve_solver(name, 10**12) == name


def test_transform_is_mean_of_known_word_vectors(fitted):
    X = fitted.transform(["football goal unknownword", "", "zzz qqq", "goal"])
    v = fitted.word_vectors_
    row = fitted.vocabulary_
    assert X.dtype == np.float32 and X.shape == (4, 20)
    np.testing.assert_allclose(X[0], (v[row["football"]] + v[row["goal"]]) / 2, rtol=1e-6)
    np.testing.assert_array_equal(X[1], 0)
    np.testing.assert_array_equal(X[2], 0)
    np.testing.assert_allclose(X[3], v[row["goal"]], rtol=1e-6)


def test_transform_of_unknown_words_is_quiet(fitted):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = fitted.transform(["nothing known here"] * 50)
    assert np.all(X == 0) and np.isfinite(X).all()


def test_fit_transform_equals_fit_then_transform(topic_corpus):
    docs, _, _ = topic_corpus
    a = SkipGramVectorizer(**FAST).fit_transform(docs)
    b = SkipGramVectorizer(**FAST).fit(docs).transform(docs)
    np.testing.assert_array_equal(a, b)


def test_feature_names_and_pandas_output(topic_corpus):
    pd = pytest.importorskip("pandas")
    docs, _, _ = topic_corpus
    vec = SkipGramVectorizer(**FAST).set_output(transform="pandas")
    frame = vec.fit_transform(docs[:100])
    names = vec.get_feature_names_out()
    assert list(names[:2]) == ["skipgramvectorizer0", "skipgramvectorizer1"] and len(names) == 20
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == list(names)


def test_most_similar(fitted):
    neighbours = fitted.most_similar("football", topn=5)
    assert len(neighbours) == 5
    assert all(word != "football" for word, _ in neighbours)
    sims = [s for _, s in neighbours]
    assert sims == sorted(sims, reverse=True) and -1 <= sims[-1] <= sims[0] <= 1
    with pytest.raises(KeyError, match="'nosuchword' is not in the vocabulary"):
        fitted.most_similar("nosuchword")


def test_score_is_mean_log_probability(fitted, topic_corpus):
    docs, _, _ = topic_corpus
    score = fitted.score(docs[:50])
    assert np.isfinite(score) and score < 0
    # A trained model predicts its contexts better than the uniform distribution.
    assert score > -np.log(len(fitted.vocabulary_))
    # ...and better than an untrained one.
    untrained = SkipGramVectorizer(**{**FAST, "learning_rate": 1e-9, "min_learning_rate": 0}).fit(docs)
    assert score > untrained.score(docs[:50]) + 0.3


# -- training quality (thresholds calibrated, see the module docstring) ------


@pytest.mark.parametrize(
    "solver, init, batch_size",
    [("counts", "spectral", "auto"), ("sgd", "random", 64), ("sgd", "random", 512),
     ("sgd", "random", 1024), ("sgd", "spectral", "auto")],
)
def test_same_topic_words_are_nearer(topic_corpus, solver, init, batch_size):
    docs, _, topics = topic_corpus
    vec = SkipGramVectorizer(**{**FAST, "batch_size": batch_size}, solver=solver, init=init).fit(docs)
    gap, purity = topic_separation(vec, topics)
    assert gap > 0.6
    assert purity >= 0.9


@pytest.mark.parametrize("solver", ["counts", "sgd"])
@pytest.mark.parametrize("params", [{"loss": "negative"}, {"sample": 1e-3}, {"shrink_windows": False}])
def test_same_topic_words_are_nearer_for_every_option(topic_corpus, params, solver):
    docs, _, topics = topic_corpus
    init = "spectral" if solver == "counts" else "random"
    vec = SkipGramVectorizer(**{**FAST, **params}, solver=solver, init=init).fit(docs)
    gap, purity = topic_separation(vec, topics)
    assert gap > 0.1
    assert purity >= 0.9
    assert vec.loss_curve_[-1] < vec.loss_curve_[0] - 0.15
    assert np.isfinite(vec.score(docs[:20]))


@pytest.mark.parametrize("loss, size", [("softmax", 1024), ("negative", 2048)])
def test_auto_batch_size_is_the_objectives_default(topic_corpus, loss, size):
    docs, _, _ = topic_corpus
    sgd = dict(FAST, loss=loss, solver="sgd", init="random")
    auto = SkipGramVectorizer(**sgd).fit(docs[:60])
    explicit = SkipGramVectorizer(**sgd, batch_size=size).fit(docs[:60])
    other = SkipGramVectorizer(**sgd, batch_size=size // 2).fit(docs[:60])
    assert auto.batch_size == "auto"
    np.testing.assert_array_equal(auto.word_vectors_, explicit.word_vectors_)
    assert not np.array_equal(auto.word_vectors_, other.word_vectors_)


def test_loss_falls(fitted):
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0] - 0.15
    assert fitted.loss_curve_[-1] < np.log(len(fitted.vocabulary_)) - 0.5  # uniform costs log V
    assert np.all(np.isfinite(fitted.loss_curve_))


def test_learning_rate_grid_behaves_with_sgd(topic_corpus):
    docs, _, topics = topic_corpus
    held_out, _ = make_topic_corpus(n_documents=100, random_state=100)
    gaps, scores = {}, {}
    for lr in [1e-4, 0.025, 20.0]:
        vec = SkipGramVectorizer(**{**FAST, "learning_rate": lr, "min_learning_rate": min(lr, 1e-4) / 10},
                                 solver="sgd", init="random")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            vec.fit(docs)
        assert np.isfinite(vec.word_vectors_).all() and np.isfinite(vec.context_vectors_).all()
        gaps[lr] = topic_separation(vec, topics)[0]
        scores[lr] = vec.score(held_out)
    assert gaps[1e-4] < 0.1  # too small: learns (almost) nothing
    assert scores[1e-4] < scores[0.025] - 0.5
    assert gaps[20.0] < gaps[0.025] - 0.1  # too large: degrades, no NaN
    assert gaps[20.0] > 0.3


def test_learning_rate_grid_behaves_with_counts(topic_corpus):
    docs, _, _ = topic_corpus
    held_out, _ = make_topic_corpus(n_documents=100, random_state=100)
    scores = {}
    for lr in [1e-6, 0.025, 20.0]:
        vec = SkipGramVectorizer(**{**FAST, "learning_rate": lr, "min_learning_rate": min(lr, 1e-4) / 10})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            vec.fit(docs)
        assert np.isfinite(vec.word_vectors_).all() and np.isfinite(vec.context_vectors_).all()
        scores[lr] = vec.score(held_out)
    assert scores[1e-6] < scores[0.025] - 0.2  # too small: stays at the spectral start
    assert np.isfinite(scores[20.0])


def test_pipeline_classifies_topics(topic_corpus):
    docs, labels, _ = topic_corpus
    pipe = make_pipeline(SkipGramVectorizer(**FAST), LogisticRegression(max_iter=500))
    assert cross_val_score(pipe, docs, labels, cv=3).mean() > 0.9


# -- reproducibility ---------------------------------------------------------


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("loss", ["softmax", "negative"])
def test_same_seed_gives_bit_identical_results(topic_corpus, n_jobs, loss):
    docs, _, _ = topic_corpus
    params = {**FAST, "sample": 1e-3, "loss": loss, "n_jobs": n_jobs}  # every random draw
    a = SkipGramVectorizer(**params).fit(docs)
    b = SkipGramVectorizer(**params).fit(docs)
    np.testing.assert_array_equal(a.word_vectors_, b.word_vectors_)
    np.testing.assert_array_equal(a.context_vectors_, b.context_vectors_)
    np.testing.assert_array_equal(a.transform(docs), b.transform(docs))
    c = SkipGramVectorizer(**{**params, "random_state": 1}).fit(docs)
    assert not np.array_equal(a.word_vectors_, c.word_vectors_)


def test_pickle_round_trip(fitted, topic_corpus):
    docs, _, _ = topic_corpus
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(docs[:20]), fitted.transform(docs[:20]))
    assert restored.most_similar("goal", topn=3) == fitted.most_similar("goal", topn=3)


def test_clone_is_unfitted_with_same_params(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    with pytest.raises(NotFittedError):
        copy.transform(["football"])


# -- pipelines and searches --------------------------------------------------


def test_grid_search_with_process_workers(topic_corpus):
    docs, labels, _ = topic_corpus
    pipe = make_pipeline(SkipGramVectorizer(**{**FAST, "epochs": 2}), LogisticRegression(max_iter=300))
    grid = {
        "skipgramvectorizer__window": [2, 5],
        "skipgramvectorizer__vector_size": [10, 20],
        "skipgramvectorizer__learning_rate": [0.01, 0.05],
    }
    parallel = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(docs, labels)
    serial = GridSearchCV(pipe, grid, cv=2, n_jobs=1).fit(docs, labels)
    np.testing.assert_array_equal(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert np.isfinite(parallel.cv_results_["mean_test_score"]).all()


def test_grid_search_with_default_scorer_uses_score(topic_corpus):
    """Without a scorer, GridSearchCV scores each held-out fold with score()."""
    from sklearn.model_selection import KFold

    docs, _, _ = topic_corpus
    params = {**FAST, "epochs": 2}
    folds = list(KFold(2).split(docs))
    search = GridSearchCV(SkipGramVectorizer(**params), {"window": [1, 3]}, cv=folds).fit(docs)
    for i, window in enumerate([1, 3]):
        for k, (train, test) in enumerate(folds):
            alone = SkipGramVectorizer(**{**params, "window": window}).fit([docs[j] for j in train])
            expected = alone.score([docs[j] for j in test])
            assert search.cv_results_[f"split{k}_test_score"][i] == pytest.approx(expected, rel=1e-12)
    assert search.cv_results_["mean_test_score"][0] != search.cv_results_["mean_test_score"][1]


def test_pipeline_memory_caches_the_vectorizer(topic_corpus, tmp_path, monkeypatch):
    """With Pipeline(memory=...), refitting with only the classifier changed
    loads the fitted vectorizer from the cache instead of training again."""
    docs, labels, _ = topic_corpus
    calls = []
    original = SkipGramVectorizer._fit

    def counting_fit(self, raw_documents, **kwargs):
        calls.append(self.get_params()["window"])
        return original(self, raw_documents, **kwargs)

    monkeypatch.setattr(SkipGramVectorizer, "_fit", counting_fit)
    pipe = Pipeline(
        [("w2v", SkipGramVectorizer(**FAST)), ("clf", LogisticRegression(max_iter=300))],
        memory=str(tmp_path),
    )
    first = pipe.fit(docs, labels).named_steps["w2v"].word_vectors_.copy()
    assert len(calls) == 1
    pipe.set_params(clf__C=0.5).fit(docs, labels)
    assert len(calls) == 1  # the vectorizer came from the cache
    np.testing.assert_array_equal(pipe.named_steps["w2v"].word_vectors_, first)
    pipe.set_params(w2v__window=2).fit(docs, labels)
    assert calls == [5, 2]  # a changed vectorizer parameter trains again


# -- inputs ------------------------------------------------------------------


def test_pretokenized_documents_with_callable_analyzer(topic_corpus):
    docs, _, _ = topic_corpus
    tokens = [d.split() for d in docs]
    a = SkipGramVectorizer(**FAST, analyzer=list).fit(tokens)
    b = SkipGramVectorizer(**FAST, token_pattern=r"\S+").fit(docs)
    assert a.vocabulary_ == b.vocabulary_
    np.testing.assert_array_equal(a.word_vectors_, b.word_vectors_)


class Reiterable:
    """What users stream from disk: an object whose __iter__ yields documents."""

    def __init__(self, docs):
        self.docs = docs
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        yield from self.docs


def test_streamed_documents_are_read_once(topic_corpus):
    docs, _, _ = topic_corpus
    stream = Reiterable(docs)
    streamed = SkipGramVectorizer(**FAST).fit(stream)
    assert stream.passes == 1  # tokenized once, trained from the compact id arrays
    np.testing.assert_array_equal(
        streamed.word_vectors_, SkipGramVectorizer(**FAST).fit(docs).word_vectors_
    )


def test_long_documents_are_not_truncated():
    words = ["alpha", "beta", "gamma", "delta"] * 10_000  # 40,000 tokens in one document
    vec = SkipGramVectorizer(**FAST).fit([" ".join(words)])
    assert vec.word_counts_.tolist() == [10_000] * 4


def test_filename_input_and_generators(topic_corpus, tmp_path):
    docs, _, _ = topic_corpus
    paths = []
    for i, doc in enumerate(docs[:60]):
        path = tmp_path / f"doc{i}.txt"
        path.write_text(doc, encoding="utf-8")
        paths.append(str(path))
    from_files = SkipGramVectorizer(**FAST, input="filename").fit(paths)
    from_text = SkipGramVectorizer(**FAST).fit(d for d in docs[:60])  # one-shot generator
    np.testing.assert_array_equal(from_files.word_vectors_, from_text.word_vectors_)


def test_tokenization_parameters_are_countvectorizers():
    vec = SkipGramVectorizer(**FAST, stop_words="english", lowercase=True)
    assert vec.build_analyzer()("The Rocket and THE moon") == ["rocket", "moon"]
    assert SkipGramVectorizer(lowercase=False).build_analyzer()("A Rocket") == ["Rocket"]


def test_verbose_prints_progress(topic_corpus, capsys):
    docs, _, _ = topic_corpus
    SkipGramVectorizer(**{**FAST, "epochs": 2}, verbose=1).fit(docs)
    out = capsys.readouterr().out
    assert re.search(r"epoch 1/2: loss \d+\.\d+, [\d,]+ words/s, \d+\.\d s elapsed", out)
    assert "epoch 2/2" in out


@pytest.mark.parametrize("solver", ["counts", "sgd", "pairs"])
def test_progress_counts_the_corpus_words(topic_corpus, monkeypatch, solver):
    """Every solver reports its speed in the corpus's words: a pass over the
    counts stands for every occurrence of its rows' words, and an epoch of
    drawn pairs for the corpus's windows, as an epoch of SGD stands for the
    text."""
    from skw2v._progress import Progress

    docs, _, _ = topic_corpus
    epochs, batches = [], []
    original_epoch, original_batch = Progress.epoch, Progress.batch

    def epoch(self, epoch, loss, units, seconds):
        epochs.append(self.counted(units, units))
        return original_epoch(self, epoch, loss, units, seconds)

    def batch(self, epoch, done, total, seconds):
        batches.append((epoch, done, total, self.counted(done, total)))
        return original_batch(self, epoch, done, total, seconds)

    monkeypatch.setattr(Progress, "epoch", epoch)
    monkeypatch.setattr(Progress, "batch", batch)
    fitted = SkipGramVectorizer(**{**FAST, "epochs": 2}, loss="negative", solver=solver, verbose=1).fit(docs)
    np.testing.assert_allclose(epochs, [fitted.word_counts_.sum()] * 2)
    # the fraction done (by which the estimate goes) ends at 1 in each epoch,
    # and the words counted never go back within one
    for epoch_index in (0, 1):
        ours = [args for args in batches if args[0] == epoch_index]
        assert ours[-1][1] == ours[-1][2]
        counted = [args[3] for args in ours]
        assert counted == sorted(counted) and counted[-1] == pytest.approx(epochs[epoch_index])


# -- bad input ---------------------------------------------------------------


def test_bare_string_is_rejected():
    with pytest.raises(ValueError, match="string object received.*Wrap a single document"):
        SkipGramVectorizer().fit("one long document")
    with pytest.raises(ValueError, match="string object received"):
        SkipGramVectorizer(**FAST).fit(["ab cd ab cd"] * 5).transform("ab cd")


@pytest.mark.parametrize("bad", [None, float("nan")])
def test_missing_documents_are_named(bad):
    with pytest.raises(ValueError, match=r"Document 1 is missing.*empty string"):
        SkipGramVectorizer().fit(["some words here", bad])


def test_non_string_documents_are_named():
    with pytest.raises(TypeError, match="Document 0 is a int.*analyzer=list"):
        SkipGramVectorizer().fit([3, "text"])
    with pytest.raises(TypeError, match="Document 0 is a list"):
        SkipGramVectorizer().fit([["pre", "tokenized"]])


def test_analyzer_returning_a_string_is_rejected():
    with pytest.raises(TypeError, match="returned a string"):
        SkipGramVectorizer(analyzer=str.lower).fit(["Some Text"])


def test_empty_corpus():
    with pytest.raises(ValueError, match="at least one document"):
        SkipGramVectorizer().fit([])


def test_empty_vocabulary_hints_at_min_count():
    with pytest.raises(ValueError, match="Empty vocabulary.*min_count=5.*lower min_count"):
        SkipGramVectorizer().fit(["alpha beta gamma", "delta epsilon"])
    with pytest.raises(ValueError, match="stop words"):
        SkipGramVectorizer(stop_words="english", min_count=1).fit(["the and of", "a an"])


def test_no_word_with_a_context():
    with pytest.raises(ValueError, match="no document has two in-vocabulary words"):
        SkipGramVectorizer(min_count=1).fit(["alpha", "beta", "gamma"])


def test_transform_and_friends_before_fit():
    for method, args in [("transform", (["a"],)), ("score", (["a b"],)), ("most_similar", ("a",))]:
        with pytest.raises(NotFittedError):
            getattr(SkipGramVectorizer(), method)(*args)
    with pytest.raises(NotFittedError):
        SkipGramVectorizer().get_feature_names_out()


@pytest.mark.parametrize(
    "params",
    [
        {"vector_size": 0},
        {"window": 0},
        {"learning_rate": 0},
        {"learning_rate": -1.0},
        {"epochs": 0},
        {"batch_size": 0},
        {"batch_size": "big"},
        {"min_count": 0},
        {"max_features": 0},
        {"input": "url"},
        {"analyzer": "char"},
        {"n_jobs": 0},
        {"decode_error": "loud"},
        {"loss": "hs"},
        {"negative": 0},
        {"sample": -0.1},
        {"sample": 1.5},
        {"shrink_windows": "yes"},
    ],
)
def test_invalid_parameters_raise_invalid_parameter_error(params):
    with pytest.raises(InvalidParameterError, match=list(params)[0]):
        SkipGramVectorizer(**params).fit(["a b c"] * 5)


def test_unknown_parameters():
    with pytest.raises(TypeError, match="unexpected keyword"):
        SkipGramVectorizer(size=100)
    with pytest.raises(ValueError, match="Invalid parameter 'size'"):
        SkipGramVectorizer().set_params(size=100)


def test_min_learning_rate_above_learning_rate():
    with pytest.raises(ValueError, match="min_learning_rate=0.1 exceeds learning_rate=0.01"):
        SkipGramVectorizer(learning_rate=0.01, min_learning_rate=0.1).fit(["a b"] * 5)


def test_divergence_error_names_learning_rate(monkeypatch, topic_corpus):
    """If training ever produces a non-finite loss, fit fails loudly and keeps no NaN."""
    import skw2v._softmax as kernel

    def exploding_forward(*args, **kwargs):
        loss, *rest = original(*args, **kwargs)
        return (float("inf"), *rest)

    original = kernel.forward_block
    monkeypatch.setattr(kernel, "forward_block", exploding_forward)
    docs, _, _ = topic_corpus
    vec = SkipGramVectorizer(**FAST)
    with pytest.raises(ValueError, match=r"diverged.*learning_rate=0.025.*smaller learning_rate"):
        vec.fit(docs)
    assert not hasattr(vec, "word_vectors_")


def test_score_needs_context_words(fitted):
    with pytest.raises(ValueError, match="no context word"):
        fitted.score(["football", "nothing known"])


def test_make_topic_corpus_is_reproducible():
    a = make_topic_corpus(50, random_state=3)
    b = make_topic_corpus(50, random_state=3)
    assert a[0] == b[0] and np.array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="n_topics"):
        make_topic_corpus(10, n_topics=99)


def test_joblib_round_trip(fitted, topic_corpus, tmp_path):
    import joblib

    docs, _, _ = topic_corpus
    joblib.dump(fitted, tmp_path / "vectorizer.joblib")
    restored = joblib.load(tmp_path / "vectorizer.joblib")
    np.testing.assert_array_equal(restored.transform(docs[:20]), fitted.transform(docs[:20]))


def test_file_input(topic_corpus, tmp_path):
    docs, _, _ = topic_corpus
    for i, doc in enumerate(docs[:60]):
        (tmp_path / f"{i}.txt").write_text(doc, encoding="utf-8")
    handles = [open(tmp_path / f"{i}.txt", "rb") for i in range(60)]
    try:
        from_files = SkipGramVectorizer(**FAST, input="file").fit(handles)
    finally:
        for handle in handles:
            handle.close()
    from_text = SkipGramVectorizer(**FAST).fit(docs[:60])
    np.testing.assert_array_equal(from_files.word_vectors_, from_text.word_vectors_)
    with pytest.raises(TypeError, match="expected an open file"):
        SkipGramVectorizer(**FAST, input="file").fit(["not a file"])


@pytest.mark.parametrize("params, unused", [
    (dict(tokenizer=str.split), ["token_pattern"]),
    (dict(tokenizer=str.split, token_pattern=None), []),
    (dict(analyzer=str.split, preprocessor=str.lower), ["preprocessor"]),
    (dict(analyzer=str.split, stop_words="english"), ["stop_words"]),
    (dict(analyzer=str.split, token_pattern=r"\w+"), ["token_pattern"]),
    (dict(analyzer=str.split), []),
    ({}, []),
])
def test_unused_tokenization_parameters_warn_as_countvectorizer_does(params, unused):
    """The parameters CountVectorizer.fit warns about are the ones warned about here."""
    import warnings

    from sklearn.feature_extraction.text import CountVectorizer

    docs = ["alpha beta gamma delta"] * 4
    for estimator in (CountVectorizer(**params), SkipGramVectorizer(**params, **FAST)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            estimator.fit(docs)
        ours = [w for w in caught if "will not be used" in str(w.message)]
        named = sorted(name for name in ("preprocessor", "tokenizer", "stop_words", "token_pattern")
                       if any(f"'{name}' will not be used" in str(w.message) for w in ours))
        assert named == unused, type(estimator).__name__
        if isinstance(estimator, SkipGramVectorizer):
            assert all(w.filename == __file__ for w in ours)  # the caller's line, not ours
