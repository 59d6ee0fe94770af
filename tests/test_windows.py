import numpy as np
import pytest

from skw2v._windows import context_pairs, training_positions


def brute_force(positions, ids, indptr, window, reduced=None):
    pairs, counts = [], []
    for b, p in enumerate(positions):
        doc = np.searchsorted(indptr, p, side="right") - 1
        reach = window if reduced is None else reduced[b]
        found = [
            (b, ids[q])
            for q in range(p - reach, p + reach + 1)
            if q != p and indptr[doc] <= q < indptr[doc + 1]
        ]
        pairs += found
        counts.append(len(found))
    return pairs, counts


@pytest.mark.parametrize("window", [1, 2, 5])
@pytest.mark.parametrize("shrink", [False, True])
def test_context_pairs_match_brute_force(window, shrink):
    rng = np.random.default_rng(window)
    lengths = np.array([1, 7, 2, 0, 12, 3])
    indptr = np.r_[0, np.cumsum(lengths)]
    ids = rng.integers(0, 50, indptr[-1]).astype(np.int32)
    positions = training_positions(indptr)
    rng.shuffle(positions)
    reduced = rng.integers(1, window + 1, len(positions)) if shrink else None
    rows, cols, n_contexts = context_pairs(positions, ids, indptr, window, reduced)
    expected_pairs, expected_counts = brute_force(positions, ids, indptr, window, reduced)
    assert sorted(zip(rows.tolist(), cols.tolist())) == sorted(
        (int(b), int(c)) for b, c in expected_pairs
    )
    assert n_contexts.tolist() == expected_counts
    assert np.all(np.diff(rows) >= 0)


def test_training_positions_skip_short_documents():
    indptr = np.array([0, 1, 4, 4, 6])  # lengths 1, 3, 0, 2
    assert training_positions(indptr).tolist() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("group", [1, 3, 50])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_minibatches_equal_context_pairs_batch_by_batch(monkeypatch, group, n_threads):
    """The SGD solver builds pairs for several batches per call (with more
    than one thread, the next group's in the background); every batch must
    get exactly what context_pairs gives for it alone."""
    from skw2v import _solver_sgd
    from skw2v._parallel import Pool
    from skw2v._vocab import Corpus

    monkeypatch.setattr(_solver_sgd, "PAIR_GROUP", group)
    rng = np.random.default_rng(0)
    corpus = Corpus(rng.integers(0, 30, 200).astype(np.int32), np.array([0, 3, 90, 91, 160, 200]))
    positions = training_positions(corpus.indptr)
    rng.shuffle(positions)
    batch, window = 7, 3
    with Pool(n_threads) as pool:
        got = [
            (begin, *batch_[:4])
            for begin, batch_ in _solver_sgd.minibatches(
                corpus, positions, batch, window, True, np.random.RandomState(5), pool
            )
        ]
    reference_rng = np.random.RandomState(5)
    expected = []
    for group_begin in range(0, len(positions), batch * group):
        chunk = positions[group_begin : group_begin + batch * group]
        reduced = reference_rng.randint(1, window + 1, size=len(chunk))
        for first in range(0, len(chunk), batch):
            sl = slice(first, first + batch)
            rows, cols, n_ctx = context_pairs(chunk[sl], corpus.ids, corpus.indptr, window, reduced[sl])
            expected.append((group_begin + first, corpus.ids[chunk[sl]], rows, cols, n_ctx))
    assert len(got) == len(expected) == -(-len(positions) // batch)
    for mine, theirs in zip(got, expected):
        assert mine[0] == theirs[0]
        for a, b in zip(mine[1:], theirs[1:]):
            np.testing.assert_array_equal(a, b)
