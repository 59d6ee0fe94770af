"""Row updates shared by every objective and solver.

``learning_rate`` means what it means in word2vec: the step of sequential
SGD, one example at a time. A batch applies to each row the step that the
sequential updates of the examples touching it would take on a locally
quadratic loss: with summed gradient ``g`` and summed curvature bound ``A``,
the row moves by ``-lr * (1 - exp(-lr A)) / (lr A) * g``. Where ``lr A`` is
small this is the plain sum; where it is large it never overshoots. This
keeps the meaning of the rate independent of the batch size.

Last, a trust region: no row step may move any logit by more than
``MAX_LOGIT_STEP`` nats, given the largest vector on the other side of the
dot products. Inert at sensible rates, it turns a far too large rate into
degraded training instead of overflow, for every objective; the functions
here return how many rows it shortened, so a caller can tell the user.

Every scatter-add is a product with a sparse matrix in COO form, whose
entries are added in their stored order: the sums are deterministic.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

#: Largest change of any logit that one update of one row may cause, in nats.
MAX_LOGIT_STEP = 1.0

#: Plain SGD with step ``lr`` on a quadratic of curvature ``a`` diverges when
#: ``lr * a`` exceeds 2: an update whose curvature per occurrence is above
#: this limit is one the rate alone would have made unstable.
STABILITY_LIMIT = 2.0


class RowUpdate(NamedTuple):
    """What :func:`add_summed_rows` did."""

    words: np.ndarray  #: the distinct rows updated
    rank: np.ndarray  #: each entry's index among ``words``
    factors: np.ndarray  #: the factor applied to each row's summed gradient
    sums_sq: np.ndarray  #: squared norms of the summed gradients
    n_clipped: int  #: rows the trust region shortened
    n_unstable: int  #: rows whose step per occurrence exceeded ``STABILITY_LIMIT``


def max_row_norm(vectors):
    """Largest Euclidean norm of the rows of ``vectors`` (0 for no rows)."""
    if len(vectors) == 0:
        return 0.0
    return float(np.sqrt(np.einsum("ij,ij->i", vectors, vectors).max()))


def squared_norms(matrix, rows, work):
    """``|matrix[r]|^2`` for each of ``rows``, from one gather into ``work``."""
    gathered = work.take("updated_rows", matrix, rows)
    return np.einsum("ij,ij->i", gathered, gathered)


def sequential_factor(x):
    """``(1 - exp(-x)) / x``, with its limit 1 at ``x = 0``, in float64.

    ``m`` SGD steps of size ``lr`` on a quadratic whose curvatures add up to
    ``A`` move ``1 - exp(-lr A)`` of the way to its minimum (for small
    per-step curvature); their summed gradient, applied at once, would move
    ``lr A`` of the way. Scaling the summed step by ``f(lr A)`` gives the
    sequential result: a plain sum while ``lr A`` is small, never an
    overshoot when it is large.
    """
    x = np.asarray(x, dtype=np.float64)
    safe = np.maximum(x, 1e-12)
    return np.where(x > 1e-6, -np.expm1(-safe) / safe, 1.0 - x / 2)


def sequential_step(step, curvature):
    """``step * sequential_factor(step * curvature)``: each row's step for its summed gradient.

    Float64 throughout, so any finite ``step`` gives a finite result (at
    most ``1 / curvature`` where the curvature is positive).
    """
    curvature = np.asarray(curvature, dtype=np.float64)
    return step * sequential_factor(step * curvature)


def clipped_scale(norms, scale, limit):
    """Per-row factors: ``scale``, shrunk where ``norms * scale`` exceeds ``limit``.

    Computed in float64 (a huge ``scale`` is fine); returns ``(factors,
    n_shrunk)`` with ``factors`` float32.
    """
    scale = np.asarray(scale, dtype=np.float64)
    lengths = np.asarray(norms, dtype=np.float64) * scale
    too_long = lengths > limit
    if too_long.any():
        scale = np.where(too_long, scale * limit / np.where(too_long, lengths, 1), scale)
    # Rows left with a huge scale have a zero gradient: the factor does not matter.
    scale = np.minimum(scale, np.finfo(np.float32).max)
    return scale.astype(np.float32), int(too_long.sum())


def scale_and_clip(steps, scale, limit):
    """``steps *= scale[:, None]``, then shrink rows longer than ``limit``; one pass.

    Returns the number of rows that were shrunk.
    """
    factors, shrunk = clipped_scale(np.sqrt(np.einsum("ij,ij->i", steps, steps)), scale, limit)
    steps *= factors[:, None]
    return shrunk


def add_summed_rows(matrix, pieces, step, max_norm, work, curvature=None, occurrences=None):
    """Add gradient rows to the rows of ``matrix`` they belong to, summed per row.

    ``pieces`` is a list of ``(ids, at, grads)`` or ``(ids, at, grads,
    coefficients)``: the gradient of row ``ids[i]`` is ``grads[at[i]]``,
    times ``coefficients[i]`` when given (so many entries can share one
    ``grads`` row without a row of their own); a row named more than once
    (in any piece) adds its gradients up, in order. With ``curvature`` (one value per
    entry of the pieces' ids, in order) a row moves by
    ``-step * sequential_factor(step * A)`` times its sum, ``A`` its summed
    curvature; without, by ``-step`` times its sum. Either way the move is
    clipped to norm ``max_norm``. ``work`` (a
    :class:`~skw2v._parallel.Workspace`) holds the sums. Each row's result
    depends only on its own entries, in order, not on the other rows.
    ``occurrences`` (one per entry, default 1) says how many corpus
    occurrences each entry's curvature sums, to tell whether the rate itself
    was unstable (``RowUpdate.n_unstable``).

    Returns a :class:`RowUpdate`.
    """
    ids = pieces[0][0] if len(pieces) == 1 else np.concatenate([piece[0] for piece in pieces])
    words, rank = distinct(ids, len(matrix), work)
    sums = work.buffer("summed_rows", (len(words), matrix.shape[1]))
    sums.fill(0)
    done = 0
    for piece_ids, at, grads, *coefficients in pieces:
        values = coefficients[0] if coefficients else np.ones(len(piece_ids), dtype=np.float32)
        scatter_add(sums, rank[done : done + len(piece_ids)], at, values, grads, clear=False)
        done += len(piece_ids)
    sums_sq = np.einsum("ij,ij->i", sums, sums)
    n_unstable = 0
    if curvature is None:
        scale = np.full(len(words), step, dtype=np.float64)
    else:
        total = np.bincount(rank, weights=curvature, minlength=len(words))
        scale = sequential_step(step, total)
        counts = np.bincount(rank, weights=occurrences, minlength=len(words))
        n_unstable = int(np.count_nonzero(step * total > STABILITY_LIMIT * counts))
    factors, n_clipped = clipped_scale(np.sqrt(sums_sq), scale, max_norm)
    add_rows(matrix, words, sums, -factors)
    return RowUpdate(words, rank, factors, sums_sq, n_clipped, n_unstable)


def distinct(ids, size, work):
    """The distinct values of ``ids`` (all in ``range(size)``) and each id's rank among them.

    Returns ``(words, rank)`` with ``words[rank] == ids``, by whichever way
    is cheaper:

    - ids many next to ``size``: a presence mask over ``range(size)``, words
      ascending;
    - otherwise: a kept ``size``-long array of slots in ``work`` (a
      :class:`~skw2v._parallel.Workspace`) finds each id's first occurrence
      in O(len(ids)), with no pass over ``range(size)``; words in order of
      first occurrence.

    Both ways are deterministic; the callers only need each word once.
    """
    n = len(ids)
    if 4 * n >= size:
        present = np.zeros(size, dtype=bool)
        present[ids] = True
        rank = np.cumsum(present, dtype=np.int32)
        rank -= 1
        return np.flatnonzero(present), rank[ids]
    slot = work.slots(size)
    positions = np.arange(n, dtype=np.int32)
    slot[ids] = n  # larger than any position; every id's slot is reset here
    np.minimum.at(slot, ids, positions)
    first = slot[ids]  # position of each id's first occurrence
    is_first = first == positions
    compact = np.cumsum(is_first, dtype=np.int32)
    compact -= 1
    return ids[is_first], compact[first]


def pair_matrix(rows, cols, values, shape):
    """Sparse matrix holding ``values`` at ``(rows, cols)``; repeats add up.

    Left in COO form: a product with it adds the entries in their stored
    order, deterministically, with no conversion to CSR (whose
    duplicate-summing pass sorts every row).
    """
    return sp.coo_matrix((values, (rows, cols)), shape=shape)


def add_rows(matrix, rows, values, factors):
    """``matrix[rows[i]] += factors[i] * values[i]`` in place; ``rows`` distinct.

    With scipy's kernel (below) this is one pass that reads ``values`` in
    order and updates the rows where they lie, instead of gathering them,
    adding and scattering them back.
    """
    if len(rows) == 0:
        return
    if _COO_KERNEL is None or not (matrix.flags.c_contiguous and matrix.dtype == np.float32):
        matrix[rows] += factors[:, None].astype(matrix.dtype) * values[: len(rows)]
        return
    # The kernel does not check bounds: check here (a few microseconds).
    if len(values) < len(rows) or len(factors) < len(rows) or rows.max() >= len(matrix):
        raise IndexError("add_rows: rows out of range of the matrix or the values")
    _COO_KERNEL(
        len(rows),
        matrix.shape[1],
        rows.astype(np.int64, copy=False),
        np.arange(len(rows), dtype=np.int64),
        np.ascontiguousarray(factors, dtype=np.float32),
        np.ascontiguousarray(values, dtype=np.float32).ravel(),
        matrix,
    )


def _private_coo_kernel():
    """scipy's COO @ dense kernel, if it behaves as expected here; else None.

    ``scipy.sparse`` computes ``coo @ dense`` with this C++ routine, which
    releases the GIL but allocates its result with ``np.zeros`` on every
    call; in two threads those fresh multi-megabyte results page-fault
    against each other. Called with a reused output it avoids that. It is
    private, so it is used only after checking it against the public
    product on a small case; otherwise :func:`scatter_add` falls back.
    """
    try:
        from scipy.sparse._sparsetools import coo_matmat_dense
    except ImportError:  # pragma: no cover - depends on the scipy version
        return None
    rows = np.array([1, 0, 1, 1], dtype=np.int64)
    cols = np.array([0, 2, 2, 0], dtype=np.int64)
    values = np.array([1.0, 2.0, 3.0, -4.0], dtype=np.float32)
    dense = np.arange(6, dtype=np.float32).reshape(3, 2)
    out = np.array([[0.5, 0.0], [0.0, -1.0]], dtype=np.float32)  # it must add into out
    expected = out + pair_matrix(rows, cols, values, (2, 3)) @ dense
    try:
        coo_matmat_dense(len(values), 2, rows, cols, values, dense.ravel(), out)
    except Exception:  # pragma: no cover - a changed private signature
        return None
    if not np.array_equal(out, expected):
        return None  # pragma: no cover
    return coo_matmat_dense


_COO_KERNEL = _private_coo_kernel()


def scatter_add(out, rows, cols, values, dense, clear=True):
    """``out[rows[i]] += values[i] * dense[cols[i]]`` for every ``i``.

    The same sums, in the same order, as ``pair_matrix(rows, cols, values) @
    dense``, written into ``out`` (float32, C-contiguous, e.g. a
    :class:`~skw2v._parallel.Workspace` buffer) instead of a fresh array:
    zeroed first, or added to what it holds with ``clear=False``. Returns ``out``.
    """
    if clear:
        out.fill(0)
    if len(values) == 0:
        return out
    if _COO_KERNEL is None:
        out += pair_matrix(rows, cols, values, (len(out), len(dense))) @ dense
        return out
    # The kernel does not check bounds: check here (a few microseconds).
    if rows.max() >= len(out) or cols.max() >= len(dense) or min(rows.min(), cols.min()) < 0:
        raise IndexError("scatter_add: an index is out of range of out or dense")
    index = np.int32 if rows.dtype == cols.dtype == np.int32 else np.int64
    _COO_KERNEL(
        len(values),
        dense.shape[1],
        rows.astype(index, copy=False),
        cols.astype(index, copy=False),
        np.ascontiguousarray(values, dtype=np.float32),
        np.ascontiguousarray(dense, dtype=np.float32).ravel(),
        out,
    )
    return out
