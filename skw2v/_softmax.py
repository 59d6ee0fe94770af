"""Full-softmax skip-gram training as three matrix products per minibatch.

The model (Mikolov et al. 2013a, "Efficient Estimation of Word Representations
in Vector Space"): input vectors ``W_in`` (V, d) and output vectors ``W_out``
(V, d). A center word with input vector ``h`` and context counts ``y``
(``y_j`` = occurrences of word ``j`` in its window, ``C = sum(y)``) shares one
softmax over the vocabulary with its whole window::

    z = W_out h,   p = softmax(z)
    loss = C * logsumexp(z) - y . z
    d loss / d h     = W_out^T (C p - y)
    d loss / d W_out = (C p - y) h^T

(the widely copied ``W_out^T (p - y)`` is the gradient only when ``C = 1``).

For a minibatch of ``B`` centers this is ``Z = H W_out^T`` (B, V), then
``grad_H = G W_out`` and ``grad_W_out = G^T H`` with ``G = diag(C) P - Y``:
``6 B V d`` floating-point operations, all in BLAS.

Layout tricks that keep the element-wise work to a single pass over the
(B, V) buffer ``E`` (the exponentials, computed in place):

* ``W_out`` is stored as ``w_out_aug = [W_out, 1, |w|^2]`` (V, d + 2), so
  ``E @ w_out_aug`` yields ``E W_out``, the softmax denominators and
  ``sum_j e_j |w_j|^2`` (hence each center's curvature) in one product.
* The row scaling ``C / sum(E)`` is applied to the small (B, d) results, and
  the output-side product uses ``H_aug = [diag(C / s) H, C |h|^2 / s]``,
  whose last column yields each output row's curvature ``sum_b C_b p_bj |h_b|^2``.
* The sparse ``Y`` terms are sparse-matrix products over the
  ``B * 2 window`` pairs, never dense.
* The row maximum is subtracted only when the logits could overflow: with
  ``|z| <= max|h| * max|w|`` below ``LOGIT_LIMIT`` the exponentials are safe.

Learning rate. ``learning_rate`` keeps word2vec's meaning: the step of one
center's update (the sum of its window's pair updates), i.e. of sequential
SGD. A minibatch applies, to each row, the step that the sequential updates of
the examples touching it would take on a locally quadratic loss: with summed
gradient ``g`` and summed curvature bound ``A`` (``C trace Cov_p(w)`` for a
center, ``C p_j |h|^2`` for an output row), the row moves by
``-lr * (1 - exp(-lr A)) / (lr A) * g``. Where ``lr A`` is small (rare words,
small batches, early training) this is the plain sum, as sequential SGD
would give; where it is large it never overshoots, which a summed step would.
So the same rate trains alike for any ``batch_size`` (measured: held-out
score -6.199 at batch 128 and -6.202 at 512 on 500k words of Wikipedia).
Last, a trust region (``MAX_LOGIT_STEP``) shrinks any row step that could
move a logit by more than one nat: inert at sensible rates, it turns a far
too large rate into degraded training instead of overflow.

Parallelism. With ``n_threads`` threads (each using single-threaded BLAS),
phase 1 splits the batch rows (logits, exponentials, center gradients) and
phase 2 splits the vocabulary rows (output gradient and update). No two
threads write the same memory and every sum is taken in a fixed order, so a
given seed gives bit-identical vectors run after run.
"""

import numpy as np

from ._sgd import (
    MAX_LOGIT_STEP,
    Workspace,
    pair_matrix,
    scale_and_clip,
    sequential_factor,
    update_inputs,
)
from ._training import splits
from ._windows import context_pairs, training_positions

#: Largest bound on |logit| for which the row maximum is not subtracted:
#: V * exp(50) stays below float32's maximum for any V < 6e16, and exp(-50)
#: stays above its smallest normal number.
LOGIT_LIMIT = 50.0

#: Largest (batch, vocabulary) buffer; larger vocabularies get smaller batches.
BUFFER_BYTES = 256 * 2**20


