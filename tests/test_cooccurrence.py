"""Co-occurrence counting against direct loops, and the objectives on counts
against the same objectives on the corpus."""

import itertools

import numpy as np
import scipy.sparse as sp
import pytest

import skw2v._cooccurrence as cooccurrence
from skw2v._count_kernels import DENSE_ROW_SHARE, block_positions, window_rows
from skw2v._cooccurrence import (
    count_batches,
    count_pairs,
    distance_weights,
    finish_counts,
    partial_training_counts,
    subsampled_counts,
    training_counts,
)
from skw2v._keyed_random import stream_key, token_uniforms
from skw2v._parallel import Pool
from skw2v._vocab import (
    Corpus, concatenate, keep_probabilities, subsample_keyed, subsampled_copies,
)
from skw2v._windows import context_pairs, training_positions


def random_corpus(seed, n_words=7, lengths=(0, 1, 5, 12, 2, 30)):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_words, sum(lengths)).astype(np.int32)
    return Corpus(ids, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))


def direct_counts(corpus, n_words, weights):
    window = len(weights)
    x = np.zeros((n_words, n_words))
    for a, b in zip(corpus.indptr[:-1], corpus.indptr[1:]):
        for i in range(a, b):
            for k in range(max(a, i - window), min(b, i + window + 1)):
                if k != i:
                    x[corpus.ids[i], corpus.ids[k]] += weights[abs(i - k) - 1]
    return x


@pytest.mark.parametrize("block, group", [(1, 1), (1, 5), (4, 1), (4, 9), (1 << 16, 1 << 21)])
@pytest.mark.parametrize("window, shrink", [(1, False), (3, True), (5, False)])
def test_counts_equal_a_direct_loop_within_documents(monkeypatch, block, group, window, shrink):
    # blocks of one word, groups of one block or of a few: every cut counts the same
    monkeypatch.setattr(cooccurrence, "COUNT_BLOCK_POSITIONS", block)
    monkeypatch.setattr(cooccurrence, "COUNT_GROUP_POSITIONS", group)
    corpus = random_corpus(0)
    weights = distance_weights(window, shrink)
    counts = count_pairs(corpus, 7, weights)
    expected = direct_counts(corpus, 7, weights)
    np.testing.assert_allclose(counts.toarray(), expected, rtol=1e-6)
    assert counts.dtype == np.float32 and counts.has_sorted_indices
    np.testing.assert_array_equal(counts.toarray(), counts.toarray().T)
    with Pool(3) as pool:  # blocks of rows on threads, integer sums: the same bits
        threaded = count_pairs(corpus, 7, weights, pool=pool)
    np.testing.assert_array_equal(threaded.toarray(), counts.toarray())


@pytest.mark.parametrize("limit", [1, 10, 25, 1000])
def test_position_groups_cut_blocks_within_the_limit(limit):
    corpus = random_corpus(5, n_words=9, lengths=(3, 40, 0, 17, 8))
    per_word = np.bincount(corpus.ids, minlength=9)
    bounds = np.array([0, 2, 3, 5, 6, 9])
    block_of = np.repeat(np.arange(5, dtype=np.int32), np.diff(bounds))
    starts = np.concatenate([[0], np.cumsum(np.add.reduceat(per_word, bounds[:-1]))])
    groups = cooccurrence.position_groups(starts, limit)
    assert groups[0] == 0 and groups[-1] == 5 and np.all(np.diff(groups) > 0)
    for first, stop in itertools.pairwise(groups):
        # within the limit, or a single block over it; never a group that could take the next
        assert starts[stop] - starts[first] <= limit or stop - first == 1
        if stop < 5:
            assert starts[stop + 1] - starts[first] > limit
        positions = block_positions(corpus.ids, block_of, first, stop, starts,
                                    np.empty(starts[stop] - starts[first], np.int32))
        for block in range(first, stop):
            own = positions[starts[block] - starts[first] : starts[block + 1] - starts[first]]
            expected = np.flatnonzero((corpus.ids >= bounds[block]) & (corpus.ids < bounds[block + 1]))
            np.testing.assert_array_equal(own, expected)


@pytest.mark.parametrize("first, stop", [(0, 7), (2, 3), (3, 6), (6, 7)])
@pytest.mark.parametrize("units", [[1], [3, 2, 1], [5, 5, 5, 5, 5]])
def test_window_rows_are_the_direct_loop_of_their_words(first, stop, units):
    corpus = random_corpus(3, lengths=(0, 1, 5, 12, 2, 30, 0, 9))
    units = np.array(units, dtype=np.int64)
    positions = np.flatnonzero((corpus.ids >= first) & (corpus.ids < stop)).astype(np.int32)
    accumulator = np.zeros(7, np.int64)
    starts, columns, sums = window_rows(corpus.ids, corpus.indptr, positions, first, stop, units,
                                        accumulator)
    rows = sp.csr_matrix((sums, columns, starts), shape=(stop - first, 7))
    expected = direct_counts(corpus, 7, units)[first:stop]
    np.testing.assert_array_equal(rows.toarray(), expected)
    assert all(np.all(np.diff(columns[a:b]) > 0) for a, b in itertools.pairwise(starts))
    assert np.all(sums > 0) and not accumulator.any()


