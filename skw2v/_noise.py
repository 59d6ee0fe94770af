"""Negative sampling's noise distribution: weights, alias tables, draws.

Noise words are drawn from the unigram distribution raised to ``ns_exponent``
(Mikolov et al. 2013b; 0.75 in word2vec), through Walker's alias table of
their weights: a draw is one uniform integer and one uniform float, exact
for any weights, and the table takes 12 bytes a word (word2vec's unigram
table of word ids in proportion to the weights rounds every word to whole
slots and takes 400 bytes a word at 100 slots a word).
"""

import numpy as np
from numba import njit


def noise_weights(counts, ns_exponent):
    """``counts ** ns_exponent`` up to a constant factor, float64; 0 where a count is 0.

    Computed in log space and scaled so that the largest weight is 1: any
    finite exponent gives finite weights with a positive sum (a huge
    exponent puts all the weight on the most frequent words, a very negative
    one on the rarest, which is the distribution's limit).
    """
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    logs = np.full(len(counts), -np.inf)
    logs[present] = ns_exponent * np.log(counts[present])
    if present.any():
        logs -= logs[present].max()
    return np.exp(logs)


def noise_table(counts, ns_exponent):
    """The alias table (:func:`alias_table`) of ``counts ** ns_exponent``:
    what :func:`draw_negatives` draws the noise words from."""
    return alias_table(noise_weights(counts, ns_exponent))


@njit(inline="always")
def _enqueue(i, p, queue, ends):
    """File entry ``i`` of probability ``p`` in ``queue``: under 1 at the
    front (``queue[:ends[0]]``), else at the back (``queue[ends[1]:]``)."""
    if p < 1.0:
        queue[ends[0]] = i
        ends[0] += 1
    else:
        ends[1] -= 1
        queue[ends[1]] = i


@njit(cache=True)
def alias_table(weights):
    """Walker's alias table of ``weights`` (non-negative, positive sum): ``(prob, alias)``.

    Draw ``i`` uniform in ``[0, n)`` and ``u`` uniform in ``[0, 1)``; the
    draw is ``i`` if ``u < prob[i]``, else ``alias[i]``.
    """
    n = len(weights)
    prob = np.empty(n, np.float64)
    alias = np.arange(n).astype(np.int32)
    total = 0.0
    for i in range(n):
        total += weights[i]
    queue = np.empty(n, np.int64)
    ends = np.array([0, n], np.int64)
    for i in range(n):
        prob[i] = weights[i] * n / total
        _enqueue(i, prob[i], queue, ends)
    while ends[0] > 0 and ends[1] < n:
        ends[0] -= 1
        small = queue[ends[0]]
        large = queue[ends[1]]
        ends[1] += 1
        alias[small] = large
        prob[large] = prob[large] + prob[small] - 1.0
        _enqueue(large, prob[large], queue, ends)
    for i in range(ends[0]):
        prob[queue[i]] = 1.0
    for i in range(ends[1], n):
        prob[queue[i]] = 1.0
    return prob, alias


def draw_negatives(table, shape, rng):
    """Noise word ids of the given shape (int32), drawn from the alias
    table ``table`` (``(prob, alias)``, :func:`noise_table`).

    ``rng`` is a ``numpy.random.Generator``; it draws the slots, then the
    uniform floats that pick each slot's word or its alias.
    """
    prob, alias = table
    slots = rng.integers(0, len(prob), size=shape)
    keep = rng.random(size=shape) < prob[slots]
    return np.where(keep, slots, alias[slots]).astype(np.int32, copy=False)
