"""The negative-sampling kernel and the shared training loop."""

import numpy as np
import pytest
from conftest import finite_differences, negative_sampling_gradients

from skw2v._negative import NegativeObjective
from skw2v._negative_corpus import sigmoid_and_loss
from skw2v._noise import draw_negatives, noise_table, noise_weights
from skw2v._parallel import Pool
from skw2v._protocol import TrainingData, train
from skw2v._solver_sgd import CorpusSolver
from skw2v._vocab import subsample
from skw2v._vocab import Corpus, keep_probabilities


def reference_loss(w_in, w_out, centers, rows, cols, negatives):
    """Pair by pair, as word2vec.c: the context word's input vector predicts
    the center's output vector against the center's noise words."""
    v, u = w_in.astype(np.float64), w_out.astype(np.float64)
    total = 0.0
    for p in range(len(rows)):
        x = v[cols[p]]
        total += np.logaddexp(0, -x @ u[centers[rows[p]]])
        for noise in negatives[rows[p]]:
            total += np.logaddexp(0, x @ u[noise])
    return total


@pytest.mark.parametrize("seed", range(3))
def test_gradients_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    w_in = rng.standard_normal((9, 5)).astype(np.float32)
    w_out = rng.standard_normal((9, 5)).astype(np.float32)
    # 5 centers with 1-4 context words each, in a scrambled order of counts,
    # so that the kernel's reordering by count is exercised
    centers = rng.integers(0, 9, 5)
    rows = np.repeat(np.arange(5), rng.permutation([3, 1, 4, 1, 2]))
    cols = rng.integers(0, 9, len(rows))  # repeated words: their gradients add up
    negatives = rng.integers(0, 9, (5, 4))  # repeats allowed, as drawn
    args = (centers, rows, cols, negatives)
    loss, grad_in, grad_out = negative_sampling_gradients(w_in, w_out, *args)
    assert loss == pytest.approx(reference_loss(w_in, w_out, *args), rel=1e-5)
    np.testing.assert_allclose(
        grad_in, finite_differences(lambda x: reference_loss(x, w_out, *args), w_in),
        rtol=1e-4, atol=1e-5,
    )
    np.testing.assert_allclose(
        grad_out, finite_differences(lambda x: reference_loss(w_in, x, *args), w_out),
        rtol=1e-4, atol=1e-5,
    )


def test_sigmoid_and_loss_are_stable_at_extreme_logits():
    z = np.array([[-200.0, -20.0, -1.0, 0.0, 1.0, 20.0, 200.0]], dtype=np.float32)
    s, loss = sigmoid_and_loss(z.copy())
    exact = 1.0 / (1.0 + np.exp(-z.astype(np.float64)))
    np.testing.assert_allclose(s, exact, rtol=1e-6, atol=1e-30)
    assert loss == pytest.approx(np.logaddexp(0, z.astype(np.float64)).sum(), rel=1e-6)
    assert np.isfinite(s).all()


def test_noise_table_follows_the_exponent():
    counts = np.array([100, 10, 1, 0])
    expected = counts**0.75 / (counts**0.75).sum()
    prob, alias = noise_table(counts, 0.75)
    share = prob / 4
    np.add.at(share, alias, (1.0 - prob) / 4)
    np.testing.assert_allclose(share, expected, atol=1e-12)  # exact, no rounding to slots
    draws = draw_negatives((prob, alias), (1000, 200), np.random.default_rng(0))
    assert draws.shape == (1000, 200) and draws.dtype == np.int32
    draws = draws.ravel()
    freq = np.bincount(draws, minlength=4) / 200_000
    # binomial standard error is at most 0.0011 here; allow 5 of them
    np.testing.assert_allclose(freq, expected, atol=0.006)
    assert freq[3] == 0


def test_keep_probabilities_follow_word2vec():
    counts = np.array([50_000, 1_000, 10])
    keep = keep_probabilities(counts, 1e-3)
    threshold = 1e-3 * counts.sum()
    expected = np.minimum((np.sqrt(counts / threshold) + 1) * threshold / counts, 1)
    np.testing.assert_allclose(keep, expected)
    assert keep[2] == 1.0 and keep[0] < 0.3
    np.testing.assert_array_equal(keep_probabilities(counts, 0), 1.0)


