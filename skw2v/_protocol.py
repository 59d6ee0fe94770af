"""The training contracts: a batch, an objective, a solver, an init, and the loop joining them.

* A :class:`Batch` is a set of center words with their context pairs, of one
  :class:`BatchKind`: occurrences in the corpus, or rows of co-occurrence counts.
* An :class:`Objective` owns the output parameters of one loss and takes one
  step per kind of batch it supports, within the :class:`Limits` it declares
  (``_softmax``, ``_negative``).
* A :class:`Solver` turns the :class:`TrainingData` into batches of one kind,
  epoch by epoch, and schedules the learning rate (``_solver_sgd`` over corpus
  positions, ``_solver_counts`` over co-occurrence counts).
* An :class:`Init` gives the starting vectors (``_initialization``).
* :func:`train` runs a solver's batches through the objective's step for
  their kind on a :class:`~skw2v._parallel.Pool`, checks that training stays
  finite and reports progress.

Adding an objective, a solver or an init is one module with one class
deriving from these, plus one entry in ``_registry``; see the developer page
of the docs.
"""

import time
from abc import ABC, abstractmethod
from enum import Enum
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

    @property
    def units(self):
        """What the batch adds to its solver's progress: its centers."""
        return len(self.centers)

    @property
    def weight(self):
        """The batch's total pair weight, by which its loss is averaged."""
        return float(np.sum(self.n_contexts, dtype=np.float64))


class BatchKind(Enum):
    """What a solver's batches are, and so which step of an objective they take.

    ``CORPUS``: pairs of positions of the corpus, each pair one occurrence
    (``Batch.weights`` is None); the objective's :meth:`Objective.corpus_step`.
    ``COUNTS``: rows of a symmetric co-occurrence count matrix, each pair
    weighted by its count; the objective's :meth:`Objective.count_step`.
    ``PAIRS``: a round of pairs drawn from the counts, each one occurrence
    (a :class:`~skw2v._solver_pairs.PairRound`); the objective's
    :meth:`Objective.pair_step`.
    """

    CORPUS = "corpus"
    COUNTS = "counts"
    PAIRS = "pairs"


class Limits(NamedTuple):
    """What an objective accepts in one batch of a kind (:meth:`Objective.limits`).

    Attributes
    ----------
    max_batch : int
        Most centers in a batch.
    max_pairs : int or None
        Most pairs in a batch (unless one center alone has more); None for
        no bound.
    sample_pairs_below : float or None
        Pairs with a count below this are sampled in each epoch, unbiased
        (:func:`~skw2v._cooccurrence.count_batches`), where a step's cost
        grows with its pairs; None to take every pair. Counts only.
    """

    max_batch: int
    max_pairs: Optional[int] = None
    sample_pairs_below: Optional[float] = None


class TrainingData(NamedTuple):
    """What solvers and initialisations train from.

    Attributes
    ----------
    corpus : Corpus or EncodedCorpus
        The training documents as word ids, read through ``chunks()`` (in
        memory, or from disk a chunk at a time), or None where no solver
        reads them.
    word_counts : ndarray of int64, shape (V,)
        Occurrences of each word in ``corpus``.
    counts : scipy.sparse.csr_matrix of shape (V, V), or None
        The corpus's training co-occurrence counts (``_cooccurrence``), when
        the solver or the init needs them (their ``needs_counts``).
    """

    corpus: object
    word_counts: np.ndarray
    counts: Optional[object] = None


