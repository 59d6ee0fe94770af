"""Negative sampling's noise distribution: weights, word2vec's unigram table, draws.

Noise words are drawn from the unigram distribution raised to ``ns_exponent``
(Mikolov et al. 2013b; 0.75 in word2vec), through a table of word ids in
proportion to their weights, so that a draw is one uniform integer.
"""

import numpy as np

#: Slots per vocabulary word in the noise table, and the table's bounds
#: (word2vec.c always uses 1e8 slots, 400 MB; 1e7 int32 slots are 40 MB).
TABLE_SLOTS_PER_WORD = 100
TABLE_SIZE_RANGE = (1_000_000, 10_000_000)


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
    """word2vec's unigram table: word ids in proportion to ``counts ** ns_exponent``.

    A uniform draw from the table is a draw from the noise distribution, in
    O(1); each word gets ``round(p * size)`` slots (at least one if it has
    any weight), as in word2vec.c.
    """
    return weights_table(noise_weights(counts, ns_exponent))


def weights_table(weights):
    """:func:`noise_table` of the noise weights ``weights`` (:func:`noise_weights`)."""
    low, high = TABLE_SIZE_RANGE
    size = min(max(TABLE_SLOTS_PER_WORD * len(weights), low), high)
    slots = np.maximum(np.round(weights / weights.sum() * size), weights > 0).astype(np.int64)
    return np.repeat(np.arange(len(weights), dtype=np.int32), slots)


def draw_negatives(table, shape, rng):
    """Noise word ids of the given shape, drawn uniformly from ``table``.

    ``rng`` is a ``numpy.random.Generator``.
    """
    return table[rng.integers(0, len(table), size=shape)]
