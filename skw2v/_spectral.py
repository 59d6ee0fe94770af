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

import itertools

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.extmath import svd_flip

from ._parallel import Pool
from ._ppmi_kernels import ppmi_matmul, ppmi_rmatmul
from ._vocab import TOKEN_CHUNK, token_slices

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
#: Bytes of a dense operand's rows that one stripe of the products reads
#: (they stay in the cache while every row of the block takes its part).
STRIPE_BYTES = 4 << 20


def ppmi(counts, context_exponent=CONTEXT_EXPONENT):
    """Positive pointwise mutual information of a co-occurrence count matrix.

    ``PMI[c, j] = log(X[c, j] / (N_c P(j)))`` with ``N_c`` the row sums and
    ``P(j)`` proportional to the column sums raised to ``context_exponent``;
    entries below zero (and those of pairs never seen) are 0.

    Returns
    -------
    ppmi : scipy.sparse.csr_matrix of float32
        Only the positive entries are stored; its arrays are its own.
    """
    counts = sp.csr_matrix(counts)
    return _ppmi_rows(counts, 0, counts.shape[0], *_log_marginals(counts, context_exponent))


def _row_cuts(matrix, n_blocks):
    """``(first, stop)`` of ``n_blocks`` consecutive row blocks of a CSR
    matrix holding about equal numbers of entries."""
    cuts = np.searchsorted(matrix.indptr, np.linspace(0, matrix.nnz, n_blocks + 1)[1:-1])
    bounds = [0, *cuts.clip(0, matrix.shape[0]).tolist(), matrix.shape[0]]
    return list(itertools.pairwise(bounds))


def _log_marginals(counts, context_exponent):
    """``log N_c`` and ``log P(j)`` of :func:`ppmi`, in float32."""
    row_sums = np.asarray(counts.sum(axis=1, dtype=np.float64)).ravel()
    context = np.asarray(counts.sum(axis=0, dtype=np.float64)).ravel() ** context_exponent
    context /= max(context.sum(), np.finfo(np.float64).tiny)  # no pair at all: all zeros
    with np.errstate(divide="ignore"):
        return np.log(row_sums).astype(np.float32), np.log(context).astype(np.float32)


def _ppmi_rows(counts, first, stop, log_rows, log_context):
    """Rows ``first:stop`` of :func:`ppmi`, positive entries only.

    Two passes over the rows' pairs, a slice at a time: the first counts
    each row's positive entries, the second fills arrays of exactly that
    size, so that beside the result only a slice's temporaries exist.
    """
    begin, end = int(counts.indptr[first]), int(counts.indptr[stop])
    slices = [slice(begin + part.start, begin + part.stop) for part in token_slices(end - begin)]

    def values(part):
        rows = np.searchsorted(counts.indptr, np.arange(part.start, part.stop), side="right") - 1
        pmi = np.log(counts.data[part].astype(np.float32))
        pmi -= log_rows[rows]
        pmi -= log_context[counts.indices[part]]
        return rows, pmi

    n_positive = np.zeros(stop - first, dtype=np.int64)
    for part in slices:
        rows, pmi = values(part)
        n_positive += np.bincount(rows[pmi > 0] - first, minlength=stop - first)
    indptr = np.zeros(stop - first + 1, dtype=np.int64)
    np.cumsum(n_positive, out=indptr[1:])
    data = np.empty(indptr[-1], dtype=np.float32)
    indices = np.empty(indptr[-1], dtype=counts.indices.dtype)
    written = 0
    for part in slices:
        _, pmi = values(part)
        positive = pmi > 0
        n_kept = int(np.count_nonzero(positive))
        data[written : written + n_kept] = pmi[positive]
        indices[written : written + n_kept] = counts.indices[part][positive]
        written += n_kept
    return sp.csr_matrix((data, indices, indptr), shape=(stop - first, counts.shape[1]), copy=False)


