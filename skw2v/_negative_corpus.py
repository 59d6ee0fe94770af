"""Negative sampling's step on corpus batches: each center's window against shared noise.

As in Ji et al. (2016), "Parallelizing Word2Vec in Shared and Distributed
Memory" (Intel's pWord2Vec), each center draws its ``K`` noise words once and
all its ``C`` context words share them, so one center is one small matrix
product: the ``(C, d)`` inputs of its window against the ``(K + 1, d)``
outputs (the center and its noise words) give all ``C (K + 1)`` logits.
word2vec.c draws new noise words for every pair; the expectation is the
same. The centers of a batch are ordered by their number of context words,
so that each run of equal counts is one stacked ``np.matmul`` with no
padding; the gradients of the inputs (``G @ U``) and of the outputs
(``G.T @ V``) are two more. Summing the gradients of rows that occur more
than once in a batch is a sparse-matrix product (``_updates.scatter_add``);
no Python loop touches a word. As in pWord2Vec, a noise word equal to its
center is kept (word2vec.c skips it).

Parallelism: phase 1 cuts the batch into blocks of ``CENTER_BLOCK`` centers;
block ``i`` draws its noise words from stream ``i`` and keeps its gradients in
workspace ``i`` until phase 2, which is two tasks: the input rows and the
output rows.
"""

from typing import NamedTuple

import numpy as np

from ._noise import draw_negatives
from ._parallel import blocks
from ._updates import MAX_LOGIT_STEP, add_summed_rows, squared_norms

#: Centers per phase-1 task (each with its own noise stream and workspace).
CENTER_BLOCK = 1024


def sigmoid_and_loss(z):
    """``(sigmoid(z), sum(softplus(z)))`` from one exponential, stable for any ``z``.

    With ``e = exp(-|z|)``: ``sigmoid(z)`` is ``1 / (1 + e)`` where ``z >= 0``
    and ``e / (1 + e)`` elsewhere, and ``softplus(z) = max(z, 0) + log1p(e)``.
    The sum is float64.
    """
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    loss = np.log1p(e).sum(dtype=np.float64) + np.maximum(z, 0.0).sum(dtype=np.float64)
    r = e + 1.0
    np.reciprocal(r, out=r)
    e *= r
    return np.where(z >= 0, r, e), float(loss)


class Part(NamedTuple):
    """What one phase-1 task hands to phase 2."""

    loss: float  #: the block's summed loss
    contexts: np.ndarray  #: input row of each pair
    input_grads: np.ndarray  #: (pairs, d) gradient of each pair's input row
    curvature: np.ndarray  #: curvature of each pair's loss in its input row
    outputs: np.ndarray  #: output row of each (center, slot): the center, then its noise words
    output_grads: np.ndarray  #: (centers * (K + 1), d) gradient of each of those rows
    input_norm: float  #: largest norm of the block's input rows


def _runs(counts):
    """``(first, stop, value)`` for each run of equal values in sorted ``counts``."""
    bounds = np.flatnonzero(counts[1:] != counts[:-1]) + 1
    starts = [0, *bounds.tolist()]
    stops = [*bounds.tolist(), len(counts)]
    return [(a, b, int(counts[a])) for a, b in zip(starts, stops)]


