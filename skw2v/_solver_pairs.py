"""``solver="pairs"``: SGD over (center, context) pairs drawn from the co-occurrence counts.

Pairs drawn independently with probability proportional to the training
counts ``X`` are, in expectation, what an epoch of SGD over the text shows
word2vec, in shuffled order: an epoch here draws each distinct pair
``Poisson(X[c, j])`` times, in ``ROUNDS_PER_EPOCH`` rounds or more (as
many as keep a block's round within ``MAX_BLOCK_PAIRS``), and takes one
negative-sampling step on each, with ``negative`` noise steps. Its cost is
the number of pairs (``X.sum()`` an epoch), like SGD over the text, but it
reads no corpus, and its steps run in a compiled kernel (``_pair_kernels``).

Words are split into ``n_strata`` strata by frequency rank (fixed by the
vocabulary); a round takes ``n_strata`` sub-rounds, in each of which the
blocks ``(a, (a + s) % n_strata)`` touch disjoint rows and run in parallel.
A drawn pair's noise steps share its center, as word2vec's do, and draw
their noise words by the noise distribution within the context stratum
``b``; a pair of center ``c`` takes ``k Q_b N_c / R_cb`` of them in
expectation (:func:`pair_noise`), so that center ``c`` meets noise word
``o`` ``k N_c q_o`` times an epoch in expectation, negative sampling's
update over the whole vocabulary. Every block's draws come from ``(seed,
round, a, b)``: the result does not depend on the number of threads.
"""

import itertools
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state

from ._noise import alias_table
from ._pair_kernels import block_round, move_to_positions, row_masses, softmax_block_round
from ._protocol import BatchKind, Solver

#: The fewest rounds an epoch is drawn in: each distinct pair's draws spread over them.
ROUNDS_PER_EPOCH = 4
#: Expected pairs of a block's round, at most (more rounds where blocks hold more): the
#: buffer of the drawn pairs, 8 bytes each, stays bounded whatever the corpus length.
MAX_BLOCK_PAIRS = 1 << 20
#: The most strata; fewer where the vocabulary is small (``MIN_STRATUM``).
MAX_STRATA = 8
#: Words per stratum below which the vocabulary is split into fewer strata.
MIN_STRATUM = 512


class Strata(NamedTuple):
    """The words split into strata, and what a round draws from.

    Attributes
    ----------
    stratum : ndarray of int32, shape (V,)
    members : ndarray of int32, shape (V,)
        Word ids by stratum: the rows of the vectors a round trains, in order.
    position : ndarray of int32, shape (V,)
        Each word's row in that order (the inverse of ``members``).
    bounds : ndarray of int64, shape (S + 1,)
        Stratum ``s`` is ``members[bounds[s]:bounds[s + 1]]``.
    row_masses : ndarray of float64, shape (V, S)
        Sum of each word's counts with the contexts of each stratum (``R``).
    masses : ndarray of float64, shape (S, S)
        Sum of the counts of each block (center stratum, context stratum).
    """

    stratum: np.ndarray
    members: np.ndarray
    position: np.ndarray
    bounds: np.ndarray
    row_masses: np.ndarray
    masses: np.ndarray


def by_position(counts, position, copy=True):
    """The CSR matrix ``counts`` with column ``j`` moved to ``position[j]``,
    each row's entries sorted: a row's contexts of one stratum are then one
    contiguous run (what :func:`block_round` reads). With ``copy=False`` the
    matrix itself is rearranged (and returned), with no memory beyond a row's."""
    moved = counts.copy() if copy else counts
    move_to_positions(moved.indptr, moved.indices, moved.data, position)
    moved.has_sorted_indices = True
    return moved