class _PPMIProducts:
    """The PPMI matrix of a CSR count matrix as an operator: its products with
    dense matrices, formed from the counts on the fly (``_ppmi_kernels``),
    so that the PPMI matrix is never held beside the counts. ``operator @
    dense`` is ``PPMI @ dense`` and ``operator.rmatmul(dense)`` is ``PPMI.T @
    dense``, each over ``n_blocks`` consecutive row blocks of about equal
    numbers of pairs, one task each, the partial products of ``rmatmul``
    added in block order: the result does not depend on the thread count.

    Parameters
    ----------
    counts : scipy.sparse.csr_matrix
    n_blocks : int
    pool : Pool
    context_exponent : float, default=CONTEXT_EXPONENT
    """

    def __init__(self, counts, n_blocks, pool, context_exponent=CONTEXT_EXPONENT):
        if not counts.has_sorted_indices:
            counts = counts.sorted_indices()
        self.counts, self.pool = counts, pool
        self.log_rows, self.log_context = _log_marginals(counts, context_exponent)
        self.cuts = _row_cuts(counts, n_blocks)
        self.shape = counts.shape
        self.dtype = np.dtype(np.float32)

    def _arrays(self):
        c = self.counts
        return c.indptr, c.indices, c.data, self.log_rows, self.log_context

    def __matmul__(self, dense):
        dense = np.ascontiguousarray(dense, dtype=self.dtype)
        out = np.empty((self.shape[0], dense.shape[1]), dtype=self.dtype)

        def task(index, work):
            r0, r1 = self.cuts[index]
            ppmi_matmul(*self._arrays(), dense, r0, r1, out[r0:r1], _stripe(dense))

        self.pool.map(task, len(self.cuts))
        return out

    def rmatmul(self, dense):
        dense = np.ascontiguousarray(dense, dtype=self.dtype)

        def task(index, work):
            r0, r1 = self.cuts[index]
            part = np.empty((self.shape[1], dense.shape[1]), dtype=self.dtype)
            ppmi_rmatmul(*self._arrays(), dense, r0, r1, part, _stripe(dense))
            return part

        parts = self.pool.map(task, len(self.cuts))
        total = parts[0]
        for part in parts[1:]:
            total += part
        return total


def _stripe(dense):
    """Columns of the PPMI matrix a stripe of its products with ``dense`` takes."""
    return max(1, STRIPE_BYTES // max(1, dense.shape[1] * dense.itemsize))


def _randomized_svd(blocks, k, n_iter, rng):
    """``(u, s, vt)``: the rank-``k`` randomized SVD (Halko, Martinsson and
    Tropp 2011, as scikit-learn's ``randomized_svd``) of the matrix of
    ``blocks`` (a :class:`_PPMIProducts`), with ``k + OVERSAMPLES`` random
    directions, ``n_iter`` LU-normalised power iterations and
    scikit-learn's sign convention.

    Each (V, k) operand is released as soon as the next is formed: at most
    three are alive at once, besides the products' partial sums.
    """
    dtype = blocks.dtype
    q = _normal((blocks.shape[1], k + OVERSAMPLES), dtype, rng)
    for _ in range(n_iter):
        q = blocks @ q
        q = _lu_factor(q)
        q = blocks.rmatmul(q)
        q = _lu_factor(q)
    q = blocks @ q
    q, _ = scipy.linalg.qr(q, mode="economic", overwrite_a=True, check_finite=False)
    q = np.ascontiguousarray(q)  # its Fortran-ordered factor released before the product
    b = blocks.rmatmul(q).T
    u_small, s, vt = scipy.linalg.svd(b, full_matrices=False, overwrite_a=True, check_finite=False)
    del b
    u = q @ u_small
    del q
    u, vt = svd_flip(u, vt)
    return u[:, :k], s[:k], vt[:k]


def _lu_factor(x):
    """The permuted lower factor ``P L`` of ``x``, which it overwrites."""
    return scipy.linalg.lu(x, permute_l=True, overwrite_a=True, check_finite=False)[0]


def _normal(shape, dtype, rng):
    """``rng.normal(size=shape).astype(dtype)``, the same numbers, drawn a
    block of rows at a time so that no float64 copy of the matrix is formed."""
    out = np.empty(shape, dtype=dtype)
    step = max(1, TOKEN_CHUNK // max(1, shape[1]))
    for start in range(0, shape[0], step):
        out[start : start + step] = rng.normal(size=(min(step, shape[0] - start), shape[1]))
    return out


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
    n_words = counts.shape[0]
    k = min(vector_size, n_words)
    if n_words <= DENSE_SVD_WORDS:
        u, s, vt = np.linalg.svd(ppmi(counts).toarray().astype(np.float64), full_matrices=False)
        u, s, vt = u[:, :k], s[:k], vt[:k]
        signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(k)])  # deterministic signs
        signs[signs == 0] = 1
        u, vt = u * signs, vt * signs[:, None]
    else:
        with Pool(n_threads) as pool:
            products = _PPMIProducts(sp.csr_matrix(counts), PRODUCT_BLOCKS, pool)
            u, s, vt = _randomized_svd(products, k, POWER_ITERATIONS, rng)
    root = np.sqrt(s)
    w_in = np.zeros((n_words, vector_size), dtype=np.float32)
    w_out = np.zeros((n_words, vector_size), dtype=np.float32)
    np.multiply(u, root, out=w_in[:, :k], casting="same_kind")
    del u
    np.multiply(vt.T, root, out=w_out[:, :k], casting="same_kind")
    if k < vector_size:
        w_in[:, k:] = (rng.random_sample((n_words, vector_size - k)) - 0.5) / vector_size
    return w_in, w_out
