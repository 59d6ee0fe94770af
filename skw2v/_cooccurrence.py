"""Corpus -> co-occurrence counts, and count matrices -> batches.

Both skip-gram objectives depend on the corpus only through how often each
word occurs within a window of each other word (Levy and Goldberg 2014,
"Neural word embedding as implicit matrix factorization"). This module counts
those pairs into a symmetric (V, V) sparse matrix, streaming through the
corpus in chunks of ``COUNT_CHUNK`` tokens so that no list of the corpus's
pairs is ever formed, and cuts count matrices into :class:`~skw2v._protocol.Batch`
objects: one center per row, its nonzero columns as weighted pairs.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from ._parallel import Pool, weighted_blocks
from ._protocol import Batch
from ._vocab import Corpus, keep_probabilities, subsample

#: Subsampling draws averaged into the training counts (4 gave the vectors
#: of 8; see the user guide).
SUBSAMPLE_DRAWS = 4

#: Center positions whose pairs are counted at once (bounds the temporaries:
#: about 24 bytes per position and unit of window).
COUNT_CHUNK = 1 << 18
#: Chunks counted at once, one task each (then added in order, so the sums do
#: not depend on the thread count).
COUNT_GROUP = 2


def distance_weights(window, shrink_windows):
    """Weight of a context word at distance ``1..window`` from its center.

    With window shrinking, word2vec draws each center's window uniformly from
    ``1..window``, so a word at distance ``d`` is a context with probability
    ``(window - d + 1) / window``: that is its expected weight. Without, 1.
    """
    distances = np.arange(1, window + 1, dtype=np.float64)
    if not shrink_windows:
        return np.ones(window)
    return (window - distances + 1) / window


def count_pairs(corpus, n_words, weights, upper=False, pool=None):
    """Window-weighted co-occurrence counts of a corpus.

    ``X[a, b]`` is the sum, over the ordered pairs of positions ``(i, k)`` of
    one document with ``ids[i] = a``, ``ids[k] = b`` and ``1 <= |i - k| <=
    len(weights)``, of ``weights[|i - k| - 1]``. With unit weights, row ``a``
    holds the context words of every occurrence of ``a``, exactly as the
    corpus's windows do.

    Parameters
    ----------
    corpus : Corpus
    n_words : int
        Vocabulary size (ids are below it).
    weights : ndarray of float, shape (window,)
        Weight of each distance (:func:`distance_weights`).
    upper : bool, default=False
        Return the upper triangle only (pairs ``a <= b``, each unordered pair
        once): :func:`mirror` makes the full matrix.
    pool : Pool, optional
        Counts ``COUNT_GROUP`` chunks at a time on its threads; the chunks
        are added in corpus order whatever the threads, so the result does
        not depend on them.

    Returns
    -------
    counts : scipy.sparse.csr_matrix of float32, shape (n_words, n_words)
        Exactly symmetric (each unordered pair is summed once, into the upper
        triangle, then mirrored), with sorted indices.
    """
    weights = np.asarray(weights, dtype=np.float32)
    starts = range(0, corpus.n_tokens, COUNT_CHUNK)
    pool = Pool(1) if pool is None else pool
    triangle = sp.csr_matrix((n_words, n_words), dtype=np.float32)
    for first in range(0, len(starts), COUNT_GROUP):
        group = starts[first : first + COUNT_GROUP]
        chunks = pool.map(
            lambda task, work: _chunk_triangle(corpus, group[task], n_words, weights), len(group)
        )
        for chunk in chunks:
            triangle = triangle + chunk
    return triangle if upper else mirror(triangle)


def _chunk_triangle(corpus, start, n_words, weights):
    """Upper-triangle counts of the pairs whose first position is in
    ``start : start + COUNT_CHUNK`` (CSR, duplicates summed)."""
    ids, indptr = corpus.ids, corpus.indptr
    positions = np.arange(start, min(start + COUNT_CHUNK, corpus.n_tokens), dtype=np.int64)
    document_end = indptr[np.searchsorted(indptr, positions, side="right")]
    firsts, seconds, values = [], [], []
    for distance, weight in enumerate(weights, 1):
        left = positions[positions + distance < document_end]
        firsts.append(ids[left])
        seconds.append(ids[left + distance])
        values.append(np.full(len(left), weight, dtype=np.float32))
    a, b = np.concatenate(firsts), np.concatenate(seconds)
    low, high = np.minimum(a, b), np.maximum(a, b)
    return sp.coo_matrix((np.concatenate(values), (low, high)), shape=(n_words, n_words)).tocsr()


def mirror(triangle):
    """The symmetric matrix whose upper triangle is ``triangle``: ``T + T^T``.

    A pair ``(a, b)`` and its mirror get the same value exactly, and the
    diagonal (a word near itself) counts both orientations.
    """
    counts = (triangle + triangle.T).tocsr()
    counts.sort_indices()
    return counts


def subsampled_counts(corpus, n_words, weights, keep, n_draws, random_state, n_threads=1):
    """Mean of :func:`count_pairs` over ``n_draws`` subsampled copies of the corpus.

    Each copy keeps every token with probability ``keep[word]`` and removes
    the others before windows are formed, as word2vec's subsampling does
    every epoch; the mean estimates what SGD over that many epochs sees. When
    every word is always kept, this is one exact count. The draws come from
    ``random_state`` one after the other, on the calling thread; the counting
    runs on ``n_threads`` threads, which change nothing in the result.
    """
    with Pool(n_threads) as pool:
        if np.all(keep >= 1.0):
            return count_pairs(corpus, n_words, weights, pool=pool)
        rng = check_random_state(random_state)
        total = None
        for _ in range(n_draws):
            triangle = count_pairs(subsample(corpus, keep, rng), n_words, weights, True, pool)
            total = triangle if total is None else total + triangle
            del triangle
    total.data /= n_draws
    return mirror(total)


def training_counts(ids, indptr, word_counts, *, window, shrink_windows, sample, random_state,
                    n_threads=1):
    """The co-occurrence counts that ``solver="counts"`` and ``init="spectral"`` train from.

    The corpus (``ids``, ``indptr``) is counted with the window weights of
    :func:`distance_weights`, subsampled as word2vec subsamples every epoch
    and averaged over ``SUBSAMPLE_DRAWS`` draws (:func:`subsampled_counts`,
    on ``n_threads`` threads, which change nothing in the result). Plain
    arrays and numbers in, so that ``joblib.Memory`` can cache it.

    Returns
    -------
    counts : scipy.sparse.csr_matrix of float32, shape (V, V), symmetric
    """
    return subsampled_counts(
        Corpus(ids, indptr), len(word_counts), distance_weights(window, shrink_windows),
        keep_probabilities(word_counts, sample), SUBSAMPLE_DRAWS, random_state, n_threads,
    )


def count_batches(counts, batch_size, order=None, max_pairs=None):
    """Cut the rows of a count matrix into batches: ``(batch, done, total)``.

    Each nonzero row is one center; its nonzero columns are its context
    pairs, weighted by their counts, and ``n_contexts`` is the row sum.
    ``order`` (a permutation of the nonzero rows) sets the order of the
    centers; by default ascending. A batch holds at most ``batch_size``
    centers and, with ``max_pairs``, at most that many pairs (a single
    center with more is a batch of its own). ``done`` and ``total`` count
    centers.
    """
    counts = counts.tocsr()
    lengths = np.diff(counts.indptr)
    rows = np.flatnonzero(lengths) if order is None else np.asarray(order)
    sums = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
    bounds = weighted_blocks(lengths[rows], batch_size, max_pairs)
    for begin, stop in zip(bounds[:-1], bounds[1:]):
        centers = rows[begin:stop].astype(np.int32)
        block = counts[centers]
        pair_rows = np.repeat(np.arange(len(centers)), np.diff(block.indptr))
        yield (
            Batch(centers, pair_rows, block.indices.astype(np.int32), sums[centers],
                  block.data.astype(np.float32, copy=False)),
            int(begin),
            len(rows),
        )