def test_window_rows_of_rare_and_frequent_words():
    # 300 words, Zipf-like: rare words' few columns are sorted, frequent
    # words' many are read off the accumulator in order (DENSE_ROW_SHARE)
    rng = np.random.default_rng(4)
    ids = np.minimum(rng.zipf(1.3, 3000) - 1, 299).astype(np.int32)
    corpus = Corpus(ids, np.array([0, 1000, 1001, 2500, 3000], dtype=np.int64))
    units = np.array([3, 2, 1], dtype=np.int64)
    accumulator = np.zeros(300, np.int32)
    positions = np.arange(3000, dtype=np.int64)
    starts, columns, sums = window_rows(ids, corpus.indptr, positions, 0, 300, units, accumulator)
    lengths = np.diff(starts)
    assert lengths.max() > 300 // DENSE_ROW_SHARE and 0 < lengths[lengths > 0].min() <= 300 // DENSE_ROW_SHARE
    rows = sp.csr_matrix((sums, columns, starts), shape=(300, 300))
    np.testing.assert_array_equal(rows.toarray(), direct_counts(corpus, 300, units))
    assert all(np.all(np.diff(columns[a:b]) > 0) for a, b in itertools.pairwise(starts))
    assert sums.dtype == np.int32 and not accumulator.any()


def test_counts_switch_to_int64_sums_where_int32_could_overflow(monkeypatch):
    """Sums that could exceed SUM_LIMIT are made in int64: the same counts."""
    corpus = random_corpus(6)
    weights = distance_weights(3, True)
    word_counts = np.bincount(corpus.ids, minlength=7)
    exact = cooccurrence.mean_counts([corpus, corpus], 7, weights, word_counts)
    monkeypatch.setattr(cooccurrence, "SUM_LIMIT", 10)
    block_rows, dtypes = cooccurrence._block_rows, set()

    def spy(corpus, positions, first, stop, n_words, units, dtype, work):
        dtypes.add(dtype)
        return block_rows(corpus, positions, first, stop, n_words, units, dtype, work)

    monkeypatch.setattr(cooccurrence, "_block_rows", spy)
    huge = cooccurrence.mean_counts([corpus, corpus], 7, weights, word_counts)
    assert dtypes == {np.int64}
    assert exact.dtype == huge.dtype == np.float32 and huge.has_sorted_indices
    np.testing.assert_array_equal(huge.toarray(), exact.toarray())
    np.testing.assert_allclose(exact.toarray(), direct_counts(corpus, 7, weights), rtol=1e-6)


def test_count_weights_must_be_multiples_of_one_over_window():
    with pytest.raises(ValueError, match="multiples of 1 / window"):
        count_pairs(random_corpus(0), 7, np.array([1.0, 0.3]))


def test_unit_counts_are_the_corpus_windows():
    """Row c of the unit-weight counts holds the context words of every
    occurrence of c: what context_pairs gives position by position."""
    corpus = random_corpus(1)
    counts = count_pairs(corpus, 7, distance_weights(3, False)).toarray()
    positions = training_positions(corpus.indptr)
    rows, cols, _ = context_pairs(positions, corpus.ids, corpus.indptr, 3)
    expected = np.zeros((7, 7))
    np.add.at(expected, (corpus.ids[positions[rows]], cols), 1)
    np.testing.assert_array_equal(counts, expected)


def test_distance_weights_are_the_expectation_of_window_shrinking():
    """word2vec draws each center's window from 1..window: the mean of many
    shrunk-window counts converges to the weighted count."""
    corpus = random_corpus(2, n_words=5, lengths=(40, 25))
    positions = training_positions(corpus.indptr)
    rng = np.random.RandomState(0)
    total = np.zeros((5, 5))
    draws = 3000
    for _ in range(draws):
        reduced = rng.randint(1, 5, size=len(positions))
        rows, cols, _ = context_pairs(positions, corpus.ids, corpus.indptr, 4, reduced)
        np.add.at(total, (corpus.ids[positions[rows]], cols), 1)
    expected = count_pairs(corpus, 5, distance_weights(4, True)).toarray()
    np.testing.assert_allclose(distance_weights(4, True), [1, 0.75, 0.5, 0.25])
    # Each entry is a mean of 3,000 draws of a sum of a few Bernoulli terms:
    # standard error below 0.05 for these counts; allow 5 of them.
    np.testing.assert_allclose(total / draws, expected, atol=0.25)


