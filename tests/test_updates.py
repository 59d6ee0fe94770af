"""The row-update helpers shared by the objectives (skw2v._updates)."""

import numpy as np
import pytest

import skw2v._updates as sgd
from skw2v._parallel import Workspace


def random_pairs(seed, n_rows=7, n_cols=11, n=60, d=5):
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n_rows, n)
    cols = rng.integers(0, n_cols, n).astype(np.int32)
    values = rng.standard_normal(n).astype(np.float32)
    dense = rng.standard_normal((n_cols, d)).astype(np.float32)
    return rows, cols, values, dense


@pytest.mark.parametrize("kernel", ["scipy", "fallback"])
@pytest.mark.parametrize("seed", range(3))
def test_scatter_add_equals_the_sparse_product(monkeypatch, kernel, seed):
    if kernel == "fallback":
        monkeypatch.setattr(sgd, "_COO_KERNEL", None)
    rows, cols, values, dense = random_pairs(seed)
    out = np.full((7, dense.shape[1]), 99.0, dtype=np.float32)  # stale contents
    result = sgd.scatter_add(out, rows, cols, values, dense)
    assert result is out
    expected = sgd.pair_matrix(rows, cols, values, (7, len(dense))) @ dense
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    # the loop it stands for, in float64
    slow = np.zeros((7, dense.shape[1]))
    for r, c, v in zip(rows, cols, values):
        slow[r] += float(v) * dense[c]
    np.testing.assert_allclose(out, slow, rtol=1e-5, atol=1e-5)


def test_the_private_kernel_is_in_use_where_scipy_has_it():
    """Where scipy has the routine, the probe must accept it: if a scipy
    release changed its behaviour, training would silently fall back to the
    slower public product, and this test is what notices."""
    import scipy.sparse._sparsetools as tools

    if not hasattr(tools, "coo_matmat_dense"):
        pytest.skip("this scipy has no coo_matmat_dense; the public product is used")
    assert sgd._COO_KERNEL is not None


def test_out_of_range_indices_raise_instead_of_writing_anywhere():
    rows, cols, values, dense = random_pairs(0)
    with pytest.raises(IndexError):
        sgd.scatter_add(np.zeros((3, dense.shape[1]), np.float32), rows, cols, values, dense)
    with pytest.raises(IndexError):
        sgd.scatter_add(np.zeros((7, dense.shape[1]), np.float32), rows, cols, values, dense[:4])
    matrix = np.zeros((4, 2), dtype=np.float32)
    with pytest.raises(IndexError):
        sgd.add_rows(matrix, np.array([1, 4]), np.ones((2, 2), np.float32), np.ones(2))


@pytest.mark.parametrize("kernel", ["scipy", "fallback"])
def test_add_rows_updates_only_the_given_rows(monkeypatch, kernel):
    if kernel == "fallback":
        monkeypatch.setattr(sgd, "_COO_KERNEL", None)
    matrix = np.arange(24, dtype=np.float32).reshape(6, 4)
    before = matrix.copy()
    rows = np.array([4, 1])
    values = np.ones((2, 4), dtype=np.float32)
    sgd.add_rows(matrix, rows, values, np.array([-2.0, 0.5]))
    expected = before.copy()
    expected[4] -= 2.0
    expected[1] += 0.5
    np.testing.assert_array_equal(matrix, expected)


@pytest.mark.parametrize("size", [10, 10_000])  # presence mask / slots
def test_distinct_gives_each_value_once_and_ranks(size):
    work = Workspace()
    ids = np.array([7, 3, 7, 9, 3, 0])
    for _ in range(2):  # the slots are reused between calls
        words, rank = sgd.distinct(ids, size, work)
        assert sorted(words) == [0, 3, 7, 9]
        np.testing.assert_array_equal(words[rank], ids)
    if size > 10:  # slots: first-occurrence order
        np.testing.assert_array_equal(words, [7, 3, 9, 0])


