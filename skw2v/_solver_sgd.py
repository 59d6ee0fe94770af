"""``solver="sgd"``: SGD over corpus positions, as word2vec trains.

Each epoch reads the corpus a chunk of documents at a time (from disk, for
a fit), redraws word2vec's frequent-word subsampling, shuffles the chunk's
center positions, draws each center's shrunk window, and yields minibatches
of centers with their context pairs. Every draw comes from the one
``random_state`` given at construction, on the calling thread, in a fixed
order; with a pool of several threads, the next group of minibatches' pairs
(a pure function of those draws) is built on a background thread while the
current group trains.
"""

import numpy as np
from sklearn.utils import check_random_state

from ._protocol import Batch, Solver
from ._vocab import keep_probabilities, subsample
from ._windows import context_pairs, training_positions

#: Minibatches whose context pairs are built in one call of ``context_pairs``.
PAIR_GROUP = 32


def minibatches(corpus, positions, batch, window, shrink_windows, rng, pool):
    """The minibatches of an epoch, with their context pairs.

    Yields ``(begin, Batch)`` for each run of ``batch`` positions, ``begin``
    the index of its first position. The pairs are built for ``PAIR_GROUP``
    batches per call of :func:`~skw2v._windows.context_pairs` (the same
    arrays as batch by batch, with a fraction of the calls); the window draws
    come from ``rng``, one group at a time, on the calling thread, and the
    pairs are built by ``pool.submit`` (in the background when the pool has
    threads to spare).
    """

    def pairs(group_begin, reduced):
        group = positions[group_begin : group_begin + batch * PAIR_GROUP]
        rows, cols, n_contexts = context_pairs(group, corpus.ids, corpus.indptr, window, reduced)
        cuts = np.searchsorted(rows, np.arange(0, len(group) + batch, batch))
        return corpus.ids[group], rows, cols, n_contexts, cuts

    def start(group_begin):
        size = min(batch * PAIR_GROUP, len(positions) - group_begin)
        reduced = rng.randint(1, window + 1, size=size) if shrink_windows else None
        return pool.submit(pairs, group_begin, reduced)

    group_begins = range(0, len(positions), batch * PAIR_GROUP)
    pending = start(0) if len(positions) else None
    for g, group_begin in enumerate(group_begins):
        centers, rows, cols, n_contexts, cuts = pending.result()
        if g + 1 < len(group_begins):
            pending = start(group_begins[g + 1])
        for j, first in enumerate(range(0, len(centers), batch)):
            yield group_begin + first, Batch(
                centers[first : first + batch],
                rows[cuts[j] : cuts[j + 1]] - first,
                cols[cuts[j] : cuts[j + 1]],
                n_contexts[first : first + batch],
            )


class CorpusSolver(Solver):
    """SGD over the corpus positions (``solver="sgd"``).

    Parameters
    ----------
    data : TrainingData
        Its ``corpus`` (anything with ``chunks()`` and ``n_tokens``: a
        Corpus, or an EncodedCorpus on disk) and ``word_counts`` are used.
    epochs : int
        Passes over the corpus.
    learning_rate, min_learning_rate : float
        The step decays linearly from the first to the second.
    random_state : RandomState instance or int
        Subsampling, center order and window draws.
    window : int
        Context words on each side of a center.
    shrink_windows : bool
        Draw each center's window uniformly from ``1..window``, as word2vec does.
    sample : float
        word2vec's subsampling threshold (0: keep every word); redrawn every epoch.
    copy : bool, default=True
        Ignored: the corpus is only read.
    """

    unit = "words"
    hyperparameters = ("window", "shrink_windows", "sample")

    def __init__(
        self, data, *, epochs, learning_rate, min_learning_rate, random_state, window,
        shrink_windows, sample, copy=True,
    ):
        super().__init__(
            epochs=epochs, learning_rate=learning_rate, min_learning_rate=min_learning_rate
        )
        self.corpus = data.corpus
        self.keep = keep_probabilities(data.word_counts, sample)
        self.window = window
        self.shrink_windows = shrink_windows
        self.rng = check_random_state(random_state)

    def batches(self, epoch, limits, pool):
        """The epoch's minibatches, a chunk of the corpus at a time (each
        chunk subsampled, its centers shuffled); ``done`` and ``total``
        count the corpus's words before subsampling."""
        done, total = 0, self.corpus.n_tokens
        for chunk in self.corpus.chunks():
            kept = subsample(chunk, self.keep, self.rng)
            positions = training_positions(kept.indptr)
            self.rng.shuffle(positions)
            scale = chunk.n_tokens / max(len(positions), 1)
            for begin, batch in minibatches(
                kept, positions, limits.max_batch, self.window, self.shrink_windows, self.rng, pool
            ):
                yield batch, done + int(begin * scale), total
            done += chunk.n_tokens
