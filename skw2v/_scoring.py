"""Held-out log-likelihood under the full softmax: what ``score`` computes.

Every loss is scored the same way, by the full softmax of its input and
output vectors, so that models trained with different losses can be
compared: each position of a corpus predicts the words within ``window``
positions of it, in its document. The sum over those pairs depends on the
corpus only through their counts (``_cooccurrence.count_pairs``), so it is
computed row by row of the count matrix, at a cost that grows with the
distinct words of the corpus, not its length.
"""

import numpy as np
from threadpoolctl import threadpool_limits

from ._cooccurrence import count_batches, count_pairs, distance_weights
from ._parallel import blocks
from ._softmax import (
    CENTER_BLOCK, SoftmaxObjective, augment_output, effective_batch_size, exp_logits, pair_values,
)
from ._updates import max_row_norm


def softmax_loss(w_in, w_out_aug, batch, buffer, pool, w_norm=None):
    """``-sum log p(context | center)`` over the (weighted) pairs of ``batch``.

    ``w_out_aug`` holds the output vectors in
    :func:`~skw2v._softmax.augment_output`'s layout (``w_norm`` their largest
    norm, computed if None) and ``buffer`` is a float32 (B, V) array for the
    batch's exponentials. The work is cut into blocks of ``CENTER_BLOCK``
    centers, run on ``pool``; nothing is updated.
    """
    centers, rows, cols, n_contexts, weights = batch
    if w_norm is None:
        w_norm = max_row_norm(w_out_aug[:, :-2])
    center_bounds = blocks(len(centers), CENTER_BLOCK)
    pair_bounds = np.searchsorted(rows, center_bounds)

    def task(t, work):
        r0, r1 = center_bounds[t], center_bounds[t + 1]
        p0, p1 = pair_bounds[t], pair_bounds[t + 1]
        h = w_in[centers[r0:r1]]
        block = buffer[r0:r1]
        shift, target = exp_logits(
            h, w_out_aug, block, max_row_norm(h) * w_norm, rows[p0:p1] - r0, cols[p0:p1]
        )
        log_norm = np.log(block.sum(axis=1, dtype=np.float64)) + shift
        values = pair_values(None if weights is None else weights[p0:p1], p1 - p0)
        return float(n_contexts[r0:r1].astype(np.float64) @ log_norm) - float(values @ target)

    return sum(pool.map(task, len(center_bounds) - 1))


def log_likelihood(corpus, w_in, w_out, window, pool):
    """Total log-probability of a corpus's context words, and their number.

    Every position predicts each word within ``window`` positions of it, in
    its document, with the full softmax over ``w_out``; the sum is computed
    exactly from the pairs' counts, in BLAS-single-threaded tasks on
    ``pool``. Nothing is trained.

    Returns
    -------
    total : float
        ``sum over pairs of log p(context | center)`` (0 when there are no pairs).
    n_pairs : int

    Raises
    ------
    ValueError
        When ``w_out`` is None (an objective without per-word output vectors).
    """
    if w_out is None:
        raise ValueError(
            "score needs per-word output vectors (context_vectors_), and this model's loss "
            "has none; compare such models on a downstream task instead."
        )
    counts = count_pairs(corpus, len(w_in), distance_weights(window, False))
    n_pairs = int(round(float(counts.sum(dtype=np.float64))))
    if n_pairs == 0:
        return 0.0, 0
    w_out_aug = augment_output(w_out)
    w_norm = max_row_norm(w_out)
    batch_size = effective_batch_size(SoftmaxObjective.default_batch_size, len(w_in))
    buffer = np.empty((batch_size, len(w_in)), dtype=np.float32)
    with threadpool_limits(limits=1, user_api="blas"):
        total = sum(
            softmax_loss(w_in, w_out_aug, batch, buffer, pool, w_norm)
            for batch, _, _ in count_batches(counts, batch_size)
        )
    return -total, n_pairs
