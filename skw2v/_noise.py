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
    return weights_table(noise_weights(counts, ns_exponent))


def weights_table(weights):
    """:func:`noise_table` of the noise weights ``weights`` (:func:`noise_weights`)."""
    return alias_table(np.asarray(weights, dtype=np.float64))


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
    small = np.empty(n, np.int64)
    large = np.empty(n, np.int64)
    n_small = n_large = 0
    for i in range(n):
        prob[i] = weights[i] * n / total
        if prob[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        n_large -= 1
        g = large[n_large]
        alias[s] = g
        prob[g] = prob[g] + prob[s] - 1.0
        if prob[g] < 1.0:
            small[n_small] = g
            n_small += 1
        else:
            large[n_large] = g
            n_large += 1
    for i in range(n_large):
        prob[large[i]] = 1.0
    for i in range(n_small):
        prob[small[i]] = 1.0
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