def keyed_reference(corpus, keep, key):
    """word2vec's subsampling of ``corpus`` (documents numbered from 0), one
    token at a time, with the keyed uniforms of ``key``."""
    uniforms = token_uniforms(key, 0, corpus.indptr, 0, corpus.n_tokens)
    kept = uniforms < keep[corpus.ids]
    lengths = [int(kept[a:b].sum()) for a, b in zip(corpus.indptr[:-1], corpus.indptr[1:])]
    return Corpus(corpus.ids[kept], np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))


def split(corpus, cuts):
    """``corpus`` cut into chunks of whole documents before the document indices ``cuts``."""
    bounds = [0, *cuts, corpus.n_documents]
    return [
        Corpus(corpus.ids[corpus.indptr[a] : corpus.indptr[b]],
               corpus.indptr[a : b + 1] - corpus.indptr[a])
        for a, b in zip(bounds[:-1], bounds[1:])
    ]


def test_subsampled_counts_average_word2vec_draws():
    """Each draw removes tokens before windows are formed (so windows reach
    further); the mean over draws estimates the expectation."""
    corpus = random_corpus(3, n_words=4, lengths=(300,))
    word_counts = np.bincount(corpus.ids, minlength=4)
    keep = np.array([1.0, 0.5, 1.0, 0.2])
    weights = distance_weights(2, False)
    mean = subsampled_counts([corpus], word_counts, weights, keep, 400, 0).toarray()
    reference = np.zeros((4, 4))
    for draw in range(400):
        reference += direct_counts(keyed_reference(corpus, keep, stream_key(0, draw)), 4, weights)
    np.testing.assert_allclose(mean, reference / 400, rtol=1e-5)
    for n_threads in (2, 3):  # integer sums per block of rows, whatever the threads
        again = subsampled_counts([corpus], word_counts, weights, keep, 400, 0, n_threads=n_threads)
        np.testing.assert_array_equal(again.toarray(), mean)
    # never-dropped words keep their mutual counts' order of magnitude; a
    # half-dropped word's pairs shrink by about half or more
    full = count_pairs(corpus, 4, weights).toarray()
    assert mean[1, 1] < 0.6 * full[1, 1] and mean[0, 2] > 0.7 * full[0, 2]
    # keep everything: one exact count, no randomness
    np.testing.assert_array_equal(
        subsampled_counts([corpus], word_counts, weights, np.ones(4), 4, 0).toarray(), full
    )


def test_token_uniforms_of_any_slice_are_those_of_the_whole():
    """A token's uniform depends on its document and position only, whichever
    slice of tokens it is computed in (empty documents included)."""
    lengths = np.array([3, 0, 0, 5, 1, 0, 7, 2])
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    key = stream_key(11, 2)
    whole = token_uniforms(key, 40, indptr, 0, indptr[-1])
    assert whole.shape == (indptr[-1],) and ((0 <= whole) & (whole < 1)).all()
    assert len(np.unique(whole)) == len(whole)
    for start in range(indptr[-1]):
        for stop in range(start + 1, indptr[-1] + 1):
            np.testing.assert_array_equal(token_uniforms(key, 40, indptr, start, stop),
                                          whole[start:stop])
    # the same token in another numbering of the documents draws anew
    assert not np.array_equal(token_uniforms(key, 41, indptr, 0, indptr[-1]), whole)


def test_keyed_draws_do_not_depend_on_the_cut_into_chunks():
    """A token's draw is keyed by its document and position: the counts of a
    corpus are the same bit for bit however its documents are cut into
    chunks, and differ with the seed."""
    corpus = random_corpus(1, n_words=5, lengths=(40, 7, 60, 0, 33, 12, 1, 25))
    word_counts = np.bincount(corpus.ids, minlength=5)
    weights = distance_weights(3, True)
    keep = np.array([0.3, 1.0, 0.6, 1.0, 0.9])
    whole = subsampled_counts([corpus], word_counts, weights, keep, 3, 7).toarray()
    for cuts in ([1], [2, 3, 4], list(range(1, 8))):
        chunked = subsampled_counts(split(corpus, cuts), word_counts, weights, keep, 3, 7)
        np.testing.assert_array_equal(chunked.toarray(), whole)
    other_seed = subsampled_counts([corpus], word_counts, weights, keep, 3, 8).toarray()
    assert not np.array_equal(other_seed, whole)
    expected = sum(direct_counts(keyed_reference(corpus, keep, stream_key(7, draw)), 5, weights)
                   for draw in range(3))
    np.testing.assert_allclose(whole, expected / 3, rtol=1e-5)


