"""The training contracts: a batch, an objective, a solver, and the loop joining them.

* A :class:`Batch` is a set of center words with their context pairs.
* An :class:`Objective` owns the output parameters of one loss and takes one
  step on a batch (``_softmax``, ``_negative``).
* A :class:`Solver` turns the training data into batches, epoch by epoch, and
  schedules the learning rate (``_solver_sgd`` over corpus positions,
  ``_solver_counts`` over co-occurrence counts).
* :func:`train` runs a solver's batches through an objective on a
  :class:`~skw2v._parallel.Pool`, checks that training stays finite and
  reports progress.

Adding an objective or a solver is one module with one class deriving from
these, plus one entry in ``_registry``; see the developer page of the docs.
"""

import time
from abc import ABC, abstractmethod
from typing import NamedTuple, Optional

import numpy as np
from threadpoolctl import threadpool_limits


class Batch(NamedTuple):
    """Center words and their context pairs: what an objective steps on.

    Attributes
    ----------
    centers : ndarray of int32, shape (B,)
        Word id of each center.
    rows : ndarray of int, shape (P,)
        Index into ``centers`` of each pair, ascending; every center has at
        least one pair, except in a weighted batch whose pairs were sampled
        (see :func:`~skw2v._cooccurrence.count_batches`).
    cols : ndarray of int32, shape (P,)
        Word id of each pair's context word.
    n_contexts : ndarray, shape (B,)
        Each center's ``C``: its number of pairs, or with ``weights`` the sum
        of its pairs' weights.
    weights : ndarray of float32, shape (P,), or None
        None: each pair is one occurrence in the corpus (a word may be a
        context of one center more than once). Otherwise the pairs'
        co-occurrence counts, taken from a symmetric count matrix: each
        (center, word) at most once, and which side of a pair is the center
        does not change the loss. The objective then minimises the
        count-weighted (expected) loss.
    """

    centers: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    n_contexts: np.ndarray
    weights: Optional[np.ndarray] = None


class TrainingData:
    """What solvers and initialisations train from.

    Parameters
    ----------
    corpus : Corpus
        The training documents as word ids.
    word_counts : ndarray of int64, shape (V,)
        Occurrences of each word in ``corpus``.
    count_pairs : callable, optional
        Returns the co-occurrence counts of ``corpus`` (a symmetric (V, V)
        sparse matrix); called at most once, on the first
        :meth:`cooccurrence`.
    """

    def __init__(self, corpus, word_counts, count_pairs=None):
        self.corpus = corpus
        self.word_counts = word_counts
        self._count_pairs = count_pairs
        self._pairs = None

    @property
    def n_words(self):
        return len(self.word_counts)

    def cooccurrence(self):
        """The co-occurrence counts, computed on the first call."""
        if self._pairs is None:
            if self._count_pairs is None:
                raise ValueError("this training data has no co-occurrence counts")
            self._pairs = self._count_pairs()
        return self._pairs


class Objective(ABC):
    """A loss with its output parameters, trained one :class:`Batch` at a time.

    Constructed as ``Objective(word_counts, vector_size, batch_size=...,
    random_state=..., output_vectors=None, **hyperparameters)`` with the
    hyperparameters named in :attr:`hyperparameters`. Every random draw an
    objective makes comes from streams seeded from ``random_state`` in the
    constructor, one per task of a step, so that results do not depend on
    the thread count.

    Attributes
    ----------
    max_batch : int
        Largest number of centers :meth:`step` accepts in a batch without
        ``weights`` (at most the ``batch_size`` it was built with).
    max_weighted_batch : int or None
        The same for batches with ``weights`` (a weighted step may hold a
        (batch, V) buffer, so it can accept fewer); None when the objective
        cannot train from counts.
    max_weighted_pairs : int or None
        Most pairs a weighted batch may hold (its memory grows with them);
        None for no bound.
    sample_pairs_below : float or None
        For weighted batches: pairs with a count below this are sampled in
        each epoch, unbiased (:func:`~skw2v._cooccurrence.count_batches`),
        where a step's cost grows with its pairs; None to take every pair.
    n_updates, n_clipped, n_unstable : int
        Input-row updates applied so far; how many of them the trust region
        shortened; how many had a curvature per occurrence beyond the limit
        at which plain SGD with the rate would diverge (see ``_updates``):
        counted by :meth:`count`.
    """

    #: Centers per step for ``batch_size="auto"``.
    default_batch_size = 1024
    #: Estimator parameters, besides the common ones, the constructor takes by name.
    hyperparameters = ()
    max_weighted_batch = None
    max_weighted_pairs = None
    sample_pairs_below = None
    n_updates = n_clipped = n_unstable = 0

    def count(self, update):
        """Add an input-row :class:`~skw2v._updates.RowUpdate` to the counters."""
        self.n_updates += len(update.words)
        self.n_clipped += update.n_clipped
        self.n_unstable += update.n_unstable

    @abstractmethod
    def step(self, w_in, batch, learning_rate, pool):
        """Update ``w_in`` (in place) and the output parameters on ``batch``.

        Returns the batch's summed loss before the update (a float; not
        finite if training diverged).
        """

    @abstractmethod
    def output_vectors(self):
        """The (V, d) float32 output vector of each word (a copy), or None
        if the objective has no per-word output vectors."""

    def is_finite(self):
        """Whether every output parameter is finite."""
        vectors = self.output_vectors()
        return vectors is None or bool(np.isfinite(vectors).all())


