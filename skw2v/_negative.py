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

Parallelism: phase 1 cuts the batch into blocks of ``CENTER_BLOCK`` centers;
block ``i`` draws its noise words from its own stream ``i``, seeded in the
constructor. Phase 2 is two tasks, the input rows and the output rows. The
squared norms of the rows, which the curvatures and the trust region need,
are kept up to date from the logits already computed (``v . G`` is a sum of
``g z``), not re-read from the rows, and recomputed exactly every
``REFRESH_NORMS_EVERY`` steps.
"""

import numpy as np
from sklearn.utils import check_random_state

from ._parallel import Workspace, blocks
from ._protocol import Objective
from ._softmax import effective_batch_size, max_row_norm
from ._updates import MAX_LOGIT_STEP, add_summed_rows, scale_and_clip, sequential_step

#: Steps between exact recomputations of the rows' squared norms.
REFRESH_NORMS_EVERY = 1000

#: Centers per phase-1 task (each with its own noise stream).
CENTER_BLOCK = 1024
#: Rows per phase-1 task, and words per phase-2 task, of count-weighted steps.
EXPECTED_BLOCK = 256
WORD_BLOCK = 1024

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


def expected_forward(h, w_out, e, rows, cols, weights, noise, work):
    """Phase 1 of the count-weighted step for a block of input rows.

    Row ``a`` (input vector ``h_a``) has count-weighted positive pairs
    ``X_ab`` and, in expectation, ``K N_a q_n`` noise pairs with every word
    ``n`` (``q`` the noise distribution, ``N_a`` the row's total count): its
    loss is ``sum_b X_ab softplus(-z_ab) + K N_a sum_n q_n softplus(z_an)``
    with ``z = h U^T`` (Levy and Goldberg 2014).

    Parameters
    ----------
    h : ndarray of float32, shape (b, d)
    w_out : ndarray of float32, shape (V, d)
    e : ndarray of float32, shape (b, V)
        Buffer; receives ``dL/dz``, which phase 2 multiplies by ``h``.
    rows, cols, weights : ndarray
        The block's pairs: block row, output word, count.
    noise : tuple of ndarray
        ``(K N_a for each row, q, q |u|^2)``, the last two float32.
    work : Workspace
        Scratch for two more (b, V) arrays.

    Returns
    -------
    loss : float
    grad_h : ndarray of float32, shape (b, d)
    curvature : ndarray of float32, shape (b,)
        ``sum_n (K N_a q_n + X_an) s'(z_an) |u_n|^2``, a bound on the
        curvature of the row's loss along any unit direction of ``h_a``.
    output_curvature : ndarray of float64, shape (V,)
        This block's share of ``sum_a (K N_a q_n + X_an) s'(z_an) |h_a|^2``.
    """
    scale, q, q_sq = noise
    b, n_words = e.shape
    np.matmul(h, w_out.T, out=e)
    z = e[rows, cols].astype(np.float64)
    positive = work.buffer("positive", (b, n_words), dtype=bool)
    np.greater_equal(e, 0.0, out=positive)
    # softplus(z) = max(z, 0) + log1p(exp(-|z|)); max(z, 0) = (z + |z|) / 2
    t = work.buffer("t", (b, n_words))
    np.abs(e, out=t)
    dense = 0.5 * ((e @ q) + (t @ q)).astype(np.float64)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=e)
    dense += (e @ q).astype(np.float64)
    t += 1.0
    np.reciprocal(t, out=t)  # 1 / (1 + exp(-|z|)): sigmoid(|z|)
    np.subtract(1.0, t, out=e)
    np.copyto(e, t, where=positive)  # e = sigmoid(z)
    loss = float(scale @ dense) + float(weights @ np.logaddexp(0.0, -z))
    s_pair = e[rows, cols]
    np.subtract(1.0, e, out=t)
    t *= e  # sigmoid'(z) = s (1 - s)
    h_sq = np.einsum("ij,ij->i", h, h)
    curvature = scale * (t @ q_sq).astype(np.float64)
    pair_spread = weights * s_pair * (1.0 - s_pair)
    u_sq = np.einsum("ij,ij->i", w_out[cols], w_out[cols])
    curvature += np.bincount(rows, weights=pair_spread * u_sq, minlength=b)
    output_curvature = q * (t.T @ (scale * h_sq).astype(np.float32)).astype(np.float64)
    output_curvature += np.bincount(cols, weights=pair_spread * h_sq[rows], minlength=n_words)
    e *= q[None, :]
    e *= scale.astype(np.float32)[:, None]
    e[rows, cols] -= weights * (1.0 - s_pair)
    grad_h = e @ w_out
    return loss, grad_h, curvature.astype(np.float32), output_curvature


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
        Seeds one noise stream per phase-1 block, here and now.
    negative : int
        Noise words per center, shared by its context words (``K``).
    ns_exponent : float
        Exponent of the unigram counts in the noise distribution.
    output_vectors : ndarray of shape (V, vector_size), default=None
        Starting output vectors; zeros (word2vec's start) when None.
    """

    default_batch_size = 2048
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
        weights = noise_weights(word_counts, ns_exponent)
        self._noise = weights / weights.sum()  # q, for count-weighted steps
        self.max_weighted_batch = effective_batch_size(batch_size, n_words)
        self._e = None  # the (batch, V) buffer of count-weighted steps
        entropy = check_random_state(random_state).randint(0, 2**32, size=4, dtype=np.uint64)
        seeds = np.random.SeedSequence([int(x) for x in entropy]).spawn(
            len(blocks(batch_size, CENTER_BLOCK)) - 1
        )
        self._streams = [np.random.default_rng(seed) for seed in seeds]
        # One workspace per block: a block's gradients stay in it until phase 2.
        self._block_work = [Workspace() for _ in seeds]
        self._steps = 0

    def output_vectors(self):
        """The (V, d) output vectors, as a copy."""
        return self.w_out.copy()

    def step(self, w_in, batch, learning_rate, pool):
        """One step on ``batch`` (see :meth:`Objective.step`); returns its summed loss.

        A batch with ``weights`` (rows of a symmetric count matrix) takes the
        count-weighted step, with noise words in expectation
        (:func:`expected_forward`); otherwise noise words are drawn.
        """
        if batch.weights is not None:
            return self._expected_step(w_in, batch, learning_rate, pool)
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

    def _expected_step(self, w_in, batch, learning_rate, pool):
        """The count-weighted step: ``expected_forward`` over fixed blocks of
        rows, then the output rows in fixed blocks of words and the input rows."""
        centers, rows, cols, n_contexts, weights = batch
        n_words, b = len(self.w_out), len(centers)
        if self._e is None:
            self._e = np.empty((self.max_weighted_batch, n_words), dtype=np.float32)
        e = self._e
        h = w_in[centers]
        h_norm = max_row_norm(h)
        u_norm = float(np.sqrt(self._out_sq.max()))
        input_limit = MAX_LOGIT_STEP / max(u_norm, 1e-30)
        output_limit = MAX_LOGIT_STEP / max(h_norm, 1e-30)
        q = self._noise.astype(np.float32)
        noise = (self.negative * n_contexts.astype(np.float64), q, q * self._out_sq)
        row_bounds = blocks(b, EXPECTED_BLOCK)
        pair_bounds = np.searchsorted(rows, row_bounds)
        grad_h = np.empty_like(h)
        curvature = np.empty(b, dtype=np.float32)

        def phase1(task, work):
            r0, r1 = row_bounds[task], row_bounds[task + 1]
            p0, p1 = pair_bounds[task], pair_bounds[task + 1]
            scale = noise[0][r0:r1]
            loss, grad_h[r0:r1], curvature[r0:r1], output_curvature = expected_forward(
                h[r0:r1], self.w_out, e[r0:r1], rows[p0:p1] - r0, cols[p0:p1],
                weights[p0:p1], (scale, q, noise[2]), work,
            )
            return loss, output_curvature

        parts = pool.map(phase1, len(row_bounds) - 1)
        loss = sum(part[0] for part in parts)
        if not np.isfinite(loss):
            return loss
        output_curvature = parts[0][1]
        for part in parts[1:]:
            output_curvature = output_curvature + part[1]
        word_bounds = blocks(n_words, WORD_BLOCK)
        n_word_blocks = len(word_bounds) - 1

        def phase2(task, work):
            if task == n_word_blocks:
                pieces = [(centers, np.arange(b), grad_h)]
                update = add_summed_rows(
                    w_in, pieces, learning_rate, input_limit, work, curvature, n_contexts
                )
                if self._in_sq is not None:
                    rows = update.words
                    self._in_sq[rows] = np.einsum("ij,ij->i", w_in[rows], w_in[rows])
                return update
            v0, v1 = word_bounds[task], word_bounds[task + 1]
            grad = e[:b, v0:v1].T @ h
            factor = sequential_step(learning_rate, output_curvature[v0:v1])
            n_clipped = scale_and_clip(grad, factor, output_limit)
            block = self.w_out[v0:v1]
            block -= grad
            self._out_sq[v0:v1] = np.einsum("ij,ij->i", block, block)
            return n_clipped

        *_, inputs = pool.map(phase2, n_word_blocks + 1)
        self.count(inputs)
        return loss


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