def test_keyed_draws_hold_one_chunks_corpus_at_a_time():
    """While a chunk's joined copies are being counted, neither the chunk nor
    its separate copies are alive, and each joined corpus is released before
    the next chunk is read: about one corpus is alive."""
    import tracemalloc

    from skw2v._cooccurrence import keyed_draws

    keep = np.full(50, 0.9)
    tracemalloc.start()
    try:
        # made as they are read, and referred to by nothing else, as the spill's chunks
        chunks = (Corpus(np.random.default_rng(seed).integers(0, 50, 400_000, dtype=np.int32),
                         np.arange(0, 400_001, 100_000)) for seed in range(3))
        extra, peaks = [], []
        for corpus in keyed_draws(chunks, keep, 4, 0):
            held, peak = tracemalloc.get_traced_memory()
            size = corpus.ids.nbytes + corpus.indptr.nbytes
            extra.append(held / size)
            peaks.append(peak / size)
            del corpus
            tracemalloc.reset_peak()
    finally:
        tracemalloc.stop()
    assert len(extra) == 3
    # 1.00 here; 1.28 when the chunk (a quarter of its four 0.9 copies) was held
    # while they were counted, 2.0 and more when the copies were
    assert max(extra) < 1.1
    # the chunk's draws and their join (the chunk, a byte a token for each
    # draw's mask, the join, a slice's hashes): 1.84 here; 3.32 when the copies
    # were drawn apart, a million tokens' hashes at a time, and then joined
    assert max(peaks) < 2.1


def test_subsampled_copies_are_the_keyed_copies_joined():
    corpus = random_corpus(6, n_words=5, lengths=(40, 7, 0, 60, 33, 1))
    keep = np.array([0.3, 1.0, 0.6, 0.0, 0.9])
    keys = [stream_key(3, draw) for draw in range(4)]
    joined = subsampled_copies(corpus, keep, keys, 11)
    expected = concatenate([subsample_keyed(corpus, keep, key, 11) for key in keys])
    np.testing.assert_array_equal(joined.ids, expected.ids)
    np.testing.assert_array_equal(joined.indptr, expected.indptr)
    assert joined.n_documents == 4 * corpus.n_documents
    empty = subsampled_copies(corpus, keep, [], 0)
    assert empty.n_tokens == 0 and empty.n_documents == 0
    one = subsampled_copies(corpus, keep, keys[:1], 11)
    np.testing.assert_array_equal(one.ids, subsample_keyed(corpus, keep, keys[0], 11).ids)
    assert subsampled_copies(corpus, np.ones(5), keys[:1], 11) is corpus  # every word kept


def test_partial_counts_of_any_partition_add_up_to_the_training_counts():
    """The map-reduce of the counts: integer sums of consecutive parts, each
    knowing its first document's index, finish to the counts of the whole,
    bit for bit."""
    corpus = random_corpus(2, n_words=6, lengths=(50, 3, 70, 20, 0, 45, 9))
    word_counts = np.bincount(corpus.ids, minlength=6)
    params = dict(window=3, shrink_windows=True, sample=0.05)
    expected = training_counts([corpus], word_counts, random_state=5, **params)
    assert keep_probabilities(word_counts, 0.05).min() < 1
    for cuts in ([], [3], [1, 2, 5, 6]):
        parts = split(corpus, cuts)
        firsts = np.cumsum([0] + [p.n_documents for p in parts])
        sums = [partial_training_counts([part], word_counts, random_state=5, first_document=first,
                                        **params)
                for part, first in zip(parts, firsts)]
        assert all(s.dtype == np.int64 for s in sums)
        counts = finish_counts(sum(sums[::-1]), window=3, sample=0.05, word_counts=word_counts)
        assert counts.dtype == expected.dtype and counts.has_sorted_indices
        np.testing.assert_array_equal(counts.indptr, expected.indptr)
        np.testing.assert_array_equal(counts.indices, expected.indices)
        np.testing.assert_array_equal(counts.data, expected.data)


def test_training_counts_are_reproducible_and_symmetric():
    corpus = random_corpus(4, n_words=6, lengths=(200, 100))
    counts = np.bincount(corpus.ids, minlength=6)
    args = dict(window=3, shrink_windows=True, sample=0.05)
    a = training_counts([corpus], counts, random_state=1, **args)
    b = training_counts([corpus], counts, random_state=1, **args)
    c = training_counts([corpus], counts, random_state=2, **args)
    np.testing.assert_array_equal(a.toarray(), b.toarray())
    assert not np.array_equal(a.toarray(), c.toarray())
    np.testing.assert_allclose(a.toarray(), a.toarray().T)
    assert keep_probabilities(counts, 0.05).min() < 1  # subsampling did happen


