"""fit reads its documents once into word ids on disk, in chunks fixed by the
data: the same model for any n_jobs and any kind of input, memory bounded by
a chunk, and nothing left behind by a failure."""

import errno
import os
import tempfile

import numpy as np
import pytest
from conftest import traced_peak

from skw2v import SkipGramVectorizer, _spill, _vocab
from skw2v._keyed_random import document_uniforms, stream_key
from skw2v._spill import (
    EncodedCorpus,
    cut_documents,
    encode_corpus,
    raw_document_chunks,
)
from skw2v._vocab import count_and_encode, count_words, prune_vocabulary, remap

FAST = dict(vector_size=16, epochs=2, min_count=2, random_state=0)
PARAMS = {name: SkipGramVectorizer().get_params()[name] for name in (
    "input", "encoding", "decode_error", "strip_accents", "lowercase", "preprocessor",
    "tokenizer", "token_pattern", "stop_words", "analyzer")}


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 documents and of 500 tokens read back: every path of a
    large corpus on the topic corpus, in this process."""
    monkeypatch.setattr(_spill, "CHUNK_DOCUMENTS", 7)
    monkeypatch.setattr(_vocab, "CHUNK_TOKENS", 500)
    monkeypatch.setattr(_spill, "LOCAL_CHUNKS", 10**9)


@pytest.fixture
def workers(small_chunks, monkeypatch):
    """As small_chunks, with every chunk after the second encoded by worker
    processes (once they have started) when n_jobs > 1."""
    monkeypatch.setattr(_spill, "LOCAL_CHUNKS", 2)
    monkeypatch.setattr(_spill, "_ready", lambda started: all(f.result() for f in started))


@pytest.fixture
def spill_dir(tmp_path, monkeypatch):
    """The temporary directory that spills go to, to check that none is left."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def leftovers(directory):
    return [p.name for p in directory.iterdir() if p.name.startswith("skw2v-corpus-")]


def test_raw_chunks_depend_on_the_documents_alone(monkeypatch):
    monkeypatch.setattr(_spill, "CHUNK_CHARACTERS", 10)
    docs = ["abcd", "ef", "ghijklmn", "o", "p", "q", "rstuvwxyzab", "c"]
    chunks = list(raw_document_chunks(docs, "content"))
    assert [first for first, _ in chunks] == [0, 3, 7]
    assert [d for _, chunk in chunks for d in chunk] == docs
    assert list(raw_document_chunks(iter(docs), "content")) == chunks


def test_cut_documents_does_not_depend_on_the_blocks():
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 40, 300)
    expected = list(cut_documents([lengths], 100))
    for size in (1, 7, 64):
        blocks = [lengths[i : i + size] for i in range(0, len(lengths), size)]
        cut = list(cut_documents(blocks, 100))
        assert len(cut) == len(expected)
        for a, b in zip(cut, expected):
            np.testing.assert_array_equal(a, b)
    for chunk in expected:  # the most documents under the limit, at least one
        assert chunk.sum() <= 100 or len(chunk) == 1
    np.testing.assert_array_equal(np.concatenate(expected), lengths)