def test_subsample_keeps_the_drawn_fraction_and_document_bounds():
    rng = np.random.RandomState(0)
    ids = rng.randint(0, 3, 60_000).astype(np.int32)
    corpus = Corpus(ids, np.array([0, 20_000, 20_000, 60_000]))
    keep = np.array([0.2, 0.5, 1.0])
    kept = subsample(corpus, keep, np.random.RandomState(1))
    for word in range(3):
        n = (ids == word).sum()
        rate = (kept.ids == word).sum() / n
        # binomial standard error <= sqrt(0.25 / 20000) = 0.0035; allow 5 of them
        assert abs(rate - keep[word]) < 0.018
    assert kept.indptr[0] == 0 and kept.indptr[-1] == len(kept.ids)
    assert kept.indptr[1] == kept.indptr[2]  # the empty document stays empty
    first = corpus.ids[:20_000]
    assert (kept.ids[: kept.indptr[1]] == 2).sum() == (first == 2).sum()  # keep=1: all stay


def _train(n_threads, epochs=4, seed=0, lr=0.05):
    curve, w_in, objective = _train_objective(n_threads, epochs, seed, lr)
    return curve, w_in, objective.w_out


def _train_objective(n_threads, epochs=4, seed=0, lr=0.05):
    rng = np.random.default_rng(seed)
    # two "topics": words 0-9 occur together, words 10-19 occur together
    docs = [rng.integers(10 * (i % 2), 10 * (i % 2) + 10, 60) for i in range(80)]
    corpus = Corpus(np.concatenate(docs).astype(np.int32), np.arange(0, 4801, 60))
    w_in = ((rng.random((20, 8)) - 0.5) / 8).astype(np.float32)
    counts = np.bincount(corpus.ids, minlength=20)
    random_state = np.random.RandomState(seed)
    objective = NegativeObjective(
        counts, 8, batch_size=64, random_state=random_state, negative=5, ns_exponent=0.75
    )
    solver = CorpusSolver(
        TrainingData(corpus, counts), epochs=epochs, learning_rate=lr, min_learning_rate=1e-4,
        random_state=random_state, window=3, shrink_windows=True, sample=0.0,
    )
    with Pool(n_threads) as pool:
        curve = train(solver, objective, w_in, pool)
    return curve, w_in, objective


def test_training_separates_cooccurring_words():
    curve, w_in, _ = _train(1)
    assert curve[-1] < curve[0]
    # Negative sampling gives all vectors a shared direction; compare them
    # around their mean, as analyses of word vectors usually do.
    centered = w_in - w_in.mean(axis=0)
    unit = centered / np.linalg.norm(centered, axis=1, keepdims=True)
    sims = unit @ unit.T
    group = np.arange(20) // 10
    same = (group[:, None] == group[None, :]) & ~np.eye(20, dtype=bool)
    assert sims[same].mean() > sims[group[:, None] != group[None, :]].mean() + 0.5
    np.fill_diagonal(sims, -np.inf)
    assert (group[sims.argmax(axis=1)] == group).all()


@pytest.mark.parametrize("lr", [1.0, 100.0])
def test_large_learning_rates_stay_finite(lr):
    curve, w_in, w_out = _train(1, epochs=2, lr=lr)
    assert np.isfinite(curve).all() and np.isfinite(w_in).all() and np.isfinite(w_out).all()


@pytest.mark.parametrize("loss", ["negative", "softmax"])
def test_a_last_batch_smaller_than_the_thread_count_trains(loss):
    """A final minibatch of one center leaves one of two threads no rows.

    Found by benchmarks/bench_pooling.py on SMS spam (an empty thread slice
    broke a reshape); every corpus size must train.
    """
    from skw2v import SkipGramVectorizer

    docs = ["alpha beta gamma delta", "beta gamma alpha"]  # 7 centers
    vectorizer = SkipGramVectorizer(
        loss=loss, vector_size=4, min_count=1, sample=0, epochs=2, batch_size=3,
        n_jobs=2, random_state=0,
    ).fit(docs)
    assert np.isfinite(vectorizer.word_vectors_).all()


