"""Compiled products of the positive PMI matrix with dense matrices, from the counts.

Functions of plain arrays (numba), called by ``_spectral``: each forms the
positive PMI of a block of rows of a CSR count matrix entry by entry,
``max(0, log X[c, j] - log N_c - log P(j))`` in float32, as
:func:`~skw2v._spectral.ppmi` does, and multiplies as it goes, so that the
PPMI matrix is never held beside the counts. A block's result depends only
on its rows, so blocks may run on threads at the same time.
"""

import numpy as np
from numba import njit


@njit(inline="always")
def _pmi(data, e, log_row, log_context, j):
    return np.log(np.float32(data[e])) - log_row - log_context[j]


@njit(fastmath=True, inline="always")
def _add_moving(fixed, moving, value):
    """``fixed += value * moving``: ``PPMI @ dense`` (row ``c`` of the result
    gathers the rows ``j`` of ``dense``)."""
    for t in range(fixed.shape[0]):
        fixed[t] += value * moving[t]


@njit(fastmath=True, inline="always")
def _add_fixed(fixed, moving, value):
    """``moving += value * fixed``: ``PPMI.T @ dense`` (row ``c`` of ``dense``
    is scattered to the rows ``j`` of the result)."""
    for t in range(fixed.shape[0]):
        moving[t] += value * fixed[t]


@njit(fastmath=True, inline="always")
def _striped_product(indptr, indices, data, log_rows, log_context, fixed_rows, offset,
                     moving_rows, first, stop, stripe, add):
    """For each positive PMI entry ``(c, j)`` of rows ``first:stop``, in each
    row's column order, ``add(fixed_rows[c - offset], moving_rows[j], value)``,
    the columns taken ``stripe`` at a time, all rows for each, so that the rows
    of ``moving_rows`` a stripe touches stay in the cache."""
    cursor = indptr[first:stop].copy()
    for edge in range(stripe, moving_rows.shape[0] + stripe, stripe):
        for c in range(first, stop):
            fixed = fixed_rows[c - offset]
            log_row = log_rows[c]
            e, end = cursor[c - first], indptr[c + 1]
            while e < end and indices[e] < edge:
                j = indices[e]
                value = _pmi(data, e, log_row, log_context, j)
                if value > 0:
                    add(fixed, moving_rows[j], value)
                e += 1
            cursor[c - first] = e


@njit(fastmath=True, nogil=True, cache=True)
def ppmi_matmul(indptr, indices, data, log_rows, log_context, dense, first, stop, out, stripe):
    """Rows ``first:stop`` of ``PPMI @ dense`` into ``out`` (shape
    ``(stop - first, k)``, overwritten).

    The columns are taken ``stripe`` at a time, all rows for each, so that
    the rows of ``dense`` a stripe reads stay in the cache; each row's
    entries are still summed in column order.

    Parameters
    ----------
    indptr, indices, data : arrays of a CSR (V, V) count matrix, each row's
        columns ascending
    log_rows, log_context : ndarray of float32, shape (V,)
        ``log N_c`` and ``log P(j)`` (``_spectral._log_marginals``).
    dense : ndarray of float32, shape (V, k), C-contiguous
    first, stop : int
    out : ndarray of float32, shape (stop - first, k)
    stripe : int
        Columns a stripe.
    """
    out[:] = 0.0
    _striped_product(indptr, indices, data, log_rows, log_context, out, first, dense, first, stop,
                     stripe, _add_moving)


@njit(fastmath=True, nogil=True, cache=True)
def ppmi_rmatmul(indptr, indices, data, log_rows, log_context, dense, first, stop, out, stripe):
    """``PPMI[first:stop].T @ dense[first:stop]`` into ``out`` (shape
    ``(V, k)``, overwritten); arguments as :func:`ppmi_matmul`, the stripes
    being of the rows of ``out`` (each summed over ``c`` in order)."""
    out[:] = 0.0
    _striped_product(indptr, indices, data, log_rows, log_context, dense, 0, out, first, stop,
                     stripe, _add_fixed)