def test_encoded_corpus_is_the_in_memory_encoding(topic_corpus, workers, spill_dir):
    """The vocabulary, counts and ids read back in chunks equal one in-memory
    encoding, for one process and for two."""
    docs, _, _ = topic_corpus
    analyzer = SkipGramVectorizer().build_analyzer()
    corpus, words = count_and_encode(analyzer(d) for d in docs)
    counts = count_words(corpus.ids, len(words))
    kept = prune_vocabulary(counts, words, 2, None)
    table = np.full(len(words), -1)
    table[kept] = np.arange(len(kept))
    corpus = remap(corpus, table)
    words, counts = [words[k] for k in kept], counts[kept]
    for n_jobs in (1, 2):
        with encode_corpus(docs, PARAMS, min_count=2, max_features=None, n_jobs=n_jobs) as encoded:
            assert encoded.words == words
            np.testing.assert_array_equal(encoded.word_counts, counts)
            chunks = list(encoded.chunks())
            assert len(chunks) > 10
            np.testing.assert_array_equal(np.concatenate([c.ids for c in chunks]), corpus.ids)
            assert sum(c.n_documents for c in chunks) == encoded.n_documents == len(docs)
            assert [c.n_documents for c in corpus.chunks(500)] == [c.n_documents for c in chunks]
            loaded = encoded.load()
            np.testing.assert_array_equal(loaded.ids, corpus.ids)
            np.testing.assert_array_equal(loaded.indptr, corpus.indptr)
            assert encoded.n_tokens == corpus.n_tokens
            path = encoded.path
        assert not os.path.exists(path)
    assert leftovers(spill_dir) == []


def test_the_reader_keeps_no_chunk_it_has_yielded(topic_corpus, small_chunks):
    """Once its consumer lets a chunk go, nothing of it is left: the reader
    (and its remapping to the vocabulary) refers to no chunk it has yielded."""
    import tracemalloc

    docs, _, _ = topic_corpus
    with encode_corpus(docs, PARAMS, min_count=2, max_features=None) as encoded:
        reader = encoded.chunks(4_000)  # about a quarter of the corpus a chunk
        next(reader)  # the files opened and their buffers made before the tracing
        tracemalloc.start()
        try:
            held = []
            for chunk in reader:
                size = chunk.ids.nbytes
                del chunk
                held.append(tracemalloc.get_traced_memory()[0] / size)
        finally:
            tracemalloc.stop()
    assert len(held) >= 2
    # 0.04-0.13 here; 1.10-1.22 when the reader held the chunk it had yielded
    assert max(held) < 0.5


def test_the_sample_is_seeded_and_of_about_its_size(topic_corpus, small_chunks):
    docs, _, _ = topic_corpus
    with encode_corpus(docs, PARAMS, min_count=2, max_features=None) as encoded:
        a, b = encoded.sample(5_000, 3), encoded.sample(5_000, 3)
        np.testing.assert_array_equal(a.ids, b.ids)
        # a Bernoulli sample of 400 documents of about 90 tokens: sd < 10%
        assert 0.7 * 5_000 < a.n_tokens < 1.3 * 5_000
        assert encoded.sample(10**9, 3).n_tokens == encoded.n_tokens
        assert not np.array_equal(encoded.sample(5_000, 4).ids, a.ids)
        # Document d is in the sample when its keyed uniform is below the
        # fraction, whatever the chunks it was read in.
        whole = encoded.load()
        fraction = 5_000 / encoded.n_tokens
        chosen = document_uniforms(stream_key(3, 0), np.arange(whole.n_documents)) < fraction
        expected = [whole.ids[whole.indptr[d]:whole.indptr[d + 1]] for d in np.flatnonzero(chosen)]
        np.testing.assert_array_equal(a.ids, np.concatenate(expected))
        assert a.n_documents == chosen.sum()


@pytest.mark.parametrize("loss, solver", [("softmax", "counts"), ("negative", "counts"),
                                          ("negative", "sgd"), ("negative", "pairs")])
def test_the_model_is_the_same_for_any_n_jobs_and_any_input(topic_corpus, workers, tmp_path,
                                                            loss, solver):
    docs, _, _ = topic_corpus
    params = dict(FAST, loss=loss, solver=solver, sample=1e-2)
    reference = SkipGramVectorizer(**params, n_jobs=1).fit(docs)
    files = []
    for i, doc in enumerate(docs):
        files.append(tmp_path / f"{i}.txt")
        files[-1].write_text(doc)
    for n_jobs, data, extra in [(2, docs, {}), (2, iter(docs), {}), (1, iter(docs), {}),
                                (2, [str(f) for f in files], {"input": "filename"})]:
        other = SkipGramVectorizer(**params, **extra, n_jobs=n_jobs).fit(data)
        assert other.vocabulary_ == reference.vocabulary_
        np.testing.assert_array_equal(other.word_vectors_, reference.word_vectors_)
        np.testing.assert_array_equal(other.idf_, reference.idf_)


