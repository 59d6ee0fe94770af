"""Corpus -> co-occurrence counts, and count matrices -> batches.

Both skip-gram objectives depend on the corpus only through how often each
word occurs within a window of each other word (Levy and Goldberg 2014,
"Neural word embedding as implicit matrix factorization"). This module counts
those pairs into a symmetric (V, V) sparse matrix, a block of rows at a time,
each summed over the windows of the block's occurrences by a compiled kernel
(``_count_kernels``), so that no list of the corpus's pairs is ever formed,
and cuts count matrices
into :class:`~skw2v._protocol.Batch` objects: one center per row, its nonzero
columns as weighted pairs.
"""

import itertools
import time

import numpy as np
import scipy.sparse as sp

from . import _vocab
from ._count_kernels import block_positions, window_rows
from ._keyed_random import stream_key
from ._memory import release_free_memory
from ._parallel import Pool, weighted_blocks
from ._protocol import Batch
from ._vocab import (
    count_words,
    keep_probabilities,
    kept_offsets,
    subsampled_copies,
)

#: Subsampling draws averaged into the training counts (4 gave the vectors
#: of 8; see the user guide).
SUBSAMPLE_DRAWS = 4

#: Occurrences whose rows of counts one task forms at once (the words of a
#: block, most frequent first, bound it); bounds the temporaries, at most
#: ``56 * window + 8`` bytes per occurrence.
COUNT_BLOCK_POSITIONS = 1 << 16

#: Occurrences whose positions are found at once, at most (unless one block has
#: more): the blocks of a chunk are counted in groups of this many, so that the
#: positions held beside the chunk are a bounded part of it (4 bytes each).
COUNT_GROUP_POSITIONS = 1 << 21

#: Integer sums of counts stay int32 while they cannot exceed this.
SUM_LIMIT = np.iinfo(np.int32).max


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


