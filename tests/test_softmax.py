"""The full-softmax kernel against slow, obviously correct references."""

import numpy as np
import pytest
from conftest import finite_differences, softmax_gradients, toy_training

from skw2v._cooccurrence import count_batches, count_pairs, distance_weights
from skw2v._parallel import Pool, Workspace
from skw2v._scoring import softmax_loss
from skw2v._softmax import LOGIT_LIMIT, SoftmaxObjective, augment_output, forward_block
from skw2v._updates import add_summed_rows, scale_and_clip, sequential_factor
from skw2v._vocab import Corpus


def reference_loss(h, w_out, rows, cols, n_contexts):
    """sum_b C_b logsumexp(W h_b) - sum_pairs z, in float64 with the max shift."""
    z = h.astype(np.float64) @ w_out.astype(np.float64).T
    top = z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z - top).sum(axis=1)) + top[:, 0]
    return float(n_contexts @ lse - z[rows, cols].sum())


def random_batch(seed, n_centers=4, n_words=9, dim=5, scale=1.0):
    rng = np.random.default_rng(seed)
    h = (scale * rng.standard_normal((n_centers, dim))).astype(np.float32)
    w_out = (scale * rng.standard_normal((n_words, dim))).astype(np.float32)
    counts = rng.integers(1, 4, n_centers)
    rows = np.repeat(np.arange(n_centers), counts)
    cols = rng.integers(0, n_words, len(rows))  # repeats allowed: y_j > 1
    return h, w_out, rows, cols, np.bincount(rows, minlength=n_centers)


