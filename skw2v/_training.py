"""The training loop shared by every objective: epochs, subsampling, batches.

An objective (``_softmax.SoftmaxObjective``, ``_negative.NegativeObjective``)
owns its output parameters and knows how to take one SGD step on a batch of
centers with their context pairs. Everything else is here, once: frequent-word
subsampling, the random order of centers, word2vec's window shrinking, the
linear learning-rate decay, the thread pool, divergence checks and progress
reporting. Adding an objective means writing one class with the two methods
``step`` and ``output_vectors``; this module does not change.

All randomness comes from the one ``rng`` passed in and is drawn on the
calling thread in a fixed order, so results do not depend on thread timing.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from ._vocab import select_tokens
from ._windows import context_pairs, training_positions


def keep_probabilities(counts, sample):
    """word2vec's probability of keeping each occurrence of each word.

    A word making up a fraction ``f`` of the corpus is kept with probability
    ``(sqrt(f / sample) + 1) * sample / f``, capped at 1 (Mikolov et al. 2013b,
    as implemented in word2vec.c and gensim). ``sample=0`` keeps everything.

    Parameters
    ----------
    counts : ndarray of int, shape (n_words,)
        Occurrences of each word in the training corpus.
    sample : float
        The threshold; words rarer than about ``sample`` are always kept.

    Returns
    -------
    keep : ndarray of float64, shape (n_words,)
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    with np.errstate(divide="ignore"):
        keep = (np.sqrt(counts / threshold) + 1) * threshold / counts
    return np.minimum(keep, 1.0)


#: Tokens whose keep-draws are made at once (bounds the float64 temporaries).
SUBSAMPLE_CHUNK = 1 << 20


def subsample(corpus, keep, rng):
    """Drop each token with probability ``1 - keep[word]``; documents keep their bounds.

    Dropped tokens are removed before windows are formed, as in word2vec, so
    windows reach further around frequent words. The draws are made in
    chunks (the same random stream as one draw), so the temporaries stay a
    few megabytes at any corpus size.
    """
    if np.all(keep >= 1.0):
        return corpus
    mask = np.empty(corpus.n_tokens, dtype=bool)
    for start in range(0, corpus.n_tokens, SUBSAMPLE_CHUNK):
        stop = min(start + SUBSAMPLE_CHUNK, corpus.n_tokens)
        np.less(rng.random_sample(stop - start), keep[corpus.ids[start:stop]], out=mask[start:stop])
    return select_tokens(corpus, mask)


class Pool:
    """Runs ``fn(t)`` for ``t`` in ``range(n)`` on ``n`` threads: the calling
    thread runs ``fn(0)`` while ``n - 1`` pool threads run the rest (one
    hand-off fewer per phase than giving every part to the pool)."""

    def __init__(self, n):
        self.n = n
        self._executor = ThreadPoolExecutor(n - 1) if n > 1 else None

    def map(self, fn):
        """``[fn(0), ..., fn(n - 1)]``, run concurrently."""
        if self._executor is None:
            return [fn(0)]
        others = [self._executor.submit(fn, t) for t in range(1, self.n)]
        try:
            first = fn(0)
        finally:
            rest = [future.result() for future in others]
        return [first, *rest]

    def close(self):
        if self._executor is not None:
            self._executor.shutdown()


def splits(n, parts):
    """Boundaries cutting ``range(n)`` into ``parts`` near-equal blocks."""
    return np.linspace(0, n, parts + 1).round().astype(np.int64)


#: Batches whose context pairs are built in one call (see ``minibatches``):
#: measured 0.35 s of a 6.5 s epoch when built batch by batch.
PAIR_GROUP = 32


def minibatches(corpus, positions, batch, window, shrink_windows, rng, prefetch=None):
    """The minibatches of an epoch, with their context pairs.

    Yields ``(begin, centers, rows, cols, n_contexts)`` for each run of
    ``batch`` positions (``rows`` index the batch). The pairs are built for
    ``PAIR_GROUP`` batches per call of :func:`context_pairs` (the same arrays
    as batch by batch, with a fraction of the calls); the window draws come
    from ``rng``, one group at a time, on the calling thread. With
    ``prefetch`` (an executor), the next group's pairs are built there while
    the current group's batches train.
    """

    def pairs(group_begin, reduced):
        group = positions[group_begin : group_begin + batch * PAIR_GROUP]
        rows, cols, n_contexts = context_pairs(group, corpus.ids, corpus.indptr, window, reduced)
        cuts = np.searchsorted(rows, np.arange(0, len(group) + batch, batch))
        return corpus.ids[group], rows, cols, n_contexts, cuts

    def start(group_begin):
        size = min(batch * PAIR_GROUP, len(positions) - group_begin)
        reduced = rng.randint(1, window + 1, size=size) if shrink_windows else None
        if prefetch is None:
            return pairs(group_begin, reduced)
        return prefetch.submit(pairs, group_begin, reduced)

    group_begins = range(0, len(positions), batch * PAIR_GROUP)
    pending = start(0) if len(positions) else None
    for g, group_begin in enumerate(group_begins):
        centers, rows, cols, n_contexts, cuts = pending if prefetch is None else pending.result()
        for j, first in enumerate(range(0, len(centers), batch)):
            last = first + batch
            yield (
                group_begin + first,
                centers[first:last],
                rows[cuts[j] : cuts[j + 1]] - first,
                cols[cuts[j] : cuts[j + 1]],
                n_contexts[first:last],
            )
            if j == 0 and g + 1 < len(group_begins):
                # Draw the next group's windows after the group's first step,
                # where they always came (an objective may draw from rng in
                # its first step), and build its pairs meanwhile.
                pending = start(group_begins[g + 1])


