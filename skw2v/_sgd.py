"""The SGD row update shared by every objective.

``learning_rate`` means what it means in word2vec: the step of sequential
SGD, one example at a time. A minibatch applies to each row the step that the
sequential updates of the examples touching it would take on a locally
quadratic loss: with summed gradient ``g`` and summed curvature bound ``A``,
the row moves by ``-lr * (1 - exp(-lr A)) / (lr A) * g``. Where ``lr A`` is
small this is the plain sum; where it is large it never overshoots. This
keeps the meaning of the rate independent of the batch size.

Last, a trust region: no row step may move any logit by more than
``MAX_LOGIT_STEP`` nats, given the largest vector on the other side of the
dot products. Inert at sensible rates, it turns a far too large rate into
degraded training instead of overflow, for every objective.
"""

import numpy as np
import scipy.sparse as sp

#: Largest change of any logit that one update of one row may cause, in nats.
MAX_LOGIT_STEP = 1.0


def sequential_factor(x):
    """``(1 - exp(-x)) / x``, with its limit 1 at ``x = 0``.

    ``m`` SGD steps of size ``lr`` on a quadratic whose curvatures add up to
    ``A`` move ``1 - exp(-lr A)`` of the way to its minimum (for small
    per-step curvature); their summed gradient, applied at once, would move
    ``lr A`` of the way. Scaling the summed step by ``f(lr A)`` gives the
    sequential result: a plain sum while ``lr A`` is small, never an
    overshoot when it is large.
    """
    x = np.asarray(x, dtype=np.float64)
    safe = np.maximum(x, 1e-12)
    return np.where(x > 1e-6, -np.expm1(-safe) / safe, 1.0 - x / 2).astype(np.float32)


def scale_and_clip(steps, scale, limit):
    """``steps *= scale[:, None]``, then shrink rows longer than ``limit``; one pass.

    Returns the number of rows that were shrunk.
    """
    norms = np.sqrt(np.einsum("ij,ij->i", steps, steps)) * scale
    too_long = norms > limit
    if too_long.any():
        scale = np.where(too_long, scale * limit / np.where(too_long, norms, 1), scale)
    steps *= scale[:, None].astype(steps.dtype, copy=False)
    return int(too_long.sum())


def update_inputs(w_in, centers, grad_h, curvature, step, max_norm=np.inf):
    """Apply the summed center gradients to the input rows.

    The rows of the batch sharing a center add their gradients and their
    curvatures ``A``; the row moves by ``-step * sequential_factor(step * A)``
    times the sum, clipped to norm ``max_norm``.
    """
    if len(centers) == 0:
        return
    order = np.argsort(centers, kind="stable")
    sorted_centers = centers[order]
    starts = np.flatnonzero(np.r_[True, sorted_centers[1:] != sorted_centers[:-1]])
    sums = np.add.reduceat(grad_h[order], starts, axis=0)
    total_curvature = np.add.reduceat(curvature[order], starts)
    scale_and_clip(sums, step * sequential_factor(step * total_curvature), max_norm)
    w_in[sorted_centers[starts]] -= sums


def pair_matrix(rows, cols, values, shape):
    """Sparse matrix holding ``values`` at ``(rows, cols)``; repeats add up.

    Every scatter-add of the objectives goes through a product with such a
    matrix: about 6x faster here than ``np.add.reduceat`` over gathered rows
    and 40x faster than a 2-D ``np.add.at``. It is left in COO form: a
    product adds the entries in their stored order, deterministically, with
    no conversion to CSR (whose duplicate-summing pass sorts every row).
    """
    return sp.coo_matrix((values, (rows, cols)), shape=shape)



class Workspace:
    """Reusable buffers for one thread's large temporaries.

    Allocating fresh multi-megabyte arrays for every minibatch in two threads
    at once makes the threads page-fault against each other: measured here, a
    20,000 x 100 row gather ran 10x slower on two threads than on one, and
    1.6x faster than on one when written into a reused buffer. Gathers
    therefore go through :meth:`take`.
    """

    def __init__(self):
        self._buffers = {}

    def buffer(self, name, shape, dtype=np.float32):
        """An uninitialised array of ``shape``, reusing storage kept under ``name``."""
        n = shape[0]
        kept = self._buffers.get(name)
        if kept is None or len(kept) < n or kept.shape[1:] != tuple(shape[1:]) or kept.dtype != dtype:
            kept = self._buffers[name] = np.empty((n + n // 4 + 16, *shape[1:]), dtype=dtype)
        return kept[:n]

    def take(self, name, matrix, index):
        """``matrix[index]`` (rows), written into a reused buffer."""
        out = self.buffer(name, (len(index), *matrix.shape[1:]), matrix.dtype)
        # mode="clip" skips numpy's bounds-checked copy through a temporary;
        # the indices are the library's own and always in range.
        np.take(matrix, index, axis=0, out=out, mode="clip")
        return out