def stratify(counts, word_counts):
    """:class:`Strata` of a CSR count matrix: word ``r``-th by frequency goes to stratum ``r % S``."""
    n_words = counts.shape[0]
    n_strata = int(np.clip(n_words // MIN_STRATUM, 1, MAX_STRATA))
    order = np.argsort(-np.asarray(word_counts), kind="stable")
    stratum = np.empty(n_words, dtype=np.int32)
    stratum[order] = np.arange(n_words) % n_strata
    members = np.argsort(stratum, kind="stable").astype(np.int32)
    position = np.empty(n_words, dtype=np.int32)
    position[members] = np.arange(n_words, dtype=np.int32)
    bounds = np.searchsorted(stratum[members], np.arange(n_strata + 1)).astype(np.int64)
    by_row = row_masses(counts.indptr, counts.indices, counts.data, stratum, n_strata)
    masses = np.zeros((n_strata, n_strata), dtype=np.float64)
    np.add.at(masses, stratum, by_row)
    return Strata(stratum, members, position, bounds, by_row, masses)


class PairNoise(NamedTuple):
    """What a round's noise steps draw from (:func:`pair_noise`).

    Attributes
    ----------
    prob, alias : ndarray, shape (V,)
        Alias tables of the noise distribution within each stratum
        (:func:`per_stratum_alias`).
    scales : ndarray of float64, shape (S, V)
        Expected noise steps of a drawn pair, by context stratum and center,
        the centers in stratum order (as the rows the kernel trains).
    log_scales : ndarray of float64, shape (S, V)
        ``log(scales)``, at least ``log(1e-300)``.
    log_share : ndarray of float64, shape (V,)
        Each word's log share of its stratum's noise distribution (the one
        the alias tables draw), in stratum order, at least ``log(1e-300)``.
    """

    prob: np.ndarray
    alias: np.ndarray
    scales: np.ndarray
    log_scales: np.ndarray
    log_share: np.ndarray


def pair_noise(strata, noise, negative):
    """The :class:`PairNoise` of the noise weights ``noise`` (shape (V,)) and
    ``negative`` noise words a pair.

    A pair of center ``c`` drawn from block ``(a, b)`` takes
    ``k Q_b N_c / R_cb`` noise steps in expectation, with ``Q_b`` the noise
    distribution's mass in stratum ``b``, ``N_c`` the row sums of the counts
    and ``R_cb`` those of their contexts in ``b``: the pairs of center ``c``
    drawn from the block in an epoch (``R_cb`` in expectation) then take
    ``k N_c Q_b`` noise steps. A center with no context in ``b`` takes none
    there (on Wikipedia, 1e-5 to 3e-5 of the noise mass).
    """
    prob, alias, share = per_stratum_alias(noise, strata.members, strata.bounds)
    mass = np.add.reduceat(np.asarray(noise, dtype=np.float64)[strata.members], strata.bounds[:-1])
    by_stratum = strata.row_masses.T
    seen = by_stratum > 0
    wanted = negative * np.outer(mass / mass.sum(), by_stratum.sum(axis=0))
    scales = np.zeros(by_stratum.shape, dtype=np.float64)
    scales[seen] = wanted[seen] / by_stratum[seen]
    scales = scales[:, strata.members]
    return PairNoise(prob, alias, scales, np.log(np.maximum(scales, 1e-300)),
                     np.log(np.maximum(share, 1e-300)))


def per_stratum_alias(weights, members, bounds):
    """Alias tables of ``weights`` within each stratum, in ``members`` order,
    and each word's probability within its stratum: ``(prob, alias, share)``.

    A stratum whose weights are all zero draws uniformly.
    """
    prob = np.empty(len(members), dtype=np.float64)
    alias = np.empty(len(members), dtype=np.int32)
    share = np.empty(len(members), dtype=np.float64)
    for first, stop in itertools.pairwise(bounds):
        part = np.asarray(weights[members[first:stop]], dtype=np.float64)
        if not part.sum() > 0:
            part = np.ones_like(part)
        prob[first:stop], alias[first:stop] = alias_table(part)
        share[first:stop] = part / part.sum()
    return prob, alias, share


class PairRound(NamedTuple):
    """One round of an epoch: what :meth:`Objective.pair_step` trains on.

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix
        The counts by center word id and context position (:func:`by_position`).
    strata : Strata
    index : int
        The round's number over all epochs (its draws' seed).
    lam : float
        Expected draws of each unit of count.
    stop_rate : float
        The rate at the round's end.
    seed : int
    """

    counts: object
    strata: Strata
    index: int
    lam: float
    stop_rate: float
    seed: int

    @property
    def units(self):
        """Expected pairs drawn."""
        return self.lam * float(self.strata.masses.sum())

    @property
    def weight(self):
        """Expected pairs drawn, by which the round's loss is averaged."""
        return self.units


def pair_round(w_in, w_out, batch, noise, rate, pool, softmax=False):
    """Train ``w_in`` and ``w_out`` in place on the round ``batch``; return its summed loss.

    Their rows are in stratum order (row ``p`` is word
    ``batch.strata.members[p]``'s), so that each block trains two contiguous
    ranges of rows. ``noise`` is the round's :class:`PairNoise`. The rate
    decays linearly from ``rate`` to ``batch.stop_rate`` over the round's
    sub-rounds. Each pair takes negative sampling's steps
    (:func:`~skw2v._pair_kernels.block_round`), or with ``softmax`` one
    sampled-softmax step (:func:`~skw2v._pair_kernels.softmax_block_round`).
    """
    counts, strata = batch.counts, batch.strata
    n_strata = len(strata.bounds) - 1
    capacity = int(batch.lam * strata.masses.max() + 10 * np.sqrt(batch.lam * strata.masses.max())) + 1024
    total = 0.0
    for s in range(n_strata):
        start = rate + (batch.stop_rate - rate) * s / n_strata
        stop = rate + (batch.stop_rate - rate) * (s + 1) / n_strata

        def block(a, work, s=s, start=start, stop=stop):
            b = (a + s) % n_strata
            arrays = (w_in, w_out, counts.indptr, counts.indices, counts.data, strata.members,
                      strata.bounds, a, b, batch.lam, noise.scales[b], noise.prob, noise.alias)
            schedule = (start, stop, batch.seed, batch.index,
                        work.buffer("pairs", (capacity, 2), np.int32))
            if softmax:
                _, loss = softmax_block_round(*arrays, noise.log_scales[b], noise.log_share,
                                              *schedule)
            else:
                _, loss = block_round(*arrays, *schedule)
            return loss

        total += sum(pool.map(block, n_strata))
    return total


class PairSteps:
    """What an objective keeps between the rounds of ``solver="pairs"``: the
    round's :class:`PairNoise` and copies of the input and output vectors
    with their rows in stratum order (the kernels' layout), made at the first
    round of a :class:`Strata` and written back to the caller's after each.

    Parameters
    ----------
    noise_weights : ndarray of shape (V,)
        The noise distribution, up to a factor.
    negative : int
        Noise words a pair, in expectation.
    softmax : bool
        Sampled-softmax steps instead of negative sampling's (:func:`pair_round`).
    """

    def __init__(self, noise_weights, negative, softmax):
        self.noise_weights = noise_weights
        self.negative = negative
        self.softmax = softmax
        self._strata = self._noise = self._rows = None

    def step(self, w_in, w_out, batch, learning_rate, pool):
        """Train ``w_in`` and ``w_out`` (either may be a view) on the round
        ``batch``; return its summed loss."""
        order = batch.strata.members
        if self._strata is not batch.strata:
            self._noise = pair_noise(batch.strata, self.noise_weights, self.negative)
            self._rows = (w_in[order], w_out[order])
            self._strata = batch.strata
        ordered_in, ordered_out = self._rows
        loss = pair_round(ordered_in, ordered_out, batch, self._noise, learning_rate, pool,
                          softmax=self.softmax)
        w_in[order] = ordered_in
        w_out[order] = ordered_out
        return loss


class PairsSolver(Solver):
    """Epochs of pairs drawn from the co-occurrence counts (``solver="pairs"``).

    Parameters
    ----------
    data : TrainingData
        Its ``counts`` and ``word_counts`` are used.
    epochs : int
        Epochs' worth of pairs: ``X.sum()`` pairs each, in expectation.
    learning_rate, min_learning_rate : float
        The step decays linearly from the first to the second over all epochs.
    random_state : RandomState instance or int
        Seeds every draw.
    copy : bool, default=True
        Whether to train from a copy of ``data.counts``. With False, the
        solver rearranges that matrix in place (:func:`by_position`) and
        trains from it, which then holds contexts by position, not by word
        id: for a caller that uses the counts no more (the estimator), it
        saves a copy of them.
    """

    unit = "words"
    batch_kind = BatchKind.PAIRS
    needs_counts = True

    def __init__(self, data, *, epochs, learning_rate, min_learning_rate, random_state, copy=True):
        super().__init__(
            epochs=epochs, learning_rate=learning_rate, min_learning_rate=min_learning_rate
        )
        counts = data.counts.tocsr()
        self.strata = stratify(counts, data.word_counts)
        self.counts = by_position(counts, self.strata.position, copy=copy and counts is data.counts)
        # An epoch's pairs are as many as the corpus's windows hold, so it
        # stands for the corpus: the speed is reported in its words, as SGD's is.
        self.epoch_units = int(np.sum(data.word_counts, dtype=np.int64))
        self.seed = int(check_random_state(random_state).randint(0, 2**31 - 1))
        largest = float(self.strata.masses.max())
        self.rounds_per_epoch = max(ROUNDS_PER_EPOCH, int(np.ceil(largest / MAX_BLOCK_PAIRS)))

    def batches(self, epoch, limits, pool):
        total = float(self.strata.masses.sum())
        rounds = self.rounds_per_epoch
        lam = 1.0 / rounds
        for r in range(rounds):
            stop = self.learning_rate((epoch + (r + 1) / rounds) / self.epochs)
            yield (
                PairRound(self.counts, self.strata, epoch * rounds + r, lam, stop, self.seed),
                r * lam * total,
                total,
            )
