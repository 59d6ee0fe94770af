"""Skip-gram with negative sampling (Mikolov et al. 2013b): the objective.

As in word2vec.c and gensim, a context word's input vector ``v`` predicts the
center word's output vector ``u_w`` against ``K`` noise words ``u_{n_k}``
drawn from the unigram distribution raised to ``ns_exponent`` (``_noise``)::

    loss = -log sigmoid(v . u_w) - sum_k log sigmoid(-v . u_{n_k})

The objective owns the output vectors, their squared norms (which the
curvatures and the trust region read; kept exact for the rows each step
updates) and the noise streams, and takes one step per kind of batch:
``_negative_corpus`` over corpus positions (each center's window shares its
noise words), ``_negative_counts`` over rows of co-occurrence counts (the
expected loss, with sampled noise words standing for its noise term), and
``_solver_pairs`` over rounds of pairs drawn from the counts (plain SGD
steps, as word2vec takes, on copies of the vectors with their rows in the
solver's stratum order).

Updates follow ``_updates``: an input row gets the step that sequential SGD
over its pairs would take (the curvature of the loss in ``v`` is
``sum_k sigmoid'(z_k) |u_k|^2``); an output row takes the summed step over a
corpus batch (its curvature bound, a sum of magnitudes from many directions,
over-damps the frequent words' rows) and the sequential step over a count
batch; both inside the one-nat trust region.
"""

import numpy as np
from sklearn.utils import check_random_state

from ._negative_corpus import corpus_step, n_blocks
from ._negative_counts import COUNT_BATCH_PAIRS, SAMPLE_PAIRS_BELOW, count_step
from ._noise import alias_table, noise_weights
from ._parallel import Workspace
from ._protocol import BatchKind, Limits, Objective
from ._solver_pairs import PairSteps


class NegativeObjective(Objective):
    """Negative-sampling output layer: output vectors and one SGD step per kind of batch.

    Parameters
    ----------
    word_counts : ndarray, shape (V,)
        Word counts, for the noise distribution.
    vector_size : int
    batch_size : int
        Largest batch a step will see.
    random_state : int, RandomState instance or None
        Seeds the noise streams (one per block of a corpus batch, one for
        count batches), here and now.
    negative : int
        Noise words per center, shared by its context words (``K``).
    ns_exponent : float
        Exponent of the unigram counts in the noise distribution.
    output_vectors : ndarray of shape (V, vector_size), default=None
        Starting output vectors; zeros (word2vec's start) when None.
    """

    batch_kinds = frozenset(BatchKind)
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
        self.batch_size = batch_size
        self.negative = negative
        self._out_sq = np.einsum("ij,ij->i", self.w_out, self.w_out)
        self._table = None
        self._noise = noise_weights(word_counts, ns_exponent)
        self._pair_steps = PairSteps(self._noise, negative, softmax=False)
        entropy = check_random_state(random_state).randint(0, 2**32, size=4, dtype=np.uint64)
        *seeds, count_seed = np.random.SeedSequence([int(x) for x in entropy]).spawn(
            n_blocks(batch_size) + 1
        )
        self._streams = [np.random.default_rng(seed) for seed in seeds]
        self._count_stream = np.random.default_rng(count_seed)
        # One workspace per block: a block's gradients stay in it until phase 2.
        self._block_work = [Workspace() for _ in seeds]

    @property
    def _noise_table(self):
        """The noise words' alias table (:func:`~skw2v._noise.alias_table`),
        made at the first corpus or count step: rounds of pairs draw from
        alias tables of their own, within each stratum."""
        if self._table is None:
            self._table = alias_table(self._noise)
        return self._table

    def limits(self, kind):
        """Corpus batches of ``batch_size`` centers (pair rounds get the same
        limits and ignore them: a round's size is its solver's); count batches
        of as many rows and at most ``COUNT_BATCH_PAIRS`` pairs, those with a
        count below ``SAMPLE_PAIRS_BELOW`` sampled."""
        if kind is not BatchKind.COUNTS:
            return Limits(self.batch_size)
        return Limits(self.batch_size, COUNT_BATCH_PAIRS, SAMPLE_PAIRS_BELOW)

    def output_vectors(self):
        """The (V, d) output vectors, as a copy."""
        return self.w_out.copy()

    def pair_step(self, w_in, batch, learning_rate, pool):
        """One round of pair steps (:class:`~skw2v._solver_pairs.PairSteps`)."""
        loss = self._pair_steps.step(w_in, self.w_out, batch, learning_rate, pool)
        self._out_sq = np.einsum("ij,ij->i", self.w_out, self.w_out)
        return loss

    def corpus_step(self, w_in, batch, learning_rate, pool):
        """One step on a corpus batch (:func:`~skw2v._negative_corpus.corpus_step`)."""
        loss, update = corpus_step(
            w_in, self.w_out, self._out_sq, batch, learning_rate, self._noise_table, self.negative,
            self._streams, self._block_work, pool,
        )
        if update is not None:
            self.count(update)
        return loss

    def count_step(self, w_in, batch, learning_rate, pool):
        """One step on a count batch (:func:`~skw2v._negative_counts.count_step`)."""
        loss, update = count_step(
            w_in, self.w_out, self._out_sq, batch, learning_rate, self._noise_table, self.negative,
            self._count_stream, pool,
        )
        if update is not None:
            self.count(update)
        return loss
