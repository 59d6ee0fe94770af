"""Token ids -> document vectors, with sparse-matrix arithmetic."""

import numpy as np
import scipy.sparse as sp


def mean_pool(corpus, vectors):
    """Mean of the word vectors of each document.

    Equivalent to ``[vectors[corpus.ids[a:b]].mean(0) for a, b in documents]``
    except that a document without words gives a row of zeros, not NaN.

    Parameters
    ----------
    corpus : Corpus
        In-vocabulary word ids with document offsets.
    vectors : ndarray of shape (n_words, d)

    Returns
    -------
    pooled : ndarray of shape (n_documents, d), dtype of ``vectors``
    """
    lengths = np.diff(corpus.indptr)
    weights = np.repeat(1.0 / np.maximum(lengths, 1), lengths).astype(vectors.dtype)
    averaging = sp.csr_matrix(
        (weights, corpus.ids, corpus.indptr),
        shape=(corpus.n_documents, len(vectors)),
    )
    return np.asarray(averaging @ vectors, dtype=vectors.dtype)