def count_pairs(corpus, n_words, weights, pool=None):
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
        Weight of each distance (:func:`distance_weights`): multiples of
        ``1 / window``.
    pool : Pool, optional
        Forms blocks of rows on its threads; the result does not depend on
        them.

    Returns
    -------
    counts : scipy.sparse.csr_matrix of float32, shape (n_words, n_words)
        Exactly symmetric, with sorted indices.
    """
    return mean_counts([corpus], n_words, weights, count_words(corpus.ids, n_words), pool)


def mean_counts(corpora, n_words, weights, block_counts, pool=None, n_draws=None):
    """The mean of :func:`count_pairs` over ``n_draws`` draws of a corpus.

    Row ``a`` of a corpus's counts sums the weighted context words of every
    occurrence of ``a``, into a dense accumulator over the vocabulary
    (:func:`~skw2v._count_kernels.window_rows`), without forming or sorting
    a list of pairs. The rows are formed in fixed blocks of words,
    each of about ``COUNT_BLOCK_POSITIONS`` occurrences by ``block_counts``,
    whose occurrences in a corpus are found a group of blocks at a time
    (at most ``COUNT_GROUP_POSITIONS``: :func:`position_groups`), and
    summed over the corpora in integer units of ``1 / window`` (int32
    while no sum can exceed it, else int64): every sum is exact, so the
    counts are exactly symmetric and the same for any thread count and any
    order of the corpora.

    Parameters
    ----------
    corpora : iterable of Corpus
        Consumed in order; each may be released before the next is made (a
        generator of subsampled draws holds one at a time). Chunks of one
        draw of a corpus, and the draws, are all summed.
    n_words : int
    weights : ndarray of float, shape (window,)
        As :func:`count_pairs`.
    block_counts : ndarray of int, shape (n_words,)
        Each word's expected occurrences in one of the corpora: sizes the
        blocks of rows (the temporaries).
    pool : Pool, optional
        Forms blocks of rows on its threads.
    n_draws : int, optional
        The sum is divided by ``n_draws`` (default: the number of corpora).

    Returns
    -------
    counts : scipy.sparse.csr_matrix of float32, shape (n_words, n_words)
        Exactly symmetric, with sorted indices.
    """
    pool = Pool(1) if pool is None else pool
    sums, n_corpora = _integer_blocks(corpora, n_words, weights, block_counts, pool)
    return _assemble(sums, n_words, len(weights) * max(n_draws or n_corpora, 1), pool)


def _units(weights):
    window = len(weights)
    units = np.rint(np.asarray(weights, dtype=np.float64) * window).astype(np.int64)
    if not np.allclose(units / window, weights):
        raise ValueError("count weights must be multiples of 1 / window.")
    return units


def _integer_blocks(corpora, n_words, weights, block_counts, pool):
    """The integer sums of :func:`mean_counts`, as blocks of rows (all None
    when there is no corpus), and the number of corpora summed."""
    units = _units(weights)
    bounds = weighted_blocks(np.asarray(block_counts, dtype=np.int64), n_words, COUNT_BLOCK_POSITIONS)
    n_blocks = len(bounds) - 1
    block_of = np.repeat(np.arange(n_blocks, dtype=np.int32), np.diff(bounds))
    sums = [None] * n_blocks
    n_corpora, bound = 0, 0
    for corpus in corpora:
        n_corpora += 1
        # A sum's largest possible value: the corpus's most frequent word,
        # with itself on every side of every occurrence.
        per_word = count_words(corpus.ids, n_words)
        bound += 2 * int(units.sum()) * int(per_word.max(initial=0))
        dtype = np.int32 if bound <= SUM_LIMIT else np.int64
        _add_counts(corpus, sums, bounds, block_of, per_word, units, dtype, pool)
        del corpus  # released before the next corpus is made
        release_free_memory()
    return sums, n_corpora


def _add_counts(corpus, sums, bounds, block_of, per_word, units, dtype, pool):
    """Add ``corpus``'s integer counts to ``sums`` (blocks of rows, None
    before any), its blocks in groups of at most ``COUNT_GROUP_POSITIONS``
    occurrences (:func:`position_groups`), found one group at a time."""
    n_blocks, n_words = len(bounds) - 1, len(block_of)
    starts = np.zeros(n_blocks + 1, dtype=np.int64)
    if n_blocks:
        np.cumsum(np.add.reduceat(per_word, bounds[:-1]), out=starts[1:])
    index = np.int32 if len(corpus.ids) <= np.iinfo(np.int32).max else np.int64
    for first, stop in itertools.pairwise(position_groups(starts, COUNT_GROUP_POSITIONS)):
        positions = block_positions(corpus.ids, block_of, first, stop, starts,
                                    np.empty(starts[stop] - starts[first], dtype=index))

        def task(j, work, first=first, positions=positions):
            block = first + j
            own = positions[starts[block] - starts[first] : starts[block + 1] - starts[first]]
            rows = _block_rows(corpus, own, bounds[block], bounds[block + 1], n_words, units,
                               dtype, work)
            sums[block] = rows if sums[block] is None else _owned(
                (sums[block] + rows).astype(dtype, copy=False))

        pool.map(task, stop - first)


def position_groups(starts, limit):
    """Bounds of consecutive groups of blocks, each with at most ``limit``
    positions (``starts`` as :func:`~skw2v._count_kernels.block_positions`'s)
    unless one block alone has more: ``[0, ..., n_blocks]``."""
    n_blocks = len(starts) - 1
    cuts = [0]
    for block in range(1, n_blocks):
        if starts[block + 1] - starts[cuts[-1]] > limit:
            cuts.append(block)
    return cuts + [n_blocks] if n_blocks else cuts


def _owned(matrix):
    """``matrix`` with arrays of exactly its size: scipy's sum of two sparse
    matrices keeps buffers sized for both operands' entries."""
    for name in ("data", "indices"):
        array = getattr(matrix, name)
        if getattr(array.base, "nbytes", 0) > array.nbytes:
            setattr(matrix, name, array.copy())
    return matrix


def _block_rows(corpus, positions, first, stop, n_words, units, dtype, work):
    """Rows ``first:stop`` of a corpus's integer counts, over ``positions``
    (the occurrences of those words), as a CSR matrix of ``dtype`` with
    sorted indices (:func:`~skw2v._count_kernels.window_rows`)."""
    accumulator = work.buffer("accumulator", (n_words,), dtype)
    accumulator[:] = 0
    starts, columns, sums = window_rows(
        corpus.ids, np.asarray(corpus.indptr, dtype=np.int64), positions, first, stop, units,
        accumulator,
    )
    index = np.int32 if len(columns) <= np.iinfo(np.int32).max else np.int64
    rows = sp.csr_matrix(
        (sums, columns, starts.astype(index, copy=False)),
        shape=(stop - first, n_words), copy=False,
    )
    rows.has_sorted_indices = True
    return rows


def _assemble(blocks, n_words, divisor, pool):
    """One float32 CSR matrix of the blocks of rows (integer sums; all None
    when no corpus was counted), divided by ``divisor``; each block is
    released once copied."""
    if any(b is None for b in blocks):
        return sp.csr_matrix((n_words, n_words), dtype=np.float32)
    sizes = np.array([0] + [b.nnz for b in blocks], dtype=np.int64)
    offsets = np.cumsum(sizes)
    indices = np.empty(offsets[-1], dtype=np.int32)
    data = np.empty(offsets[-1], dtype=np.float32)
    indptr = np.zeros(n_words + 1, dtype=np.int64)
    first_row = np.cumsum([0] + [b.shape[0] for b in blocks])

    def copy(j, work):
        block = blocks[j]
        block.sort_indices()
        part = slice(offsets[j], offsets[j + 1])
        indices[part] = block.indices
        np.divide(block.data, divisor, out=data[part], casting="unsafe")
        indptr[first_row[j] + 1 : first_row[j + 1] + 1] = block.indptr[1:] + offsets[j]
        blocks[j] = block = None
        # The blocks are a few MB each, which the C heap keeps when freed:
        # handed back as they are copied, they never stand beside the whole matrix.
        release_free_memory()

    pool.map(copy, len(blocks))
    counts = sp.csr_matrix((data, indices, indptr), shape=(n_words, n_words), copy=False)
    counts.has_sorted_indices = True
    return counts


def _n_draws(keep, n_draws):
    """``n_draws``, or 1 when every word is always kept (one exact count)."""
    return n_draws if not np.all(keep >= 1.0) else 1


def keyed_draws(chunks, keep, n_draws, random_state, first_document=0, on_chunk=None):
    """Yield each chunk's ``_n_draws(keep, n_draws)`` subsampled copies, as one Corpus a chunk.

    Draw ``r`` keeps token ``i`` of document ``d`` when its keyed uniform
    (:func:`~skw2v._vocab.subsample_keyed`, stream ``r`` of
    ``random_state``) is below ``keep[word]``; the chunks' documents are
    numbered from ``first_document`` in order. The draws depend on the
    documents alone, not on how they are cut into chunks or partitions. A
    chunk's copies follow one another as documents of one corpus: no window
    crosses a document, so counting it counts every copy, and the counts of
    a chunk are added to the sums once, not once a copy. ``on_chunk(n_tokens)``,
    if given, is called after each chunk's draws with the chunk's tokens.
    With every word always kept, each chunk is yielded once, as it is.

    The copies are written straight into their join
    (:func:`~skw2v._vocab.subsampled_copies`), and the chunk is not held
    while the join is counted: a caller whose ``chunks`` keep no reference
    to what they yield (:meth:`~skw2v._spill.EncodedCorpus.chunks`) holds
    one joined corpus at a time.
    """
    keys = [stream_key(random_state, draw) for draw in range(_n_draws(keep, n_draws))]
    for chunk in chunks:
        n_documents, n_tokens = chunk.n_documents, chunk.n_tokens
        corpus = subsampled_copies(chunk, keep, keys, first_document)
        del chunk
        yield corpus
        del corpus
        first_document += n_documents
        if on_chunk is not None:
            on_chunk(n_tokens)


def _block_counts(word_counts, n_draws):
    """Each word's expected occurrences in a chunk's ``n_draws`` copies (at
    most): what sizes the blocks of rows."""
    word_counts = np.asarray(word_counts, dtype=np.int64)
    share = min(1.0, _vocab.CHUNK_TOKENS / max(word_counts.sum(), 1))
    return np.ceil(word_counts * share * n_draws)


def subsampled_counts(chunks, word_counts, weights, keep, n_draws, random_state, n_threads=1,
                      report=None):
    """Mean of :func:`count_pairs` over ``n_draws`` subsampled copies of a corpus.

    The corpus comes as ``chunks`` (:class:`~skw2v._vocab.Corpus` pieces of
    whole documents of about ``CHUNK_TOKENS`` tokens, consumed once, in
    order); ``word_counts`` are its words' occurrences. Each copy keeps every token
    with probability ``keep[word]`` and removes the others before windows
    are formed, as word2vec's subsampling does every epoch; the mean
    estimates what SGD over that many epochs sees. The draws are keyed by
    document and position (:func:`keyed_draws`), one chunk's draws held at
    a time. When every word is always kept, this is one exact
    count. The counting runs on ``n_threads`` threads; neither they, the
    chunks' cut nor their order change the result (integer sums).
    ``report`` (a Progress), if given, is told the tokens counted.
    """
    word_counts = np.asarray(word_counts, dtype=np.int64)
    tic, total, done = time.perf_counter(), int(word_counts.sum()), [0]

    def counted(n_tokens):
        done[0] += n_tokens
        if report is not None:
            report.counting(done[0], total, time.perf_counter() - tic)

    draws = keyed_draws(chunks, keep, n_draws, random_state, on_chunk=counted)
    n_draws = _n_draws(keep, n_draws)
    with Pool(n_threads) as pool:
        return mean_counts(draws, len(word_counts), weights, _block_counts(word_counts, n_draws),
                           pool, n_draws)


def partial_training_counts(chunks, word_counts, *, window, shrink_windows, sample, random_state,
                            first_document, n_threads=1):
    """The integer sums behind :func:`training_counts` over some of the documents.

    ``chunks`` hold consecutive documents of the corpus, the first being
    document ``first_document``; ``word_counts`` are the whole corpus's.
    Partial sums of disjoint parts add up (exactly: int64, in units of
    ``1 / window`` over ``SUBSAMPLE_DRAWS`` draws) to those of the whole
    corpus, and :func:`finish_counts` turns the total into the counts that
    :func:`training_counts` gives, bit for bit.

    Returns
    -------
    sums : scipy.sparse.csr_matrix of int64, shape (V, V)
    """
    keep = keep_probabilities(word_counts, sample)
    weights = distance_weights(window, shrink_windows)
    n_words = len(word_counts)
    draws = keyed_draws(chunks, keep, SUBSAMPLE_DRAWS, random_state, first_document)
    with Pool(n_threads) as pool:
        blocks, _ = _integer_blocks(draws, n_words, weights,
                                    _block_counts(word_counts, _n_draws(keep, SUBSAMPLE_DRAWS)), pool)
    if any(b is None for b in blocks):
        return sp.csr_matrix((n_words, n_words), dtype=np.int64)
    return sp.vstack([b.astype(np.int64) for b in blocks], format="csr")


def finish_counts(sums, *, window, sample, word_counts):
    """The float32 training counts from the integer sums of every document
    (:func:`partial_training_counts`, added up)."""
    n_draws = _n_draws(keep_probabilities(word_counts, sample), SUBSAMPLE_DRAWS)
    return _assemble([sp.csr_matrix(sums)], sums.shape[0], window * n_draws, Pool(1))


def training_counts(chunks, word_counts, *, window, shrink_windows, sample, random_state,
                    n_threads=1, report=None):
    """The co-occurrence counts that ``solver="counts"`` and ``init="spectral"`` train from.

    The corpus's ``chunks`` are counted with the window weights of
    :func:`distance_weights`, subsampled as word2vec subsamples every epoch
    and averaged over ``SUBSAMPLE_DRAWS`` draws (:func:`subsampled_counts`,
    on ``n_threads`` threads, which change nothing in the result).

    Returns
    -------
    counts : scipy.sparse.csr_matrix of float32, shape (V, V), symmetric
    """
    return subsampled_counts(
        chunks, word_counts, distance_weights(window, shrink_windows),
        keep_probabilities(word_counts, sample), SUBSAMPLE_DRAWS, random_state, n_threads, report,
    )


def count_batches(counts, batch_size, order=None, max_pairs=None, sample_below=None, rng=None):
    """Cut the rows of a count matrix into batches: ``(batch, done, total)``.

    Each nonzero row is one center; its nonzero columns are its context
    pairs, weighted by their counts, and ``n_contexts`` is the row sum.
    ``order`` (a permutation of the nonzero rows) sets the order of the
    centers; by default ascending. A batch holds at most ``batch_size``
    centers and, with ``max_pairs``, at most that many pairs (a single
    center with more is a batch of its own). ``done`` and ``total`` count
    centers.

    With ``sample_below`` (a positive number) and ``rng`` (a RandomState), a
    pair whose count ``x`` is below it is kept with probability ``x /
    sample_below`` and then weighs ``sample_below``: an unbiased estimate of
    every count-weighted sum over the pairs, as an epoch of SGD sees a rare
    pair once with about that probability. ``n_contexts`` stays the exact
    row sum, and a center may be left with no pair.
    """
    counts = counts.tocsr()
    lengths = np.diff(counts.indptr)
    rows = np.flatnonzero(lengths) if order is None else np.asarray(order)
    sums = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
    bounds = weighted_blocks(lengths[rows], batch_size, max_pairs)
    for begin, stop in zip(bounds[:-1], bounds[1:]):
        centers = rows[begin:stop].astype(np.int32)
        block = counts[centers]
        indptr, cols, weights = block.indptr, block.indices, block.data.astype(np.float32, copy=False)
        if sample_below is not None:
            keep = (weights >= sample_below) | (rng.random_sample(len(weights)) * sample_below < weights)
            indptr = kept_offsets(keep, indptr)
            cols, weights = cols[keep], np.maximum(weights[keep], np.float32(sample_below))
        pair_rows = np.repeat(np.arange(len(centers)), np.diff(indptr))
        yield (
            Batch(centers, pair_rows, cols.astype(np.int32), sums[centers], weights),
            int(begin),
            len(rows),
        )