def test_summed_rows_are_the_same_with_either_kernel(monkeypatch):
    rng = np.random.default_rng(0)
    centers = rng.integers(0, 30, 200)
    grad = rng.standard_normal((200, 6)).astype(np.float32)
    curvature = rng.random(200).astype(np.float32)
    pieces = [(centers, np.arange(200), grad)]
    w_fast = np.zeros((30, 6), dtype=np.float32)
    clipped = sgd.add_summed_rows(w_fast, pieces, 0.1, 0.5, Workspace(), curvature).n_clipped
    monkeypatch.setattr(sgd, "_COO_KERNEL", None)
    w_slow = np.zeros((30, 6), dtype=np.float32)
    clipped_slow = sgd.add_summed_rows(w_slow, pieces, 0.1, 0.5, Workspace(), curvature).n_clipped
    assert clipped == clipped_slow > 0
    np.testing.assert_allclose(w_fast, w_slow, rtol=1e-6, atol=1e-7)
    assert np.linalg.norm(w_fast, axis=1).max() <= 0.5 * (1 + 1e-6)


@pytest.mark.parametrize("with_curvature", [False, True])
def test_add_summed_rows_sums_pieces_per_row(with_curvature):
    """Two pieces naming overlapping rows, gradients read through ``at``: each
    row moves by its factor times the sum of all its gradients."""
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((9, 4)).astype(np.float32)
    before = matrix.astype(np.float64)
    grads = [rng.standard_normal((6, 4)).astype(np.float32) for _ in range(2)]
    pieces = [
        (np.array([2, 5, 2, 7]), np.array([0, 3, 5, 1]), grads[0]),
        (np.array([5, 0, 2]), np.array([4, 2, 0]), grads[1]),
    ]
    curvature = rng.random(7) if with_curvature else None
    step = 0.3
    work = Workspace()
    words, rank, factors, sums_sq, _, _ = sgd.add_summed_rows(
        matrix, pieces, step, np.inf, work, curvature
    )
    ids = np.concatenate([p[0] for p in pieces])
    np.testing.assert_array_equal(words[rank], ids)
    expected = before.copy()
    for word in np.unique(ids):
        total, a = np.zeros(4), 0.0
        for j, (piece_ids, at, g) in enumerate(pieces):
            for i in np.flatnonzero(piece_ids == word):
                total += g[at[i]]
                a += 0 if curvature is None else curvature[4 * j + i]
        factor = step * (sgd.sequential_factor(step * a) if with_curvature else 1.0)
        expected[word] -= factor * total
        k = np.flatnonzero(words == word)[0]
        assert sums_sq[k] == pytest.approx(total @ total, rel=1e-5)
        assert factors[k] == pytest.approx(factor, rel=1e-6)
    np.testing.assert_allclose(matrix, expected, rtol=1e-5, atol=1e-6)
    untouched = np.setdiff1d(np.arange(9), ids)
    np.testing.assert_array_equal(matrix[untouched], before[untouched].astype(np.float32))


def test_unstable_rows_are_those_where_plain_sgd_would_diverge():
    """A row is unstable when step * curvature exceeds 2 per occurrence."""
    matrix = np.zeros((3, 2), np.float32)
    ids = np.array([0, 0, 1, 2])
    grads = np.ones((4, 2), np.float32)
    curvature = np.array([1.0, 1.0, 3.0, 0.5])
    occurrences = np.array([1.0, 1.0, 1.0, 0.1])
    update = sgd.add_summed_rows(matrix, [(ids, np.arange(4), grads)], 1.0, np.inf, Workspace(),
                                 curvature, occurrences)
    # row 0: 2 / 2 = 1 per occurrence (stable); row 1: 3 (unstable); row 2: 0.5 / 0.1 = 5 (unstable)
    assert update.n_unstable == 2 and update.n_clipped == 0
