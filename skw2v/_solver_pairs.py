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
A block's noise steps draw their center by ``N_c`` within its center
stratum and their noise word by the noise distribution within its context
stratum, so the expected update is negative sampling's over the whole
vocabulary. Every block's draws come from ``(seed, round, a, b)``: the
result does not depend on the number of threads.
"""

import itertools
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state

from ._pair_kernels import alias_table, block_masses, block_round
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
        Word ids by stratum.
    bounds : ndarray of int64, shape (S + 1,)
        Stratum ``s`` is ``members[bounds[s]:bounds[s + 1]]``.
    masses : ndarray of float64, shape (S, S)
        Sum of the counts of each block (center stratum, context stratum).
    center_prob, center_alias : ndarray, shape (V,)
        Alias tables, in ``members`` order and relative within each stratum,
        of the words' total counts ``N_c``.
    """

    stratum: np.ndarray
    members: np.ndarray
    bounds: np.ndarray
    masses: np.ndarray
    center_prob: np.ndarray
    center_alias: np.ndarray


def stratify(counts, word_counts):
    """:class:`Strata` of a CSR count matrix: word ``r``-th by frequency goes to stratum ``r % S``."""
    n_words = counts.shape[0]
    n_strata = int(np.clip(n_words // MIN_STRATUM, 1, MAX_STRATA))
    order = np.argsort(-np.asarray(word_counts), kind="stable")
    stratum = np.empty(n_words, dtype=np.int32)
    stratum[order] = np.arange(n_words) % n_strata
    members = np.argsort(stratum, kind="stable").astype(np.int32)
    bounds = np.searchsorted(stratum[members], np.arange(n_strata + 1)).astype(np.int64)
    totals = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
    center_prob, center_alias = per_stratum_alias(totals, members, bounds)
    masses = block_masses(counts.indptr, counts.indices, counts.data, stratum, n_strata)
    return Strata(stratum, members, bounds, masses, center_prob, center_alias)


def per_stratum_alias(weights, members, bounds):
    """Alias tables of ``weights`` within each stratum, in ``members`` order.

    A stratum whose weights are all zero draws uniformly.
    """
    prob = np.empty(len(members), dtype=np.float64)
    alias = np.empty(len(members), dtype=np.int32)
    for first, stop in itertools.pairwise(bounds):
        part = np.asarray(weights[members[first:stop]], dtype=np.float64)
        if not part.sum() > 0:
            part = np.ones_like(part)
        prob[first:stop], alias[first:stop] = alias_table(part)
    return prob, alias


class PairRound(NamedTuple):
    """One round of an epoch: what :meth:`Objective.pair_step` trains on.

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix
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


def pair_round(w_in, w_out, batch, noise_prob, noise_alias, noise_mass, negative, rate, pool):
    """Train ``w_in`` and ``w_out`` in place on the round ``batch``; return its summed loss.

    ``noise_prob`` and ``noise_alias`` are the noise distribution's alias
    tables within each stratum (:func:`per_stratum_alias`), ``noise_mass``
    its mass in each stratum. The rate decays linearly from ``rate`` to
    ``batch.stop_rate`` over the round's sub-rounds.
    """
    counts, strata = batch.counts, batch.strata
    n_strata = len(strata.bounds) - 1
    center_mass = strata.masses.sum(axis=1)
    capacity = int(batch.lam * strata.masses.max() + 10 * np.sqrt(batch.lam * strata.masses.max())) + 1024
    total = 0.0
    for s in range(n_strata):
        start = rate + (batch.stop_rate - rate) * s / n_strata
        stop = rate + (batch.stop_rate - rate) * (s + 1) / n_strata

        def block(a, work, s=s, start=start, stop=stop):
            b = (a + s) % n_strata
            mass = strata.masses[a, b]
            noise_per_pair = negative * center_mass[a] * noise_mass[b] / mass if mass > 0 else 0.0
            _, loss = block_round(
                w_in, w_out, counts.indptr, counts.indices, counts.data, strata.stratum,
                strata.members, strata.bounds, a, b, batch.lam, noise_per_pair,
                strata.center_prob, strata.center_alias, noise_prob, noise_alias, start, stop,
                batch.seed, batch.index, work.buffer("pairs", (capacity, 2), np.int32),
            )
            return loss

        total += sum(pool.map(block, n_strata))
    return total


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
    """

    unit = "words"
    batch_kind = BatchKind.PAIRS
    needs_counts = True

    def __init__(self, data, *, epochs, learning_rate, min_learning_rate, random_state):
        super().__init__(
            epochs=epochs, learning_rate=learning_rate, min_learning_rate=min_learning_rate
        )
        self.counts = data.counts.tocsr()
        self.strata = stratify(self.counts, data.word_counts)
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
