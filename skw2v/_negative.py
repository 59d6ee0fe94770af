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
than once in a batch is a sparse-matrix product (``_updates.scatter_add``);
no Python loop touches a word. As in pWord2Vec, a noise word equal to its
center is kept (word2vec.c skips it).

Updates follow ``_updates``: an input row gets the step that sequential SGD
over its pairs would take (the curvature of the loss in ``v`` is
``sum_k sigmoid'(z_k) |u_k|^2``); an output row takes the summed step (its
curvature bound, a sum of magnitudes from many directions, over-damps the
frequent words' rows); both inside the one-nat trust region.

From co-occurrence counts (``solver="counts"``) the same loss is minimised in
expectation: each row of the count matrix is one input word, trained on its
count-weighted pairs and on ``COUNT_NOISE_SAMPLES`` noise words that stand for
the expected noise term (:func:`count_forward`).

Parallelism: phase 1 cuts the batch into blocks of ``CENTER_BLOCK`` centers;
block ``i`` draws its noise words from its own stream ``i``, seeded in the
constructor. A count batch draws its noise words on the calling thread, from
a stream of its own, and is cut into blocks of at most ``COUNT_BLOCK`` rows
and ``COUNT_BLOCK_PAIRS`` pairs. Phase 2 is two tasks, the input rows and the
output rows (for a count batch, the output rows in ``OUTPUT_TASKS`` groups). The
squared norms of the rows, which the curvatures and the trust region need,
are kept up to date from the logits already computed (``v . G`` is a sum of
``g z``), not re-read from the rows, and recomputed exactly every
``REFRESH_NORMS_EVERY`` steps.
"""

import numpy as np
from sklearn.utils import check_random_state

from ._parallel import Workspace, blocks, weighted_blocks
from ._protocol import Objective
from ._softmax import max_row_norm
from ._updates import MAX_LOGIT_STEP, add_summed_rows, scatter_add

#: Steps between exact recomputations of the rows' squared norms.
REFRESH_NORMS_EVERY = 1000

#: Centers per phase-1 task (each with its own noise stream).
CENTER_BLOCK = 1024
#: Rows per phase-1 task of count-weighted steps, and the noise words drawn per
#: row: an unbiased estimate of the expected noise term over all words, which
#: measured as good as the exact sum at a fifth of its cost (see the user guide).
COUNT_BLOCK = 256
COUNT_NOISE_SAMPLES = 16
#: Pairs (positive and noise) per count-weighted batch, each holding about 20
#: bytes until the batch's update, and per phase-1 task, whose temporaries (two
#: gathered rows a pair) take about 0.9 kB a pair at vector_size 100 while it runs.
COUNT_BATCH_PAIRS = 1 << 17
COUNT_BLOCK_PAIRS = 1 << 14
#: Phase-2 tasks over the output rows of a count-weighted batch.
OUTPUT_TASKS = 4
#: Pairs of counts below this are sampled in each pass of the counts solver
#: (kept with probability count / value, then weighing the value; unbiased),
#: as an epoch of SGD sees a pair with a count below 1 once with about that
#: probability: a pass then costs about 0.63 of its pairs (see the user guide).
SAMPLE_PAIRS_BELOW = 1.0

#: Slots per vocabulary word in the noise table, and the table's bounds
#: (word2vec.c always uses 1e8 slots, 400 MB; 1e7 int32 slots are 40 MB).
TABLE_SLOTS_PER_WORD = 100
TABLE_SIZE_RANGE = (1_000_000, 10_000_000)


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


def noise_weights(counts, ns_exponent):
    """``counts ** ns_exponent`` up to a constant factor, float64; 0 where a count is 0.

    Computed in log space and scaled so that the largest weight is 1: any
    finite exponent gives finite weights with a positive sum (a huge
    exponent puts all the weight on the most frequent words, a very negative
    one on the rarest, which is the distribution's limit).
    """
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    logs = np.full(len(counts), -np.inf)
    logs[present] = ns_exponent * np.log(counts[present])
    if present.any():
        logs -= logs[present].max()
    return np.exp(logs)


def noise_table(counts, ns_exponent):
    """word2vec's unigram table: word ids in proportion to ``counts ** ns_exponent``.

    A uniform draw from the table is a draw from the noise distribution, in
    O(1); each word gets ``round(p * size)`` slots (at least one if it has
    any weight), as in word2vec.c.
    """
    weights = noise_weights(counts, ns_exponent)
    low, high = TABLE_SIZE_RANGE
    size = min(max(TABLE_SLOTS_PER_WORD * len(weights), low), high)
    slots = np.maximum(np.round(weights / weights.sum() * size), weights > 0).astype(np.int64)
    return np.repeat(np.arange(len(weights), dtype=np.int32), slots)


def draw_negatives(table, shape, rng):
    """Noise word ids of the given shape, drawn uniformly from ``table``.

    ``rng`` is a ``numpy.random.Generator``.
    """
    return table[rng.integers(0, len(table), size=shape)]


class _Part:
    """What one phase-1 task hands to phase 2: rows, their gradients,
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


def forward(w_in, w_out, out_sq, centers, rows, cols, n_contexts, negatives, work):
    """Phase 1 for a block of centers: logits, loss and row gradients (a ``_Part``).

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


class _CountPart:
    """What one phase-1 task of a count-weighted step hands to phase 2."""

    __slots__ = (
        "loss", "input_grads", "curvature", "outputs", "pair_rows", "output_weights",
        "output_curvature",
    )

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)


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

    Returns a ``_CountPart``: the loss estimate, the rows' summed gradients
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
    return _CountPart(
        loss=loss, input_grads=input_grads, curvature=curvature.astype(np.float32),
        outputs=pair_cols, pair_rows=pair_rows, output_weights=g,
        output_curvature=spread * h_sq[pair_rows],
    )


class NegativeObjective(Objective):
    """Negative-sampling output layer: output vectors and one SGD step.

    Parameters
    ----------
    word_counts : ndarray, shape (V,)
        Word counts, for the noise distribution.
    vector_size : int
    batch_size : int
        Largest batch :meth:`step` will see.
    random_state : int, RandomState instance or None
        Seeds the noise streams (one per phase-1 block, one for count batches), here and now.
    negative : int
        Noise words per center, shared by its context words (``K``).
    ns_exponent : float
        Exponent of the unigram counts in the noise distribution.
    output_vectors : ndarray of shape (V, vector_size), default=None
        Starting output vectors; zeros (word2vec's start) when None.
    """

    default_batch_size = 2048
    sample_pairs_below = SAMPLE_PAIRS_BELOW
    hyperparameters = ("negative", "ns_exponent")

    def __init__(
        self, word_counts, vector_size, *, batch_size, random_state, negative, ns_exponent,
        output_vectors=None,
    ):
        n_words = len(word_counts)
        if output_vectors is None:
            self.w_out = np.zeros((n_words, vector_size), dtype=np.float32)
        else:
            self.w_out = np.array(output_vectors, dtype=np.float32, order="C")
        self.max_batch = batch_size
        self.negative = negative
        self._out_sq = np.einsum("ij,ij->i", self.w_out, self.w_out)
        self._in_sq = None  # |w_in row|^2, from the first step's w_in
        self._table = noise_table(word_counts, ns_exponent)
        self.max_weighted_batch = batch_size
        self.max_weighted_pairs = COUNT_BATCH_PAIRS
        entropy = check_random_state(random_state).randint(0, 2**32, size=4, dtype=np.uint64)
        *seeds, count_seed = np.random.SeedSequence([int(x) for x in entropy]).spawn(
            len(blocks(batch_size, CENTER_BLOCK))
        )
        self._streams = [np.random.default_rng(seed) for seed in seeds]
        self._count_stream = np.random.default_rng(count_seed)
        # One workspace per block: a block's gradients stay in it until phase 2.
        self._block_work = [Workspace() for _ in seeds]
        self._steps = 0

    def output_vectors(self):
        """The (V, d) output vectors, as a copy."""
        return self.w_out.copy()

    def step(self, w_in, batch, learning_rate, pool):
        """One step on ``batch`` (see :meth:`Objective.step`); returns its summed loss.

        A batch with ``weights`` (rows of a symmetric count matrix) takes the
        count-weighted step (:func:`count_forward`); otherwise noise words are
        drawn per center, as SGD over the corpus does.
        """
        if batch.weights is not None:
            return self._count_step(w_in, batch, learning_rate, pool)
        centers, rows, cols, n_contexts, _ = batch
        if self._in_sq is None:
            self._in_sq = np.einsum("ij,ij->i", w_in, w_in)
        self._steps += 1
        refresh = self._steps % REFRESH_NORMS_EVERY == 0
        # Trust region (see _updates): bounds from the largest vectors on each side.
        input_limit = MAX_LOGIT_STEP / max(float(np.sqrt(self._out_sq.max())), 1e-30)
        output_limit = MAX_LOGIT_STEP / max(float(np.sqrt(self._in_sq.max())), 1e-30)
        center_bounds = blocks(len(centers), CENTER_BLOCK)
        pair_bounds = np.searchsorted(rows, center_bounds)

        def phase1(task, work):
            r0, r1 = center_bounds[task], center_bounds[task + 1]
            p0, p1 = pair_bounds[task], pair_bounds[task + 1]
            negatives = draw_negatives(self._table, (r1 - r0, self.negative), self._streams[task])
            return forward(
                w_in, self.w_out, self._out_sq, centers[r0:r1], rows[p0:p1] - r0, cols[p0:p1],
                n_contexts[r0:r1], negatives, self._block_work[task],
            )

        parts = pool.map(phase1, len(center_bounds) - 1)
        loss = sum(part.loss for part in parts)
        if not np.isfinite(loss):
            return loss

        def phase2(task, work):
            if task == 0:
                return _update_rows(
                    w_in, self._in_sq, parts, "contexts", "input_grads", "input_gz",
                    learning_rate, input_limit, work, refresh, curvature=True,
                )
            return _update_rows(
                self.w_out, self._out_sq, parts, "outputs", "output_grads", "output_gz",
                learning_rate, output_limit, work, refresh, curvature=False,
            )

        inputs, _ = pool.map(phase2, 2)
        self.count(inputs)
        return loss

    def _count_step(self, w_in, batch, learning_rate, pool):
        """The count-weighted step: ``count_forward`` over fixed blocks of rows,
        then ``OUTPUT_TASKS`` tasks over the output rows, cut by word id into
        groups of equal numbers of distinct rows, and one over the input rows.
        Each output row sums its own pairs in order, so where the groups are
        cut changes no result."""
        centers, rows, cols, n_contexts, weights = batch
        if self._in_sq is None:
            self._in_sq = np.einsum("ij,ij->i", w_in, w_in)
        h = w_in[centers]
        input_limit = MAX_LOGIT_STEP / max(float(np.sqrt(self._out_sq.max())), 1e-30)
        output_limit = MAX_LOGIT_STEP / max(max_row_norm(h), 1e-30)
        scale = self.negative * n_contexts.astype(np.float64)
        noise = draw_negatives(self._table, (len(centers), COUNT_NOISE_SAMPLES), self._count_stream)
        row_pairs = np.bincount(rows, minlength=len(centers)) + COUNT_NOISE_SAMPLES
        row_bounds = weighted_blocks(row_pairs, COUNT_BLOCK, COUNT_BLOCK_PAIRS)
        pair_bounds = np.searchsorted(rows, row_bounds)

        def phase1(task, work):
            r0, r1 = row_bounds[task], row_bounds[task + 1]
            p0, p1 = pair_bounds[task], pair_bounds[task + 1]
            part = count_forward(
                h[r0:r1], self.w_out, self._out_sq, rows[p0:p1] - r0, cols[p0:p1],
                weights[p0:p1], scale[r0:r1], noise[r0:r1], work,
            )
            part.pair_rows += r0  # rows of h, not of the block
            return part

        parts = pool.map(phase1, len(row_bounds) - 1)
        loss = sum(part.loss for part in parts)
        if not np.isfinite(loss):
            return loss
        outputs = np.concatenate([p.outputs for p in parts])
        pair_rows = np.concatenate([p.pair_rows for p in parts])
        output_weights = np.concatenate([p.output_weights for p in parts])
        output_curvature = np.concatenate([p.output_curvature for p in parts])
        # Output tasks take equal numbers of distinct rows (a task's cost grows
        # with its rows, whose sums must stay in cache, more than with its pairs).
        present = np.zeros(len(self.w_out), dtype=bool)
        present[outputs] = True
        distinct_ids = np.flatnonzero(present)
        cuts = distinct_ids[len(distinct_ids) * np.arange(1, OUTPUT_TASKS) // OUTPUT_TASKS]
        id_bounds = [0, *cuts.tolist(), len(self.w_out)]

        def phase2(task, work):
            if task == OUTPUT_TASKS:
                update = add_summed_rows(
                    w_in, [(centers, np.arange(len(centers)),
                            np.concatenate([p.input_grads for p in parts]))],
                    learning_rate, input_limit, work,
                    np.concatenate([p.curvature for p in parts]), n_contexts,
                )
                self._in_sq[update.words] = squared_norms(w_in, update.words, work)
                return update
            low, high = id_bounds[task], id_bounds[task + 1]
            at = np.flatnonzero((outputs >= low) & (outputs < high))  # in pair order
            update = add_summed_rows(
                self.w_out, [(outputs[at], pair_rows[at], h, output_weights[at])],
                learning_rate, output_limit, work, output_curvature[at],
            )
            self._out_sq[update.words] = squared_norms(self.w_out, update.words, work)
            return update

        *_, inputs = pool.map(phase2, OUTPUT_TASKS + 1)
        self.count(inputs)
        return loss


def squared_norms(matrix, rows, work):
    """``|matrix[r]|^2`` for each of ``rows``, from one gather into ``work``."""
    gathered = work.take("updated_rows", matrix, rows)
    return np.einsum("ij,ij->i", gathered, gathered)


def _update_rows(matrix, sq, parts, ids, grads, gz, step, limit, work, refresh, curvature):
    """Phase 2 for one side: apply the summed gradients to the rows of ``matrix``.

    ``parts`` are the phase-1 results, in block order; ``ids``, ``grads``,
    ``gz`` name their fields for this side. ``sq`` (the rows' squared norms)
    follows the update; ``refresh`` recomputes it. Returns the
    :class:`~skw2v._updates.RowUpdate`.
    """
    pieces = [
        (getattr(p, ids), np.arange(len(getattr(p, ids))), getattr(p, grads)) for p in parts
    ]
    update = add_summed_rows(
        matrix, pieces, step, limit, work,
        np.concatenate([p.curvature for p in parts]) if curvature else None,
    )
    words, rank, factors, sums_sq = update[:4]
    # |v - f S|^2 = |v|^2 - 2 f v.S + f^2 |S|^2, and v.S is the sum of g z
    # over the row's pairs: the new norms without reading the rows.
    overlap = np.bincount(
        rank, weights=np.concatenate([getattr(p, gz) for p in parts]), minlength=len(words)
    )
    sq[words] = np.maximum(sq[words] + factors * (factors * sums_sq - 2 * overlap), 0.0)
    if refresh:
        # Recompute now and then so that float32 rounding cannot accumulate.
        np.einsum("ij,ij->i", matrix, matrix, out=sq)
    return update
