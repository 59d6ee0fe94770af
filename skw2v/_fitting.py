"""The stages of a fit, as functions of explicit values: the estimator calls them in order.

documents -> encoded corpus on disk (cached) -> co-occurrence counts (cached; when
the solver or the init needs them) -> starting vectors (a cacheable init's
start cached, then pretrained rows) -> trained vectors -> the statistics
pooling learns from. ``memory`` is a ``joblib.Memory`` (a no-op one when
caching is off); each stage caches only what is reproducible. Each stage
that draws random numbers gets its own seed (:func:`stage_seeds`).
"""

import os
import pickle
import time
import warnings
from typing import NamedTuple

import joblib
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._initialization import copy_pretrained, read_initial_vectors
from ._parallel import Pool
from ._pooling import gram_component, gram_exponent, gram_from_units, smooth_idf
from ._protocol import TrainingData, train
from ._spill import cached_corpus

#: Names the layout of the encoded corpora kept by ``memory``.
CORPUS_FORMAT = "skw2v-corpus-1"


class StageSeeds(NamedTuple):
    """One seed per stage of a fit that draws random numbers (ints below 2**32)."""

    counts: int
    init: int
    objective: int
    solver: int
    pooling: int


def stage_seeds(random_state):
    """Independent seeds for the stages of a fit, all drawn up front.

    An int ``random_state`` seeds a ``numpy.random.SeedSequence`` whose
    children seed the stages; a RandomState instance (or None) gives the
    sequence its entropy in one draw. Each stage's draws are then its own:
    the order in which stages are built or run changes no result, and a
    stage's seed does not depend on any parameter of another stage (so
    ``memory`` can share a stage across fits that differ elsewhere).
    """
    if isinstance(random_state, (int, np.integer)):
        entropy = int(random_state)
    else:
        entropy = [int(x) for x in check_random_state(random_state).randint(0, 2**32, size=4, dtype=np.uint64)]
    children = np.random.SeedSequence(entropy).spawn(len(StageSeeds._fields))
    return StageSeeds(*(int(child.generate_state(1)[0]) for child in children))

#: Warn when more than this share of the input rows' updates were unstable.
UNSTABLE_WARNING = 0.4


def _picklable(value):
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001 - any failure means "do not cache"
        return False
    return True


def _documents_key(raw_documents, input_type):
    """What names ``raw_documents`` for the cache, or None if nothing cheap
    does: a list, tuple or array of contents (hashed: a read of memory), or
    of file names (each file's name, size and modification time: no read of
    the files)."""
    if not isinstance(raw_documents, (list, tuple, np.ndarray)):
        return None
    if input_type == "content":
        return raw_documents
    if input_type == "filename":
        try:
            return [(os.fspath(name), os.stat(name).st_size, os.stat(name).st_mtime_ns)
                    for name in raw_documents]
        except (OSError, TypeError):
            return None  # reading them raises the error that names the document
    return None


def encoded_corpus(raw_documents, params, min_count, max_features, words, memory, n_jobs, report):
    """The training documents read once into an :class:`~skw2v._spill.EncodedCorpus`.

    Kept in ``memory``'s location as a cache entry (the same documents and
    encoding read by a later fit are not read again) when the documents are
    a list, tuple or array of contents or file names (:func:`_documents_key`)
    and the tokenization parameters ``params`` can be pickled (so hashed);
    else in temporary files, removed when the fit ends. ``words`` is a fixed
    vocabulary or None.
    """
    tic = time.perf_counter()
    key = location = None
    documents = _documents_key(raw_documents, params["input"]) if memory.location else None
    if documents is not None and _picklable(params):
        key = joblib.hash([documents, params, min_count, max_features, words, CORPUS_FORMAT])
        location = os.path.join(memory.location, "joblib", "skw2v", "corpora")
    corpus = cached_corpus(
        raw_documents, params, min_count=min_count, max_features=max_features, words=words,
        n_jobs=n_jobs, report=report, key=key, location=location,
    )
    report.stage("tokenization and vocabulary", time.perf_counter() - tic)
    return corpus


def _counts(corpus, corpus_key, word_counts, *, window, shrink_windows, sample, seed, n_threads,
            report):
    """The corpus's training counts, of arguments that ``joblib.Memory``
    hashes cheaply: the corpus by its key, not its contents."""
    return corpus.training_counts(
        word_counts, window=window, shrink_windows=shrink_windows, sample=sample,
        random_state=seed, n_threads=n_threads, report=report,
    )