def train(
    corpus,
    w_in,
    objective,
    *,
    window,
    shrink_windows,
    keep,
    epochs,
    batch_size,
    learning_rate,
    min_learning_rate,
    rng,
    n_threads=1,
    on_epoch=None,
    on_progress=None,
):
    """Train ``w_in`` and the objective's output parameters in place.

    Parameters
    ----------
    corpus : Corpus
        Word ids with document offsets; windows stay inside documents.
    w_in : ndarray of float32, shape (V, d)
        Input (word) vectors, updated in place.
    objective : object
        Has ``step(w_in, centers, rows, cols, n_contexts, step, rng, pool)``
        returning the batch's summed loss; see ``_softmax`` and ``_negative``.
    window : int
        Context words on each side of a center.
    shrink_windows : bool
        Draw each center's window uniformly from ``1..window``, as word2vec does.
    keep : ndarray of float, shape (V,)
        Probability of keeping each occurrence of each word
        (:func:`keep_probabilities`); redrawn every epoch.
    epochs : int
    batch_size : int
        Centers per minibatch (the objective may need fewer: ``objective.batch``).
    learning_rate, min_learning_rate : float
        The step decays linearly from the first to the second over training.
    rng : numpy.random.RandomState
    n_threads : int, default=1
    on_epoch : callable, optional
        Called as ``on_epoch(epoch, mean_loss, n_centers, seconds)``.
    on_progress : callable, optional
        Called about 100 times per epoch as
        ``on_progress(epoch, fraction_done, n_centers_done, seconds)``.

    Returns
    -------
    loss_curve : list of float
        Mean loss per context word in each epoch.

    Raises
    ------
    FloatingPointError
        When the loss or the vectors stop being finite.
    """
    pool = Pool(n_threads)
    # With more than one thread, the next group's context pairs are built on
    # a thread of their own while the current group trains.
    prefetch = ThreadPoolExecutor(1) if n_threads > 1 else None
    try:
        batch = min(batch_size, getattr(objective, "max_batch", batch_size))
        loss_curve = []
        with threadpool_limits(limits=1, user_api="blas"):
            for epoch in range(epochs):
                tic = time.perf_counter()
                epoch_corpus = subsample(corpus, keep, rng)
                positions = training_positions(epoch_corpus.indptr)
                rng.shuffle(positions)
                epoch_loss = 0.0
                epoch_pairs = 0
                report_every = max(1, len(positions) // (100 * batch)) * batch
                batches = minibatches(
                    epoch_corpus, positions, batch, window, shrink_windows, rng, prefetch
                )
                for begin, centers, rows, cols, n_contexts in batches:
                    if on_progress is not None and begin and begin % report_every == 0:
                        on_progress(epoch, begin / len(positions), begin, time.perf_counter() - tic)
                    progress = (epoch + begin / len(positions)) / epochs
                    step = learning_rate - (learning_rate - min_learning_rate) * progress
                    loss = objective.step(w_in, centers, rows, cols, n_contexts, step, rng, pool)
                    if not np.isfinite(loss):
                        raise FloatingPointError(
                            f"non-finite loss in epoch {epoch + 1} "
                            f"(batch starting at center {begin})"
                        )
                    epoch_loss += loss
                    epoch_pairs += len(rows)
                if not (np.isfinite(w_in).all() and objective.is_finite()):
                    raise FloatingPointError(f"non-finite vectors after epoch {epoch + 1}")
                loss_curve.append(epoch_loss / max(epoch_pairs, 1))
                if on_epoch is not None:
                    on_epoch(epoch, loss_curve[-1], len(positions), time.perf_counter() - tic)
    finally:
        pool.close()
        if prefetch is not None:
            prefetch.shutdown()
    return loss_curve
