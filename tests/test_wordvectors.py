"""WordVectors queries and the word2vec file formats (text, binary, GloVe)."""

import pickle

import numpy as np
import pytest

from skw2v import SkipGramVectorizer, WordVectors, load_word2vec_format


@pytest.fixture
def wv():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(50)] + ["café", "日本", "naïve"]
    return WordVectors(words, rng.standard_normal((len(words), 8)).astype(np.float32))


# -- queries ----------------------------------------------------------------


def test_most_similar_is_cosine_ranking(wv):
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    sims = unit @ unit[3]
    sims[3] = -np.inf
    expected = np.argsort(-sims)[:5]
    result = wv.most_similar("w3", topn=5)
    assert [w for w, _ in result] == [wv.words[i] for i in expected]
    np.testing.assert_allclose([s for _, s in result], sims[expected], rtol=1e-5)


def test_most_similar_with_positive_and_negative(wv):
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    target = unit[1] + unit[2] - unit[3]
    sims = unit @ (target / np.linalg.norm(target))
    sims[[1, 2, 3]] = -np.inf
    best = int(np.argmax(sims))
    word, score = wv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=1)[0]
    assert word == wv.words[best] and score == pytest.approx(sims[best], rel=1e-5)
    # A raw vector works as a query term too, and is not excluded from the results.
    assert wv.most_similar(positive=[wv["w7"]], topn=1)[0][0] == "w7"


def test_most_similar_restrict_vocab_and_topn(wv):
    assert all(wv.index[w] < 10 for w, _ in wv.most_similar("w0", topn=20, restrict_vocab=10))
    assert len(wv.most_similar("w0", topn=20, restrict_vocab=10)) == 9
    assert len(wv.most_similar("w0", topn=1000)) == len(wv) - 1
    assert wv.most_similar("w0", topn=0) == []


def test_similarity_and_doesnt_match(wv):
    a, b = wv["w1"], wv["w2"]
    expected = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert wv.similarity("w1", "w2") == pytest.approx(expected, rel=1e-5)
    assert wv.similarity("w1", "w1") == pytest.approx(1.0)
    toy = WordVectors(["a", "b", "c", "z"], [[1, 0.1], [1, 0.2], [1, -0.1], [-0.2, 1]])
    assert toy.doesnt_match(["a", "b", "c", "z"]) == "z"


def test_unknown_words_raise_key_error_naming_the_word(wv):
    for call in (
        lambda: wv.most_similar("dragon"),
        lambda: wv.most_similar(positive=["w1"], negative=["dragon"]),
        lambda: wv.similarity("w1", "dragon"),
        lambda: wv["dragon"],
        lambda: wv.get_vector("dragon"),
    ):
        with pytest.raises(KeyError, match="'dragon'"):
            call()


def test_unknown_words_get_the_lowercased_or_closest_spelling():
    wv = WordVectors(["socket", "server", "sockets"], np.eye(3))
    with pytest.raises(KeyError, match="Did you mean 'socket'.*lowercase=True"):
        wv.most_similar("Socket")
    with pytest.raises(KeyError, match="Close words in the vocabulary: 'server'"):
        wv.get_index("servers")
    with pytest.raises(KeyError, match=r"\(3 words\)\.\"$"):  # no suggestion
        wv.get_index("dragon")


def test_doesnt_match_leaves_out_unknown_words_with_a_warning_as_gensim(wv):
    with pytest.warns(UserWarning, match=r"leaves out words not in the vocabulary: \['dragon'\]"):
        answer = wv.doesnt_match(["w1", "w2", "dragon", "w3"])
    assert answer == wv.doesnt_match(["w1", "w2", "w3"])
    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors(wv.vector_size)
    kv.add_vectors(wv.words, wv.vectors)
    assert answer == kv.doesnt_match(["w1", "w2", "dragon", "w3"])
    with pytest.raises(ValueError, match="two words in the vocabulary"), pytest.warns(UserWarning):
        wv.doesnt_match(["w1", "dragon"])


def test_gensim_names(wv):
    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors(wv.vector_size)
    kv.add_vectors(wv.words, wv.vectors)
    assert wv.index_to_key == kv.index_to_key and wv.key_to_index == kv.key_to_index
    assert wv.has_index_for("w1") and not wv.has_index_for("dragon")
    assert wv.has_index_for("w1") == kv.has_index_for("w1")
    np.testing.assert_array_equal(wv.get_vector("w2"), kv.get_vector("w2"))
    np.testing.assert_allclose(wv.get_vector("w2", norm=True), kv.get_vector("w2", norm=True), rtol=1e-6)