def cooccurrence(corpus, word_counts, *, window, shrink_windows, sample, seed, reproducible,
                 memory, report, n_threads=1):
    """The training counts of ``corpus`` (an EncodedCorpus, or a corpus
    counted where it lives, such as a Dask collection's) under ``word_counts``.

    Cached through ``memory`` when the corpus is a cache entry and the
    counts are ``reproducible`` (or drawn without randomness).
    """
    tic = time.perf_counter()
    cacheable = corpus.key is not None and (reproducible or sample == 0)
    count = memory.cache(_counts, ignore=["corpus", "n_threads", "report"]) if cacheable else _counts
    counts = count(
        corpus, corpus.key, word_counts, window=window, shrink_windows=shrink_windows,
        sample=sample, seed=seed, n_threads=n_threads, report=report,
    )
    report.stage(f"co-occurrence counts ({counts.nnz:,} pairs of words)", time.perf_counter() - tic)
    return counts


def _start(init, word_counts, counts, vector_size, seed, n_threads=1):
    """A cacheable init's start, from the only data it reads (so that ``memory``
    hashes the counts, never the corpus)."""
    return init.start(TrainingData(None, word_counts, counts), vector_size, seed, n_threads)


def starting_vectors(name, init, data, words, vector_size, initial_vectors, *, seed, reproducible,
                     memory, report, n_threads=1):
    """``(w_in, w_out or None, n_initialized)``: ``init``'s start, then ``initial_vectors``' rows.

    ``init`` is the :class:`~skw2v._protocol.Init` registered as ``name``; its
    start is cached through ``memory`` when it is cacheable and ``reproducible``.
    """
    tic = time.perf_counter()
    if init.cacheable and reproducible:
        start = memory.cache(_start, ignore=["n_threads"])
        w_in, w_out = start(init, data.word_counts, data.counts, vector_size, seed, n_threads)
    else:
        w_in, w_out = init.start(data, vector_size, seed, n_threads)
    report.stage(f"{name} start (init={name!r})", time.perf_counter() - tic)
    n_initialized = 0
    if initial_vectors is not None:
        n_initialized = copy_pretrained(w_in, words, read_initial_vectors(initial_vectors, vector_size))
        report.message(f"{n_initialized:,} of {len(words):,} words start from initial_vectors")
    return w_in, w_out, n_initialized


def train_vectors(solver, objective, w_in, *, n_threads, learning_rate, report):
    """Run ``_protocol.train``; translate divergence and warn about a rate far too large.

    Raises a ValueError naming ``learning_rate`` if training stops being
    finite; returns the loss curve.
    """
    report.start_training(solver.epochs, solver.unit, solver.epoch_units)
    try:
        with Pool(n_threads) as pool:
            loss_curve = train(solver, objective, w_in, pool, report)
    except FloatingPointError as error:
        raise ValueError(
            f"Training diverged ({error}): learning_rate={learning_rate} is too large for "
            f"this corpus and batch. Use a smaller learning_rate, e.g. {learning_rate / 10:g}."
        ) from error
    if objective.n_updates and objective.n_unstable > UNSTABLE_WARNING * objective.n_updates:
        warnings.warn(
            f"learning_rate={learning_rate:g} is far too large: for "
            f"{objective.n_unstable / objective.n_updates:.0%} of the word vectors' updates, "
            "SGD with this rate would diverge; the curvature-aware step and the trust region "
            "kept training finite, but the vectors no longer depend on the rate and are worse "
            f"for it. Use a smaller learning_rate (e.g. {learning_rate / 100:g}).",
            ConvergenceWarning,
            stacklevel=5,
        )
    return loss_curve


def corpus_statistics(corpus, w_in, word_counts, sif_alpha, previous=None):
    """Document frequencies, document count, SIF Gram matrix, idf and SIF component.

    ``corpus`` is an EncodedCorpus (or a Dask collection's counted corpus):
    its frequencies were counted when it was read; the Gram matrix of its
    documents' SIF averages is summed, exactly, over one more read of it.
    ``previous`` (the first three from earlier documents) accumulates into
    them, for ``partial_fit``. Returns a dict of the five.
    """
    frequency = corpus.frequency
    n_documents = corpus.n_documents
    exponent = gram_exponent(w_in, word_counts, sif_alpha)
    gram = gram_from_units(corpus.sif_gram_units(w_in, word_counts, sif_alpha, exponent), exponent)
    if previous is not None:
        frequency = frequency + previous["frequency"]
        n_documents = n_documents + previous["n_documents"]
        gram = gram + previous["gram"]
    return {
        "frequency": frequency, "n_documents": n_documents, "gram": gram,
        "idf": smooth_idf(frequency, n_documents), "component": gram_component(gram),
    }
