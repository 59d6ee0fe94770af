"""Full-softmax skip-gram as three matrix products per batch.

The model (Mikolov et al. 2013a, "Efficient Estimation of Word Representations
in Vector Space"): input vectors ``W_in`` (V, d) and output vectors ``W_out``
(V, d). A center word with input vector ``h`` and context counts ``y``
(``y_j`` = occurrences of word ``j`` in its window, or its co-occurrence
count, ``C = sum(y)``) shares one softmax over the vocabulary with its whole
window::

    z = W_out h,   p = softmax(z)
    loss = C * logsumexp(z) - y . z
    d loss / d h     = W_out^T (C p - y)
    d loss / d W_out = (C p - y) h^T

(the widely copied ``W_out^T (p - y)`` is the gradient only when ``C = 1``).

For a batch of ``B`` centers this is ``Z = H W_out^T`` (B, V), then
``grad_H = G W_out`` and ``grad_W_out = G^T H`` with ``G = diag(C) P - Y``:
``6 B V d`` floating-point operations, all in BLAS.

Layout that keeps the element-wise work to one pass over the (B, V) buffer
``E`` of exponentials (computed in place):

* ``W_out`` is stored as ``w_out_aug = [W_out, 1, |w|^2]`` (V, d + 2), so
  ``E @ w_out_aug`` yields ``E W_out``, the softmax denominators and
  ``sum_j e_j |w_j|^2`` (hence each center's curvature) in one product.
* The row scaling ``C / sum(E)`` is applied to the small (B, d) results, and
  the output-side product uses ``H_aug = [diag(C / s) H, C |h|^2 / s]``,
  whose last column yields each output row's curvature ``sum_b C_b p_bj |h_b|^2``.
* The sparse ``Y`` terms are sparse-matrix products over the pairs, never dense.
* The row maximum is subtracted only when the logits could overflow: with
  ``|z| <= max|h| * max|w|`` below ``LOGIT_LIMIT`` the exponentials are safe.

Updates follow ``_updates``: each row takes the step that sequential SGD over
the batch's examples would (curvature bounds ``C trace Cov_p(w)`` for a center,
``C p_j |h|^2`` for an output row), inside the one-nat trust region.

Rounds of pairs (``solver="pairs"``) take a sampled-softmax step per drawn
pair instead (Jean et al. 2015, "On Using Very Large Target Vocabulary for
Neural Machine Translation"; ``_pair_kernels``): a softmax over the pair's
context and its noise words, each logit less the log of its expected draws,
whose gradient estimates the full softmax's from those candidates alone, at
the cost of a negative-sampling step, not ``V``.

Parallelism: phase 1 cuts the batch into blocks of ``CENTER_BLOCK`` centers
(logits, exponentials, center gradients), phase 2 cuts the vocabulary into
blocks of ``WORD_BLOCK`` words (output gradients and updates) plus one task
for the centers' input rows. Block boundaries depend on the batch and
vocabulary sizes only and blocks write disjoint memory, so every thread count
computes the same numbers.
"""

import numpy as np

from ._noise import noise_weights
from ._parallel import blocks
from ._protocol import BatchKind, Limits, Objective
from ._solver_pairs import PairSteps
from ._updates import (
    MAX_LOGIT_STEP, add_summed_rows, max_row_norm, pair_matrix, scale_and_clip, sequential_step,
)

#: Largest bound on |logit| for which the row maximum is not subtracted:
#: V * exp(50) stays below float32's maximum for any V < 6e16, and exp(-50)
#: stays above its smallest normal number.
LOGIT_LIMIT = 50.0

#: Largest (batch, vocabulary) buffer; larger vocabularies get smaller batches.
BUFFER_BYTES = 256 * 2**20

#: Centers per phase-1 task, and words per phase-2 task.
CENTER_BLOCK = 512
WORD_BLOCK = 1024


def augment_output(w_out):
    """Return ``[w_out, 1, |w_out|^2]``: the (V, d + 2) layout trained in place."""
    w_out = np.asarray(w_out, dtype=np.float32)
    squared = np.einsum("ij,ij->i", w_out, w_out)[:, None]
    return np.hstack([w_out, np.ones((len(w_out), 1), dtype=np.float32), squared])