def test_bad_queries(wv):
    with pytest.raises(ValueError, match="at least one"):
        wv.most_similar()
    with pytest.raises(ValueError, match="shape"):
        wv.most_similar(positive=[np.zeros(3)])
    with pytest.raises(TypeError, match="topn"):
        wv.most_similar("w1", 3)
    with pytest.raises(ValueError, match="two words"):
        wv.doesnt_match(["w1"])
    with pytest.raises(ValueError, match="twice"):
        WordVectors(["a", "a"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="must match"):
        WordVectors(["a"], np.zeros((2, 2)))


def test_queries_agree_with_gensim(wv):
    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors(wv.vector_size)
    kv.add_vectors(wv.words, wv.vectors)
    for positive, negative in [("w5", None), (["w1", "w2"], ["w3"]), (["café"], ["日本", "w9"])]:
        theirs = kv.most_similar(positive=positive, negative=negative, topn=8)
        mine = wv.most_similar(positive=positive, negative=negative, topn=8)
        assert [w for w, _ in mine] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in mine], [s for _, s in theirs], atol=1e-5)
    assert wv.similarity("w1", "naïve") == pytest.approx(float(kv.similarity("w1", "naïve")), abs=1e-6)
    words = ["w1", "w2", "w3", "w4", "café"]
    assert wv.doesnt_match(words) == kv.doesnt_match(words)


# -- files ------------------------------------------------------------------


@pytest.mark.parametrize("binary", [False, True])
def test_round_trip_is_bit_exact(wv, tmp_path, binary):
    vectors = wv.vectors.copy()
    vectors[0, :3] = [1e-30, -3.4e38, 0.1]  # extremes and a non-representable decimal
    original = WordVectors(wv.words, vectors)
    path = tmp_path / "v.bin"
    original.save_word2vec_format(path, binary=binary)
    for detected in (binary, None):
        loaded = load_word2vec_format(path, binary=detected)
        assert loaded.words == original.words
        assert loaded.vectors.dtype == np.float32
        np.testing.assert_array_equal(loaded.vectors, original.vectors)


def test_text_format_is_word2vecs(tmp_path):
    path = tmp_path / "v.txt"
    WordVectors(["a", "b"], [[0.5, -1.0], [2.0, 0.25]]).save_word2vec_format(path)
    assert path.read_text() == "2 2\na 0.5 -1\nb 2 0.25\n"
    path.write_bytes(b"2 2\na 0.5 -1 \nb 2 0.25 \n")  # word2vec.c's trailing spaces
    assert load_word2vec_format(path)["b"].tolist() == [2.0, 0.25]


def test_binary_format_is_word2vecs(tmp_path):
    path = tmp_path / "v.bin"
    WordVectors(["é"], [[1.0, -2.0]]).save_word2vec_format(path, binary=True)
    expected = b"1 2\n" + "é".encode() + b" " + np.array([1, -2], "<f4").tobytes() + b"\n"
    assert path.read_bytes() == expected
    # gensim writes no newline after each vector; read that too.
    path.write_bytes(b"2 1\na " + np.float32(3).tobytes() + b"b " + np.float32(4).tobytes())
    loaded = load_word2vec_format(path, binary=True)
    assert loaded.words == ["a", "b"] and loaded.vectors.ravel().tolist() == [3.0, 4.0]


def test_glove_format_without_header(wv, tmp_path):
    path = tmp_path / "glove.txt"
    wv.save_word2vec_format(path, write_header=False)
    assert path.read_text(encoding="utf-8").splitlines()[0].startswith("w0 ")
    loaded = load_word2vec_format(path, no_header=True)
    np.testing.assert_array_equal(loaded.vectors, wv.vectors)
    with pytest.raises(ValueError, match="no_header=True"):
        load_word2vec_format(path)
    with pytest.raises(ValueError, match="always have a header"):
        wv.save_word2vec_format(path, binary=True, write_header=False)


def test_limit_reads_the_first_vectors(wv, tmp_path):
    for binary in (False, True):
        path = tmp_path / f"v{binary}"
        wv.save_word2vec_format(path, binary=binary)
        loaded = load_word2vec_format(path, limit=5)
        assert loaded.words == wv.words[:5]
        np.testing.assert_array_equal(loaded.vectors, wv.vectors[:5])


