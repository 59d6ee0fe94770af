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

from ._updates import scatter_add

#: Tokens handled at once by the pooling functions (bounds temporary memory).
CHUNK_TOKENS = 1 << 18
#: Tokens per chunk of max pooling, whose gathered vectors (``d`` floats a
#: token) are then a few megabytes, in cache.
MAX_POOL_TOKENS = 1 << 12


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


def _joined(parts, dtype):
    """The arrays of ``parts`` end to end (the array itself when there is one)."""
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


def _chunk_matrix(corpus, first, stop, n_words, data):
    begin, end = corpus.indptr[first], corpus.indptr[stop]
    return sp.csr_matrix(
        (data, corpus.ids[begin:end], corpus.indptr[first : stop + 1] - begin),
        shape=(stop - first, n_words),
    )


def weighted_mean(corpus, vectors, token_weights=None, normalize=True):
    """Weighted average of the word vectors of each document.

    The sums are accumulated in float64, so their rounding error does not
    grow with the length of the documents.

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
    wide = np.asarray(vectors, dtype=np.float64)
    weights = None if token_weights is None else np.asarray(token_weights, dtype=np.float64)
    for first, stop in document_chunks(corpus):
        begin, end = corpus.indptr[first], corpus.indptr[stop]
        if weights is None:
            data = np.ones(end - begin, dtype=np.float64)
        else:
            data = weights[corpus.ids[begin:end]]
        matrix = _chunk_matrix(corpus, first, stop, len(vectors), data)
        if normalize:
            totals = np.asarray(matrix.sum(axis=1)).ravel()
        else:
            totals = np.diff(matrix.indptr).astype(np.float64)
        scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
        part = matrix @ wide
        part *= scale[:, None]
        pooled[first:stop] = part
    return pooled


def max_pool(corpus, vectors, chunk_tokens=None):
    """Element-wise maximum over each document's word vectors (zeros if empty).

    Works through the corpus ``chunk_tokens`` tokens at a time (default
    ``MAX_POOL_TOKENS``, so that the gathered vectors stay in cache), a
    document spanning chunks taking the maximum of its pieces.
    """
    chunk_tokens = MAX_POOL_TOKENS if chunk_tokens is None else chunk_tokens
    pooled = np.full((corpus.n_documents, vectors.shape[1]), -np.inf, dtype=vectors.dtype)
    indptr = corpus.indptr
    for begin in range(0, corpus.n_tokens, chunk_tokens):
        end = min(begin + chunk_tokens, corpus.n_tokens)
        inner = indptr[np.searchsorted(indptr, begin, side="right") : np.searchsorted(indptr, end)]
        starts = np.unique(np.concatenate([[begin], inner]))
        # The last document starting at each segment start: the non-empty one.
        documents = np.searchsorted(indptr, starts, side="right") - 1
        pieces = np.maximum.reduceat(vectors[corpus.ids[begin:end]], starts - begin, axis=0)
        pooled[documents] = np.maximum(pooled[documents], pieces)
    pooled[np.diff(indptr) == 0] = 0
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


def gram_component(gram):
    """Unit top eigenvector of an (uncentred) Gram matrix, with a fixed sign, float32.

    The first right-singular vector of the rows it was summed from, as Arora
    et al. take it (not centred); the sign makes the largest entry positive,
    so the fitted attribute is reproducible across LAPACKs.
    """
    _, eigenvectors = np.linalg.eigh(gram)
    component = eigenvectors[:, -1]
    return (component * np.sign(component[np.argmax(np.abs(component))])).astype(np.float32)


def remove_component(pooled, component):
    """``pooled`` minus its projection on the unit vector ``component``."""
    return pooled - np.outer(pooled @ component, component).astype(pooled.dtype)


#: SIF averages are summed into the Gram matrix as integers of this many
#: bits (the largest possible magnitude taking all of them), so that the
#: sum is exact and the same in any order and any grouping of documents.
GRAM_BITS = 32
#: Each integer is split into halves of ``GRAM_BITS / 2`` bits, whose
#: products float64 sums exactly over ``GRAM_ROWS`` documents at once (and
#: int64 over 2**31 documents).
_HALF = GRAM_BITS // 2
GRAM_ROWS = 1 << 20


def gram_exponent(vectors, word_counts, alpha):
    """The power of two that scales SIF averages of ``vectors`` to integers
    of at most ``GRAM_BITS`` bits (an average is never larger than the
    largest entry of the SIF-weighted vectors)."""
    weights = sif_weights(word_counts, alpha)
    largest = float(np.max(np.abs(vectors) * weights[:, None], initial=0.0))
    return GRAM_BITS - (int(np.frexp(largest)[1]) if largest > 0 else 0)


def sif_gram_units(corpus, vectors, word_counts, alpha, exponent):
    """The Gram matrix of ``corpus``'s SIF averages, each rounded to a
    multiple of ``2**-exponent``, as exact integer sums.

    Returns an int64 array of shape (3, d, d): the sums of the products of
    the high halves, of high and low halves, and of the low halves of the
    rounded averages (:func:`gram_from_units` combines them). Integer
    arithmetic: the sums of several corpora add up to the same integers
    whatever their order or grouping (the map-reduce of the SIF statistics,
    on one machine or a cluster).
    """
    averages = weighted_mean(corpus, vectors, sif_weights(word_counts, alpha), normalize=False)
    d = vectors.shape[1]
    units = np.zeros((3, d, d), dtype=np.int64)
    for start in range(0, len(averages), GRAM_ROWS):
        rounded = np.rint(np.ldexp(averages[start : start + GRAM_ROWS].astype(np.float64), exponent))
        high = np.floor(np.ldexp(rounded, -_HALF))
        low = rounded - np.ldexp(high, _HALF)
        # Products below 2**GRAM_BITS, summed over GRAM_ROWS rows: exact in float64.
        cross = (high.T @ low).astype(np.int64)
        units[0] += (high.T @ high).astype(np.int64)
        units[1] += cross + cross.T
        units[2] += (low.T @ low).astype(np.int64)
    return units


def gram_from_units(units, exponent):
    """The float64 Gram matrix of :func:`sif_gram_units`' integers."""
    return (np.ldexp(units[0].astype(np.float64), 2 * _HALF - 2 * exponent)
            + np.ldexp(units[1].astype(np.float64), _HALF - 2 * exponent)
            + np.ldexp(units[2].astype(np.float64), -2 * exponent))