def test_kept_norms_follow_the_output_vectors():
    """The objective keeps its output rows' squared norms (the curvatures and
    the trust region read them) equal to the rows' after every step, with
    any thread count, corpus and count batches alike."""
    from skw2v._cooccurrence import count_batches, count_pairs, distance_weights

    for n_threads in (1, 2, 3):
        _, w_in, objective = _train_objective(n_threads, epochs=3)
        w_out = objective.w_out
        assert np.abs(w_out).max() > 0  # trained away from the zero start
        np.testing.assert_allclose(objective._out_sq, np.einsum("ij,ij->i", w_out, w_out), rtol=1e-5)
    corpus = Corpus(np.random.default_rng(1).integers(0, 20, 600).astype(np.int32), np.array([0, 600]))
    counts = count_pairs(corpus, 20, distance_weights(3, True))
    objective = NegativeObjective(np.bincount(corpus.ids, minlength=20), 8, batch_size=7,
                                  random_state=0, negative=5, ns_exponent=0.75)
    w_in = np.random.default_rng(2).standard_normal((20, 8)).astype(np.float32)
    with Pool(2) as pool:
        for batch, _, _ in count_batches(counts, 7):
            objective.count_step(w_in, batch, 0.05, pool)
            w_out = objective.w_out
            np.testing.assert_allclose(objective._out_sq, np.einsum("ij,ij->i", w_out, w_out), rtol=1e-5)


@pytest.mark.parametrize("exponent", [1000.0, -2000.0, 0.0, 0.75])
def test_noise_weights_are_finite_for_any_exponent(exponent):
    """counts ** exponent in log space: a huge exponent puts the weight on the
    most frequent word, a very negative one on the rarest, without overflow."""
    counts = np.array([5000, 300, 7, 5, 0])
    weights = noise_weights(counts, exponent)
    assert np.isfinite(weights).all() and weights.max() == 1.0 and weights[4] == 0
    expected = np.where(counts > 0, counts.astype(float) ** exponent, 0) if abs(exponent) < 10 else None
    if expected is not None:
        np.testing.assert_allclose(weights, expected / expected.max(), rtol=1e-12)
    elif exponent > 0:
        assert weights[0] == 1.0 and weights[1] < 1e-300
    else:
        assert weights[3] == 1.0 and weights[2] < 1e-30
    prob, alias = noise_table(counts, exponent)
    assert np.all((prob >= 0) & (prob <= 1)) and alias.min() >= 0 and alias.max() < len(counts)
    drawn = draw_negatives((prob, alias), 10_000, np.random.default_rng(0))
    assert np.all(weights[drawn] > 0)  # a word of no weight is never drawn


def sampled_reference(h, w_out, rows, cols, weights, scale, noise):
    """The count step's loss for given noise words, in float64: the pairs'
    weighted softplus(-z) plus each row's noise words' softplus(z), weighted
    scale / S."""
    z = h.astype(np.float64) @ w_out.astype(np.float64).T
    noise_rows = np.repeat(np.arange(len(h)), noise.shape[1])
    noise_terms = np.logaddexp(0, z[noise_rows, noise.ravel()]) * (scale[noise_rows] / noise.shape[1])
    return float(weights @ np.logaddexp(0, -z[rows, cols]) + noise_terms.sum())


def expected_reference(h, w_out, rows, cols, weights, scale, q):
    """The exact expected loss: pairs' softplus(-z) plus scale_a sum_n q_n softplus(z_an)."""
    z = h.astype(np.float64) @ w_out.astype(np.float64).T
    return float(scale @ (np.logaddexp(0, z) @ q) + weights @ np.logaddexp(0, -z[rows, cols]))


def _count_case(seed, b=4, n_words=9, d=5, n_noise=6):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((b, d)).astype(np.float32)
    w_out = rng.standard_normal((n_words, d)).astype(np.float32)
    cols = np.concatenate([rng.choice(n_words, 3, replace=False) for _ in range(b)]).astype(np.int32)
    rows = np.repeat(np.arange(b), 3)
    weights = (rng.random(len(rows)) * 4).astype(np.float32)
    scale = 5 * np.bincount(rows, weights=weights, minlength=b)
    noise = rng.integers(0, n_words, (b, n_noise))
    return h, w_out, rows, cols, weights, scale, noise


def _run_count_forward(h, w_out, rows, cols, weights, scale, noise):
    from skw2v._negative_counts import count_forward
    from skw2v._parallel import Workspace

    out_sq = np.einsum("ij,ij->i", w_out, w_out)
    part = count_forward(h, w_out, out_sq, rows, cols, weights, scale, noise, Workspace())
    grad_out = np.zeros(w_out.shape)
    np.add.at(grad_out, part.outputs, part.output_weights[:, None] * h[part.pair_rows])
    return part, grad_out


