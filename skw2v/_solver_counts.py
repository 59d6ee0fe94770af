"""``solver="counts"``: training over co-occurrence counts, whatever the corpus length.

Both skip-gram losses depend on the corpus only through its window-weighted
co-occurrence counts ``X`` (``_cooccurrence``): the corpus's softmax loss is
``sum_c [N_c logsumexp(U v_c) - sum_j X_cj u_j . v_c]`` with ``N_c = sum_j
X_cj``, and negative sampling's expected loss is ``sum_{c,j} X_cj
softplus(-u_j . v_c) + K N_c sum_n q_n softplus(u_n . v_c)``. An epoch here is
one pass over the distinct center words, each a batch row weighted by its
counts, in a fresh random order: its cost is that of the objective on ``V``
rows (for the softmax ``6 V^2 d`` operations), not of the corpus. Each row
takes the step that sequential SGD over its occurrences would take on a
locally quadratic loss (``_updates``), so ``learning_rate`` keeps its meaning
of a per-occurrence step. Where an objective's step costs grow with the pairs
(negative sampling), each pass samples the pairs of counts below the
``sample_pairs_below`` of its :class:`~skw2v._protocol.Limits`, unbiased
(``_cooccurrence.count_batches``), from ``random_state``.
"""

import numpy as np
from sklearn.utils import check_random_state

from ._cooccurrence import count_batches
from ._protocol import BatchKind, Solver


class CountsSolver(Solver):
    """Passes over the rows of the co-occurrence counts (``solver="counts"``).

    Parameters
    ----------
    data : TrainingData
        Its ``counts`` are used.
    epochs : int
        Passes over the counts.
    learning_rate, min_learning_rate : float
        The step decays linearly from the first to the second over all passes.
    random_state : RandomState instance or int
        The order of the rows in each pass, and the pairs it samples.
    copy : bool, default=True
        Ignored: the counts are only read.
    """

    unit = "words"
    batch_kind = BatchKind.COUNTS
    needs_counts = True

    def __init__(self, data, *, epochs, learning_rate, min_learning_rate, random_state,
                 copy=True):
        super().__init__(
            epochs=epochs, learning_rate=learning_rate, min_learning_rate=min_learning_rate
        )
        self.counts = data.counts
        self.rows = np.flatnonzero(np.diff(self.counts.indptr))
        # A row stands for every occurrence of its word, so a pass stands for
        # those words of the corpus: the speed is reported in them, as SGD's is.
        self.epoch_units = int(np.asarray(data.word_counts, dtype=np.int64)[self.rows].sum())
        self.rng = check_random_state(random_state)

    def batches(self, epoch, limits, pool):
        """The pass's batches of rows, in a random order; ``done`` and
        ``total`` count rows (the learning rate decays by them)."""
        order = self.rows[self.rng.permutation(len(self.rows))]
        yield from count_batches(
            self.counts, limits.max_batch, order, limits.max_pairs, limits.sample_pairs_below,
            self.rng,
        )