def effective_batch_size(batch_size, n_words):
    """``batch_size``, reduced so the (batch, n_words) float32 buffer fits ``BUFFER_BYTES``."""
    return int(max(1, min(batch_size, BUFFER_BYTES // (4 * n_words))))


def pair_values(weights, n):
    return np.ones(n, dtype=np.float32) if weights is None else weights


def exp_logits(h, w_out_aug, e, logit_bound, rows, cols):
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


def forward_block(h, w_out_aug, e, rows, cols, weights, n_contexts, logit_bound):
    """Loss and center gradients for a block of centers.

    Parameters
    ----------
    h : ndarray of float32, shape (b, d)
        Input vectors of the centers.
    w_out_aug : ndarray of float32, shape (V, d + 2)
        Output vectors in :func:`augment_output`'s layout.
    e : ndarray of float32, shape (b, V)
        Buffer; receives ``exp(z - shift) - y s / C`` (``s`` the row sums of
        the exponentials), so that ``(C / s) e`` is the rows' gradient with
        respect to the logits, ``C p - y``, which :func:`output_gradient`
        multiplies by the centers' vectors.
    rows, cols : ndarray of int
        Context pairs: block row and word id of each.
    weights : ndarray of float32 or None
        Each pair's count (None: 1).
    n_contexts : ndarray, shape (b,)
        ``C`` of each center (positive).
    logit_bound : float
        An upper bound on ``|z|``; above ``LOGIT_LIMIT`` the row max is subtracted.

    Returns
    -------
    loss : float
        ``sum_b C_b logsumexp(z_b) - sum_pairs weight * z``.
    grad_h : ndarray of float32, shape (b, d)
        ``W_out^T (C p - y)`` for each center.
    inv_sums : ndarray of float32, shape (b,)
        ``1 / sum(e_b)``, so that ``p_b = e_b * inv_sums_b``.
    curvature : ndarray of float32, shape (b,)
        ``C_b trace(Cov_{p_b}(w))``, an upper bound on the curvature of the
        center's loss along any unit direction of ``h_b``.
    """
    d = h.shape[1]
    shift, target = exp_logits(h, w_out_aug, e, logit_bound, rows, cols)
    values = pair_values(weights, len(rows))
    ew = e @ w_out_aug
    inv_sums = (1.0 / ew[:, d]).astype(np.float32)
    n_contexts = n_contexts.astype(np.float32)
    loss = float(n_contexts @ (-np.log(inv_sums, dtype=np.float64) + shift)) - float(values @ target)
    mean_w = ew[:, :d] * inv_sums[:, None]
    # Hessian of C logsumexp in h is C Cov_p(w), bounded by C * trace(Cov_p(w)).
    spread = ew[:, d + 1] * inv_sums - np.einsum("ij,ij->i", mean_w, mean_w)
    curvature = n_contexts * np.maximum(spread, 0.0)
    grad_h = mean_w
    grad_h *= n_contexts[:, None]
    grad_h -= (pair_matrix(rows, cols, values, e.shape) @ w_out_aug)[:, :d]
    # Fold the context counts into the exponentials: (C / s) e becomes C p - y.
    np.subtract.at(e, (rows, cols), values / (inv_sums[rows] * n_contexts[rows]))
    return loss, grad_h, inv_sums, curvature


def output_gradient(e_block, h_aug):
    """Output gradient and curvature for a block of words.

    Parameters
    ----------
    e_block : ndarray of float32, shape (B, n)
        The batch's folded exponentials for these words (:func:`forward_block`).
    h_aug : ndarray of float32, shape (B, d + 1)
        ``[diag(C / s) H, C |h|^2 / s]`` (:func:`center_inputs`).

    Returns
    -------
    grad_curv : ndarray of float32, shape (n, d + 1)
        Columns ``:d`` hold ``sum_b (C_b p_bj - y_bj) h_b``, the gradient of
        each word's output vector; column ``d`` holds ``sum_b (C_b p_bj -
        y_bj) |h_b|^2``, to which :func:`pair_curvature` adds the pairs' part
        to make the curvature bound ``sum_b C_b p_bj |h_b|^2``.
    """
    return e_block.T @ h_aug


def pair_curvature(rows, cols, weights, h_sq, n_words):
    """``sum_b y_bj |h_b|^2`` for every word ``j``: the pairs' part of the outputs' curvature."""
    values = h_sq[rows] if weights is None else weights * h_sq[rows]
    return np.bincount(cols, weights=values, minlength=n_words)


def center_inputs(h, n_contexts, inv_sums, squared=None):
    """``[diag(C / s) H, C |h|^2 / s]``, the right-hand side of :func:`output_gradient`.

    ``squared`` may pass ``|h|^2`` when the caller has it already.
    """
    scale = n_contexts.astype(np.float32) * inv_sums
    if squared is None:
        squared = np.einsum("ij,ij->i", h, h)
    return np.hstack([h * scale[:, None], (scale * squared)[:, None]])


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
    scale_and_clip(grad, sequential_step(step, grad_curv[:, d]), max_norm)
    stop = start + len(grad_curv)
    block = w_out_aug[start:stop, :d]
    block -= grad
    squared = np.einsum("ij,ij->i", block, block)
    w_out_aug[start:stop, d + 1] = squared
    return float(np.sqrt(squared.max())) if len(squared) else 0.0


class SoftmaxObjective(Objective):
    """Full-softmax output layer: state and one SGD step (see the module docstring).

    It takes the same step on both kinds of batch: a count batch's pairs
    weigh their counts, a corpus batch's weigh 1.

    Parameters
    ----------
    word_counts : ndarray, shape (V,)
        Only its length (the vocabulary size) is used.
    vector_size : int
    batch_size : int
        Largest batch :meth:`step` will see (reduced for huge vocabularies).
    random_state : ignored
        The softmax draws nothing (a round of pairs draws from its solver's seed).
    negative : int, default=5
        Noise words a pair draws in a round of pairs, in expectation: the
        candidates of its sampled-softmax step besides its context.
    ns_exponent : float, default=0.75
        Exponent of the word counts in the distribution those noise words
        are drawn from (``_noise``).
    output_vectors : ndarray of shape (V, vector_size), default=None
        Starting output vectors; zeros (word2vec's start) when None.
    """

    batch_kinds = frozenset(BatchKind)
    default_batch_size = 1024
    hyperparameters = ("negative", "ns_exponent")

    def __init__(self, word_counts, vector_size, *, batch_size, random_state=None, negative=5,
                 ns_exponent=0.75, output_vectors=None):
        n_words = len(word_counts)
        if output_vectors is None:
            output_vectors = np.zeros((n_words, vector_size), dtype=np.float32)
        self.w_out_aug = augment_output(output_vectors)
        self.batch_size = effective_batch_size(batch_size, n_words)
        self._buffer = None
        self._word_bounds = blocks(n_words, WORD_BLOCK)
        self._w_norm = max_row_norm(self.w_out_aug[:, :-2])
        self._pair_steps = PairSteps(noise_weights(word_counts, ns_exponent), negative, softmax=True)

    @property
    def _e(self):
        """The (batch, V) buffer of the exponentials, made at the first batch
        that needs it (rounds of pairs do not)."""
        if self._buffer is None:
            self._buffer = np.empty((self.batch_size, len(self.w_out_aug)), dtype=np.float32)
        return self._buffer

    def limits(self, kind):
        """Batches of at most ``batch_size`` centers and any number of pairs
        (rounds of pairs get the same limits and ignore them: a round's size
        is its solver's)."""
        return Limits(self.batch_size)

    def pair_step(self, w_in, batch, learning_rate, pool):
        """One round of sampled-softmax pair steps (:class:`~skw2v._solver_pairs.PairSteps`)."""
        w_out = self.w_out_aug[:, :-2]
        loss = self._pair_steps.step(w_in, w_out, batch, learning_rate, pool)
        self.w_out_aug[:, -1] = np.einsum("ij,ij->i", w_out, w_out)
        self._w_norm = max_row_norm(w_out)
        return loss

    def output_vectors(self):
        """The (V, d) output vectors, as a copy."""
        return np.ascontiguousarray(self.w_out_aug[:, :-2])

    def corpus_step(self, w_in, batch, learning_rate, pool):
        """One step on ``batch`` (see :meth:`Objective.corpus_step`); returns its summed loss."""
        centers, rows, cols, n_contexts, weights = batch
        w_out_aug, e = self.w_out_aug, self._e
        b = len(centers)
        h = w_in[centers]
        h_sq = np.einsum("ij,ij->i", h, h)
        h_norm = float(np.sqrt(h_sq.max()))
        bound = h_norm * self._w_norm
        center_bounds = blocks(b, CENTER_BLOCK)
        pair_bounds = np.searchsorted(rows, center_bounds)
        grad_h = np.empty_like(h)
        inv_sums = np.empty(b, dtype=np.float32)
        curvature = np.empty(b, dtype=np.float32)

        def phase1(task, work):
            r0, r1 = center_bounds[task], center_bounds[task + 1]
            p0, p1 = pair_bounds[task], pair_bounds[task + 1]
            loss, grad_h[r0:r1], inv_sums[r0:r1], curvature[r0:r1] = forward_block(
                h[r0:r1], w_out_aug, e[r0:r1], rows[p0:p1] - r0, cols[p0:p1],
                None if weights is None else weights[p0:p1], n_contexts[r0:r1], bound,
            )
            return loss

        loss = sum(pool.map(phase1, len(center_bounds) - 1))
        if not np.isfinite(loss):
            return loss
        h_aug = center_inputs(h, n_contexts, inv_sums, h_sq)
        # Trust region: no row step may move a logit by more than
        # MAX_LOGIT_STEP, given the largest vector on the other side.
        input_limit = MAX_LOGIT_STEP / max(self._w_norm, 1e-30)
        output_limit = MAX_LOGIT_STEP / max(h_norm, 1e-30)
        word_bounds = self._word_bounds
        n_word_blocks = len(word_bounds) - 1
        positive_curvature = pair_curvature(rows, cols, weights, h_sq, len(w_out_aug))

        def phase2(task, work):
            if task == n_word_blocks:  # the centers' input rows
                pieces = [(centers, np.arange(b), grad_h)]
                return add_summed_rows(
                    w_in, pieces, learning_rate, input_limit, work, curvature, n_contexts
                )
            v0, v1 = word_bounds[task], word_bounds[task + 1]
            grad_curv = output_gradient(e[:b, v0:v1], h_aug)
            grad_curv[:, -1] += positive_curvature[v0:v1]
            return update_outputs(w_out_aug, v0, grad_curv, learning_rate, output_limit)

        *output_norms, inputs = pool.map(phase2, n_word_blocks + 1)
        self._w_norm = max(output_norms)
        self.count(inputs)
        return loss

    count_step = corpus_step