def test_count_batches_cover_every_nonzero_row_once():
    corpus = random_corpus(5, n_words=9)
    counts = count_pairs(corpus, 9, distance_weights(2, True))
    order = np.random.default_rng(0).permutation(np.flatnonzero(counts.getnnz(axis=1)))
    seen = []
    for batch, done, total in count_batches(counts, 3, order):
        assert done == len(seen) and total == len(order)
        seen += batch.centers.tolist()
        dense = np.zeros((len(batch.centers), 9))
        np.add.at(dense, (batch.rows, batch.cols), batch.weights)
        np.testing.assert_allclose(dense, counts.toarray()[batch.centers], rtol=1e-6)
        np.testing.assert_allclose(batch.n_contexts, dense.sum(axis=1), rtol=1e-6)
        assert np.all(np.diff(batch.rows) >= 0)
    assert seen == order.tolist()


def test_expected_negative_loss_on_counts_is_the_corpus_expectation():
    """Negative sampling's expected loss computed from the counts equals the
    expectation, over the noise draws, of the loss that SGD over the same
    corpus's pairs minimises (the count step estimates the former without
    bias: tests/test_negative.py)."""
    from test_negative import expected_reference

    from skw2v._noise import noise_weights

    corpus = random_corpus(6, n_words=6, lengths=(20, 15))
    rng = np.random.default_rng(0)
    w_in = rng.standard_normal((6, 4)).astype(np.float32)
    w_out = rng.standard_normal((6, 4)).astype(np.float32)
    q = noise_weights(np.bincount(corpus.ids, minlength=6), 0.75)
    q /= q.sum()
    k = 5
    # the corpus, pair by pair: the context's input vector predicts the
    # center's output vector against k noise words drawn from q
    positions = training_positions(corpus.indptr)
    rows, cols, _ = context_pairs(positions, corpus.ids, corpus.indptr, 2)
    centers = corpus.ids[positions[rows]]
    z_pos = np.einsum("pd,pd->p", w_in[cols].astype(float), w_out[centers].astype(float))
    z_noise = w_in[cols].astype(float) @ w_out.astype(float).T
    expected = np.logaddexp(0, -z_pos).sum() + k * (np.logaddexp(0, z_noise) @ q).sum()
    counts = count_pairs(corpus, 6, distance_weights(2, False))
    total = sum(
        expected_reference(w_in[batch.centers], w_out, batch.rows, batch.cols, batch.weights,
                           k * batch.n_contexts, q)
        for batch, _, _ in count_batches(counts, 4)
    )
    assert total == pytest.approx(expected, rel=1e-9)


# -- the spectral start ------------------------------------------------------