def test_fit_transform_equals_transform_in_chunks(topic_corpus, small_chunks):
    docs, _, _ = topic_corpus
    for pooling in ("mean", "scdv"):
        vectorizer = SkipGramVectorizer(**FAST, pooling=pooling)
        features = vectorizer.fit_transform(iter(docs))
        again = vectorizer.transform(docs)
        if pooling == "scdv":
            features, again = features.toarray(), again.toarray()
        np.testing.assert_array_equal(features, again)
        assert features.shape[0] == len(docs)


def test_a_document_that_fails_to_decode_is_named_and_changes_nothing(
        topic_corpus, workers, spill_dir, tmp_path):
    docs, _, _ = topic_corpus
    files = []
    for i, doc in enumerate(docs[:40]):
        files.append(tmp_path / f"{i}.txt")
        files[-1].write_bytes(doc.encode() if i != 23 else b"caf\xe9 " + doc.encode())
    vectorizer = SkipGramVectorizer(**FAST, input="filename").fit([str(f) for f in files[:20]])
    before = vectorizer.word_vectors_.copy()
    for n_jobs in (1, 2):
        vectorizer.set_params(n_jobs=n_jobs)
        with pytest.raises(ValueError, match=r"Document 23 \('.*23\.txt'\) cannot be decoded as "
                                             r"utf-8: byte 3 is b'\\xe9'.*decode_error='replace'"):
            vectorizer.fit([str(f) for f in files])
        np.testing.assert_array_equal(vectorizer.word_vectors_, before)
    assert leftovers(spill_dir) == []
    vectorizer.set_params(decode_error="replace").fit([str(f) for f in files])


def test_an_interrupted_read_leaves_no_file(topic_corpus, small_chunks, spill_dir):
    docs, _, _ = topic_corpus

    def interrupted():
        yield from docs[:100]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        SkipGramVectorizer(**FAST).fit(interrupted())
    assert leftovers(spill_dir) == []


def test_a_full_disk_is_a_clear_error(topic_corpus, small_chunks, spill_dir, monkeypatch):
    docs, _, _ = topic_corpus
    written = []

    def write(array, file):
        if len(written) > 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(len(array))
        array.tofile(file)

    monkeypatch.setattr(_spill, "write", write)
    with pytest.raises(OSError, match=r"Writing the encoded corpus to .* failed after [\d,]+ tokens "
                                      r"\(No space left on device\).*TMPDIR"):
        SkipGramVectorizer(**FAST).fit(docs)
    assert leftovers(spill_dir) == []


def test_reading_reports_tokens_per_second_and_time_left(topic_corpus, small_chunks, capsys,
                                                         monkeypatch):
    import skw2v._progress as progress

    monkeypatch.setattr(progress, "PASS_QUIET", 0.0)  # as for a long read
    docs, _, _ = topic_corpus
    SkipGramVectorizer(**FAST, verbose=1).fit(docs)
    out = capsys.readouterr().out
    assert "reading: 400 documents of 400 (100.0%)" in out
    assert "tokens/s" in out
    SkipGramVectorizer(**FAST, verbose=1).fit(iter(docs))
    assert "reading: 400 documents, " in capsys.readouterr().out  # no total to compare with