class Solver(ABC):
    """Turns the training data into batches and schedules the learning rate.

    Constructed as ``Solver(data, epochs=..., learning_rate=...,
    min_learning_rate=..., random_state=..., **hyperparameters)`` with
    ``data`` a :class:`TrainingData`. The step decays
    linearly from ``learning_rate`` to ``min_learning_rate`` over all epochs.
    """

    #: What the progress report counts (per second).
    unit = "words"
    #: Whether the batches carry ``weights`` (co-occurrence counts).
    weighted = False
    #: Estimator parameters, besides the common ones, the constructor takes by name.
    hyperparameters = ()

    def __init__(self, *, epochs, learning_rate, min_learning_rate):
        self.epochs = epochs
        self.initial_learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate

    @abstractmethod
    def batches(self, epoch, batch_size, pool, max_pairs=None, sample_below=None):
        """Yield ``(batch, done, total)`` for the epoch: a :class:`Batch` of
        at most ``batch_size`` centers (and, for weighted solvers, at most
        ``max_pairs`` pairs, unless one center alone has more, with the
        pairs whose count is below ``sample_below`` sampled as
        :attr:`Objective.sample_pairs_below` says), the units of the epoch
        done before it, and the epoch's total units (``unit``)."""

    def learning_rate(self, progress):
        """The step at ``progress`` (0 to 1) through training."""
        start, end = self.initial_learning_rate, self.min_learning_rate
        return start - (start - end) * progress


def train(solver, objective, w_in, pool, report=None):
    """Train ``w_in`` and the objective's output parameters in place.

    Parameters
    ----------
    solver : Solver
    objective : Objective
    w_in : ndarray of float32, shape (V, d)
        Input (word) vectors, updated in place.
    pool : Pool
        Threads for the objective's steps; BLAS is limited to one thread
        each for the duration.
    report : Progress, optional
        Told about every batch and epoch (see ``_progress``).

    Returns
    -------
    loss_curve : list of float
        Mean loss per context word (per unit of pair weight) in each epoch.

    Raises
    ------
    FloatingPointError
        When the loss or the vectors stop being finite.
    """
    batch_size = objective.max_weighted_batch if solver.weighted else objective.max_batch
    if batch_size is None:
        raise ValueError(
            f"{type(objective).__name__} cannot train from co-occurrence counts "
            f"({type(solver).__name__} gives weighted batches)."
        )
    loss_curve = []
    with threadpool_limits(limits=1, user_api="blas"):
        for epoch in range(solver.epochs):
            tic = time.perf_counter()
            total_loss = total_weight = 0.0
            units = 0
            max_pairs = objective.max_weighted_pairs if solver.weighted else None
            sample_below = objective.sample_pairs_below if solver.weighted else None
            for batch, done, total in solver.batches(epoch, batch_size, pool, max_pairs, sample_below):
                progress = (epoch + done / max(total, 1)) / solver.epochs
                loss = objective.step(w_in, batch, solver.learning_rate(progress), pool)
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"non-finite loss in epoch {epoch + 1} (after {done} {solver.unit})"
                    )
                total_loss += loss
                total_weight += float(np.sum(batch.n_contexts, dtype=np.float64))
                units = done + len(batch.centers)
                if report is not None:
                    report.batch(epoch, units, total, time.perf_counter() - tic)
            if not (np.isfinite(w_in).all() and objective.is_finite()):
                raise FloatingPointError(f"non-finite vectors after epoch {epoch + 1}")
            loss_curve.append(total_loss / max(total_weight, 1e-300))
            if report is not None:
                report.epoch(epoch, loss_curve[-1], units, time.perf_counter() - tic)
    return loss_curve