def forward(w_in, w_out, out_sq, centers, rows, cols, n_contexts, negatives, work):
    """Phase 1 for a block of centers: logits, loss and row gradients (a :class:`Part`).

    ``rows`` index ``centers`` (ascending, each center at least once),
    ``cols`` are the context words, ``negatives`` (B, K) the noise words and
    ``out_sq`` the output rows' squared norms. The part's gradients live in
    ``work``'s buffers, so ``work`` must belong to this block until phase 2
    has read them.
    """
    b, k1, d = len(centers), negatives.shape[1] + 1, w_in.shape[1]
    # Order the centers by their number of context words; the pairs follow.
    order = np.argsort(n_contexts, kind="stable")
    counts = n_contexts[order]
    first = np.cumsum(counts) - counts  # each center's first pair, in the new order
    starts = np.cumsum(n_contexts) - n_contexts
    n_pairs = len(rows)
    contexts = cols[np.repeat(starts[order] - first, counts) + np.arange(n_pairs)]
    outputs = np.empty((b, k1), dtype=np.int32)
    outputs[:, 0] = centers[order]
    outputs[:, 1:] = negatives[order]
    outputs = outputs.reshape(-1)
    inputs = work.take("inputs", w_in, contexts)
    targets = work.take("targets", w_out, outputs).reshape(b, k1, d)
    runs = [(a, stop, c, first[a], first[a] + (stop - a) * c) for a, stop, c in _runs(counts)]
    z = work.buffer("z", (n_pairs, k1))
    for a, stop, c, p0, p1 in runs:  # (C, d) @ (d, K + 1) for each center
        np.matmul(
            inputs[p0:p1].reshape(stop - a, c, d), targets[a:stop].transpose(0, 2, 1),
            out=z[p0:p1].reshape(stop - a, c, k1),
        )
    s, loss = sigmoid_and_loss(z)
    loss -= float(z[:, 0].sum(dtype=np.float64))  # softplus(-z) = softplus(z) - z
    pair_center = np.repeat(np.arange(b), counts)
    squares = out_sq[outputs].reshape(b, k1)
    curvature = np.einsum("pk,pk->p", s * (1.0 - s), squares[pair_center])
    g = s
    g[:, 0] -= 1.0  # d/dz -log sigmoid(z) = s - 1; d/dz -log sigmoid(-z) = s
    input_grads = work.buffer("input_grads", (n_pairs, d))
    output_grads = work.buffer("output_grads", (b * k1, d))
    for a, stop, c, p0, p1 in runs:
        g_block = g[p0:p1].reshape(stop - a, c, k1)
        np.matmul(g_block, targets[a:stop], out=input_grads[p0:p1].reshape(stop - a, c, d))
        np.matmul(
            g_block.transpose(0, 2, 1), inputs[p0:p1].reshape(stop - a, c, d),
            out=output_grads[a * k1 : stop * k1].reshape(stop - a, k1, d),
        )
    return Part(
        loss=loss, contexts=contexts, input_grads=input_grads, curvature=curvature,
        outputs=outputs, output_grads=output_grads,
        input_norm=float(np.sqrt(np.einsum("ij,ij->i", inputs, inputs).max(initial=0.0))),
    )


def n_blocks(batch_size):
    """Phase-1 tasks of a batch of ``batch_size`` centers: the noise streams
    and workspaces :func:`corpus_step` needs."""
    return len(blocks(batch_size, CENTER_BLOCK)) - 1


def corpus_step(w_in, w_out, out_sq, batch, learning_rate, table, negative, streams, work, pool):
    """One step of negative sampling on a corpus batch; updates ``w_in``, ``w_out``
    and ``out_sq`` (the output rows' squared norms) in place.

    Block ``i`` of ``CENTER_BLOCK`` centers draws its ``negative`` noise words
    per center from ``table`` with ``streams[i]`` and keeps its gradients in
    ``work[i]``. The input rows take the sequential step of ``_updates`` with
    their curvatures, the output rows the summed step; both inside the
    trust region, whose bounds come from the largest output row and the
    largest of the batch's input rows.

    Returns ``(loss, update)``: the batch's summed loss before the step, and
    the input rows' :class:`~skw2v._updates.RowUpdate` (None, with nothing
    updated, when the loss is not finite).
    """
    centers, rows, cols, n_contexts, _ = batch
    center_bounds = blocks(len(centers), CENTER_BLOCK)
    pair_bounds = np.searchsorted(rows, center_bounds)

    def phase1(task, _):
        r0, r1 = center_bounds[task], center_bounds[task + 1]
        p0, p1 = pair_bounds[task], pair_bounds[task + 1]
        negatives = draw_negatives(table, (r1 - r0, negative), streams[task])
        return forward(
            w_in, w_out, out_sq, centers[r0:r1], rows[p0:p1] - r0, cols[p0:p1],
            n_contexts[r0:r1], negatives, work[task],
        )

    parts = pool.map(phase1, len(center_bounds) - 1)
    loss = sum(part.loss for part in parts)
    if not np.isfinite(loss):
        return loss, None
    input_limit = MAX_LOGIT_STEP / max(float(np.sqrt(out_sq.max())), 1e-30)
    output_limit = MAX_LOGIT_STEP / max(max(part.input_norm for part in parts), 1e-30)

    def phase2(task, work):
        if task == 0:
            pieces = [(p.contexts, np.arange(len(p.contexts)), p.input_grads) for p in parts]
            curvature = np.concatenate([p.curvature for p in parts])
            return add_summed_rows(w_in, pieces, learning_rate, input_limit, work, curvature)
        pieces = [(p.outputs, np.arange(len(p.outputs)), p.output_grads) for p in parts]
        update = add_summed_rows(w_out, pieces, learning_rate, output_limit, work)
        out_sq[update.words] = squared_norms(w_out, update.words, work)
        return update

    inputs, _ = pool.map(phase2, 2)
    return loss, inputs
