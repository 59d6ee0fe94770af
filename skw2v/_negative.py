"""Skip-gram with negative sampling (Mikolov et al. 2013b), batched in numpy.

As in word2vec.c and gensim, a context word's input vector ``v`` predicts the
center word's output vector ``u_w`` against ``K`` noise words ``u_{n_k}``
drawn from the unigram distribution raised to ``ns_exponent``::

    loss = -log sigmoid(v . u_w) - sum_k log sigmoid(-v . u_{n_k})

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
than once in a batch is a sparse-matrix product (``_sgd.scatter_add``); no
Python loop touches a word.

Updates follow ``_sgd``: an input row gets the step that sequential SGD over
its pairs would take (the curvature of the loss in ``v`` is
``sum_k sigmoid'(z_k) |u_k|^2``); an output row takes the summed step (its
curvature bound, a sum of magnitudes from many directions, over-damped the
frequent words' rows); both inside the one-nat trust region. Two phases:
phase 1 splits the centers between threads, phase 2 gives the input rows to
half the threads and the output rows to the other half (with two threads:
one each, no row selection at all), so no two threads write the same memory
and every sum is taken in a fixed order: the same seed and thread count give
bit-identical vectors.

The squared norms of the rows, which the curvatures and the trust region
need, are kept up to date from the logits already computed (``v . G``
is a sum of ``g z``), not re-read from the rows, and recomputed exactly every
``REFRESH_NORMS_EVERY`` steps.

An earlier version had the center's input vector predict its context words
(the textbook direction), with ``3 K`` noise words per center weighted to
stand for ``K`` per pair: 21 gathered rows per center against 12 here, and
on 5.1M words of Wikipedia (5 epochs, batch 1024) 0.160 analogy accuracy
and 0.554 WordSim against 0.180 and 0.587 here, at 1.2x the speed. As in
pWord2Vec, a noise word equal to its center is kept (word2vec.c skips it).
"""

import numpy as np

from ._sgd import MAX_LOGIT_STEP, Workspace, add_summed_rows
from ._training import splits

#: Steps between exact recomputations of the rows' squared norms.
REFRESH_NORMS_EVERY = 1000

#: With more than one thread per side in phase 2, rows are split between
#: them in blocks of this many ids (see ``owner``).
OWNER_BLOCK = 16


def owner(ids, n_threads):
    """Which of ``n_threads`` threads updates each row id in phase 2.

    Blocks of ``OWNER_BLOCK`` ids are dealt out in turn: ids are in frequency
    order, so contiguous ranges would give the first thread nearly every
    pair, and single interleaved rows would put two threads' writes on
    shared cache lines.
    """
    return (ids // OWNER_BLOCK) % n_threads


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


#: Slots per vocabulary word in the noise table, and the table's bounds
#: (word2vec.c always uses 1e8 slots, 400 MB; 1e7 int32 slots are 40 MB).
TABLE_SLOTS_PER_WORD = 100
TABLE_SIZE_RANGE = (1_000_000, 10_000_000)


def noise_table(counts, ns_exponent):
    """word2vec's unigram table: word ids in proportion to ``counts ** ns_exponent``.

    A uniform draw from the table is a draw from the noise distribution, in
    O(1); each word gets ``round(p * size)`` slots (at least one if it has
    any weight), as in word2vec.c.
    """
    weights = np.asarray(counts, dtype=np.float64) ** ns_exponent
    low, high = TABLE_SIZE_RANGE
    size = min(max(TABLE_SLOTS_PER_WORD * len(weights), low), high)
    slots = np.maximum(np.round(weights / weights.sum() * size), weights > 0).astype(np.int64)
    return np.repeat(np.arange(len(weights), dtype=np.int32), slots)


def draw_negatives(table, shape, rng):
    """Noise word ids of the given shape, drawn uniformly from ``table``.

    ``rng`` is a ``numpy.random.Generator`` (its ``integers`` is about 2x
    faster than ``RandomState.randint`` for these draws).
    """
    return table[rng.integers(0, len(table), size=shape)]


def negative_sampling_gradients(w_in, w_out, centers, rows, cols, negatives):
    """Loss and gradients of a batch as dense arrays (for tests and checks).

    Pair ``p`` has input word ``cols[p]``, center ``centers[rows[p]]`` and the
    center's noise words ``negatives[rows[p]]`` (shape (B, K)). Returns
    ``(loss, grad_w_in, grad_w_out)``.
    """
    objective = NegativeObjective(np.ones(len(w_out)), w_in.shape[1], negatives.shape[1], 1.0, 1)
    objective.w_out[:] = w_out
    objective._in_sq = np.einsum("ij,ij->i", w_in, w_in)
    n_contexts = np.bincount(rows, minlength=len(centers))
    part = objective._forward(w_in, centers, rows, cols, n_contexts, negatives, Workspace())
    grad_w_in = np.zeros_like(w_in, dtype=np.float64)
    np.add.at(grad_w_in, part.contexts, part.input_grads)
    grad_w_out = np.zeros_like(w_out, dtype=np.float64)
    np.add.at(grad_w_out, part.outputs, part.output_grads)
    return part.loss, grad_w_in, grad_w_out


class _Part:
    """What phase 1 of one thread hands to phase 2: rows, their gradients,
    ``g z`` sums (for the norms) and the input rows' curvatures."""

    __slots__ = (
        "loss", "contexts", "input_grads", "input_gz", "curvature",
        "outputs", "output_grads", "output_gz",
    )

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)


