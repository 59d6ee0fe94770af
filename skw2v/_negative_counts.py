"""Negative sampling's step on count batches: its expected loss over co-occurrence counts.

Row ``a`` of a symmetric count matrix (input word ``a``) has count-weighted
positive pairs ``X_ab`` and, in expectation, ``K N_a q_n`` noise pairs with
every word ``n`` (Levy and Goldberg 2014), so the corpus's expected loss is a
sum over the matrix's rows. Each row is trained on its positive pairs and on
``COUNT_NOISE_SAMPLES`` noise words that stand for the expected noise term
without bias (:func:`count_forward`).

Parallelism: the batch's noise words are drawn on the calling thread, from
the one stream given; phase 1 cuts the rows into blocks of at most
``COUNT_BLOCK`` rows and ``COUNT_BLOCK_PAIRS`` pairs; phase 2 is one task
over the input rows and ``OUTPUT_TASKS`` over the output rows, cut by word
id into groups of equal numbers of distinct rows. Each output row sums its
own pairs in order, so where the groups are cut changes no result.
"""

from typing import NamedTuple

import numpy as np

from ._noise import draw_negatives
from ._parallel import weighted_blocks
from ._updates import MAX_LOGIT_STEP, add_summed_rows, max_row_norm, scatter_add, squared_norms

#: Rows per phase-1 task, and the noise words drawn per row: an unbiased
#: estimate of the expected noise term over all words, which measured as good
#: as the exact sum at a fifth of its cost (see the user guide).
COUNT_BLOCK = 256
COUNT_NOISE_SAMPLES = 16
#: Pairs (positive and noise) per batch, each holding about 20 bytes until the
#: batch's update, and per phase-1 task, whose temporaries (two gathered rows a
#: pair) take about 0.9 kB a pair at vector_size 100 while it runs.
COUNT_BATCH_PAIRS = 1 << 17
COUNT_BLOCK_PAIRS = 1 << 14
#: Phase-2 tasks over the output rows.
OUTPUT_TASKS = 4
#: Pairs of counts below this are sampled in each pass of the counts solver
#: (kept with probability count / value, then weighing the value; unbiased),
#: as an epoch of SGD sees a pair with a count below 1 once with about that
#: probability: a pass then costs about 0.63 of its pairs (see the user guide).
SAMPLE_PAIRS_BELOW = 1.0


class CountPart(NamedTuple):
    """What one phase-1 task hands to phase 2 (see :func:`count_forward`)."""

    loss: float
    input_grads: np.ndarray
    curvature: np.ndarray
    outputs: np.ndarray
    pair_rows: np.ndarray
    output_weights: np.ndarray
    output_curvature: np.ndarray


def count_forward(h, w_out, out_sq, rows, cols, weights, scale, noise, work):
    """Phase 1 of the count-weighted step for a block of rows (input words).

    Row ``a`` (input vector ``h_a``) has count-weighted positive pairs
    ``X_ab`` (``rows``, ``cols``, ``weights``; distinct columns per row, as in
    a count matrix) and, in expectation, ``K N_a q_n`` noise pairs with every
    word ``n`` (Levy and Goldberg 2014): its expected loss is ``sum_b X_ab
    softplus(-z_ab) + K N_a sum_n q_n softplus(z_an)``, ``z = h U^T``. The
    noise sum is estimated without bias from the ``S`` words per row of
    ``noise`` (shape (b, S), drawn from ``q``), each weighted ``scale[a] / S``
    with ``scale = K N``, so a row costs its pairs plus ``S``, not ``V``.
    ``out_sq`` holds the output rows' squared norms. Temporaries go through
    ``work`` (the running thread's workspace); the returned arrays are fresh.

    Returns a :class:`CountPart`: the loss estimate, the rows' summed gradients
    (``input_grads``, shape (b, d)) and curvatures, and per pair (positive
    pairs, then noise) the output word, the pair's row in ``h`` and the
    output gradient as a multiple of that row (``output_weights``: the
    gradient of output row ``outputs[p]`` is ``output_weights[p] *
    h[pair_rows[p]]``), with its curvature. Phase 2 sums these products per
    output row (:func:`~skw2v._updates.add_summed_rows`), so no (pairs, d)
    array of output gradients is ever formed.
    """
    b, n_noise = noise.shape
    n_pos = len(rows)
    pair_rows = np.concatenate([rows, np.repeat(np.arange(b), n_noise)])
    pair_cols = np.concatenate([cols, noise.reshape(-1)]).astype(np.int32)
    pair_weights = np.concatenate(
        [weights, np.repeat((scale / n_noise).astype(np.float32), n_noise)]
    )
    n_pairs = len(pair_cols)
    z = np.empty(n_pairs, dtype=np.float32)
    e = np.empty(n_pairs, dtype=np.float32)
    sig = np.empty(n_pairs, dtype=np.float32)
    g = np.empty(n_pairs, dtype=np.float32)
    input_grads = np.zeros((b, h.shape[1]), dtype=np.float32)
    # COUNT_BLOCK_PAIRS pairs at a time, so that the gathered rows stay a few
    # megabytes even for a row (a frequent word) with most words as contexts.
    for start in range(0, n_pairs, COUNT_BLOCK_PAIRS):
        part = slice(start, min(start + COUNT_BLOCK_PAIRS, n_pairs))
        u = work.take("targets", w_out, pair_cols[part])
        z[part] = np.einsum("pd,pd->p", work.take("inputs", h, pair_rows[part]), u)
        np.exp(-np.abs(z[part]), out=e[part])
        sig[part] = np.where(z[part] >= 0, 1.0 / (1.0 + e[part]), e[part] / (1.0 + e[part]))
        g[part] = sig[part]
        g[part][: max(0, n_pos - start)] -= 1.0
        g[part] *= pair_weights[part]
        scatter_add(input_grads, pair_rows[part], np.arange(len(u)), g[part], u, clear=False)
    softplus_abs = np.log1p(e)
    # loss: softplus(-z) for positives, softplus(z) for noise
    loss = sum(
        float(pair_weights[part].astype(np.float64) @ (softplus_abs[part] + np.maximum(zs, 0)).astype(np.float64))
        for part, zs in ((slice(None, n_pos), -z[:n_pos]), (slice(n_pos, None), z[n_pos:]))
    )
    spread = pair_weights * sig * (1.0 - sig)
    curvature = np.bincount(pair_rows, weights=spread * out_sq[pair_cols], minlength=b)
    h_sq = np.einsum("ij,ij->i", h, h)
    return CountPart(
        loss=loss, input_grads=input_grads, curvature=curvature.astype(np.float32),
        outputs=pair_cols, pair_rows=pair_rows, output_weights=g,
        output_curvature=spread * h_sq[pair_rows],
    )


