"""Nothing silently wrong: one regression test per item of the reliability
review (failed fits, numerics, file parsing, command-line errors), each
through the public interface only."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skw2v import SkipGramVectorizer, WordVectors, load_word2vec_format
from skw2v.datasets import make_topic_corpus

FAST = dict(vector_size=8, min_count=1, epochs=2, sample=0, random_state=0)
DOCS, _ = make_topic_corpus(n_documents=120, random_state=0)


# -- 1. a failed fit leaves the estimator as it was ---------------------------


def test_a_failed_first_fit_leaves_the_estimator_unfitted():
    vectorizer = SkipGramVectorizer(**FAST, initial_vectors=WordVectors(["goal"], np.ones((1, 3))))
    with pytest.raises(ValueError, match="vector_size"):
        vectorizer.fit(DOCS)
    with pytest.raises(NotFittedError):
        vectorizer.transform(DOCS[:2])


def test_a_failed_refit_keeps_the_previous_model_whole():
    vectorizer = SkipGramVectorizer(**FAST).fit(DOCS)
    before = vectorizer.transform(DOCS[:5])
    vocabulary, vectors = dict(vectorizer.vocabulary_), vectorizer.word_vectors_.copy()
    other_docs, _ = make_topic_corpus(n_documents=60, n_topics=3, random_state=9)
    vectorizer.set_params(initial_vectors=WordVectors(["goal"], np.ones((1, 3))))
    with pytest.raises(ValueError, match="vector_size"):
        vectorizer.fit(other_docs)
    assert vectorizer.vocabulary_ == vocabulary
    np.testing.assert_array_equal(vectorizer.word_vectors_, vectors)
    np.testing.assert_array_equal(vectorizer.transform(DOCS[:5]), before)


def test_a_diverging_fit_names_learning_rate_and_keeps_no_state(monkeypatch):
    import skw2v._softmax as softmax

    original = softmax.forward_block

    def exploding(*args, **kwargs):
        loss, *rest = original(*args, **kwargs)
        return (float("nan"), *rest)

    monkeypatch.setattr(softmax, "forward_block", exploding)
    vectorizer = SkipGramVectorizer(**FAST)
    with pytest.raises(ValueError, match="learning_rate"):
        vectorizer.fit(DOCS)
    with pytest.raises(NotFittedError):
        vectorizer.transform(DOCS[:2])


@pytest.mark.parametrize("learning_rate", [1e4, 1e300])
def test_absurd_learning_rates_never_give_nan(learning_rate):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        vectorizer = SkipGramVectorizer(**{**FAST, "learning_rate": learning_rate}).fit(DOCS)
    assert np.isfinite(vectorizer.word_vectors_).all()
    assert np.isfinite(vectorizer.transform(DOCS[:5])).all()


# -- 2. initial_vectors are checked --------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_initial_vectors_are_named(bad):
    values = np.ones((2, FAST["vector_size"]))
    values[1, 3] = bad
    with pytest.raises(ValueError, match=r"initial_vectors.*non-finite.*'football'"):
        SkipGramVectorizer(**FAST, initial_vectors=WordVectors(["goal", "football"], values)).fit(DOCS)


# -- 3. ns_exponent cannot crash numpy -----------------------------------------


@pytest.mark.parametrize("exponent", [1000.0, -2000.0])
def test_extreme_ns_exponents_train(exponent):
    vectorizer = SkipGramVectorizer(**FAST, loss="negative", ns_exponent=exponent).fit(DOCS)
    assert np.isfinite(vectorizer.word_vectors_).all()


# -- 4. empty transforms keep their shape ---------------------------------------


@pytest.mark.parametrize("pooling", ["mean", "max", "tfidf", "sif"])
@pytest.mark.parametrize("norm", [None, "l2"])
def test_transform_of_no_documents_is_an_empty_array(pooling, norm):
    vectorizer = SkipGramVectorizer(**FAST, pooling=pooling, norm=norm).fit(DOCS)
    empty = vectorizer.transform([])
    assert empty.shape == (0, len(vectorizer.get_feature_names_out()))


# -- 5. mean pooling is exact at any length --------------------------------------


def test_mean_pooling_error_does_not_grow_with_document_length():
    vectorizer = SkipGramVectorizer(**FAST).fit(DOCS)
    rng = np.random.default_rng(0)
    words = np.array(sorted(vectorizer.vocabulary_))
    tokens = words[rng.integers(0, len(words), 2_000_000)]
    pooled = vectorizer.transform([" ".join(tokens)])[0]
    rows = np.array([vectorizer.vocabulary_[w] for w in words])
    counts = np.zeros(len(vectorizer.vocabulary_))
    np.add.at(counts, rows[np.searchsorted(words, tokens)], 1)
    exact = counts @ vectorizer.word_vectors_.astype(np.float64) / counts.sum()
    # float32 output: within a few float32 ulps of the exact mean
    np.testing.assert_allclose(pooled, exact, rtol=2e-6, atol=1e-9)


# -- 6. 2-D input is refused with advice ----------------------------------------


def test_two_dimensional_input_is_refused_with_advice():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"text": DOCS})
    for bad in (frame, frame[["text"]], np.array(DOCS)[:, None]):
        with pytest.raises(ValueError, match=r"one column of text.*df\['text'\]"):
            SkipGramVectorizer(**FAST).fit(bad)
    fitted = SkipGramVectorizer(**FAST).fit(frame["text"])  # the column itself works
    with pytest.raises(ValueError, match="1-D"):
        fitted.transform(frame)


def test_column_transformer_with_a_list_of_columns_says_what_to_do():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer

    frame = pd.DataFrame({"text": DOCS, "n": range(len(DOCS))})
    wrong = ColumnTransformer([("w2v", SkipGramVectorizer(**FAST), ["text"])])
    with pytest.raises(ValueError, match=r"a string \('text'\), not a list"):
        wrong.fit(frame)
    right = ColumnTransformer([("w2v", SkipGramVectorizer(**FAST), "text")]).fit(frame)
    assert right.transform(frame).shape == (len(DOCS), FAST["vector_size"])


# -- 7. a learning rate far too large is noticed ---------------------------------


@pytest.mark.parametrize("loss", ["softmax", "negative"])
def test_mostly_clipped_training_warns_naming_learning_rate(loss):
    with pytest.warns(ConvergenceWarning, match=r"learning_rate=10000 is far too large.*diverge"):
        SkipGramVectorizer(**FAST, loss=loss, learning_rate=1e4).fit(DOCS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        SkipGramVectorizer(**FAST, loss=loss).fit(DOCS)


# -- 8. cosines are exact for any finite vectors ---------------------------------


@pytest.mark.parametrize("scale", [1e-30, 1e-40, 3e38])
def test_cosine_similarity_at_extreme_magnitudes(scale):
    base = np.array([[1.0, 0.2, 0.1], [0.9, 0.5, 0.0], [-1.0, 0.3, 0.2]])
    exact = base @ base.T / np.outer(np.linalg.norm(base, axis=1), np.linalg.norm(base, axis=1))
    wv = WordVectors(["a", "b", "c"], base * scale)
    assert np.isfinite(wv.vectors).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert wv.similarity("a", "b") == pytest.approx(exact[0, 1], rel=1e-5)
        assert wv.most_similar("a", topn=2) == [
            ("b", pytest.approx(exact[0, 1], rel=1e-5)), ("c", pytest.approx(exact[0, 2], rel=1e-5))
        ]
        assert wv.doesnt_match(["a", "b", "c"]) == "c"


# -- 9-12. word2vec files are read strictly ---------------------------------------


@pytest.mark.parametrize(
    "content, no_header, line",
    [
        (b"2 2\ncat 1 2\ndog 3 4 5\n", False, 3),
        (b"cat 1 2\ndog 3 4 5\n", True, 2),
        (b"2 2\ncat 1\ndog 3 4\n", False, 2),
    ],
)
def test_lines_with_the_wrong_number_of_fields_are_errors(tmp_path, content, no_header, line):
    path = tmp_path / "v.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=rf"v.txt, line {line}: expected a word followed by 2 numbers"):
        load_word2vec_format(path, no_header=no_header)


def test_repeated_separators_do_not_enter_the_word(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\ncat  1 2\ndog\t3 4\n")
    loaded = load_word2vec_format(path)
    assert loaded.words == ["cat", "dog"]
    loaded.save_word2vec_format(tmp_path / "again.txt")  # a word that can be saved back


def test_format_detection_honours_the_encoding(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("1 2\ncaf\xe9 0.5 1\n".encode("latin-1"))
    assert load_word2vec_format(path, encoding="latin-1").words == ["café"]
    replaced = load_word2vec_format(path, unicode_errors="replace")
    assert replaced.words == ["caf\ufffd"] and replaced.vectors.tolist() == [[0.5, 1.0]]


def test_a_strict_decode_error_names_the_file_and_line(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("2 2\ncat 1 2\ncaf\xe9 0.5 1\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin.txt, line 3: not valid utf-8.*unicode_errors"):
        load_word2vec_format(path, binary=False)


@pytest.mark.parametrize("no_header", [False, True])
def test_an_empty_file_is_an_error_with_or_without_header(tmp_path, no_header):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="the file is empty"):
        load_word2vec_format(path, no_header=no_header)


# -- 13. command-line errors are one line --------------------------------------


@pytest.mark.parametrize(
    "option, message",
    [(["--encoding", "no-such-codec"], "not a known text encoding"),
     (["--token-pattern", "("], "not a valid regular expression")],
)
def test_command_line_errors_are_one_line_and_status_1(tmp_path, option, message):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(DOCS), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "skw2v", "train", str(corpus), "-o", str(tmp_path / "v.txt"), *option],
        capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_corpus_in_the_wrong_encoding_names_the_file(tmp_path):
    corpus = tmp_path / "latin.txt"
    corpus.write_bytes(("caf\xe9 " * 50 + "\n").encode("latin-1") * 10)
    done = subprocess.run(
        [sys.executable, "-m", "skw2v", "train", str(corpus), "-o", str(tmp_path / "v.txt"),
         "--min-count", "1"],
        capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert "latin.txt: not valid utf-8" in done.stderr and "--encoding" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_values_beyond_float32_are_errors_not_infinities(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\ncat 1 2\ndog 3 1e55\n")
    with pytest.raises(ValueError, match=r"v.txt, line 3: a value beyond float32's range \(1e\+55\)"):
        load_word2vec_format(path)
