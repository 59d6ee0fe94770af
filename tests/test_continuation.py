"""Continued training and progress: a fixed vocabulary, partial_fit, warm_start,
and what verbose=1 prints while it trains."""

import io
import re

import numpy as np
import pytest

from skw2v import SkipGramVectorizer
from skw2v._pooling import gram_component, gram_exponent, gram_from_units, sif_gram_units
from skw2v.datasets import make_topic_corpus

FAST = dict(vector_size=12, min_count=1, epochs=2, sample=0, random_state=0)
DOCS, _ = make_topic_corpus(n_documents=200, random_state=0)
MORE, _ = make_topic_corpus(n_documents=120, random_state=1)
SOLVERS = [dict(solver="sgd"), dict(solver="counts", init="spectral"), dict(solver="pairs", loss="negative")]
# How far a continued fit's first loss falls below a fresh fit's: negative sampling's
# loss moves less; for pairs calibrated on random_state 0-3 (partial_fit 0.038-0.058,
# warm_start 0.053-0.055)
MARGIN = {"sgd": 0.1, "counts": 0.1, "pairs": 0.02}


# -- a fixed vocabulary ---------------------------------------------------------


@pytest.mark.parametrize("kind", [list, tuple, dict])
def test_a_fixed_vocabulary_keeps_its_words_and_rows(kind):
    words = ["goal", "football", "bread", "planet", "nosuchword", "team", "the"]
    vocabulary = {w: i for i, w in enumerate(words)} if kind is dict else kind(words)
    vectorizer = SkipGramVectorizer(**{**FAST, "min_count": 50}, vocabulary=vocabulary).fit(DOCS)
    assert vectorizer.vocabulary_ == {w: i for i, w in enumerate(words)}
    counted = [sum(d.split().count(w) for d in DOCS) for w in words]
    assert vectorizer.word_counts_.tolist() == counted and counted[4] == 0  # min_count unused
    assert vectorizer.transform(["goal bread unknown"]).shape == (1, 12)
    assert np.isfinite(vectorizer.word_vectors_).all()


@pytest.mark.parametrize(
    "vocabulary, message",
    [(["a", "b", "a"], "'a' twice"), ({"a": 0, "b": 2}, "rows 0..1"), ([], "empty"),
     ("goal", "not a string"), (["goalz", "bready"], "Nothing to train on")],
)
def test_bad_vocabularies_are_named(vocabulary, message):
    with pytest.raises(ValueError, match=message):
        SkipGramVectorizer(**FAST, vocabulary=vocabulary).fit(DOCS)


# -- partial_fit ---------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS, ids=["sgd", "counts", "pairs"])
def test_the_first_partial_fit_is_fit(solver):
    fitted = SkipGramVectorizer(**FAST, **solver).fit(DOCS)
    partial = SkipGramVectorizer(**FAST, **solver).partial_fit(DOCS)
    np.testing.assert_array_equal(partial.word_vectors_, fitted.word_vectors_)
    np.testing.assert_array_equal(partial.context_vectors_, fitted.context_vectors_)
    np.testing.assert_array_equal(partial.transform(MORE), fitted.transform(MORE))


@pytest.mark.parametrize("solver", SOLVERS, ids=["sgd", "counts", "pairs"])
def test_later_partial_fits_continue_training(solver):
    vectorizer = SkipGramVectorizer(**FAST, **solver).partial_fit(DOCS)
    first = vectorizer.word_vectors_.copy()
    vocabulary, counts = dict(vectorizer.vocabulary_), vectorizer.word_counts_.copy()
    vectorizer.partial_fit(MORE + ["unknownword " * 5])
    assert vectorizer.vocabulary_ == vocabulary  # the vocabulary is kept; new words ignored
    assert not np.array_equal(vectorizer.word_vectors_, first)
    more = np.array([sum(d.split().count(w) for d in MORE) for w in sorted(vocabulary, key=vocabulary.get)])
    np.testing.assert_array_equal(vectorizer.word_counts_, counts + more)
    assert vectorizer.n_iter_ == 4 and len(vectorizer.loss_curve_) == 4
    # the second call starts from trained vectors: its first epoch's loss is
    # far below the first call's (a fresh model on the same documents)
    fresh = SkipGramVectorizer(**FAST, **solver).fit(MORE)
    assert vectorizer.loss_curve_[2] < fresh.loss_curve_[0] - MARGIN[solver["solver"]]


def sif_gram(corpus, vectors, word_counts, alpha):
    """The float64 Gram matrix of ``corpus``'s SIF averages under ``vectors``."""
    exponent = gram_exponent(vectors, word_counts, alpha)
    return gram_from_units(sif_gram_units(corpus, vectors, word_counts, alpha, exponent), exponent)


