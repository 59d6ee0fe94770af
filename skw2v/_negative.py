"""Skip-gram with negative sampling (Mikolov et al. 2013b) on level-3 BLAS.

For a center with input vector ``h``, a context word ``o`` and ``K`` noise
words ``n_k`` drawn from the unigram distribution raised to ``ns_exponent``::

    loss = -log sigmoid(u_o . h) - sum_k log sigmoid(-u_{n_k} . h)

Per-pair noise words make every pair a separate tiny product. Following Ji et
al. (2016), "Parallelizing Word2Vec in Shared and Distributed Memory", one set
of ``S`` noise words is drawn per minibatch and shared by all its pairs, each
pair weighting them by ``K / S`` so that it still sees ``K`` noise words in
expectation: the noise terms of the batch become the products
``H U_S^T`` (B, S), ``G U_S`` and ``G^T H``. A center's ``C`` context words
share its noise terms, so they enter with weight ``C K / S``. The positive
pairs are gathers, and their scatter-adds are sparse-matrix products.

Updates follow ``_sgd``: each row gets the step that sequential SGD over the
examples touching it would take (curvature of ``-log sigmoid(z)`` in ``h``
is at most ``sigmoid'(z) |u|^2``). Two phases, as in ``_softmax``: phase 1
splits the batch rows between threads, phase 2 the vocabulary rows, so no
two threads write the same memory and sums are taken in a fixed order.
"""

import numpy as np
import scipy.sparse as sp

from ._sgd import MAX_LOGIT_STEP, scale_and_clip, sequential_factor, update_inputs
from ._training import splits

#: Noise words drawn per minibatch and shared by all its pairs.
SHARED_NEGATIVES = 64


