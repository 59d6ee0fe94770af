"""Skip-gram with negative sampling (Mikolov et al. 2013b), batched in numpy.

For a center with input vector ``h``, a context word ``o`` and ``K`` noise
words ``n_k`` drawn from the unigram distribution raised to ``ns_exponent``::

    loss = -log sigmoid(u_o . h) - sum_k log sigmoid(-u_{n_k} . h)

As in Ji et al. (2016), "Parallelizing Word2Vec in Shared and Distributed
Memory" (Intel's pWord2Vec), each center draws ``K`` noise words that all
``C`` context words of its window share, so they enter with weight ``C``;
word2vec.c draws new ones for every pair, which has the same expectation.
A batch is then one list of (center, word, label, weight) pairs: ``C``
positives and ``K`` negatives per center. Dot products are row gathers, and
every scatter-add (the centers' gradients, the output rows' gradients) is a
sparse-matrix product; no Python loop touches a pair.

An earlier version shared one set of 64 noise words across the whole
minibatch so that the noise terms became dense matrix products; on 2M words
of Wikipedia it reached 0.027 analogy accuracy against 0.045-0.048 with more
diverse noise: too few distinct output rows ever get pushed away.

Updates follow ``_sgd``: each row gets the step that sequential SGD over the
pairs touching it would take (the curvature of ``-log sigmoid(z)`` in ``h``
is ``sigmoid'(z) |u|^2``), inside the one-nat trust region. Two phases, as in
``_softmax``: phase 1 splits the batch rows between threads, phase 2 the
output rows (blocks of ``OWNER_BLOCK`` ids dealt out in turn, so that the
frequent words spread evenly and no cache line is written by two threads;
thread 0 takes a half share and all the input rows, see ``owner``), so no
two threads write the same memory and every sum is taken in a fixed order.

Where the time goes, and what was done about it (profiles on 1.9M words of
Wikipedia): every scatter-add runs scipy's COO kernel into a reused buffer
(``_sgd.scatter_add``), because fresh multi-megabyte results page-faulted
against each other in two threads; the output rows are updated where they
lie (``_sgd.add_rows``) rather than gathered, changed and scattered back;
and their squared norms, which the curvature bounds need, follow from the
logits already computed (``u.G = sum g z``) instead of a pass over the rows.
Together: 9.3 s -> 6.1 s per epoch with two threads.
"""

import numpy as np

from ._sgd import (
    MAX_LOGIT_STEP,
    Workspace,
    add_rows,
    clipped_scale,
    distinct,
    scatter_add,
    update_inputs,
)
from ._training import splits

#: Steps between exact recomputations of the output vectors' squared norms.
REFRESH_NORMS_EVERY = 1000

#: Rows are split between threads in blocks of this many ids (see ``step``).
OWNER_BLOCK = 16