def test_partial_fit_accumulates_the_pooling_statistics():
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = SkipGramVectorizer(**FAST).partial_fit(DOCS)
    after_first = vectorizer.word_vectors_.copy()
    vectorizer.partial_fit(MORE)
    words = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    reference = TfidfVectorizer(vocabulary=words, token_pattern=r"(?u)\b\w\w+\b").fit(DOCS + MORE)
    np.testing.assert_allclose(vectorizer.idf_, reference.idf_)  # idf over all documents seen
    first, second = vectorizer._encode(DOCS), vectorizer._encode(MORE)
    counts_first = np.bincount(first.ids, minlength=len(words))
    gram = (sif_gram(first, after_first, counts_first, vectorizer.sif_alpha)
            + sif_gram(second, vectorizer.word_vectors_, vectorizer.word_counts_, vectorizer.sif_alpha))
    np.testing.assert_allclose(vectorizer.sif_component_, gram_component(gram), atol=1e-5)


# -- warm_start -----------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS, ids=["sgd", "counts", "pairs"])
def test_warm_start_continues_from_the_fitted_vectors(solver):
    vectorizer = SkipGramVectorizer(**FAST, **solver, warm_start=True).fit(DOCS)
    cold = SkipGramVectorizer(**FAST, **solver).fit(DOCS)
    np.testing.assert_array_equal(vectorizer.word_vectors_, cold.word_vectors_)  # nothing to continue
    vectorizer.fit(DOCS)
    assert not np.array_equal(vectorizer.word_vectors_, cold.word_vectors_)
    assert vectorizer.loss_curve_[0] < cold.loss_curve_[0] - MARGIN[solver["solver"]]
    assert vectorizer.n_iter_ == 2  # fit does not accumulate; partial_fit does


def test_warm_start_with_another_vocabulary_starts_anew_and_says_so():
    vectorizer = SkipGramVectorizer(**FAST, warm_start=True).fit(DOCS)
    other, _ = make_topic_corpus(n_documents=100, n_topics=2, random_state=3)
    with pytest.warns(UserWarning, match="vocabulary .* differs.*starts anew"):
        vectorizer.fit(other)
    np.testing.assert_array_equal(vectorizer.word_vectors_, SkipGramVectorizer(**FAST).fit(other).word_vectors_)


# -- progress -------------------------------------------------------------------


def test_a_short_fit_prints_a_handful_of_lines(capsys):
    SkipGramVectorizer(**FAST, verbose=1).fit(DOCS)
    lines = capsys.readouterr().out.splitlines()
    assert 2 <= len(lines) <= 6, lines  # what is trained and one line per epoch
    assert not any("%" in line or "estimated" in line for line in lines)


@pytest.fixture
def long_work(monkeypatch):
    """Progress as for long work: within-epoch lines and the estimate at once."""
    import skw2v._progress as progress

    monkeypatch.setattr(progress, "PASS_QUIET", 0.0)
    monkeypatch.setattr(progress, "ESTIMATE_MIN", 0.0)


def test_verbose_reports_the_start_an_estimate_and_progress_within_epochs(capsys, long_work):
    SkipGramVectorizer(**{**FAST, "batch_size": 64}, solver="sgd", verbose=1).fit(DOCS)
    out = capsys.readouterr().out
    assert re.search(r"[\d,]+ words in 200 documents, vocabulary \d+, loss='softmax', solver='sgd'", out)
    assert re.search(r"estimated training time \d+\.\d s \([\d,]+ words/s\)", out)
    within = re.findall(r"epoch 1/2: +(\d+\.\d)%, [\d,]+ words/s", out)
    assert len(within) >= 5 and all(0 < float(p) < 100 for p in within)  # lines, not a bar
    assert "\r" not in out  # not a terminal: plain lines
    assert re.search(r"epoch 2/2: loss \d+\.\d+, [\d,]+ words/s, \d+\.\d s elapsed", out)


def test_progress_on_a_terminal_is_one_line_redrawn_in_place(monkeypatch, long_work):
    import skw2v._progress as progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    monkeypatch.setattr(progress, "REDRAW_SECONDS", 0.0)
    report = progress.Progress("X", 1, stream)
    report.start_training(2, "words")
    for done in range(100, 1000, 100):
        report.batch(0, done, 1000, done / 1000)
    report.epoch(0, 1.5, 1000, 1.0)
    text = stream.getvalue()
    assert text.count("\r[X] epoch 1/2:") >= 8  # redrawn in place
    assert "[X] epoch 1/2: loss 1.5000" in text and "estimated training time" in text


def test_verbose_reports_the_counts_solver_too(capsys, long_work):
    SkipGramVectorizer(**{**FAST, "batch_size": 16}, verbose=1).fit(DOCS)
    out = capsys.readouterr().out
    assert "solver='counts', init='spectral'" in out
    assert re.findall(r"epoch 1/2: +\d+\.\d%, [\d,]+ words/s", out)  # rows of the counts
    assert re.search(r"epoch 2/2: loss \d+\.\d+", out)


def test_verbose_2_adds_the_stages(capsys):
    SkipGramVectorizer(**FAST, solver="counts", init="spectral", verbose=2).fit(DOCS)
    out = capsys.readouterr().out
    for stage in ("tokenization and vocabulary", "co-occurrence counts", "spectral start"):
        assert stage in out
