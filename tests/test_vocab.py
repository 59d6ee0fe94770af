import numpy as np

from skw2v._pooling import weighted_mean
import pytest

from skw2v import _vocab
from skw2v._vocab import Corpus, count_and_encode, encode, kept_offsets, prune_vocabulary, remap


def test_count_and_encode_keeps_order_and_documents():
    corpus, words = count_and_encode(iter([["b", "a", "b"], [], ["c", "a"]]))
    assert words == ["b", "a", "c"]
    assert corpus.ids.tolist() == [0, 1, 0, 2, 1]
    assert corpus.indptr.tolist() == [0, 3, 3, 5]
    assert corpus.ids.dtype == np.int32


def test_prune_orders_by_count_then_word():
    words = ["zeta", "alpha", "mid", "rare"]
    counts = np.array([3, 3, 5, 1])
    assert prune_vocabulary(counts, words, 2, None).tolist() == [2, 1, 0]
    assert prune_vocabulary(counts, words, 1, 2).tolist() == [2, 1]
    assert prune_vocabulary(counts, words, 9, None).tolist() == []


def test_remap_drops_words_and_keeps_document_bounds():
    corpus = Corpus(np.array([0, 1, 2, 1, 2], np.int32), np.array([0, 2, 2, 5]))
    out = remap(corpus, np.array([-1, 0, 1]))
    assert out.ids.tolist() == [0, 1, 0, 1]
    assert out.indptr.tolist() == [0, 1, 1, 4]


def test_remap_in_place_across_chunks(monkeypatch):
    """Compaction chunk by chunk gives what one fancy index gives, with the
    kept tokens moved forward inside the corpus's own array."""
    import skw2v._vocab as vocab

    monkeypatch.setattr(vocab, "TOKEN_CHUNK", 7)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 10, 100).astype(np.int32)
    indptr = np.array([0, 3, 3, 40, 41, 100])
    mapping = np.array([-1, 0, 1, -1, 2, 3, -1, 4, 5, -1])
    expected = mapping[ids]
    keep = expected >= 0
    out = remap(Corpus(ids, indptr), mapping)
    assert out.ids.tolist() == expected[keep].tolist()
    assert np.shares_memory(out.ids, ids)
    assert out.indptr.tolist() == [0, *np.cumsum([keep[a:b].sum() for a, b in zip(indptr[:-1], indptr[1:])])]


@pytest.mark.parametrize("chunk", [1, 3, 7, 1 << 20])
def test_kept_offsets_count_each_segment(monkeypatch, chunk):
    """Per-segment counts of the kept entries, whatever the chunking: empty
    segments, segments across chunk bounds, and bounds on chunk edges."""
    monkeypatch.setattr(_vocab, "TOKEN_CHUNK", chunk)
    rng = np.random.RandomState(chunk)
    lengths = rng.choice([0, 0, 1, 2, 5, 9], size=40)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    keep = rng.random_sample(indptr[-1]) < 0.6
    expected = np.concatenate([[0], np.cumsum([keep[a:b].sum() for a, b in zip(indptr[:-1], indptr[1:])])])
    offsets = kept_offsets(keep, indptr)
    assert offsets.dtype == np.int64
    np.testing.assert_array_equal(offsets, expected)
    np.testing.assert_array_equal(kept_offsets(np.zeros(0, bool), np.zeros(4, np.int64)), np.zeros(4))


def test_whole_corpus_passes_form_no_8_byte_copy(monkeypatch):
    """count_words and kept_offsets work a chunk at a time: numpy's bincount
    and a reduceat to int64 would each copy a corpus-long array to 8-byte
    integers (tracemalloc counts numpy's allocations exactly)."""
    import tracemalloc

    monkeypatch.setattr(_vocab, "TOKEN_CHUNK", 1 << 14)
    n = 1 << 20
    ids = np.arange(n, dtype=np.int32) % 1000
    keep = ids % 3 > 0
    indptr = np.arange(0, n + 1, 1000, dtype=np.int64)
    already_tracing = tracemalloc.is_tracing()  # e.g. python -X tracemalloc
    if not already_tracing:
        tracemalloc.start()
    try:
        for call in (lambda: _vocab.count_words(ids, 1000), lambda: kept_offsets(keep, indptr)):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            call()
            assert tracemalloc.get_traced_memory()[1] - before < 2 * n  # an 8-byte copy is 8 n
    finally:
        if not already_tracing:
            tracemalloc.stop()


def test_encode_ignores_unknown_tokens():
    corpus = encode([["x", "a"], ["y"], ["b", "a"]], {"a": 0, "b": 1})
    assert corpus.ids.tolist() == [0, 1, 0]
    assert corpus.indptr.tolist() == [0, 1, 1, 3]


def test_mean_pool_matches_loop_and_gives_zero_rows():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((5, 3)).astype(np.float32)
    corpus = Corpus(np.array([4, 4, 1, 0, 2, 3], np.int32), np.array([0, 3, 3, 6]))
    pooled = weighted_mean(corpus, vectors)
    assert pooled.dtype == np.float32
    np.testing.assert_allclose(pooled[0], vectors[[4, 4, 1]].mean(0), rtol=1e-6)
    np.testing.assert_array_equal(pooled[1], 0)
    np.testing.assert_allclose(pooled[2], vectors[[0, 2, 3]].mean(0), rtol=1e-6)