class WordStatistics(NamedTuple):
    """What poolings may learn from, computed once per fit on the training corpus."""

    word_counts: np.ndarray
    idf: np.ndarray
    sif_component: np.ndarray


class Pooling:
    """Word vectors -> document vectors; one subclass per ``pooling`` option.

    ``hyperparameters`` maps estimator parameter names to constructor
    keywords. :meth:`fit` may learn from the training corpus, the word
    vectors and the training statistics; :meth:`transform` must give finite
    rows for every document (zeros for documents without a known word).
    """

    hyperparameters = {}
    #: Whether :meth:`fit` reads documents (it is then given a sample of
    #: about ``POOLING_SAMPLE_TOKENS`` tokens of the training documents).
    needs_documents = False

    def fit(self, corpus, word_vectors, statistics, random_state=None):
        """Learn what :meth:`transform` needs; returns ``self``.

        ``corpus`` is a seeded sample of the training documents (all of them
        when they hold at most ``POOLING_SAMPLE_TOKENS`` tokens) if
        ``needs_documents``, else None; None also when the pooling is fitted
        after the fact from the statistics alone (a pooling that needs
        documents then raises a ValueError saying so).
        """
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

    def fit(self, corpus, word_vectors, statistics, random_state=None):
        self.idf_ = statistics.idf
        return self

    def transform(self, corpus, word_vectors):
        return weighted_mean(corpus, word_vectors, self.idf_)


class SifPooling(Pooling):
    """Smooth inverse frequency (Arora et al. 2017) minus the common component."""

    hyperparameters = {"sif_alpha": "alpha"}

    def __init__(self, alpha=1e-3):
        self.alpha = alpha

    def fit(self, corpus, word_vectors, statistics, random_state=None):
        self.weights_ = sif_weights(statistics.word_counts, self.alpha)
        self.component_ = statistics.sif_component
        return self

    def transform(self, corpus, word_vectors):
        pooled = weighted_mean(corpus, word_vectors, self.weights_, normalize=False)
        return remove_component(pooled, self.component_)


#: Tokens of the training documents that a pooling which learns from
#: documents reads (a seeded sample of the documents; all of them below it).
POOLING_SAMPLE_TOKENS = 1 << 20

#: Cluster probabilities below this are dropped from SCDV's word-topic matrix
#: (it stays sparse; the dropped mass is below 0.1% of a word's).
SCDV_PROBABILITY_FLOOR = 1e-3
#: EM iterations of SCDV's Gaussian mixture.
SCDV_MAX_ITER = 100
#: Tokens per chunk of SCDV, whose block sums (up to ``n_clusters * d``
#: floats a token) then stay a few megabytes.
SCDV_CHUNK_TOKENS = 1 << 14