def count_step(w_in, w_out, out_sq, batch, learning_rate, table, negative, rng, pool):
    """One step of negative sampling on a count batch; updates ``w_in``, ``w_out``
    and ``out_sq`` (the output rows' squared norms) in place.

    The batch's rows are rows of a symmetric count matrix; each draws
    ``COUNT_NOISE_SAMPLES`` noise words from ``table`` with ``rng`` (a
    ``numpy.random.Generator``), standing for ``negative`` noise words per
    unit of count. Input rows take the sequential step of ``_updates``, output
    rows theirs from the pairs' curvatures, both inside the trust region.

    Returns ``(loss, update)`` as :func:`~skw2v._negative_corpus.corpus_step` does.
    """
    centers, rows, cols, n_contexts, weights = batch
    h = w_in[centers]
    input_limit = MAX_LOGIT_STEP / max(float(np.sqrt(out_sq.max())), 1e-30)
    output_limit = MAX_LOGIT_STEP / max(max_row_norm(h), 1e-30)
    scale = negative * n_contexts.astype(np.float64)
    noise = draw_negatives(table, (len(centers), COUNT_NOISE_SAMPLES), rng)
    row_pairs = np.bincount(rows, minlength=len(centers)) + COUNT_NOISE_SAMPLES
    row_bounds = weighted_blocks(row_pairs, COUNT_BLOCK, COUNT_BLOCK_PAIRS)
    pair_bounds = np.searchsorted(rows, row_bounds)

    def phase1(task, work):
        r0, r1 = row_bounds[task], row_bounds[task + 1]
        p0, p1 = pair_bounds[task], pair_bounds[task + 1]
        part = count_forward(
            h[r0:r1], w_out, out_sq, rows[p0:p1] - r0, cols[p0:p1], weights[p0:p1],
            scale[r0:r1], noise[r0:r1], work,
        )
        part.pair_rows[:] += r0  # rows of h, not of the block
        return part

    parts = pool.map(phase1, len(row_bounds) - 1)
    loss = sum(part.loss for part in parts)
    if not np.isfinite(loss):
        return loss, None
    outputs = np.concatenate([p.outputs for p in parts])
    pair_rows = np.concatenate([p.pair_rows for p in parts])
    output_weights = np.concatenate([p.output_weights for p in parts])
    output_curvature = np.concatenate([p.output_curvature for p in parts])
    # Output tasks take equal numbers of distinct rows (a task's cost grows
    # with its rows, whose sums must stay in cache, more than with its pairs).
    present = np.zeros(len(w_out), dtype=bool)
    present[outputs] = True
    distinct_ids = np.flatnonzero(present)
    cuts = distinct_ids[len(distinct_ids) * np.arange(1, OUTPUT_TASKS) // OUTPUT_TASKS]
    id_bounds = [0, *cuts.tolist(), len(w_out)]

    def phase2(task, work):
        if task == OUTPUT_TASKS:
            pieces = [(centers, np.arange(len(centers)),
                       np.concatenate([p.input_grads for p in parts]))]
            curvature = np.concatenate([p.curvature for p in parts])
            return add_summed_rows(
                w_in, pieces, learning_rate, input_limit, work, curvature, n_contexts
            )
        low, high = id_bounds[task], id_bounds[task + 1]
        at = np.flatnonzero((outputs >= low) & (outputs < high))  # in pair order
        update = add_summed_rows(
            w_out, [(outputs[at], pair_rows[at], h, output_weights[at])],
            learning_rate, output_limit, work, output_curvature[at],
        )
        out_sq[update.words] = squared_norms(w_out, update.words, work)
        return update

    *_, inputs = pool.map(phase2, OUTPUT_TASKS + 1)
    return loss, inputs
