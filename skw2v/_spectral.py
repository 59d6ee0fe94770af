"""Co-occurrence counts -> starting vectors: the truncated SVD of the PPMI matrix.

Levy and Goldberg (2014), "Neural word embedding as implicit matrix
factorization": skip-gram with negative sampling is, at its optimum, a
factorisation of the (shifted) pointwise mutual information matrix of the
words and their contexts; Levy, Goldberg and Dagan (2015), "Improving
distributional similarity with lessons learned from word embeddings", give
the recipe used here: positive PMI with the context distribution raised to
0.75 (as negative sampling's noise distribution), no shift, and the
singular values split evenly between the two sides, ``W = U S^(1/2)`` and
``C = V S^(1/2)``, so that ``W C^T`` approximates the PPMI matrix. Both the
input and the output vectors start there, so the logits start near PMI.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.extmath import randomized_svd

#: Exponent of the context counts in PMI's context distribution.
CONTEXT_EXPONENT = 0.75
#: Power iterations of the randomized SVD.
POWER_ITERATIONS = 5
#: At or below this many words the SVD is computed exactly (dense).
DENSE_SVD_WORDS = 500


def ppmi(counts, context_exponent=CONTEXT_EXPONENT):
    """Positive pointwise mutual information of a co-occurrence count matrix.

    ``PMI[c, j] = log(X[c, j] / (N_c P(j)))`` with ``N_c`` the row sums and
    ``P(j)`` proportional to the column sums raised to ``context_exponent``;
    entries below zero (and those of pairs never seen) are 0.

    Returns
    -------
    ppmi : scipy.sparse.csr_matrix of float32, the sparsity of ``counts`` or sparser
    """
    counts = sp.csr_matrix(counts)
    row_sums = np.asarray(counts.sum(axis=1, dtype=np.float64)).ravel()
    context = np.asarray(counts.sum(axis=0, dtype=np.float64)).ravel() ** context_exponent
    context /= context.sum()
    with np.errstate(divide="ignore"):
        log_rows = np.log(row_sums).astype(np.float32)
        log_context = np.log(context).astype(np.float32)
    # In float32 and in place: the pairs' arrays are the largest in memory.
    rows = np.repeat(np.arange(counts.shape[0], dtype=np.int32), np.diff(counts.indptr))
    pmi = np.log(counts.data.astype(np.float32))
    pmi -= log_rows[rows]
    pmi -= log_context[counts.indices]
    del rows
    np.maximum(pmi, 0, out=pmi)
    positive = sp.csr_matrix(  # its own index arrays: eliminate_zeros compacts them
        (pmi, counts.indices.copy(), counts.indptr.copy()), shape=counts.shape
    )
    positive.eliminate_zeros()
    return positive


def spectral_vectors(counts, vector_size, random_state):
    """Input and output vectors from the truncated SVD of ``ppmi(counts)``.

    Parameters
    ----------
    counts : sparse matrix of shape (V, V)
        Co-occurrence counts (``_cooccurrence``).
    vector_size : int
    random_state : int, RandomState instance or None
        For the randomized SVD, and for the extra dimensions when
        ``vector_size`` exceeds the vocabulary (filled as word2vec's random start).

    Returns
    -------
    w_in, w_out : ndarray of float32, shape (V, vector_size)
        ``U S^(1/2)`` and ``V S^(1/2)``.
    """
    rng = check_random_state(random_state)
    matrix = ppmi(counts)
    n_words = matrix.shape[0]
    k = min(vector_size, n_words)
    if n_words <= DENSE_SVD_WORDS:
        u, s, vt = np.linalg.svd(matrix.toarray().astype(np.float64), full_matrices=False)
        u, s, vt = u[:, :k], s[:k], vt[:k]
        signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(k)])  # deterministic signs
        signs[signs == 0] = 1
        u, vt = u * signs, vt * signs[:, None]
    else:
        u, s, vt = randomized_svd(matrix, k, n_iter=POWER_ITERATIONS, random_state=rng)
    root = np.sqrt(s)
    w_in = np.zeros((n_words, vector_size), dtype=np.float32)
    w_out = np.zeros((n_words, vector_size), dtype=np.float32)
    w_in[:, :k] = u * root
    w_out[:, :k] = vt.T * root
    if k < vector_size:
        w_in[:, k:] = (rng.random_sample((n_words, vector_size - k)) - 0.5) / vector_size
    return w_in, w_out