def augment_output(w_out):
    """Return ``[w_out, 1, |w_out|^2]``: the (V, d + 2) layout trained in place.

    Multiplying the exponentials by it yields, besides ``E W_out``, the
    softmax denominators (column ``d``) and ``sum_j e_j |w_j|^2`` (column
    ``d + 1``), from which each center's curvature follows.
    """
    w_out = np.asarray(w_out, dtype=np.float32)
    squared = np.einsum("ij,ij->i", w_out, w_out)[:, None]
    return np.hstack([w_out, np.ones((len(w_out), 1), dtype=np.float32), squared])


def effective_batch_size(batch_size, n_words):
    """``batch_size``, reduced so the (batch, n_words) float32 buffer fits ``BUFFER_BYTES``."""
    return int(max(1, min(batch_size, BUFFER_BYTES // (4 * n_words))))


def max_row_norm(vectors):
    """Largest Euclidean norm of the rows of ``vectors`` (0 for no rows)."""
    if len(vectors) == 0:
        return 0.0
    return float(np.sqrt(np.einsum("ij,ij->i", vectors, vectors).max()))


def _exp_logits(h, w_out_aug, e, logit_bound, rows, cols):
    """Write ``exp(z - shift)``, ``z = h W_out^T``, into ``e``.

    Returns ``(shift, target)``: the per-row shift (zero unless the bound says
    the logits could overflow) and the logits ``z[rows, cols]`` of the context
    words, in float64.
    """
    d = h.shape[1]
    np.matmul(h, w_out_aug[:, :d].T, out=e)
    target = e[rows, cols].astype(np.float64)
    if logit_bound > LOGIT_LIMIT:
        shift = e.max(axis=1)
        e -= shift[:, None]
    else:
        shift = np.zeros(len(e), dtype=np.float32)
    np.exp(e, out=e)
    return shift, target


def forward_block(h, w_out_aug, e, rows, cols, n_contexts, logit_bound):
    """Loss and center gradients for a block of centers.

    Parameters
    ----------
    h : ndarray of float32, shape (b, d)
        Input vectors of the centers.
    w_out_aug : ndarray of float32, shape (V, d + 2)
        Output vectors in :func:`augment_output`'s layout.
    e : ndarray of float32, shape (b, V)
        Buffer; receives ``exp(z - shift)``, which :func:`output_gradient` reads.
    rows, cols : ndarray of int
        Context pairs: block row and word id of each.
    n_contexts : ndarray, shape (b,)
        ``C`` of each center (at least 1).
    logit_bound : float
        An upper bound on ``|z|``; above ``LOGIT_LIMIT`` the row max is subtracted.

    Returns
    -------
    loss : float
        ``sum_b C_b logsumexp(z_b) - sum_pairs z``.
    grad_h : ndarray of float32, shape (b, d)
        ``W_out^T (C p - y)`` for each center.
    inv_sums : ndarray of float32, shape (b,)
        ``1 / sum(e_b)``, so that ``p_b = e_b * inv_sums_b``.
    curvature : ndarray of float32, shape (b,)
        ``C_b trace(Cov_{p_b}(w))``, an upper bound on the curvature of the
        center's loss along any unit direction of ``h_b``.
    """
    d = h.shape[1]
    shift, target = _exp_logits(h, w_out_aug, e, logit_bound, rows, cols)
    ew = e @ w_out_aug
    inv_sums = (1.0 / ew[:, d]).astype(np.float32)
    n_contexts = n_contexts.astype(np.float32)
    loss = float(n_contexts @ (-np.log(inv_sums, dtype=np.float64) + shift)) - target.sum()
    mean_w = ew[:, :d] * inv_sums[:, None]
    # Hessian of C logsumexp in h is C Cov_p(w), bounded by C * trace(Cov_p(w)).
    spread = ew[:, d + 1] * inv_sums - np.einsum("ij,ij->i", mean_w, mean_w)
    curvature = n_contexts * np.maximum(spread, 0.0)
    grad_h = mean_w
    grad_h *= n_contexts[:, None]
    ones = np.ones(len(rows), dtype=np.float32)
    grad_h -= (pair_matrix(rows, cols, ones, e.shape) @ w_out_aug)[:, :d]
    return loss, grad_h, inv_sums, curvature


def output_gradient(e_block, h_aug, h, start, rows, cols):
    """Output gradient and curvature for the words ``start:start + n``.

    Parameters
    ----------
    e_block : ndarray of float32, shape (B, n)
        The batch's exponentials for these words.
    h_aug : ndarray of float32, shape (B, d + 1)
        ``[diag(C / s) H, C |h|^2 / s]`` (:func:`center_inputs`).
    h : ndarray of float32, shape (B, d)
        The centers' input vectors.
    start : int
        First word id of the block.
    rows, cols : ndarray of int
        The batch's context pairs (all of them; those of other words are skipped).

    Returns
    -------
    grad_curv : ndarray of float32, shape (n, d + 1)
        Columns ``:d`` hold ``sum_b (C_b p_bj - y_bj) h_b``, the gradient of
        each word's output vector; column ``d`` holds
        ``sum_b C_b p_bj |h_b|^2``, a bound on its curvature.
    """
    n = e_block.shape[1]
    grad_curv = e_block.T @ h_aug
    mine = (cols >= start) & (cols < start + n)
    ones = np.ones(int(mine.sum()), dtype=np.float32)
    context = pair_matrix(cols[mine] - start, rows[mine], ones, (n, len(h)))
    grad_curv[:, :-1] -= context @ h
    return grad_curv


def center_inputs(h, n_contexts, inv_sums, squared=None):
    """``[diag(C / s) H, C |h|^2 / s]``, the right-hand side of :func:`output_gradient`.

    ``squared`` may pass ``|h|^2`` when the caller has it already.
    """
    scale = n_contexts.astype(np.float32) * inv_sums
    if squared is None:
        squared = np.einsum("ij,ij->i", h, h)
    return np.hstack([h * scale[:, None], (scale * squared)[:, None]])


def softmax_gradients(h, w_out, rows, cols, n_contexts):
    """Exact loss and gradients for a batch, as dense arrays (for tests and checks).

    Runs the same code as training with one thread and returns
    ``(loss, grad_h, grad_w_out)`` where ``grad_w_out`` has shape (V, d).
    """
    h = np.asarray(h, dtype=np.float32)
    w_out_aug = augment_output(w_out)
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    n_contexts = np.asarray(n_contexts)
    e = np.empty((len(h), len(w_out_aug)), dtype=np.float32)
    bound = max_row_norm(h) * max_row_norm(w_out_aug[:, :-2])
    loss, grad_h, inv_sums, _ = forward_block(h, w_out_aug, e, rows, cols, n_contexts, bound)
    grad_curv = output_gradient(e, center_inputs(h, n_contexts, inv_sums), h, 0, rows, cols)
    return loss, grad_h, grad_curv[:, :-1]


def update_outputs(w_out_aug, start, grad_curv, step, max_norm=np.inf):
    """Apply one batch's output gradient to rows ``start:start + n``.

    Each row moves by ``-step * sequential_factor(step * A) * g`` for its
    summed gradient ``g`` and curvature bound ``A`` (``grad_curv``'s columns),
    clipped to norm ``max_norm``; its squared norm is refreshed in the last
    column of ``w_out_aug``.

    Returns
    -------
    max_norm_after : float
        Largest norm of the updated rows.
    """
    d = w_out_aug.shape[1] - 2
    grad = grad_curv[:, :d]
    scale_and_clip(grad, step * sequential_factor(step * grad_curv[:, d]), max_norm)
    stop = start + len(grad_curv)
    block = w_out_aug[start:stop, :d]
    block -= grad
    squared = np.einsum("ij,ij->i", block, block)
    w_out_aug[start:stop, d + 1] = squared
    return float(np.sqrt(squared.max())) if len(squared) else 0.0


class SoftmaxObjective:
    """Full-softmax output layer: state and one SGD step (see the module docstring).

    Parameters
    ----------
    n_words, dim : int
        Vocabulary size and vector dimension.
    batch_size : int
        Largest batch ``step`` will see (reduced for huge vocabularies).
    n_threads : int
        Threads of the pool that ``step`` receives.
    """

    def __init__(self, n_words, dim, batch_size, n_threads):
        self.w_out_aug = augment_output(np.zeros((n_words, dim), dtype=np.float32))
        self.max_batch = effective_batch_size(batch_size, n_words)
        self._e = np.empty((self.max_batch, n_words), dtype=np.float32)
        self._vocab_cuts = splits(n_words, n_threads)
        self._work = [Workspace() for _ in range(n_threads)]  # update_inputs' buffers
        self._n_threads = n_threads
        self._w_norm = 0.0

    def output_vectors(self):
        """The (V, d) output vectors, as a copy."""
        return np.ascontiguousarray(self.w_out_aug[:, :-2])

    def is_finite(self):
        return bool(np.isfinite(self.w_out_aug).all())

    def step(self, w_in, centers, rows, cols, n_contexts, step, rng, pool):
        """One SGD step on a batch; returns its summed loss."""
        w_out_aug, e = self.w_out_aug, self._e
        b = len(centers)
        h = w_in[centers]
        h_sq = np.einsum("ij,ij->i", h, h)
        h_norm = float(np.sqrt(h_sq.max()))
        bound = h_norm * self._w_norm
        row_cuts = splits(b, self._n_threads)
        pair_cuts = np.searchsorted(rows, row_cuts)
        grad_h = np.empty_like(h)
        inv_sums = np.empty(b, dtype=np.float32)
        curvature = np.empty(b, dtype=np.float32)

        def phase1(t):
            # Rows r0:r1 of the batch (and of the buffer) belong to thread t.
            r0, r1 = row_cuts[t], row_cuts[t + 1]
            p0, p1 = pair_cuts[t], pair_cuts[t + 1]
            if r0 == r1:
                return 0.0
            loss, grad_h[r0:r1], inv_sums[r0:r1], curvature[r0:r1] = forward_block(
                h[r0:r1],
                w_out_aug,
                e[r0:r1],
                rows[p0:p1] - r0,
                cols[p0:p1],
                n_contexts[r0:r1],
                bound,
            )
            return loss

        loss = sum(pool.map(phase1))
        if not np.isfinite(loss):
            return loss
        h_aug = center_inputs(h, n_contexts, inv_sums, h_sq)
        # Trust region: no row step may move a logit by more than
        # MAX_LOGIT_STEP, given the largest vector on the other side.
        input_limit = MAX_LOGIT_STEP / max(self._w_norm, 1e-30)
        output_limit = MAX_LOGIT_STEP / max(h_norm, 1e-30)

        def phase2(t):
            # Rows v0:v1 of both matrices belong to thread t alone.
            v0, v1 = self._vocab_cuts[t], self._vocab_cuts[t + 1]
            grad_curv = output_gradient(e[:b, v0:v1], h_aug, h, v0, rows, cols)
            mine = (centers >= v0) & (centers < v1)
            update_inputs(
                w_in, centers[mine], grad_h[mine], curvature[mine], step, input_limit, self._work[t]
            )
            return update_outputs(w_out_aug, v0, grad_curv, step, output_limit)

        self._w_norm = max(pool.map(phase2))
        return loss


def log_likelihood(corpus, w_in, w_out_aug, *, window, batch_size):
    """Total log-probability of all context words, and their number.

    Every center of the corpus predicts each word within ``window`` positions
    (inside its document) with the full softmax; no training happens.

    Returns
    -------
    total : float
        ``sum over pairs of log p(context | center)``.
    n_pairs : int
    """
    positions = training_positions(corpus.indptr)
    n_words = len(w_in)
    batch = effective_batch_size(batch_size, n_words)
    e = np.empty((batch, n_words), dtype=np.float32)
    w_norm = float(np.sqrt(w_out_aug[:, -1].max()))
    total = 0.0
    n_pairs = 0
    for begin in range(0, len(positions), batch):
        batch_positions = positions[begin : begin + batch]
        rows, cols, n_contexts = context_pairs(
            batch_positions, corpus.ids, corpus.indptr, window
        )
        h = w_in[corpus.ids[batch_positions]]
        block = e[: len(h)]
        bound = max_row_norm(h) * w_norm
        shift, target = _exp_logits(h, w_out_aug, block, bound, rows, cols)
        log_norm = np.log(block.sum(axis=1, dtype=np.float64)) + shift
        total += target.sum() - n_contexts @ log_norm
        n_pairs += len(rows)
    return float(total), n_pairs
