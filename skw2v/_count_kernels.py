"""Compiled kernels of counting: where a group of blocks of words occurs,
and the window-weighted rows of a block of words.

Functions of plain arrays (numba), called by ``_cooccurrence`` for each
chunk: :func:`block_positions` finds the occurrences of a group of blocks
of words in one pass over the chunk, and :func:`window_rows` walks the
windows of a block's occurrences and sums their context words into one row
per word, with a dense accumulator over the vocabulary that it leaves as it
found it (zeros): no list of pairs, no sort of them, and the columns of
each row come out sorted.
"""

import numpy as np
from numba import njit

#: A row with more columns than the vocabulary over this is read off the
#: accumulator in order instead of sorting its columns.
DENSE_ROW_SHARE = 32


@njit(nogil=True, cache=True)
def window_rows(ids, indptr, positions, first, stop, units, accumulator):
    """Rows ``first:stop`` of a corpus's integer co-occurrence counts.

    Parameters
    ----------
    ids : ndarray of int32
        The corpus's word ids, documents one after another.
    indptr : ndarray of int64
        Document ``i`` is ``ids[indptr[i]:indptr[i + 1]]``.
    positions : ndarray of int
        Every position of ``ids`` whose word is in ``first:stop``, ascending.
    first, stop : int
        The block's words.
    units : ndarray of int64, shape (window,)
        Weight of each distance ``1..window``, positive integers.
    accumulator : ndarray of int32 or int64, shape (V,)
        Zeros; zeros again on return. Its type must hold every sum.

    Returns
    -------
    row_starts : ndarray of int64, shape (stop - first + 1,)
    columns : ndarray of int32
        Each row's context words, ascending.
    sums : ndarray of the accumulator's type
        ``sums`` of row ``r``, column ``j``: over the pairs of positions
        ``(i, k)`` of one document with ``ids[i] = first + r``, ``ids[k] =
        j`` and ``1 <= |i - k| <= window``, the sum of ``units[|i - k| - 1]``.
    """
    n_rows = stop - first
    n_words = len(accumulator)
    window = len(units)
    n = len(positions)
    # the occurrences grouped by word, each word's ascending (counting sort)
    row_starts = np.zeros(n_rows + 1, np.int64)
    for t in range(n):
        row_starts[ids[positions[t]] - first + 1] += 1
    for r in range(n_rows):
        row_starts[r + 1] += row_starts[r]
    filled = row_starts[:-1].copy()
    by_row = np.empty(n, np.int64)
    for t in range(n):
        r = ids[positions[t]] - first
        by_row[filled[r]] = positions[t]
        filled[r] += 1
    capacity = 2 * window * n
    columns = np.empty(capacity, np.int32)
    sums = np.empty(capacity, accumulator.dtype)
    out_starts = np.zeros(n_rows + 1, np.int64)
    written = 0
    for r in range(n_rows):
        k = 0
        begin = end = 0
        for t in range(row_starts[r], row_starts[r + 1]):
            p = by_row[t]
            if p >= end:  # a word's occurrences ascend: most share the document before
                document = np.searchsorted(indptr, p, side="right") - 1
                begin, end = indptr[document], indptr[document + 1]
            for distance in range(1, window + 1):
                for q in (p - distance, p + distance):
                    if begin <= q < end:
                        j = ids[q]
                        if accumulator[j] == 0:  # a new column, noted past those written
                            columns[written + k] = j
                            k += 1
                        accumulator[j] += units[distance - 1]
        if k > n_words // DENSE_ROW_SHARE:
            # many columns: reading the accumulator in order beats sorting them
            t = written
            for j in range(n_words):
                if accumulator[j] != 0:
                    columns[t] = j
                    sums[t] = accumulator[j]
                    accumulator[j] = 0
                    t += 1
        else:
            columns[written : written + k].sort()
            for t in range(written, written + k):
                j = columns[t]
                sums[t] = accumulator[j]
                accumulator[j] = 0
        written += k
        out_starts[r + 1] = written
    return out_starts, columns[:written].copy(), sums[:written].copy()


@njit(nogil=True, cache=True)
def block_positions(ids, block_of, first, stop, starts, positions):
    """Write the positions of ``ids`` whose block is in ``first:stop`` into
    ``positions``, grouped by block, each block's ascending.

    Parameters
    ----------
    ids : ndarray of int32
    block_of : ndarray of int, shape (V,)
        Each word's block.
    first, stop : int
        The group's blocks.
    starts : ndarray of int64
        ``starts[j]`` is the number of positions of the blocks before ``j``
        (over all blocks): block ``j``'s positions go to
        ``positions[starts[j] - starts[first]:starts[j + 1] - starts[first]]``.
    positions : ndarray of int32 or int64, shape (starts[stop] - starts[first],)
        Filled in place (and returned).
    """
    filled = starts[first:stop] - starts[first]
    for i in range(len(ids)):
        block = block_of[ids[i]]
        if first <= block < stop:
            positions[filled[block - first]] = i
            filled[block - first] += 1
    return positions