class ScdvPooling(Pooling):
    """Sparse Composite Document Vectors (Mekala et al. 2017).

    A Gaussian mixture with ``n_clusters`` components (tied covariance)
    soft-clusters the word vectors; each word gets one idf-weighted copy of
    its vector per cluster, scaled by its probability of belonging to that
    cluster (``n_clusters * d`` values, mostly zero). A document is the sum
    of its words' copies, scaled to unit length; its entries smaller in
    magnitude than ``sparsity`` times the mean of the training documents'
    largest and smallest entries (in magnitude) are set to zero.
    """

    hyperparameters = {"scdv_clusters": "n_clusters", "scdv_sparsity": "sparsity"}
    needs_documents = True

    def __init__(self, n_clusters=20, sparsity=0.04):
        self.n_clusters = n_clusters
        self.sparsity = sparsity

    def fit(self, corpus, word_vectors, statistics, random_state=None):
        from sklearn.mixture import GaussianMixture

        if corpus is None:
            raise ValueError(
                "pooling='scdv' learns its sparsity threshold from the training "
                "documents; fit the vectorizer with pooling='scdv'."
            )
        n_words, dim = word_vectors.shape
        k = min(self.n_clusters, n_words)
        mixture = GaussianMixture(
            n_components=k, covariance_type="tied", max_iter=SCDV_MAX_ITER,
            random_state=random_state,
        ).fit(word_vectors.astype(np.float64))
        probabilities = mixture.predict_proba(word_vectors.astype(np.float64))
        words, clusters = np.nonzero(probabilities >= SCDV_PROBABILITY_FLOOR)
        weights = probabilities[words, clusters] * statistics.idf[words]
        # Word w enters block c of a document's vector as idf(w) P(c | w) v_w.
        self.memberships_ = sp.csr_matrix(
            (weights.astype(np.float32), (words, clusters)), shape=(n_words, k)
        )
        self.n_clusters_ = k
        self.dim_ = dim
        self.threshold_ = 0.0
        pooled = self._unit_sums(corpus, word_vectors)
        lows = np.abs(np.minimum(pooled.min(axis=1).toarray().ravel(), 0))
        highs = np.abs(np.maximum(pooled.max(axis=1).toarray().ravel(), 0))
        self.threshold_ = float(self.sparsity * (lows.mean() + highs.mean()) / 2)
        return self

    def _unit_sums(self, corpus, word_vectors):
        """The documents' unit-length sums, thresholded, as CSR.

        Per chunk, each (token, cluster of its word) entry is added, times
        its weight, into the row of its (document, cluster) block, so a
        block's sum is one pass of scatter-adds over the word vectors; blocks
        no word reaches are never formed.
        """
        k, dim = self.n_clusters_, self.dim_
        m = self.memberships_
        vectors = np.ascontiguousarray(word_vectors, dtype=np.float32)
        data, indices, counts = [], [], []
        for first, stop in document_chunks(corpus, SCDV_CHUNK_TOKENS):
            n_docs = stop - first
            begin, end = corpus.indptr[first], corpus.indptr[stop]
            words = corpus.ids[begin:end]
            documents = np.repeat(np.arange(n_docs), np.diff(corpus.indptr[first : stop + 1]))
            per_token = np.diff(m.indptr)[words]
            token = np.repeat(np.arange(len(words)), per_token)
            entry = m.indptr[words][token] + (
                np.arange(len(token)) - np.repeat(np.cumsum(per_token) - per_token, per_token)
            )
            # Blocks in (document, cluster) order, numbered through a presence mask.
            key = documents[token] * k + m.indices[entry]
            present = np.zeros(n_docs * k, dtype=bool)
            present[key] = True
            number = np.cumsum(present, dtype=np.int64) - 1
            blocks = np.flatnonzero(present)
            sums = scatter_add(
                np.empty((len(blocks), dim), dtype=np.float32), number[key], words[token],
                m.data[entry], vectors,
            )
            document, cluster = np.divmod(blocks, k)
            lengths = np.sqrt(np.bincount(
                document, weights=np.einsum("ij,ij->i", sums, sums, dtype=np.float64),
                minlength=n_docs,
            ))
            scale = np.divide(1.0, lengths, out=np.zeros_like(lengths), where=lengths > 0)
            sums *= scale[document, None].astype(np.float32)
            keep = np.abs(sums) >= self.threshold_ if self.threshold_ > 0 else sums != 0
            kept_per_block = np.count_nonzero(keep, axis=1)
            # Flat position b * dim + j of block b's entry j becomes column
            # cluster[b] * dim + j by adding (cluster[b] - b) * dim.
            position = np.flatnonzero(keep)
            data.append(sums.ravel()[position])
            position += np.repeat((cluster - np.arange(len(blocks))) * dim, kept_per_block)
            indices.append(position.astype(np.int32))
            counts.append(np.bincount(document, weights=kept_per_block, minlength=n_docs).astype(np.int64))
        indptr = np.zeros(corpus.n_documents + 1, dtype=np.int64)
        if counts:
            np.cumsum(np.concatenate(counts), out=indptr[1:])
        return sp.csr_matrix(
            (_joined(data, np.float32), _joined(indices, np.int32), indptr),
            shape=(corpus.n_documents, k * dim),
        )

    def transform(self, corpus, word_vectors):
        return self._unit_sums(corpus, word_vectors)

    def n_features(self, vector_size):
        return self.n_clusters_ * self.dim_

    def feature_names(self, prefix, vector_size):
        return [f"{prefix}_c{c}_d{j}" for c in range(self.n_clusters_) for j in range(self.dim_)]