@pytest.mark.parametrize("word", ["two words", "tab\tword", "", "new\nline"])
def test_words_with_whitespace_are_rejected_when_saving(tmp_path, word):
    with pytest.raises(ValueError, match="whitespace"):
        WordVectors(["ok", word], np.zeros((2, 3))).save_word2vec_format(tmp_path / "v.txt")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "line 1: the file is empty"),
        (b"two 2\na 1 2\n", "line 1: expected the header"),
        (b"2 2\na 1 2\nb 1\n", "line 3: expected a word followed by 2 numbers"),
        (b"2 2\na 1 2\nb 1 x\n", "line 3"),
        (b"3 2\na 1 2\nb 1 2\n", "ends after 2"),
        (b"1 2\na 1 2\nb 1 2\n", "more lines than"),
    ],
)
def test_malformed_text_files_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_word2vec_format(path, binary=False)


def test_malformed_binary_files_are_reported(tmp_path):
    path = tmp_path / "bad.bin"
    good = b"a " + np.array([1, 2], "<f4").tobytes() + b"\n"
    path.write_bytes(b"2 2\n" + good + b"b " + np.float32(1).tobytes())
    with pytest.raises(ValueError, match="vector 2 of 2 .'b'.: the file ends"):
        load_word2vec_format(path, binary=True)
    path.write_bytes(b"1 2\n" + good + good)
    with pytest.raises(ValueError, match="bytes after the 1 vectors"):
        load_word2vec_format(path, binary=True)
    path.write_bytes(b"1 2\n\xff\xfe " + np.array([1, 2], "<f4").tobytes())
    with pytest.raises(ValueError, match="unicode_errors"):
        load_word2vec_format(path, binary=True)
    assert load_word2vec_format(path, binary=True, unicode_errors="replace").words == ["\ufffd\ufffd"]


def test_repeated_words_keep_the_first_with_a_warning(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 1\na 1\nb 2\na 3\n")
    with pytest.warns(UserWarning, match="1 repeated"):
        loaded = load_word2vec_format(path)
    assert loaded.words == ["a", "b"] and loaded["a"].tolist() == [1.0]


@pytest.mark.parametrize("binary", [False, True])
def test_files_move_to_and_from_gensim(wv, tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    ours = tmp_path / "ours"
    wv.save_word2vec_format(ours, binary=binary)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert list(kv.index_to_key) == wv.words
    np.testing.assert_array_equal(kv.vectors, wv.vectors)
    theirs = tmp_path / "theirs"
    kv.save_word2vec_format(str(theirs), binary=binary)
    loaded = load_word2vec_format(theirs)
    assert loaded.words == wv.words
    np.testing.assert_array_equal(loaded.vectors, wv.vectors)


# -- on the vectorizer --------------------------------------------------------


def test_vectorizer_exposes_its_vectors(topic_corpus, tmp_path):
    docs, _, _ = topic_corpus
    vectorizer = SkipGramVectorizer(vector_size=10, min_count=1, epochs=1, random_state=0)
    vectorizer.fit(docs)
    wv = vectorizer.wv_
    assert wv.vectors is vectorizer.word_vectors_ or np.shares_memory(wv.vectors, vectorizer.word_vectors_)
    assert wv.words == list(vectorizer.vocabulary_)
    assert vectorizer.most_similar("football", topn=4) == wv.most_similar("football", topn=4)
    assert vectorizer.similarity("football", "bread") == wv.similarity("football", "bread")
    assert vectorizer.doesnt_match(["football", "bread", "cheese"]) == wv.doesnt_match(
        ["football", "bread", "cheese"]
    )
    path = tmp_path / "v.bin"
    vectorizer.save_word2vec_format(path, binary=True)
    np.testing.assert_array_equal(load_word2vec_format(path).vectors, vectorizer.word_vectors_)
    restored = pickle.loads(pickle.dumps(vectorizer))
    assert "_wv" not in vectorizer.__getstate__() and "_wv" in vars(vectorizer)  # not stored twice
    assert restored.most_similar("football", topn=4) == wv.most_similar("football", topn=4)
    vectorizer.set_params(vector_size=6).fit(docs)
    assert vectorizer.wv_.vector_size == 6  # refit: no stale vectors