@pytest.mark.parametrize("seed", range(3))
def test_loss_matches_reference(seed):
    h, w_out, rows, cols, n_ctx = random_batch(seed)
    loss, _, _ = softmax_gradients(h, w_out, rows, cols, n_ctx)
    assert loss == pytest.approx(reference_loss(h, w_out, rows, cols, n_ctx), rel=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_gradients_match_finite_differences(seed):
    h, w_out, rows, cols, n_ctx = random_batch(seed)
    _, grad_h, grad_w = softmax_gradients(h, w_out, rows, cols, n_ctx)
    fd_h = finite_differences(lambda x: reference_loss(x, w_out, rows, cols, n_ctx), h)
    fd_w = finite_differences(lambda x: reference_loss(h, x, rows, cols, n_ctx), w_out)
    np.testing.assert_allclose(grad_h, fd_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(grad_w, fd_w, rtol=1e-4, atol=1e-5)


def test_window_multiplies_softmax_term():
    """With C > 1 contexts the gradient is W^T (C p - y), not W^T (p - y)."""
    h, w_out, _, _, _ = random_batch(5, n_centers=1)
    rows, cols, n_ctx = np.zeros(3, int), np.array([1, 4, 4]), np.array([3])
    _, grad_h, _ = softmax_gradients(h, w_out, rows, cols, n_ctx)
    z = w_out.astype(np.float64) @ h[0]
    p = np.exp(z - z.max())
    p /= p.sum()
    y = np.bincount(cols, minlength=len(w_out))
    np.testing.assert_allclose(grad_h[0], w_out.T @ (3 * p - y), rtol=1e-4, atol=1e-5)
    wrong = w_out.T @ (p - y)
    assert not np.allclose(grad_h[0], wrong, atol=1e-2)


def test_large_logits_stay_finite():
    """Logits far beyond float32's exp range take the max-shift path, exactly."""
    h, w_out, rows, cols, n_ctx = random_batch(1, scale=30.0)
    assert np.abs(h @ w_out.T).max() > 100  # exp would overflow float32 without the shift
    loss, grad_h, grad_w = softmax_gradients(h, w_out, rows, cols, n_ctx)
    assert np.isfinite(loss) and np.isfinite(grad_h).all() and np.isfinite(grad_w).all()
    assert loss == pytest.approx(reference_loss(h, w_out, rows, cols, n_ctx), rel=1e-5)
    assert LOGIT_LIMIT < 88  # the no-shift path is only used where exp is safe


@pytest.mark.parametrize("batch_size", [2, 7, 1024])
def test_loss_over_count_batches_is_the_corpus_log_likelihood(batch_size):
    """The softmax loss summed over batches of co-occurrence counts equals the
    corpus's: every position predicting every word within the window, in its
    document, one pair at a time (what score computes)."""
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 6, 30).astype(np.int32)
    corpus = Corpus(ids, np.array([0, 12, 13, 30]))
    w_in = rng.standard_normal((6, 4)).astype(np.float32)
    w_out = rng.standard_normal((6, 4)).astype(np.float32)
    counts = count_pairs(corpus, 6, distance_weights(2, False))
    w_out_aug = augment_output(w_out)
    buffer = np.empty((batch_size, 6), np.float32)
    with Pool(1) as pool:
        total = sum(softmax_loss(w_in, w_out_aug, batch, buffer, pool)
                    for batch, _, _ in count_batches(counts, batch_size))
    expected, count = 0.0, 0
    for a, b in [(0, 12), (12, 13), (13, 30)]:
        for i in range(a, b):
            z = w_out.astype(np.float64) @ w_in[ids[i]]
            logp = z - z.max() - np.log(np.exp(z - z.max()).sum())
            for j in range(max(a, i - 2), min(b, i + 3)):
                if j != i:
                    expected += logp[ids[j]]
                    count += 1
    assert counts.sum() == count == 2 * (3 + 2 * 9) + 2 * (3 + 2 * 14)
    assert -total == pytest.approx(expected, rel=1e-5)


def test_weighted_pairs_are_repeated_pairs():
    """A pair of weight 3 is three occurrences of the pair: same loss and gradients."""
    h, w_out, rows, cols, n_ctx = random_batch(4)
    repeated = np.repeat(np.arange(len(rows)), 3)
    once = softmax_gradients(h, w_out, rows[repeated], cols[repeated], 3 * n_ctx)
    weighted = softmax_gradients(
        h, w_out, rows, cols, (3 * n_ctx).astype(np.float32), np.full(len(rows), 3, np.float32)
    )
    assert weighted[0] == pytest.approx(once[0], rel=1e-6)
    np.testing.assert_allclose(weighted[1], once[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(weighted[2], once[2], rtol=1e-5, atol=1e-6)


def test_update_inputs_adds_repeated_rows_like_sequential_steps():
    """Rows sharing a center add gradients and curvatures; the step is
    step * (1 - exp(-step * A)) / (step * A) times the summed gradient."""
    w_in = np.zeros((3, 2), dtype=np.float32)
    centers = np.array([2, 0, 2, 2])
    grad = np.array([[1, 0], [5, 5], [3, 0], [2, 3]], dtype=np.float32)
    curvature = np.array([1.0, 0.0, 2.0, 1.0], dtype=np.float32)
    add_summed_rows(w_in, [(centers, np.arange(4), grad)], 0.5, np.inf, Workspace(), curvature)
    factor = (1 - np.exp(-0.5 * 4.0)) / (0.5 * 4.0)  # row 2: A = 1 + 2 + 1
    np.testing.assert_allclose(w_in[2], -0.5 * factor * np.array([6, 3]), rtol=1e-6)
    np.testing.assert_allclose(w_in[0], [-2.5, -2.5], rtol=1e-6)  # A = 0: plain SGD
    np.testing.assert_array_equal(w_in[1], 0)


def test_sequential_factor_matches_repeated_steps():
    """m steps of size lr on a 1-D quadratic with curvature a each move
    1 - (1 - lr a)^m of the way; for small lr a that is 1 - exp(-lr m a)."""
    lr, a, m = 0.01, 0.5, 400
    sequential = 1 - (1 - lr * a) ** m
    assert lr * m * a * sequential_factor(lr * m * a) == pytest.approx(sequential, rel=0.01)
    assert sequential_factor(0.0) == 1.0
    assert sequential_factor(1e3) == pytest.approx(1e-3)


def test_center_curvature_bounds_the_hessian():
    """C trace(Cov_p(w)) bounds the largest eigenvalue of the Hessian in h,
    which is C Cov_p(w) = C (W^T diag(p) W - mu mu^T); checked against finite
    differences of the exact gradient too."""
    h, w_out, rows, cols, n_ctx = random_batch(3)
    w_aug = augment_output(w_out)
    e = np.empty((len(h), len(w_out)), np.float32)
    *_, curvature = forward_block(h, w_aug, e, rows, cols, None, n_ctx, 0.0)
    w = w_out.astype(np.float64)
    for b in range(len(h)):
        z = w @ h[b]
        p = np.exp(z - z.max())
        p /= p.sum()
        mu = p @ w
        hessian = n_ctx[b] * (w.T @ (p[:, None] * w) - np.outer(mu, mu))
        grad = lambda x: n_ctx[b] * (w.T @ np.exp(w @ x - (w @ x).max())) / np.exp(
            w @ x - (w @ x).max()
        ).sum()
        numeric = np.array(
            [(grad(h[b] + 1e-5 * u) - grad(h[b] - 1e-5 * u)) / 2e-5 for u in np.eye(len(h[b]))]
        )
        np.testing.assert_allclose(hessian, numeric, atol=1e-4)
        assert np.linalg.eigvalsh(hessian).max() <= curvature[b] * (1 + 1e-4)
        assert curvature[b] == pytest.approx(np.trace(hessian), rel=1e-3)


def test_scale_and_clip_bounds_each_row():
    steps = np.array([[3.0, 4.0], [0.3, 0.4], [1.0, 0.0]], dtype=np.float32)
    assert scale_and_clip(steps, np.array([1.0, 1.0, 0.5]), 1.0) == 1
    np.testing.assert_allclose(steps, [[0.6, 0.8], [0.3, 0.4], [0.5, 0.0]], rtol=1e-6)


def test_training_lowers_the_loss_below_uniform():
    with Pool(1) as pool:
        curve, _, _ = toy_training(SoftmaxObjective, pool, shrink_windows=False)
    # Uniform predictions cost log(40) = 3.69 per context word.
    assert curve[0] < np.log(40)
    assert curve[-1] < curve[0]


def test_batch_buffer_is_bounded_for_large_vocabularies(monkeypatch):
    """The (batch, V) buffer never exceeds BUFFER_BYTES: big vocabularies get
    smaller batches, and training still works with them."""
    import skw2v._softmax as kernel

    assert kernel.effective_batch_size(1024, 1_000_000) * 1_000_000 * 4 <= kernel.BUFFER_BYTES
    assert kernel.effective_batch_size(1024, 10_000) == 1024
    assert kernel.effective_batch_size(1024, 10**12) == 1
    monkeypatch.setattr(kernel, "BUFFER_BYTES", 4 * 40 * 3)  # 3 rows of 40 words
    assert kernel.effective_batch_size(128, 40) == 3
    with Pool(1) as pool:
        curve, w_in, objective = toy_training(SoftmaxObjective, pool, epochs=1)
    assert objective.batch_size == 3
    assert np.isfinite(curve).all() and np.isfinite(w_in).all()


@pytest.mark.parametrize("weighted", [False, True])
def test_output_curvature_is_the_probability_weighted_norm(weighted):
    """Column d of the output gradient block, plus the pairs' part, is each
    word's curvature bound sum_b C_b p_bj |h_b|^2, with the context counts
    folded into the exponentials or not."""
    from skw2v._softmax import center_inputs, output_gradient, pair_curvature

    h, w_out, rows, cols, n_ctx = random_batch(6)
    weights = np.random.default_rng(0).random(len(rows)).astype(np.float32) * 3 if weighted else None
    if weighted:
        n_ctx = np.bincount(rows, weights=weights, minlength=len(h)).astype(np.float32)
    e = np.empty((len(h), len(w_out)), np.float32)
    _, _, inv_sums, _ = forward_block(h, augment_output(w_out), e, rows, cols, weights, n_ctx, 0.0)
    h_sq = np.einsum("ij,ij->i", h, h)
    curvature = output_gradient(e, center_inputs(h, n_ctx, inv_sums))[:, -1]
    curvature = curvature + pair_curvature(rows, cols, weights, h_sq, len(w_out))
    z = h.astype(np.float64) @ w_out.astype(np.float64).T
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(curvature, (n_ctx[:, None] * p * h_sq[:, None]).sum(axis=0), rtol=1e-4, atol=1e-6)