@pytest.mark.parametrize("seed", range(3))
def test_count_step_matches_finite_differences_of_its_loss(seed):
    h, w_out, rows, cols, weights, scale, noise = _count_case(seed)
    part, grad_out = _run_count_forward(h, w_out, rows, cols, weights, scale, noise)
    loss = lambda hh, uu: sampled_reference(hh, uu, rows, cols, weights, scale, noise)
    assert part.loss == pytest.approx(loss(h, w_out), rel=1e-5)
    np.testing.assert_allclose(part.input_grads, finite_differences(lambda x: loss(x, w_out), h), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(grad_out, finite_differences(lambda x: loss(h, x), w_out), rtol=1e-4, atol=1e-4)
    # Each row's curvature bounds the Hessian of its loss in h_a (trace of it).
    z = h.astype(np.float64) @ w_out.astype(np.float64).T
    spread = 1 / (1 + np.exp(-z)) / (1 + np.exp(z))
    a = np.zeros_like(z)
    np.add.at(a, (rows, cols), weights)
    np.add.at(a, (np.repeat(np.arange(len(h)), noise.shape[1]), noise.ravel()),
              np.repeat(scale / noise.shape[1], noise.shape[1]))
    for r in range(len(h)):
        hessian = (w_out.T * (a[r] * spread[r])) @ w_out
        assert np.linalg.eigvalsh(hessian).max() <= part.curvature[r] * (1 + 1e-4)
        assert part.curvature[r] == pytest.approx(np.trace(hessian), rel=1e-4)


def test_count_step_takes_rows_left_without_pairs():
    """A sampled pass can leave a row with no positive pair: its noise term
    still trains it, with the gradients of its loss."""
    h, w_out, rows, cols, weights, scale, noise = _count_case(3)
    kept = rows != 1
    rows, cols, weights = rows[kept], cols[kept], weights[kept]
    part, grad_out = _run_count_forward(h, w_out, rows, cols, weights, scale, noise)
    loss = lambda hh, uu: sampled_reference(hh, uu, rows, cols, weights, scale, noise)
    assert part.loss == pytest.approx(loss(h, w_out), rel=1e-5)
    np.testing.assert_allclose(part.input_grads, finite_differences(lambda x: loss(x, w_out), h), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(grad_out, finite_differences(lambda x: loss(h, x), w_out), rtol=1e-4, atol=1e-4)
    assert np.abs(part.input_grads[1]).max() > 0


def test_count_step_estimates_the_expected_loss_without_bias():
    """Averaged over noise draws from q, the count step's loss and gradients
    are the exact expected ones (noise summed over every word).

    Calibration: 3,000 draws of 16 noise words; the loss's standard error is
    about 0.1% of the loss, the gradients' about 1% of their largest entry;
    tolerances 0.6% and 4%."""
    from skw2v._negative_counts import COUNT_NOISE_SAMPLES
    from skw2v._noise import noise_table, noise_weights

    h, w_out, rows, cols, weights, scale, _ = _count_case(0)
    counts = np.random.default_rng(1).integers(1, 50, len(w_out))
    q = noise_weights(counts, 0.75)
    q /= q.sum()
    table = noise_table(counts, 0.75)
    rng = np.random.default_rng(2)
    losses, grads_in, grads_out = [], [], []
    for _ in range(3000):
        noise = draw_negatives(table, (len(h), COUNT_NOISE_SAMPLES), rng)
        part, grad_out = _run_count_forward(h, w_out, rows, cols, weights, scale, noise)
        losses.append(part.loss)
        grads_in.append(part.input_grads.copy())
        grads_out.append(grad_out)
    exact = lambda hh, uu: expected_reference(hh, uu, rows, cols, weights, scale, q)
    assert np.mean(losses) == pytest.approx(exact(h, w_out), rel=6e-3)
    fd_in = finite_differences(lambda x: exact(x, w_out), h)
    fd_out = finite_differences(lambda x: exact(h, x), w_out)
    np.testing.assert_allclose(np.mean(grads_in, axis=0), fd_in, atol=0.04 * np.abs(fd_in).max())
    np.testing.assert_allclose(np.mean(grads_out, axis=0), fd_out, atol=0.04 * np.abs(fd_out).max())


def test_count_step_stays_finite_at_extreme_logits():
    h, w_out, rows, cols, weights, scale, noise = _count_case(0)
    h *= 40  # logits far beyond float32's exp range
    part, grad_out = _run_count_forward(h, w_out, rows, cols, weights, scale, noise)
    values = [part.loss, *part.input_grads.ravel(), *part.curvature, *grad_out.ravel()]
    assert np.isfinite(values).all()
    assert part.loss == pytest.approx(sampled_reference(h, w_out, rows, cols, weights, scale, noise), rel=1e-5)