def _runs(counts):
    """``(first, stop, value)`` for each run of equal values in sorted ``counts``."""
    bounds = np.flatnonzero(counts[1:] != counts[:-1]) + 1
    starts = [0, *bounds.tolist()]
    stops = [*bounds.tolist(), len(counts)]
    return [(a, b, int(counts[a])) for a, b in zip(starts, stops)]


class NegativeObjective:
    """Negative-sampling output layer: output vectors and one SGD step.

    Parameters
    ----------
    counts : ndarray, shape (V,)
        Word counts, for the noise distribution.
    dim : int
        Vector dimension.
    negative : int
        Noise words per center, shared by its context words (``K``).
    ns_exponent : float
        Exponent of the unigram counts in the noise distribution.
    n_threads : int
        Threads of the pool that ``step`` receives.
    """

    def __init__(self, counts, dim, negative, ns_exponent, n_threads):
        self.w_out = np.zeros((len(counts), dim), dtype=np.float32)
        self.negative = negative
        self._out_sq = np.zeros(len(counts), dtype=np.float32)  # |w_out row|^2
        self._in_sq = None  # |w_in row|^2, from the first step's w_in
        self._table = noise_table(counts, ns_exponent)
        self._n_threads = n_threads
        self._work = [Workspace() for _ in range(n_threads)]
        self._generators = None  # seeded from the training rng at the first step
        self._steps = 0

    def output_vectors(self):
        """The (V, d) output vectors, as a copy."""
        return self.w_out.copy()

    def is_finite(self):
        return bool(np.isfinite(self.w_out).all())

    def _forward(self, w_in, centers, rows, cols, n_contexts, negatives, work):
        """Phase 1 for a block of centers: logits, loss and row gradients (a ``_Part``).

        ``rows`` index ``centers`` (ascending, each center at least once),
        ``cols`` are the context words, ``negatives`` (B, K) the noise words.
        """
        b, k1, d = len(centers), negatives.shape[1] + 1, w_in.shape[1]
        if b == 0:
            no_ids, no_rows = np.zeros(0, dtype=np.int32), np.zeros((0, d), dtype=np.float32)
            return _Part(
                loss=0.0, contexts=no_ids, input_grads=no_rows, input_gz=no_rows[:, 0],
                curvature=no_rows[:, 0], outputs=no_ids, output_grads=no_rows,
                output_gz=no_rows[:, 0],
            )
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
        targets = work.take("targets", self.w_out, outputs).reshape(b, k1, d)
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
        out_sq = self._out_sq[outputs].reshape(b, k1)
        curvature = np.einsum("pk,pk->p", s * (1.0 - s), out_sq[pair_center])
        g = s
        g[:, 0] -= 1.0  # d/dz -log sigmoid(z) = s - 1; d/dz -log sigmoid(-z) = s
        gz = g * z
        input_grads = work.buffer("input_grads", (n_pairs, d))
        output_grads = work.buffer("output_grads", (b * k1, d))
        for a, stop, c, p0, p1 in runs:
            g_block = g[p0:p1].reshape(stop - a, c, k1)
            np.matmul(g_block, targets[a:stop], out=input_grads[p0:p1].reshape(stop - a, c, d))
            np.matmul(
                g_block.transpose(0, 2, 1), inputs[p0:p1].reshape(stop - a, c, d),
                out=output_grads[a * k1 : stop * k1].reshape(stop - a, k1, d),
            )
        return _Part(
            loss=loss, contexts=contexts, input_grads=input_grads, input_gz=gz.sum(axis=1),
            curvature=curvature, outputs=outputs, output_grads=output_grads,
            output_gz=np.add.reduceat(gz, first, axis=0).reshape(-1),
        )

    def step(self, w_in, centers, rows, cols, n_contexts, step, rng, pool):
        """One SGD step on a batch; returns its summed loss."""
        n = self._n_threads
        if self._generators is None:
            # One noise stream per worker, each drawing its own centers' noise
            # words in phase 1: seeded from the training rng, so the same
            # seed and worker count give the same draws.
            seeds = np.random.SeedSequence(rng.randint(0, 2**32, size=4, dtype=np.uint64))
            self._generators = [np.random.default_rng(s) for s in seeds.spawn(n)]
            self._in_sq = np.einsum("ij,ij->i", w_in, w_in)
        self._steps += 1
        refresh = self._steps % REFRESH_NORMS_EVERY == 0
        # Trust region (see _sgd): bounds from the largest vectors on each side.
        input_limit = MAX_LOGIT_STEP / max(float(np.sqrt(self._out_sq.max())), 1e-30)
        output_limit = MAX_LOGIT_STEP / max(float(np.sqrt(self._in_sq.max())), 1e-30)
        row_cuts = splits(len(centers), n)
        pair_cuts = np.searchsorted(rows, row_cuts)

        def phase1(t):
            r0, r1 = row_cuts[t], row_cuts[t + 1]
            p0, p1 = pair_cuts[t], pair_cuts[t + 1]
            negatives = draw_negatives(self._table, (r1 - r0, self.negative), self._generators[t])
            return self._forward(
                w_in, centers[r0:r1], rows[p0:p1] - r0, cols[p0:p1], n_contexts[r0:r1],
                negatives, self._work[t],
            )

        parts = pool.map(phase1)
        loss = sum(part.loss for part in parts)
        if not np.isfinite(loss):
            return loss

        def update_inputs(work, share):
            _update_rows(
                w_in, self._in_sq, parts, "contexts", "input_grads", "input_gz", step,
                input_limit, work, share, refresh, curvature=True,
            )

        def update_outputs(work, share):
            _update_rows(
                self.w_out, self._out_sq, parts, "outputs", "output_grads", "output_gz", step,
                output_limit, work, share, refresh, curvature=False,
            )

        def phase2(t):
            # Input rows go to the first half of the threads, output rows to
            # the rest; within a half, blocks of ids are dealt out (owner).
            if n == 1:
                update_inputs(self._work[0], None)
                update_outputs(self._work[0], None)
            elif t < n // 2:
                update_inputs(self._work[t], (t, n // 2))
            else:
                update_outputs(self._work[t], (t - n // 2, n - n // 2))

        pool.map(phase2)
        return loss


def _update_rows(matrix, sq, parts, ids, grads, gz, step, limit, work, share, refresh, curvature):
    """Phase 2 for one side: apply the summed gradients to the rows of ``matrix``.

    ``parts`` are the phase-1 results; ``ids``, ``grads``, ``gz`` name their
    fields for this side. ``share`` is ``(t, n)``: update the rows with
    ``owner(id, n) == t``, or every row when None or ``n == 1``. ``sq``
    (the rows' squared norms) follows the update; ``refresh`` recomputes it.
    """
    everything = share is None or share[1] == 1
    picks = [
        slice(None) if everything else np.flatnonzero(owner(getattr(p, ids), share[1]) == share[0])
        for p in parts
    ]
    pieces = [
        (getattr(p, ids)[pick], np.arange(len(getattr(p, ids)))[pick], getattr(p, grads))
        for p, pick in zip(parts, picks)
    ]
    words, rank, factors, sums_sq = add_summed_rows(
        matrix, pieces, step, limit, work,
        np.concatenate([p.curvature[pick] for p, pick in zip(parts, picks)]) if curvature else None,
    )
    # |v - f S|^2 = |v|^2 - 2 f v.S + f^2 |S|^2, and v.S is the sum of g z
    # over the row's pairs: the new norms without reading the rows.
    overlap = np.bincount(
        rank, weights=np.concatenate([getattr(p, gz)[pick] for p, pick in zip(parts, picks)]),
        minlength=len(words),
    )
    sq[words] = np.maximum(sq[words] + factors * (factors * sums_sq - 2 * overlap), 0.0)
    if refresh:
        # Recompute this thread's norms now and then so that float32
        # rounding cannot accumulate (measured: 3e-6 relative after 1,400 steps).
        owned = np.arange(len(matrix)) if everything else np.flatnonzero(
            owner(np.arange(len(matrix)), share[1]) == share[0]
        )
        rows = matrix[owned]
        sq[owned] = np.einsum("ij,ij->i", rows, rows)