def owner(ids, n_threads):
    """The thread that owns each output row id in the second phase of a step.

    Blocks of ``OWNER_BLOCK`` ids are dealt out in turn, thread 0 getting
    half the share of each other thread: it also updates every input row
    (its many small operations are cheaper in one thread than split, where
    the threads wait on each other for the GIL).
    """
    return ((ids // OWNER_BLOCK) % (2 * n_threads - 1) + 1) // 2


def sigmoid(x):
    """Logistic function in float32, without overflow warnings."""
    out = np.empty_like(x, dtype=np.float32)
    np.negative(x, out=out)
    np.clip(out, -80.0, 80.0, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def softplus_sum(x):
    """``sum(log(1 + exp(x)))`` along the last axis, stable for any ``x``, as float64.

    Uses ``max(x, 0) + log1p(exp(-|x|))`` in float32 (the sum is float64).
    """
    x = np.asarray(x, dtype=np.float32)
    tail = np.abs(x)
    np.negative(tail, out=tail)
    np.exp(tail, out=tail)
    np.log1p(tail, out=tail)
    tail += np.maximum(x, 0.0)
    return tail.sum(axis=-1, dtype=np.float64)


#: Noise draws per center, as a multiple of ``negative``; each is weighted
#: ``C * negative / draws``. Measured on 2M words of Wikipedia (3 epochs): 1x
#: gave 0.032 analogy accuracy, 3x 0.048, 6x (about one set per pair, as in
#: word2vec.c) 0.054, gensim 0.053; time 26 s, 39 s, 62 s.
DRAWS_PER_NEGATIVE = 3

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


def negative_sampling_gradients(h, w_out, rows, cols, n_contexts, negatives, negative):
    """Loss and gradients for a batch, as dense arrays (for tests and checks).

    ``negatives`` has shape (B, D): the noise words of each center. The loss
    is ``sum_pairs softplus(-u_o . h) + sum_b C_b (K / D) sum_k softplus(u_{n_bk} . h_b)``.
    Returns ``(loss, grad_h, grad_w_out)``.
    """
    objective = NegativeObjective(
        np.ones(len(w_out)), h.shape[1], negative, 1.0, 1, draws=negatives.shape[1]
    )
    objective.w_out[:] = w_out
    pair_rows, pair_cols, g, _, loss, grad_h, _ = objective._forward(
        h, rows, cols, n_contexts, negatives
    )
    grad_w_out = np.zeros_like(w_out, dtype=np.float64)
    np.add.at(grad_w_out, pair_cols, g[:, None] * h[pair_rows])
    return loss, grad_h, grad_w_out


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

    def __init__(self, counts, dim, negative, ns_exponent, n_threads, draws=None):
        self.w_out = np.zeros((len(counts), dim), dtype=np.float32)
        self._out_sq = np.zeros(len(counts), dtype=np.float32)  # |w_out row|^2
        self.negative = negative
        self.draws = DRAWS_PER_NEGATIVE * negative if draws is None else draws
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

    def _forward(self, h, rows, cols, n_contexts, negatives, work=None):
        """Loss, center gradients and curvatures, and the pairs phase 2 needs.

        Returns ``(pair_rows, pair_cols, g, gz, loss, grad_h, curvature)``
        where ``g`` is d loss / d z of every pair, ``gz`` is ``g * z`` and
        ``curvature`` each center's bound ``sum_pairs weight * sigmoid'(z) |u|^2``.
        """
        work = Workspace() if work is None else work
        b, k = negatives.shape
        n_pos = len(rows)
        pair_rows = np.concatenate([rows, np.repeat(np.arange(b), k)])
        pair_cols = np.concatenate([cols, negatives.ravel()])
        u = work.take("u", self.w_out, pair_cols)
        z = np.empty(len(pair_cols), dtype=np.float32)
        np.einsum("ij,ij->i", work.take("h", h, rows), u[:n_pos], out=z[:n_pos])
        # a center's noise words: broadcast its vector instead of gathering copies
        np.einsum("bd,bkd->bk", h, u[n_pos:].reshape(b, k, h.shape[1]), out=z[n_pos:].reshape(b, k))
        s = sigmoid(z)
        weight = np.repeat(n_contexts.astype(np.float32) * (self.negative / k), k)
        g = s.copy()
        g[:n_pos] -= 1.0  # positives: d/dz -log sigmoid(z) = s - 1
        g[n_pos:] *= weight  # negatives: d/dz C * -log sigmoid(-z) = C s
        pair_curv = s * (1.0 - s)
        pair_curv[n_pos:] *= weight
        loss = softplus_sum(-z[:n_pos]) + weight @ softplus_sum(z[n_pos:, None])
        # Scatter-add g * u into the centers' rows, reading the gathered rows
        # in order rather than w_out at random.
        grad_h = scatter_add(
            work.buffer("grad_h", (b, h.shape[1])), pair_rows, np.arange(len(pair_cols)), g, u
        )
        # |u|^2 is kept up to date in _out_sq: no pass over the gathered rows.
        curvature = np.bincount(
            pair_rows, weights=pair_curv * self._out_sq[pair_cols], minlength=b
        ).astype(np.float32)
        z *= g
        return pair_rows, pair_cols, g, z, float(loss), grad_h, curvature

    def step(self, w_in, centers, rows, cols, n_contexts, step, rng, pool):
        """One SGD step on a batch; returns its summed loss."""
        b = len(centers)
        if self._generators is None:
            # One noise stream per worker, each drawing its own rows' noise
            # words in phase 1: seeded from the training rng, so the same
            # seed and worker count give the same draws.
            seeds = np.random.SeedSequence(rng.randint(0, 2**32, size=4, dtype=np.uint64))
            self._generators = [np.random.default_rng(s) for s in seeds.spawn(self._n_threads)]
        self._steps += 1
        h = w_in[centers]
        h_sq = np.einsum("ij,ij->i", h, h)
        # Trust region (see _sgd): bounds from the largest vectors on each side.
        input_limit = MAX_LOGIT_STEP / max(float(np.sqrt(self._out_sq.max())), 1e-30)
        output_limit = MAX_LOGIT_STEP / max(float(np.sqrt(h_sq.max())), 1e-30)
        row_cuts = splits(b, self._n_threads)
        pair_cuts = np.searchsorted(rows, row_cuts)

        def phase1(t):
            r0, r1 = row_cuts[t], row_cuts[t + 1]
            p0, p1 = pair_cuts[t], pair_cuts[t + 1]
            negatives = draw_negatives(self._table, (r1 - r0, self.draws), self._generators[t])
            return self._forward(
                h[r0:r1], rows[p0:p1] - r0, cols[p0:p1], n_contexts[r0:r1], negatives,
                self._work[t],
            )

        parts = pool.map(phase1)
        loss = sum(float(part[4]) for part in parts)
        if not np.isfinite(loss):
            return loss
        if len(parts) == 1:  # one thread: its arrays are the batch's, no copies
            pair_rows, pair_cols, g, gz, _, grad_h, curvature = parts[0]
        else:
            pair_rows = np.concatenate([part[0] + r0 for part, r0 in zip(parts, row_cuts)])
            pair_cols, g, gz, grad_h, curvature = (
                np.concatenate([part[i] for part in parts]) for i in (1, 2, 3, 5, 6)
            )

        def phase2(t):
            # Thread t owns the output rows with owner(id) == t (blocks of
            # OWNER_BLOCK ids dealt out in turn): ids are in frequency order,
            # so contiguous halves would give thread 0 nearly every pair, and
            # single interleaved rows would put both threads' writes on shared
            # cache lines (one A/B run favoured blocks by 12%; later runs of
            # blocks of 1, 4 and 16 were within the machine's noise).
            n = self._n_threads
            mine = np.flatnonzero(owner(pair_cols, n) == t) if n > 1 else slice(None)
            work = self._work[t]
            words, rank = distinct(pair_cols[mine], len(self.w_out), work)
            grads = scatter_add(
                work.buffer("grads", (len(words), h.shape[1])), rank, pair_rows[mine], g[mine], h
            )
            sq = np.einsum("ij,ij->i", grads, grads)
            # Output rows take the summed step: their curvature bound (a sum of
            # magnitudes from many directions) over-damped the frequent words'
            # rows, measured 0.032 -> 0.035 analogy accuracy without it.
            factors, _ = clipped_scale(
                np.sqrt(sq), np.full(len(words), step, dtype=np.float32), output_limit
            )
            add_rows(self.w_out, words, grads, -factors)
            # |u - f G|^2 = |u|^2 - 2 f u.G + f^2 |G|^2, and u.G = sum of g z
            # over the word's pairs: the new norms without reading the rows.
            overlap = np.bincount(rank, weights=gz[mine], minlength=len(words))
            self._out_sq[words] = np.maximum(
                self._out_sq[words] + factors * (factors * sq - 2 * overlap), 0.0
            )
            if self._steps % REFRESH_NORMS_EVERY == 0:
                # The norms are updated from dot products (above); recompute
                # this thread's now and then so float32 rounding cannot
                # accumulate (measured: 3e-6 relative after 1,400 steps).
                rows_owned = np.flatnonzero(owner(np.arange(len(self.w_out)), n) == t)
                owned = self.w_out[rows_owned]
                self._out_sq[rows_owned] = np.einsum("ij,ij->i", owned, owned)
            if t == 0:
                update_inputs(w_in, centers, grad_h, curvature, step, input_limit, work)

        pool.map(phase2)
        return loss