@pytest.mark.parametrize("solver", ["counts", "sgd"])
def test_memory_is_flat_in_the_corpus_length(topic_corpus, small_chunks, solver):
    """The same documents 8 times over (the same vocabulary and count matrix):
    the fit's peak of traced allocations stays within 10% of one copy's.
    Measured with the counts solver: 7.32 MB and 7.46 MB; read as one chunk
    (the default chunk sizes on this small corpus), 7.27 MB and 22.0 MB."""
    docs, _, _ = topic_corpus
    params = dict(FAST, loss="negative", sample=0, epochs=1, solver=solver)

    def peak(documents):
        return traced_peak(SkipGramVectorizer(**params).fit, iter(documents))[1]

    peak(docs)  # warm up imports and caches
    once, eight = peak(docs), peak(docs * 8)
    assert eight <= 1.1 * once, (once, eight)


def test_a_cache_entry_is_reused(topic_corpus, tmp_path):
    docs, _, _ = topic_corpus
    location = str(tmp_path)
    first = _spill.cached_corpus(docs, PARAMS, min_count=2, max_features=None, words=None,
                                 n_jobs=1, report=None, key="k", location=location)
    again = EncodedCorpus.open(os.path.join(location, "k"), "k")
    assert again.words == first.words and again.n_tokens == first.n_tokens
    np.testing.assert_array_equal(again.load().ids, first.load().ids)
    again.remove()  # a cache entry stays
    assert os.path.exists(os.path.join(location, "k", "ids.i4"))
    assert EncodedCorpus.open(os.path.join(location, "missing"), "missing") is None


def test_files_are_cached_by_name_size_and_time(topic_corpus, tmp_path, monkeypatch):
    """With memory, file names key the encoded corpus without reading the
    files; a file that changes is read again."""
    docs, _, _ = topic_corpus
    folder = tmp_path / "docs"
    folder.mkdir()
    names = []
    for i, doc in enumerate(docs[:50]):
        names.append(str(folder / f"{i}.txt"))
        (folder / f"{i}.txt").write_text(doc)
    calls = []
    encode = _spill.encode_corpus

    def counting_encode(*args, **kwargs):
        calls.append(1)
        return encode(*args, **kwargs)

    monkeypatch.setattr(_spill, "encode_corpus", counting_encode)
    params = dict(FAST, input="filename", memory=str(tmp_path / "cache"))
    first = SkipGramVectorizer(**params).fit(names)
    again = SkipGramVectorizer(**{**params, "vector_size": 8}).fit(names)
    assert len(calls) == 1 and again.vocabulary_ == first.vocabulary_
    (folder / "0.txt").write_text(docs[0] + " zebra zebra")
    changed = SkipGramVectorizer(**params).fit(names)
    assert len(calls) == 2 and "zebra" in changed.vocabulary_


def test_worker_processes_take_any_tokenizer(topic_corpus, workers, monkeypatch):
    """Chunks go to worker processes with the tokenization parameters,
    lambdas included (cloudpickle): the same model as in one process."""
    docs, _, _ = topic_corpus
    params = dict(FAST, tokenizer=lambda text: text.upper().split(), token_pattern=None,
                  lowercase=False)
    one = SkipGramVectorizer(**params, n_jobs=1).fit(docs)
    here, encode = [], _spill.encode_chunk

    def counted(*args):
        here.append(1)
        return encode(*args)

    monkeypatch.setattr(_spill, "encode_chunk", counted)  # this process's calls only
    two = SkipGramVectorizer(**params, n_jobs=2).fit(docs)
    assert len(here) == 2  # of 58 chunks: the workers encoded the others
    assert "GOAL" in two.vocabulary_
    np.testing.assert_array_equal(one.word_vectors_, two.word_vectors_)


def test_the_reading_workers_import_no_training_kernels():
    """A reading worker imports ``_encoding`` (through the package, whose
    public names load on first use): scikit-learn's tokenizer, not numba."""
    import subprocess
    import sys

    code = ("import sys, skw2v._encoding; print('numba' in sys.modules, "
            "'skw2v._vectorizer' in sys.modules); from skw2v import SkipGramVectorizer; "
            "print(SkipGramVectorizer.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "skw2v._vectorizer"]
