"""Token ids -> document vectors, with sparse-matrix arithmetic.

A pooling is a small object (:class:`Pooling`) found by name in
``_registry.POOLINGS``: fitted from per-word statistics of the training
corpus (:class:`WordStatistics`), it transforms a corpus of word ids into one
row per document. Every weighted average is a product ``A @ vectors`` with a CSR matrix ``A``
of shape (n_documents, n_words) built directly on the corpus arrays (one
stored entry per token; repeated words add up), so no (n_tokens, d) array is
ever formed. Documents are processed in chunks of about ``CHUNK_TOKENS``
tokens, so the temporaries stay a few megabytes at any corpus size.
Documents without a known word give rows of zeros.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

#: Tokens handled at once by the pooling functions (bounds temporary memory).
CHUNK_TOKENS = 1 << 18


def document_chunks(corpus, chunk_tokens=None):
    """``(first, stop)`` document ranges of about ``chunk_tokens`` tokens each.

    A document longer than the chunk size is a chunk of its own.
    """
    chunk_tokens = CHUNK_TOKENS if chunk_tokens is None else chunk_tokens
    first = 0
    while first < corpus.n_documents:
        limit = corpus.indptr[first] + chunk_tokens
        stop = int(np.searchsorted(corpus.indptr, limit, side="right")) - 1
        stop = min(max(stop, first + 1), corpus.n_documents)
        yield first, stop
        first = stop


def _chunk_matrix(corpus, first, stop, n_words, data):
    begin, end = corpus.indptr[first], corpus.indptr[stop]
    return sp.csr_matrix(
        (data, corpus.ids[begin:end], corpus.indptr[first : stop + 1] - begin),
        shape=(stop - first, n_words),
    )


def weighted_mean(corpus, vectors, token_weights=None, normalize=True):
    """Weighted average of the word vectors of each document.

    Parameters
    ----------
    corpus : Corpus
        In-vocabulary word ids with document offsets.
    vectors : ndarray of shape (n_words, d)
    token_weights : ndarray of shape (n_words,), default=None
        Weight of each word (None: 1).
    normalize : bool, default=True
        Divide by the sum of the document's weights (a weighted mean); False
        divides by the number of tokens instead (SIF's average).

    Returns
    -------
    pooled : ndarray of shape (n_documents, d), dtype of ``vectors``
    """
    pooled = np.zeros((corpus.n_documents, vectors.shape[1]), dtype=vectors.dtype)
    weights = None if token_weights is None else np.asarray(token_weights, dtype=vectors.dtype)
    for first, stop in document_chunks(corpus):
        begin, end = corpus.indptr[first], corpus.indptr[stop]
        if weights is None:
            data = np.ones(end - begin, dtype=vectors.dtype)
        else:
            data = weights[corpus.ids[begin:end]]
        matrix = _chunk_matrix(corpus, first, stop, len(vectors), data)
        if normalize:  # the rows' sums of weights, accumulated in float64
            totals = np.asarray(matrix.sum(axis=1, dtype=np.float64)).ravel()
        else:
            totals = np.diff(matrix.indptr).astype(np.float64)
        scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
        part = matrix @ vectors
        part *= scale[:, None].astype(vectors.dtype)
        pooled[first:stop] = part
    return pooled


def max_pool(corpus, vectors):
    """Element-wise maximum over each document's word vectors (zeros if empty)."""
    pooled = np.zeros((corpus.n_documents, vectors.shape[1]), dtype=vectors.dtype)
    lengths = np.diff(corpus.indptr)
    for first, stop in document_chunks(corpus):
        documents = first + np.flatnonzero(lengths[first:stop])
        if len(documents) == 0:
            continue
        begin = corpus.indptr[first]
        gathered = vectors[corpus.ids[begin : corpus.indptr[stop]]]
        # Consecutive non-empty documents: each segment is one document.
        pooled[documents] = np.maximum.reduceat(gathered, corpus.indptr[documents] - begin, axis=0)
    return pooled


def document_frequencies(corpus, n_words):
    """Number of documents in which each word occurs."""
    frequencies = np.zeros(n_words, dtype=np.int64)
    for first, stop in document_chunks(corpus):
        begin, end = corpus.indptr[first], corpus.indptr[stop]
        incidence = _chunk_matrix(
            corpus, first, stop, n_words, np.ones(end - begin, dtype=np.int32)
        ).copy()  # sum_duplicates sorts in place: never reorder the corpus's words
        incidence.sum_duplicates()
        frequencies += np.bincount(incidence.indices, minlength=n_words)
    return frequencies


def smooth_idf(document_frequency, n_documents):
    """``ln((1 + n) / (1 + df)) + 1``, TfidfVectorizer's default idf."""
    return np.log((1.0 + n_documents) / (1.0 + document_frequency)) + 1.0


def sif_weights(word_counts, alpha):
    """``alpha / (alpha + p(w))`` with ``p`` the words' relative frequencies."""
    probabilities = word_counts / max(word_counts.sum(), 1)
    return alpha / (alpha + probabilities)


def first_component(pooled):
    """Unit first right-singular vector of ``pooled`` (not centred, as Arora et al.)."""
    gram = pooled.T.astype(np.float64) @ pooled.astype(np.float64)
    _, eigenvectors = np.linalg.eigh(gram)
    component = eigenvectors[:, -1]
    # A fixed sign, so the fitted attribute is reproducible across LAPACKs.
    return (component * np.sign(component[np.argmax(np.abs(component))])).astype(np.float32)


def remove_component(pooled, component):
    """``pooled`` minus its projection on the unit vector ``component``."""
    return pooled - np.outer(pooled @ component, component).astype(pooled.dtype)


def sif_component(corpus, vectors, word_counts, alpha):
    """SIF's common component: the first singular vector of the SIF averages of ``corpus``."""
    averages = weighted_mean(corpus, vectors, sif_weights(word_counts, alpha), normalize=False)
    return first_component(averages)


class WordStatistics(NamedTuple):
    """What poolings may learn from, computed once per fit on the training corpus."""

    word_counts: np.ndarray
    idf: np.ndarray
    sif_component: np.ndarray


class Pooling:
    """Word vectors -> document vectors; one subclass per ``pooling`` option.

    ``hyperparameters`` maps estimator parameter names to constructor
    keywords. :meth:`fit` may learn from the word vectors and the training
    statistics; :meth:`transform` must give finite rows for every document
    (zeros for documents without a known word).
    """

    hyperparameters = {}
    #: Whether :meth:`transform` returns a scipy CSR matrix.
    sparse = False

    def fit(self, word_vectors, statistics, random_state=None):
        """Learn what :meth:`transform` needs; returns ``self``."""
        return self

    def transform(self, corpus, word_vectors):
        raise NotImplementedError

    def n_features(self, vector_size):
        """Columns of :meth:`transform`'s output."""
        return vector_size

    def feature_names(self, prefix, vector_size):
        """Output column names; None for the estimator's default ``prefix0, prefix1, ...``."""
        return None


class MeanPooling(Pooling):
    """The average of the document's word vectors."""

    def transform(self, corpus, word_vectors):
        return weighted_mean(corpus, word_vectors)


class MaxPooling(Pooling):
    """The element-wise maximum of the document's word vectors."""

    def transform(self, corpus, word_vectors):
        return max_pool(corpus, word_vectors)


class TfidfPooling(Pooling):
    """The average weighted by each word's smoothed idf."""

    def fit(self, word_vectors, statistics, random_state=None):
        self.idf_ = statistics.idf
        return self

    def transform(self, corpus, word_vectors):
        return weighted_mean(corpus, word_vectors, self.idf_)


class SifPooling(Pooling):
    """Smooth inverse frequency (Arora et al. 2017) minus the common component."""

    hyperparameters = {"sif_alpha": "alpha"}

    def __init__(self, alpha=1e-3):
        self.alpha = alpha

    def fit(self, word_vectors, statistics, random_state=None):
        self.weights_ = sif_weights(statistics.word_counts, self.alpha)
        self.component_ = statistics.sif_component
        return self

    def transform(self, corpus, word_vectors):
        pooled = weighted_mean(corpus, word_vectors, self.weights_, normalize=False)
        return remove_component(pooled, self.component_)
