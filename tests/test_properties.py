"""Property-based tests: random input never crashes or gives garbage.

* random Unicode documents through fit and transform: a clean ValueError
  (no vocabulary, nothing to train on) or finite features;
* word2vec text and binary files: exact round trips for random words and
  float32 values;
* mutated text files load exactly as a small strict reference parser reads
  them, or raise a ValueError; truncated or padded binary files raise.
"""

import re

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from skw2v import SkipGramVectorizer, WordVectors, load_word2vec_format  # noqa: E402

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

documents = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60), min_size=1, max_size=12
)


@SETTINGS
@given(
    docs=documents,
    others=documents,
    loss=st.sampled_from(["softmax", "negative"]),
    solver=st.sampled_from(["sgd", "counts"]),
    pooling=st.sampled_from(["mean", "max", "tfidf", "sif"]),
    norm=st.sampled_from([None, "l2"]),
)
def test_random_documents_train_or_fail_cleanly(docs, others, loss, solver, pooling, norm):
    vectorizer = SkipGramVectorizer(
        vector_size=4, epochs=1, min_count=1, sample=0, window=2, loss=loss, solver=solver,
        pooling=pooling, norm=norm, random_state=0,
    )
    try:
        features = vectorizer.fit_transform(docs)
    except ValueError as error:
        assert re.search(r"Empty vocabulary|Nothing to train on", str(error)), error
        return
    assert features.shape == (len(docs), 4) and np.isfinite(features).all()
    again = vectorizer.transform(others)
    assert again.shape == (len(others), 4) and np.isfinite(again).all()
    assert np.isfinite(vectorizer.word_vectors_).all() and np.isfinite(vectorizer.context_vectors_).all()


# -- files ---------------------------------------------------------------------

words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1, max_size=12,
).filter(lambda w: not re.search(r"\s", w))
vocabularies = st.lists(words, min_size=1, max_size=8, unique=True)
floats = st.floats(width=32, allow_nan=False)


@SETTINGS
@given(vocabulary=vocabularies, size=st.integers(1, 5), data=st.data(), binary=st.booleans())
def test_files_round_trip_exactly(tmp_path, vocabulary, size, data, binary):
    values = np.array(
        data.draw(st.lists(st.lists(floats, min_size=size, max_size=size),
                           min_size=len(vocabulary), max_size=len(vocabulary))),
        dtype=np.float32,
    ).reshape(len(vocabulary), size)
    path = tmp_path / f"v{binary}.bin"
    WordVectors(vocabulary, values).save_word2vec_format(path, binary=binary)
    loaded = load_word2vec_format(path, binary=binary)
    assert loaded.words == vocabulary
    np.testing.assert_array_equal(loaded.vectors.view(np.uint32), values.view(np.uint32))
    if not binary:  # text is detected as text
        assert load_word2vec_format(path).words == vocabulary


def reference_text(content):
    """A strict reader of word2vec text files: (words, vectors) or ValueError."""
    lines = content.decode("utf-8").split("\n")
    header = lines[0].split()
    if len(header) != 2 or not all(re.fullmatch(r"\d+", f) for f in header):
        raise ValueError("header")
    n_words, size = map(int, header)
    if size < 1:
        raise ValueError("size")
    rows = [line for line in lines[1:] if line.strip()]
    if len(rows) != n_words:
        raise ValueError("count")
    found, vectors = [], []
    for line in rows:
        fields = re.split(r"[ \t]+", line.strip(" \t\r"))
        if len(fields) != size + 1:
            raise ValueError("fields")
        found.append(fields[0])
        values = np.array(fields[1:], dtype=np.float64)
        with np.errstate(over="ignore"):
            vector = values.astype(np.float32)
        if (np.isinf(vector) & np.isfinite(values)).any():
            raise ValueError("beyond float32")
        vectors.append(vector)
    if len(set(found)) != len(found):
        raise ValueError("repeats")  # the loader keeps the first of each, with a warning
    return found, np.array(vectors, dtype=np.float32).reshape(n_words, size)


@SETTINGS
@given(
    vocabulary=vocabularies,
    size=st.integers(1, 4),
    cut=st.integers(0, 10**6),
    insert=st.sampled_from([b"", b" ", b"\n", b"x", b"1", b" 7", b"\t", b"\n\n", b"-", b"e5"]),
    drop=st.integers(0, 10**6),
)
def test_mutated_text_files_load_exactly_or_fail(tmp_path, vocabulary, size, cut, insert, drop):
    values = np.arange(len(vocabulary) * size, dtype=np.float32).reshape(-1, size) / 4
    path = tmp_path / "v.txt"
    WordVectors(vocabulary, values).save_word2vec_format(path)
    content = path.read_bytes()
    at, gone = cut % (len(content) + 1), drop % 3
    mutated = content[:at] + insert + content[at + gone:]
    try:
        mutated.decode("utf-8")
    except UnicodeDecodeError:
        assume(False)
    path.write_bytes(mutated)
    try:
        expected = reference_text(mutated)
    except ValueError:
        expected = None
    try:
        loaded = load_word2vec_format(path, binary=False)
    except ValueError:
        assert expected is None, f"refused a valid file: {mutated!r}"
        return
    assert expected is not None, f"loaded an invalid file: {mutated!r}"
    assert loaded.words == expected[0]
    np.testing.assert_array_equal(loaded.vectors, expected[1])


@SETTINGS
@given(vocabulary=vocabularies, size=st.integers(1, 4), cut=st.integers(1, 10**6),
       extra=st.binary(min_size=1, max_size=6))
def test_truncated_or_padded_binary_files_are_errors(tmp_path, vocabulary, size, cut, extra):
    values = np.ones((len(vocabulary), size), dtype=np.float32)
    path = tmp_path / "v.bin"
    WordVectors(vocabulary, values).save_word2vec_format(path, binary=True)
    content = path.read_bytes()
    header = content.index(b"\n") + 1
    short = content[: header + (cut % (len(content) - header - 1))]  # loses at least the last byte of data
    assume(short.rstrip(b"\n") != content.rstrip(b"\n"))
    path.write_bytes(short)
    with pytest.raises(ValueError):
        load_word2vec_format(path, binary=True)
    assume(extra.strip())
    path.write_bytes(content + extra)
    with pytest.raises(ValueError):
        load_word2vec_format(path, binary=True)