class Objective(ABC):
    """A loss with its output parameters, trained one :class:`Batch` at a time.

    Constructed as ``Objective(word_counts, vector_size, batch_size=...,
    random_state=..., output_vectors=None, **hyperparameters)`` with the
    hyperparameters named in :attr:`hyperparameters`. Every random draw an
    objective makes comes from streams seeded from ``random_state`` in the
    constructor, one per task of a step, so that results do not depend on
    the thread count.

    An objective implements one step per :class:`BatchKind` it supports
    (:meth:`corpus_step`, :meth:`count_step`) and says what it accepts of
    each kind through :meth:`limits`, which by default accepts corpus
    batches of ``batch_size`` centers and no count batches.

    Attributes
    ----------
    batch_size : int
        The ``batch_size`` it was built with.
    n_updates, n_unstable : int
        Input-row updates applied so far, and how many of them had a
        curvature per occurrence beyond the limit at which plain SGD with the
        rate would diverge (see ``_updates``): counted by :meth:`count`.
    """

    #: The kinds of batch it has a step for.
    batch_kinds = frozenset({BatchKind.CORPUS})
    #: Centers per step for ``batch_size="auto"``.
    default_batch_size = 1024
    #: Estimator parameters, besides the common ones, the constructor takes by name.
    hyperparameters = ()
    batch_size = default_batch_size
    n_updates = n_unstable = 0

    def limits(self, kind):
        """The :class:`Limits` of a batch of ``kind``, or None if the objective
        has no step for that kind."""
        return Limits(self.batch_size) if kind is BatchKind.CORPUS else None

    def step_for(self, kind):
        """The step method that takes batches of ``kind``."""
        return {BatchKind.CORPUS: self.corpus_step, BatchKind.COUNTS: self.count_step,
                BatchKind.PAIRS: self.pair_step}[kind]

    def corpus_step(self, w_in, batch, learning_rate, pool):
        """Update ``w_in`` (in place) and the output parameters on a corpus batch.

        Returns the batch's summed loss before the update (a float; not
        finite if training diverged).
        """
        raise NotImplementedError(f"{type(self).__name__} has no step for corpus batches")

    def count_step(self, w_in, batch, learning_rate, pool):
        """The same for a batch of rows of a count matrix (``batch.weights``):
        one step on the count-weighted loss."""
        raise NotImplementedError(f"{type(self).__name__} has no step for count batches")

    def pair_step(self, w_in, batch, learning_rate, pool):
        """The same for a round of pairs drawn from the counts
        (:class:`~skw2v._solver_pairs.PairRound`), the rate decaying from
        ``learning_rate`` to ``batch.stop_rate`` over it."""
        raise NotImplementedError(f"{type(self).__name__} has no step for pair rounds")

    def count(self, update):
        """Add an input-row :class:`~skw2v._updates.RowUpdate` to the counters."""
        self.n_updates += len(update.words)
        self.n_unstable += update.n_unstable

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
    min_learning_rate=..., random_state=..., copy=True, **hyperparameters)``
    with ``data`` a :class:`TrainingData`. The step decays
    linearly from ``learning_rate`` to ``min_learning_rate`` over all epochs.
    With ``copy=False`` the solver may rearrange ``data``'s arrays in place
    rather than copy them (a caller that uses them no more saves the memory);
    with True it leaves them as they are.
    """

    #: What the progress report's speed counts (per second).
    unit = "words"
    #: How many ``unit`` an epoch stands for, when ``batches`` counts its
    #: progress in other parts (rows of the counts, drawn pairs); None when
    #: it counts in ``unit``. Set by the constructor.
    epoch_units = None
    #: The kind of the batches it yields.
    batch_kind = BatchKind.CORPUS
    #: Whether it reads ``data.counts`` (the fit then counts the corpus first).
    needs_counts = False
    #: Estimator parameters, besides the common ones, the constructor takes by name.
    hyperparameters = ()

    def __init__(self, *, epochs, learning_rate, min_learning_rate):
        self.epochs = epochs
        self.initial_learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate

    @abstractmethod
    def batches(self, epoch, limits, pool):
        """Yield ``(batch, done, total)`` for the epoch: a :class:`Batch` of
        :attr:`batch_kind` within ``limits`` (the objective's
        :class:`Limits` for that kind), the units of the epoch done before
        it, and the epoch's total units (``unit``)."""

    def learning_rate(self, progress):
        """The step at ``progress`` (0 to 1) through training."""
        start, end = self.initial_learning_rate, self.min_learning_rate
        return start - (start - end) * progress


class Init(ABC):
    """How training starts: the input vectors, and the output vectors if it has them.

    Constructed with no arguments; :meth:`start` is a function of its
    arguments alone.
    """

    #: Whether :meth:`start` reads ``data.counts`` (the fit then counts the corpus first).
    needs_counts = False
    #: Whether :meth:`start` reads nothing of ``data`` but ``word_counts`` and
    #: ``counts``, so that ``memory=`` may keep its result.
    cacheable = False

    @abstractmethod
    def start(self, data, vector_size, random_state, n_threads=1):
        """``(w_in, w_out)``: float32 arrays of shape (V, vector_size), ``w_out``
        None to let the objective start its output vectors its own way.

        ``random_state`` seeds every draw; ``n_threads`` may speed it up but
        must not change the result.
        """


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
    ValueError
        Naming both when the objective has no step for the solver's kind of batch.
    FloatingPointError
        When the loss or the vectors stop being finite.
    """
    limits = objective.limits(solver.batch_kind)
    if limits is None:
        raise ValueError(
            f"{type(objective).__name__} has no step for {solver.batch_kind.value} batches, "
            f"which {type(solver).__name__} gives: choose another loss or solver."
        )
    step = objective.step_for(solver.batch_kind)
    loss_curve = []
    with threadpool_limits(limits=1, user_api="blas"):
        for epoch in range(solver.epochs):
            tic = time.perf_counter()
            total_loss = total_weight = 0.0
            units = 0
            for batch, done, total in solver.batches(epoch, limits, pool):
                progress = (epoch + done / max(total, 1)) / solver.epochs
                loss = step(w_in, batch, solver.learning_rate(progress), pool)
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"non-finite loss in epoch {epoch + 1} (after {done} {solver.unit})"
                    )
                total_loss += loss
                total_weight += batch.weight
                units = done + batch.units
                if report is not None:
                    report.batch(epoch, units, total, time.perf_counter() - tic)
            if not (np.isfinite(w_in).all() and objective.is_finite()):
                raise FloatingPointError(f"non-finite vectors after epoch {epoch + 1}")
            loss_curve.append(total_loss / max(total_weight, 1e-300))
            if report is not None:
                report.epoch(epoch, loss_curve[-1], units, time.perf_counter() - tic)
    return loss_curve
