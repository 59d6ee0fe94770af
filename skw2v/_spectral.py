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
import scipy.linalg
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.extmath import svd_flip

from ._parallel import Pool
from ._vocab import kept_offsets, token_slices

#: Exponent of the context counts in PMI's context distribution.
CONTEXT_EXPONENT = 0.75
#: Power iterations of the randomized SVD.
POWER_ITERATIONS = 5
#: At or below this many words the SVD is computed exactly (dense).
DENSE_SVD_WORDS = 500
#: Extra random directions of the randomized SVD (scikit-learn's default).
OVERSAMPLES = 10
#: Row blocks of the PPMI matrix, one task each in its products (fixed, so
#: that the sums do not depend on the thread count).
PRODUCT_BLOCKS = 2


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
    # In float32 and a slice of entries at a time: the pairs' arrays are the
    # largest in memory, so no other array as long as them is formed.
    pmi = np.empty(counts.nnz, dtype=np.float32)
    for part in token_slices(counts.nnz):
        rows = np.searchsorted(counts.indptr, np.arange(part.start, part.stop), side="right") - 1
        values = np.log(counts.data[part].astype(np.float32))
        values -= log_rows[rows]
        values -= log_context[counts.indices[part]]
        pmi[part] = values
    positive = pmi > 0
    indptr = kept_offsets(positive, counts.indptr).astype(counts.indptr.dtype)
    indices = counts.indices[positive]
    n_kept = len(indices)
    pmi[:n_kept] = pmi[positive]  # compacted in place
    del positive
    return sp.csr_matrix((pmi[:n_kept], indices, indptr), shape=counts.shape)


class _RowBlocks:
    """A CSR matrix cut into ``PRODUCT_BLOCKS`` row blocks (views, no copy),
    whose products with dense matrices run as tasks on a :class:`Pool`.

    ``blocks @ dense`` computes each block's rows; ``blocks.rmatmul(dense)``
    is ``matrix.T @ dense``, the blocks' partial products added in block
    order. Either way the result does not depend on the thread count.
    """

    def __init__(self, matrix, pool):
        self.pool, self.shape = pool, matrix.shape
        cuts = np.searchsorted(
            matrix.indptr, np.linspace(0, matrix.nnz, PRODUCT_BLOCKS + 1)[1:-1]
        ).clip(0, matrix.shape[0])
        bounds = [0, *cuts.tolist(), matrix.shape[0]]
        self.blocks = []
        for r0, r1 in zip(bounds[:-1], bounds[1:]):
            p0, p1 = matrix.indptr[r0], matrix.indptr[r1]
            part = sp.csr_matrix(
                (matrix.data[p0:p1], matrix.indices[p0:p1], matrix.indptr[r0 : r1 + 1] - p0),
                shape=(r1 - r0, matrix.shape[1]),
            )
            self.blocks.append((r0, r1, part))

    def __matmul__(self, dense):
        out = np.empty((self.shape[0], dense.shape[1]), dtype=dense.dtype)

        def task(index, work):
            r0, r1, part = self.blocks[index]
            out[r0:r1] = part @ dense

        self.pool.map(task, len(self.blocks))
        return out

    def rmatmul(self, dense):
        def task(index, work):
            r0, r1, part = self.blocks[index]
            return part.T @ dense[r0:r1]

        parts = self.pool.map(task, len(self.blocks))
        total = parts[0]
        for part in parts[1:]:
            total += part
        return total


def randomized_svd(matrix, k, n_iter, rng, n_threads=1):
    """The ``k`` leading singular triplets of a sparse matrix (Halko, Martinsson
    and Tropp 2011), as :func:`sklearn.utils.extmath.randomized_svd` computes
    them (``OVERSAMPLES`` extra directions, LU-normalised power iterations,
    float32 for a float32 matrix, signs by :func:`~sklearn.utils.extmath.svd_flip`),
    with the sparse products on ``n_threads`` threads.

    Returns ``(u, s, vt)``.
    """
    return _projected_svd(*_range_and_projection(matrix, k, n_iter, rng, n_threads), k)


def _range_and_projection(matrix, k, n_iter, rng, n_threads):
    """The randomized SVD's costly part: an orthonormal basis ``q`` of the
    range of ``matrix`` (``k + OVERSAMPLES`` columns, after ``n_iter`` power
    iterations) and ``b = q^T matrix``; the matrix is not needed after it."""
    lu = lambda x: scipy.linalg.lu(x, permute_l=True, check_finite=False)[0]  # noqa: E731
    with Pool(n_threads) as pool:
        blocks = _RowBlocks(matrix, pool)
        q = rng.normal(size=(matrix.shape[1], k + OVERSAMPLES)).astype(matrix.dtype)
        for _ in range(n_iter):
            q = lu(blocks.rmatmul(lu(blocks @ q)))
        q, _ = scipy.linalg.qr(blocks @ q, mode="economic", check_finite=False)
        b = blocks.rmatmul(q).T
    return q, b


def _projected_svd(q, b, k):
    """``(u, s, vt)`` of the randomized SVD from :func:`_range_and_projection`'s result."""
    u_small, s, vt = scipy.linalg.svd(b, full_matrices=False, check_finite=False)
    u, vt = svd_flip(q @ u_small, vt)
    return u[:, :k], s[:k], vt[:k]


def spectral_vectors(counts, vector_size, random_state, n_threads=1):
    """Input and output vectors from the truncated SVD of ``ppmi(counts)``.

    Parameters
    ----------
    counts : sparse matrix of shape (V, V)
        Co-occurrence counts (``_cooccurrence``).
    vector_size : int
    random_state : int, RandomState instance or None
        For the randomized SVD, and for the extra dimensions when
        ``vector_size`` exceeds the vocabulary (filled as word2vec's random start).
    n_threads : int, default=1
        Threads for the SVD's sparse products (the result does not depend on them).

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
        q, b = _range_and_projection(matrix, k, POWER_ITERATIONS, rng, n_threads)
        del matrix  # the PPMI matrix is released before the small SVD
        u, s, vt = _projected_svd(q, b, k)
        del q, b
    root = np.sqrt(s)
    w_in = np.zeros((n_words, vector_size), dtype=np.float32)
    w_out = np.zeros((n_words, vector_size), dtype=np.float32)
    w_in[:, :k] = u * root
    w_out[:, :k] = vt.T * root
    if k < vector_size:
        w_in[:, k:] = (rng.random_sample((n_words, vector_size - k)) - 0.5) / vector_size
    return w_in, w_out
