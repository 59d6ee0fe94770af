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
