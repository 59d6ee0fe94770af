"""Token ids -> document vectors, with sparse-matrix arithmetic.

Every weighted average is one product ``A @ vectors`` with a CSR matrix ``A``
of shape (n_documents, n_words) built directly on the corpus arrays (one
stored entry per token; repeated words add up), so no (n_tokens, d) array is
ever formed. Documents without a known word give rows of zeros.
"""

import numpy as np
import scipy.sparse as sp

#: Tokens gathered at once by max pooling (bounds its temporary memory).
MAX_POOL_TOKENS = 1 << 18


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
    lengths = np.diff(corpus.indptr)
    if token_weights is None:
        data = np.ones(corpus.n_tokens, dtype=np.float64)
    else:
        data = np.asarray(token_weights, dtype=np.float64)[corpus.ids]
    if normalize:
        totals = np.add.reduceat(data, corpus.indptr[:-1][lengths > 0]) if len(data) else data
        denominators = np.ones(corpus.n_documents)
        denominators[lengths > 0] = totals
    else:
        denominators = np.maximum(lengths, 1).astype(np.float64)
    data = (data / np.repeat(np.where(denominators > 0, denominators, 1), lengths)).astype(
        vectors.dtype
    )
    averaging = sp.csr_matrix(
        (data, corpus.ids, corpus.indptr), shape=(corpus.n_documents, len(vectors))
    )
    return np.asarray(averaging @ vectors, dtype=vectors.dtype)


def mean_pool(corpus, vectors):
    """Mean of the word vectors of each document (zeros for an empty one)."""
    return weighted_mean(corpus, vectors)


def max_pool(corpus, vectors):
    """Element-wise maximum over each document's word vectors (zeros if empty)."""
    lengths = np.diff(corpus.indptr)
    pooled = np.zeros((corpus.n_documents, vectors.shape[1]), dtype=vectors.dtype)
    documents = np.flatnonzero(lengths)
    # Chunks of whole documents with at most MAX_POOL_TOKENS tokens (one
    # longer document is a chunk of its own).
    starts = corpus.indptr[documents]
    begin = 0
    while begin < len(documents):
        limit = starts[begin] + MAX_POOL_TOKENS
        end = max(begin + 1, int(np.searchsorted(starts, limit, side="right")))
        end = min(end, len(documents))
        first, last = starts[begin], corpus.indptr[documents[end - 1] + 1]
        gathered = vectors[corpus.ids[first:last]]
        pooled[documents[begin:end]] = np.maximum.reduceat(
            gathered, starts[begin:end] - first, axis=0
        )
        begin = end
    return pooled


def document_frequencies(corpus, n_words):
    """Number of documents in which each word occurs."""
    incidence = sp.csr_matrix(
        (np.ones(corpus.n_tokens, dtype=np.int32), corpus.ids, corpus.indptr),
        shape=(corpus.n_documents, n_words),
        copy=True,  # sum_duplicates sorts in place: never reorder the corpus's words
    )
    incidence.sum_duplicates()
    return np.bincount(incidence.indices, minlength=n_words)


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