def test_ppmi_against_its_definition():
    from skw2v._spectral import ppmi

    corpus = random_corpus(7, n_words=6, lengths=(80,))
    counts = count_pairs(corpus, 6, distance_weights(3, True))
    dense = counts.toarray().astype(np.float64)
    context = dense.sum(axis=0) ** 0.75
    context /= context.sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(dense) - np.log(dense.sum(axis=1, keepdims=True)) - np.log(context)
    expected = np.where(pmi > 0, pmi, 0)
    np.testing.assert_allclose(ppmi(counts).toarray(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n_words, dim", [(6, 3), (6, 10), (2500, 8)])
def test_spectral_vectors_factor_the_ppmi_matrix(n_words, dim):
    """W C^T is the best rank-k approximation of PPMI (exact SVD for small
    vocabularies, randomized above DENSE_SVD_WORDS); dimensions beyond the
    vocabulary get word2vec's small random values."""
    from skw2v._spectral import ppmi, spectral_vectors

    corpus = random_corpus(8, n_words=n_words, lengths=(20_000,))
    counts = count_pairs(corpus, n_words, distance_weights(2, False))
    w_in, w_out = spectral_vectors(counts, dim, 0)
    assert w_in.shape == w_out.shape == (n_words, dim) and w_in.dtype == np.float32
    k = min(dim, n_words)
    matrix = ppmi(counts).toarray().astype(np.float64)
    s = np.linalg.svd(matrix, compute_uv=False)
    error = np.linalg.norm(matrix - w_in[:, :k].astype(float) @ w_out[:, :k].T.astype(float))
    best = np.sqrt((s[k:] ** 2).sum())
    assert error <= best * 1.02 + 1e-4 * np.linalg.norm(matrix)
    if dim > n_words:
        assert np.abs(w_in[:, k:]).max() <= 0.5 / dim and not w_out[:, k:].any()
    again = spectral_vectors(counts, dim, 0)
    np.testing.assert_array_equal(again[0], w_in)
    threaded = spectral_vectors(counts, dim, 0, n_threads=3)  # the same bits on threads
    np.testing.assert_array_equal(threaded[0], w_in)
    np.testing.assert_array_equal(threaded[1], w_out)


def test_spectral_start_holds_few_operands_beside_its_vectors():
    """Beside the two (V, d) results, the randomized SVD holds at most about
    three (V, d + OVERSAMPLES) float32 operands at once (measured 2.6; 4.6
    when each factor was kept until the next was formed)."""
    from conftest import traced_peak

    from skw2v._spectral import OVERSAMPLES, spectral_vectors

    n_words, dim = 4000, 30
    counts = sp.random(n_words, n_words, density=0.02, format="csr", dtype=np.float32,
                       random_state=0)
    counts = (counts + counts.T).tocsr() * 100
    counts.sort_indices()
    spectral_vectors(counts, dim, 0, n_threads=2)  # compiled before measuring
    (w_in, w_out), peak = traced_peak(spectral_vectors, counts, dim, 0, 2)
    operand = n_words * (dim + OVERSAMPLES) * 4
    assert (peak - w_in.nbytes - w_out.nbytes) / operand < 3.2


def test_randomized_svd_is_scikit_learns():
    """The threaded randomized SVD of the spectral start, over row blocks as
    spectral_vectors cuts them, computes what sklearn's does: same singular
    values and subspaces, up to float32 rounding."""
    from sklearn.utils.extmath import randomized_svd as sklearn_svd

    from skw2v._spectral import (
        PRODUCT_BLOCKS, _PPMIProducts, _randomized_svd, ppmi,
    )

    corpus = random_corpus(9, n_words=900, lengths=(30_000,))
    counts = count_pairs(corpus, 900, distance_weights(3, True))
    matrix = ppmi(counts)
    with Pool(2) as pool:
        products = _PPMIProducts(counts, PRODUCT_BLOCKS, pool)
        u, s, vt = _randomized_svd(products, 12, 5, np.random.RandomState(0))
    u0, s0, vt0 = sklearn_svd(matrix, 12, n_iter=5, random_state=0)
    np.testing.assert_allclose(s, s0, rtol=1e-4)
    np.testing.assert_allclose(np.abs(u.T @ u0), np.eye(12), atol=2e-3)
    np.testing.assert_allclose(np.abs(vt @ vt0.T), np.eye(12), atol=2e-3)


# -- through the estimator ---------------------------------------------------

FAST = dict(vector_size=20, min_count=1, epochs=3, sample=0, random_state=0)


@pytest.mark.parametrize("loss", ["softmax", "negative"])
@pytest.mark.parametrize("init", ["spectral"])
def test_counts_solver_trains_each_loss(topic_corpus, loss, init):
    from conftest import topic_separation

    from skw2v import SkipGramVectorizer

    docs, _, topics = topic_corpus
    vectorizer = SkipGramVectorizer(**FAST, loss=loss, solver="counts", init=init).fit(docs)
    gap, purity = topic_separation(vectorizer, topics)
    assert np.isfinite(vectorizer.word_vectors_).all() and np.isfinite(vectorizer.context_vectors_).all()
    assert vectorizer.loss_curve_[-1] < vectorizer.loss_curve_[0]
    assert purity >= 0.9 and gap > 0.1
    assert np.isfinite(vectorizer.score(docs[:20]))


@pytest.mark.parametrize("loss", ["softmax", "negative"])
def test_counts_solver_gives_the_same_bits_for_any_n_jobs(topic_corpus, loss):
    from skw2v import SkipGramVectorizer

    docs, _, _ = topic_corpus
    params = dict(FAST, sample=1e-2, loss=loss, solver="counts", init="spectral")
    one = SkipGramVectorizer(**params, n_jobs=1).fit(docs)
    for n_jobs in (2, 3, None):
        other = SkipGramVectorizer(**params, n_jobs=n_jobs).fit(docs)
        np.testing.assert_array_equal(other.word_vectors_, one.word_vectors_)
        np.testing.assert_array_equal(other.context_vectors_, one.context_vectors_)


def test_memory_reuses_the_corpus_and_the_counts(topic_corpus, tmp_path, monkeypatch):
    """Fits that differ only in vector_size, learning_rate, epochs, loss,
    init or pooling read the documents and count once; window changes the
    counts; memory.clear() removes the encoded corpora."""
    from joblib import Memory

    from skw2v import SkipGramVectorizer, _spill

    docs, _, _ = topic_corpus
    calls = {"encode": 0, "count": 0}
    encode, count = _spill.encode_corpus, _spill.training_counts

    def counting_encode(*args, **kwargs):
        calls["encode"] += 1
        return encode(*args, **kwargs)

    def counting_count(*args, **kwargs):
        calls["count"] += 1
        return count(*args, **kwargs)

    monkeypatch.setattr(_spill, "encode_corpus", counting_encode)
    monkeypatch.setattr(_spill, "training_counts", counting_count)
    base = dict(FAST, sample=1e-2, solver="counts", init="spectral", memory=str(tmp_path))
    first = SkipGramVectorizer(**base).fit(docs)
    assert calls == {"encode": 1, "count": 1}
    for change in [{"vector_size": 10}, {"learning_rate": 0.1}, {"epochs": 1},
                   {"loss": "negative"}, {"init": "random"}, {"pooling": "sif"}, {"n_jobs": 1}]:
        SkipGramVectorizer(**{**base, **change}).fit(docs)
    assert calls == {"encode": 1, "count": 1}
    again = SkipGramVectorizer(**base).fit(docs)
    np.testing.assert_array_equal(again.word_vectors_, first.word_vectors_)
    SkipGramVectorizer(**{**base, "window": 2}).fit(docs)
    assert calls == {"encode": 1, "count": 2}
    SkipGramVectorizer(**{**base, "min_count": 2}).fit(docs)
    assert calls == {"encode": 2, "count": 3}
    # no cache: a generator cannot be hashed, a RandomState changes between fits
    from_generator = SkipGramVectorizer(**base).fit(d for d in docs)
    assert calls == {"encode": 3, "count": 4}
    np.testing.assert_array_equal(from_generator.word_vectors_, first.word_vectors_)
    SkipGramVectorizer(**{**base, "random_state": np.random.RandomState(0)}).fit(docs)
    assert calls == {"encode": 3, "count": 5}
    corpora = tmp_path / "joblib" / "skw2v" / "corpora"
    assert len(list(corpora.iterdir())) == 2  # min_count 1 and 2; no temporary left
    Memory(str(tmp_path), verbose=0).clear()
    assert not corpora.exists()
    SkipGramVectorizer(**base).fit(docs)
    assert calls == {"encode": 4, "count": 6}


def test_count_batches_bound_their_pairs():
    corpus = random_corpus(9, n_words=12, lengths=(400,))
    counts = count_pairs(corpus, 12, distance_weights(3, False))
    lengths = np.diff(counts.indptr)
    seen = []
    for batch, done, _ in count_batches(counts, 5, max_pairs=10):
        assert len(batch.centers) <= 5
        assert len(batch.rows) <= 10 or len(batch.centers) == 1  # one row alone may exceed
        assert done == len(seen)
        seen += batch.centers.tolist()
    assert seen == np.flatnonzero(lengths).tolist()
    assert max(lengths) > 10  # the single-row case did happen


def test_count_batches_sample_small_counts_without_bias():
    """Pairs below sample_below are kept with probability count / sample_below
    and weigh sample_below; the others are kept as they are.

    Calibration: 4,000 passes; an entry of count x < 1 has a per-pass
    estimate of variance x (1 - x), so the mean's standard error is at most
    0.5 / sqrt(4000) = 0.008; tolerance 0.04 (5 errors)."""
    corpus = random_corpus(11, n_words=30, lengths=(60, 45))
    counts = count_pairs(corpus, 30, distance_weights(4, True))
    dense = counts.toarray()
    assert ((dense > 0) & (dense < 1)).sum() > 10  # the case under test occurs
    rng = np.random.RandomState(0)
    total = np.zeros_like(dense, dtype=np.float64)
    for n_pass in range(4000):
        for batch, _, _ in count_batches(counts, 8, sample_below=1.0, rng=rng):
            np.add.at(total, (batch.centers[batch.rows], batch.cols), batch.weights)
            if n_pass >= 10:
                continue
            # the row sums stay exact; a kept pair weighs max(count, 1)
            np.testing.assert_allclose(batch.n_contexts, dense[batch.centers].sum(axis=1), rtol=1e-5)
            kept = dense[batch.centers[batch.rows], batch.cols]
            np.testing.assert_array_equal(batch.weights, np.maximum(kept, 1).astype(np.float32))
            assert np.all(np.diff(batch.rows) >= 0)
    np.testing.assert_allclose(total / 4000, dense, atol=0.04)
    exact = dense >= 1  # counted in every pass, exactly
    np.testing.assert_allclose(total[exact] / 4000, dense[exact], rtol=1e-5)


def _exact(array):
    """Whether ``array`` holds no more memory than its own entries."""
    return array.base is None or array.base.nbytes == array.nbytes


def test_ppmi_products_from_the_counts_are_those_of_ppmi():
    """The spectral start's products form the PPMI from the counts as they go:
    they equal products with ``ppmi(counts)`` (float32 sums in another order),
    for any number of row blocks, and the same bits on any number of threads."""
    from skw2v._ppmi_kernels import ppmi_matmul, ppmi_rmatmul
    from skw2v._spectral import _log_marginals, _PPMIProducts, ppmi

    counts = count_pairs(random_corpus(11, n_words=300, lengths=(5_000, 3_000)), 300, distance_weights(3, True))
    whole = ppmi(counts).toarray().astype(np.float64)
    dense = np.random.default_rng(0).standard_normal((300, 7)).astype(np.float32)
    scale = np.abs(whole) @ np.abs(dense.astype(np.float64))
    for n_blocks in (1, 2, 5):
        with Pool(1) as pool:
            products = _PPMIProducts(counts, n_blocks, pool)
            forward, backward = products @ dense, products.rmatmul(dense)
        assert forward.dtype == backward.dtype == np.float32
        assert [c[0] for c in products.cuts] == [0, *[c[1] for c in products.cuts[:-1]]]
        np.testing.assert_allclose(forward, whole @ dense, rtol=0, atol=1e-5 * scale.max())
        np.testing.assert_allclose(backward, whole.T @ dense, rtol=0, atol=1e-5 * scale.max())
        with Pool(3) as pool:  # on threads: the same bits
            products = _PPMIProducts(counts, n_blocks, pool)
            np.testing.assert_array_equal(products @ dense, forward)
            np.testing.assert_array_equal(products.rmatmul(dense), backward)
    # a block of rows alone, its output overwritten, not added to; in stripes of
    # any width (the cache's), the same bits
    arrays = (counts.indptr, counts.indices, counts.data, *_log_marginals(counts, 0.75), dense)
    out = np.full((50, 7), np.nan, dtype=np.float32)
    ppmi_matmul(*arrays, 100, 150, out, 300)
    np.testing.assert_allclose(out, (whole @ dense)[100:150], rtol=0, atol=1e-5 * scale.max())
    back = np.full((300, 7), np.nan, dtype=np.float32)
    ppmi_rmatmul(*arrays, 100, 150, back, 300)
    for stripe in (1, 7, 64, 299, 1000):
        striped = np.full((50, 7), np.nan, dtype=np.float32)
        ppmi_matmul(*arrays, 100, 150, striped, stripe)
        np.testing.assert_array_equal(striped, out)
        striped = np.full((300, 7), np.nan, dtype=np.float32)
        ppmi_rmatmul(*arrays, 100, 150, striped, stripe)
        np.testing.assert_array_equal(striped, back)


def test_summed_blocks_hold_arrays_of_their_size():
    """scipy's sum of two sparse matrices keeps buffers sized for both
    operands; the counting sums are trimmed to their entries."""
    from skw2v._cooccurrence import _owned

    a = sp.random(200, 200, density=0.05, format="csr", random_state=0)
    a.data = np.ones_like(a.data, dtype=np.int32)
    a = a.astype(np.int32)
    total = _owned(a + a)
    assert _exact(total.data) and _exact(total.indices)
    assert len(total.data) == len(total.indices) == total.nnz == a.nnz
    np.testing.assert_array_equal(total.toarray(), 2 * a.toarray())


def test_count_words_is_bincount_in_chunks(monkeypatch):
    from skw2v import _vocab

    monkeypatch.setattr(_vocab, "TOKEN_CHUNK", 7)
    ids = np.random.RandomState(0).randint(0, 30, 100).astype(np.int32)
    counts = _vocab.count_words(ids, 40)
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts, np.bincount(ids, minlength=40))


def test_ppmi_leaves_the_counts_unchanged():
    from skw2v._spectral import ppmi

    counts = count_pairs(random_corpus(10, n_words=8, lengths=(300,)), 8, distance_weights(3, True))
    before = counts.toarray()
    ppmi(counts)
    np.testing.assert_array_equal(counts.toarray(), before)


def test_a_corpus_whose_subsampling_leaves_no_pair_starts_without_warnings():
    """Four words, each a quarter of the corpus: with these seeds subsampling
    drops every pair from the counts. The spectral start of empty counts is
    finite and silent (RuntimeWarnings are errors in this suite); found with
    seeds 2-4 of 30, seed 2 kept here."""
    from skw2v import SkipGramVectorizer

    vectorizer = SkipGramVectorizer(min_count=1, epochs=1, random_state=2, analyzer=str.split)
    vectorizer.fit(["a b c d"] * 5)
    assert np.isfinite(vectorizer.word_vectors_).all()