def sigmoid(x):
    """Logistic function in float32, without overflow warnings."""
    out = np.empty_like(x, dtype=np.float32)
    np.negative(x, out=out)
    np.clip(out, -80.0, 80.0, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def softplus(x):
    """``log(1 + exp(x))`` in float64, exact for large ``|x|``."""
    return np.logaddexp(0.0, np.asarray(x, dtype=np.float64))


def noise_distribution(counts, ns_exponent):
    """Cumulative noise distribution: unigram counts raised to ``ns_exponent``."""
    weights = np.asarray(counts, dtype=np.float64) ** ns_exponent
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


def draw_negatives(cdf, n, rng):
    """``n`` word ids drawn from the cumulative distribution ``cdf``."""
    return np.minimum(np.searchsorted(cdf, rng.random_sample(n), side="right"), len(cdf) - 1)


def negative_sampling_gradients(h, w_out, rows, cols, n_contexts, negatives, negative):
    """Loss and gradients for a batch, as dense arrays (for tests and checks).

    The loss is ``sum_pairs softplus(-u_o . h) + sum_b C_b (K/S) sum_s
    softplus(u_s . h_b)``. Returns ``(loss, grad_h, grad_w_out)``.
    """
    objective = NegativeObjective(np.ones(len(w_out)), h.shape[1], negative, 1.0, 1)
    objective.w_out[:] = w_out
    part = objective._forward(h, rows, cols, n_contexts, negatives)
    grad_w_out = np.zeros_like(w_out, dtype=np.float64)
    np.add.at(grad_w_out, cols, part["g"][:, None] * h[rows])
    np.add.at(grad_w_out, negatives, part["neg_grad"])
    return part["loss"], part["grad_h"], grad_w_out


class NegativeObjective:
    """Negative-sampling output layer: output vectors and one SGD step.

    Parameters
    ----------
    counts : ndarray, shape (V,)
        Word counts, for the noise distribution.
    dim : int
        Vector dimension.
    negative : int
        Noise words per context word (``K``).
    ns_exponent : float
        Exponent of the unigram counts in the noise distribution.
    n_threads : int
        Threads of the pool that ``step`` receives.
    """

    def __init__(self, counts, dim, negative, ns_exponent, n_threads):
        self.w_out = np.zeros((len(counts), dim), dtype=np.float32)
        self._out_sq = np.zeros(len(counts), dtype=np.float32)  # |w_out row|^2
        self.negative = negative
        self._cdf = noise_distribution(counts, ns_exponent)
        self._vocab_cuts = splits(len(counts), n_threads)
        self._n_threads = n_threads

    def output_vectors(self):
        """The (V, d) output vectors, as a copy."""
        return self.w_out.copy()

    def is_finite(self):
        return bool(np.isfinite(self.w_out).all())

    def _forward(self, h, rows, cols, n_contexts, negatives):
        """Loss, center gradients and curvatures, and the pieces phase 2 needs."""
        w_out = self.w_out
        n_shared = len(negatives)
        u_pos = w_out[cols]
        z = np.einsum("ij,ij->i", h[rows], u_pos)
        s = sigmoid(z)
        g = s - 1.0  # d/dz of -log sigmoid(z)
        pos_curv = s * (1.0 - s)
        u_neg = w_out[negatives]
        zn = h @ u_neg.T
        sn = sigmoid(zn)
        weight = (n_contexts * (self.negative / n_shared)).astype(np.float32)
        gn = sn * weight[:, None]  # d/dz of weight * -log sigmoid(-z)
        neg_curv = gn * (1.0 - sn)
        loss = softplus(-z).sum() + weight @ softplus(zn).sum(axis=1)
        pairs = sp.csr_matrix((g, (rows, cols)), shape=(len(h), len(w_out)))
        grad_h = pairs @ w_out
        grad_h += gn @ u_neg
        u_pos_sq = np.einsum("ij,ij->i", u_pos, u_pos)
        curvature = np.bincount(rows, weights=pos_curv * u_pos_sq, minlength=len(h))
        curvature += neg_curv @ np.einsum("ij,ij->i", u_neg, u_neg)
        h_sq = np.einsum("ij,ij->i", h, h)
        return {
            "loss": float(loss),
            "grad_h": grad_h,
            "curvature": curvature.astype(np.float32),
            "g": g,
            "pos_curv": pos_curv,
            "neg_grad": gn.T @ h,
            "neg_curv": neg_curv.T @ h_sq,
        }

    def step(self, w_in, centers, rows, cols, n_contexts, step, rng, pool):
        """One SGD step on a batch; returns its summed loss."""
        b = len(centers)
        negatives = draw_negatives(self._cdf, SHARED_NEGATIVES, rng)
        h = w_in[centers]
        h_sq = np.einsum("ij,ij->i", h, h)
        # Trust region (see _sgd): bounds from the largest vectors on each side.
        input_limit = MAX_LOGIT_STEP / max(float(np.sqrt(self._out_sq.max())), 1e-30)
        output_limit = MAX_LOGIT_STEP / max(float(np.sqrt(h_sq.max())), 1e-30)
        row_cuts = splits(b, self._n_threads)
        pair_cuts = np.searchsorted(rows, row_cuts)
        parts = [None] * self._n_threads

        def phase1(t):
            r0, r1 = row_cuts[t], row_cuts[t + 1]
            p0, p1 = pair_cuts[t], pair_cuts[t + 1]
            parts[t] = self._forward(
                h[r0:r1], rows[p0:p1] - r0, cols[p0:p1], n_contexts[r0:r1], negatives
            )
            return parts[t]["loss"]

        loss = sum(pool.map(phase1))
        if not np.isfinite(loss):
            return loss
        grad_h = np.concatenate([part["grad_h"] for part in parts])
        curvature = np.concatenate([part["curvature"] for part in parts])
        g = np.concatenate([part["g"] for part in parts])
        pos_curv = np.concatenate([part["pos_curv"] for part in parts])
        neg_grad = parts[0]["neg_grad"]
        neg_curv = parts[0]["neg_curv"]
        for part in parts[1:]:  # fixed order: thread 0's half first
            neg_grad = neg_grad + part["neg_grad"]
            neg_curv = neg_curv + part["neg_curv"]

        def phase2(t):
            v0, v1 = self._vocab_cuts[t], self._vocab_cuts[t + 1]
            mine = (cols >= v0) & (cols < v1)
            pos_words, pos_index = np.unique(cols[mine], return_inverse=True)
            to_words = sp.csr_matrix(
                (g[mine], (pos_index, rows[mine])), shape=(len(pos_words), b)
            )
            pos_curvature = np.bincount(
                pos_index, weights=pos_curv[mine] * h_sq[rows[mine]], minlength=len(pos_words)
            )
            in_range = (negatives >= v0) & (negatives < v1)
            words = np.concatenate([pos_words, negatives[in_range]])
            grads = np.vstack([to_words @ h, neg_grad[in_range]])
            curvs = np.concatenate([pos_curvature, neg_curv[in_range]])
            unique, index = np.unique(words, return_inverse=True)
            summed = np.zeros((len(unique), h.shape[1]), dtype=np.float32)
            np.add.at(summed, index, grads)
            total_curv = np.bincount(index, weights=curvs, minlength=len(unique))
            scale_and_clip(summed, step * sequential_factor(step * total_curv), output_limit)
            updated = self.w_out[unique] - summed
            self.w_out[unique] = updated
            self._out_sq[unique] = np.einsum("ij,ij->i", updated, updated)
            own = (centers >= v0) & (centers < v1)
            update_inputs(w_in, centers[own], grad_h[own], curvature[own], step, input_limit)
            return None

        pool.map(phase2)
        return loss
