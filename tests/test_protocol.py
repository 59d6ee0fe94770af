"""The training protocol: the loop's contract, and a new objective and a new
init added as the developer guide (docs/developers.rst) shows, trained through
the estimator."""

import numpy as np
import pytest
from sklearn.utils import check_random_state

from skw2v import SkipGramVectorizer
from skw2v._parallel import Pool, blocks
from skw2v._protocol import Batch, BatchKind, Init, Limits, Objective, Solver, train
from skw2v._updates import add_summed_rows


# -- the worked example of docs/developers.rst (start) --
class LogisticObjective(Objective):
    """Each pair's input vector predicts its context's output vector against
    one noise word drawn uniformly: ``softplus(-v.u_j) + softplus(v.u_n)``."""

    default_batch_size = 1024
    hyperparameters = ()  # estimator parameters it needs, by name
    BLOCK = 256  # centers per task: fixed, so any thread count gives the same bits

    def __init__(self, word_counts, vector_size, *, batch_size, random_state,
                 output_vectors=None):
        n_words = len(word_counts)
        self.w_out = (np.zeros((n_words, vector_size), np.float32) if output_vectors is None
                      else np.array(output_vectors, np.float32))
        self.batch_size = batch_size  # the default limits() gives corpus batches of this size
        # One noise stream per block, seeded now, never from thread timing.
        seed = check_random_state(random_state).randint(2**31)
        n_blocks = len(blocks(batch_size, self.BLOCK)) - 1
        self._streams = [np.random.default_rng(s)
                         for s in np.random.SeedSequence(seed).spawn(n_blocks)]

    def output_vectors(self):
        return self.w_out.copy()

    def corpus_step(self, w_in, batch, learning_rate, pool):
        centers, rows, cols, n_contexts, weights = batch
        bounds = np.searchsorted(rows, blocks(len(centers), self.BLOCK))

        def gradients(task, work):  # phase 1: read only, one block of pairs
            p0, p1 = bounds[task], bounds[task + 1]
            v, u_j = w_in[centers[rows[p0:p1]]], self.w_out[cols[p0:p1]]
            noise = self._streams[task].integers(0, len(self.w_out), p1 - p0)
            u_n = self.w_out[noise]
            z_j, z_n = np.einsum("pd,pd->p", v, u_j), np.einsum("pd,pd->p", v, u_n)
            g_j, g_n = -1 / (1 + np.exp(z_j)), 1 / (1 + np.exp(-z_n))  # d loss / d z
            loss = float(np.logaddexp(0, -z_j).sum() + np.logaddexp(0, z_n).sum())
            return loss, (centers[rows[p0:p1]], g_j[:, None] * u_j + g_n[:, None] * u_n,
                          np.concatenate([cols[p0:p1], noise]),
                          np.concatenate([g_j[:, None] * v, g_n[:, None] * v]))

        parts = pool.map(gradients, len(bounds) - 1)

        def update(task, work):  # phase 2: inputs (task 0) and outputs (task 1)
            side = [(p[1][0], p[1][1]) if task == 0 else (p[1][2], p[1][3]) for p in parts]
            matrix = w_in if task == 0 else self.w_out
            pieces = [(ids, np.arange(len(ids)), grads) for ids, grads in side]
            return add_summed_rows(matrix, pieces, learning_rate, 1.0, work)

        self.count(pool.map(update, 2)[0])  # input rows: n_updates, n_unstable
        return sum(loss for loss, _ in parts)
# -- the worked example of docs/developers.rst (end) --


# -- the worked init of docs/developers.rst (start) --
class OrthogonalInit(Init):
    """Input vectors with orthogonal columns of norm 1 over the vocabulary
    (more vocabulary words than dimensions), outputs left to the objective."""

    def start(self, data, vector_size, random_state, n_threads=1):
        rng = check_random_state(random_state)
        gaussian = rng.standard_normal((len(data.word_counts), vector_size))
        q, _ = np.linalg.qr(gaussian)  # (V, d) with orthonormal columns
        return q.astype(np.float32), None
# -- the worked init of docs/developers.rst (end) --


def _register(monkeypatch, family, parameter, name, cls):
    """``cls`` registered as ``parameter=name``, as adding its registry entry would."""
    from sklearn.utils._param_validation import StrOptions

    from skw2v import _registry, _vectorizer

    registry = getattr(_registry, family)
    monkeypatch.setitem(registry, name, cls)
    constraints = dict(SkipGramVectorizer._parameter_constraints)
    constraints[parameter] = [StrOptions(set(registry))]
    monkeypatch.setattr(_vectorizer.SkipGramVectorizer, "_parameter_constraints", constraints)


@pytest.fixture
def logistic_registered(monkeypatch):
    _register(monkeypatch, "OBJECTIVES", "loss", "logistic", LogisticObjective)


@pytest.fixture
def orthogonal_registered(monkeypatch):
    _register(monkeypatch, "INITS", "init", "orthogonal", OrthogonalInit)


def test_a_new_init_is_one_class_and_one_registry_entry(orthogonal_registered, topic_corpus):
    docs, _, _ = topic_corpus
    params = dict(init="orthogonal", vector_size=16, min_count=1, epochs=1, random_state=0)
    for solver in ("sgd", "counts"):
        frozen = dict(learning_rate=1e-9, min_learning_rate=1e-9)
        one = SkipGramVectorizer(**params, solver=solver, **frozen, n_jobs=1).fit(docs)
        two = SkipGramVectorizer(**params, solver=solver, **frozen, n_jobs=2).fit(docs)
        np.testing.assert_array_equal(one.word_vectors_, two.word_vectors_)
        # a rate of 1e-9 leaves the start: orthonormal columns
        np.testing.assert_allclose(one.word_vectors_.T @ one.word_vectors_, np.eye(16), atol=1e-4)
    trained = SkipGramVectorizer(**dict(params, epochs=3), solver="counts").fit(docs)
    assert trained.loss_curve_[-1] < trained.loss_curve_[0]


def test_a_new_objective_is_one_class_and_one_registry_entry(logistic_registered, topic_corpus):
    docs, _, topics = topic_corpus
    params = dict(loss="logistic", solver="sgd", init="random", vector_size=16, min_count=1,
                  sample=0, epochs=3, learning_rate=0.05, random_state=0)
    one = SkipGramVectorizer(**params, n_jobs=1).fit(docs)
    two = SkipGramVectorizer(**params, n_jobs=2).fit(docs)
    np.testing.assert_array_equal(one.word_vectors_, two.word_vectors_)
    assert one.loss_curve_[-1] < one.loss_curve_[0]
    assert np.isfinite(one.score(docs[:20]))


class _Replay(Solver):
    """A solver that yields given batches, for testing the loop."""

    def __init__(self, batches, epochs=1):
        super().__init__(epochs=epochs, learning_rate=0.5, min_learning_rate=0.1)
        self._batches = batches
        self.rates = []

    def batches(self, epoch, limits, pool):
        total = sum(len(b.centers) for b in self._batches)
        done = 0
        for batch in self._batches:
            yield batch, done, total
            done += len(batch.centers)


class _Recorder(Objective):
    def __init__(self, losses):
        self.batch_size = 10
        self.losses = list(losses)
        self.seen = []

    def corpus_step(self, w_in, batch, learning_rate, pool):
        self.seen.append(learning_rate)
        return self.losses.pop(0)

    def output_vectors(self):
        return np.zeros((3, 2), np.float32)


def _batch(n_centers, n_contexts):
    rows = np.repeat(np.arange(n_centers), n_contexts)
    return Batch(np.zeros(n_centers, np.int32), rows, np.zeros(len(rows), np.int32),
                 np.full(n_centers, n_contexts))


def test_train_averages_the_loss_per_context_word_and_decays_the_rate():
    solver = _Replay([_batch(2, 3), _batch(2, 1)], epochs=2)
    objective = _Recorder([6.0, 2.0, 3.0, 1.0])
    with Pool(1) as pool:
        curve = train(solver, objective, np.zeros((3, 2), np.float32), pool)
    assert curve == [pytest.approx(8 / 8), pytest.approx(4 / 8)]
    # progress 0, 0.25 (half of epoch 1), 0.5, 0.75 of training: 0.5 -> 0.1 linearly
    np.testing.assert_allclose(objective.seen, [0.5, 0.4, 0.3, 0.2])


def test_train_stops_on_a_non_finite_loss_or_vector():
    with Pool(1) as pool:
        with pytest.raises(FloatingPointError, match="non-finite loss in epoch 1"):
            train(_Replay([_batch(1, 1)]), _Recorder([np.nan]), np.zeros((3, 2), np.float32), pool)
        w_in = np.full((3, 2), np.inf, np.float32)
        with pytest.raises(FloatingPointError, match="non-finite vectors after epoch 1"):
            train(_Replay([_batch(1, 1)]), _Recorder([1.0]), w_in, pool)


class _CountsReplay(_Replay):
    batch_kind = BatchKind.COUNTS

    def batches(self, epoch, limits, pool):
        self.limits = limits
        yield from super().batches(epoch, limits, pool)


class _BothKinds(_Recorder):
    def limits(self, kind):
        return Limits(5, 100, 0.5) if kind is BatchKind.COUNTS else Limits(10)

    def count_step(self, w_in, batch, learning_rate, pool):
        self.seen.append(("counts", learning_rate))
        return self.losses.pop(0)


def test_train_takes_the_step_and_the_limits_of_the_solvers_batch_kind():
    objective = _BothKinds([1.0, 1.0])
    counts = _CountsReplay([_batch(1, 1)])
    with Pool(1) as pool:
        train(counts, objective, np.zeros((3, 2), np.float32), pool)
        assert counts.limits == Limits(5, 100, 0.5) and objective.seen == [("counts", 0.5)]
        corpus = _Replay([_batch(1, 1)])
        train(corpus, objective, np.zeros((3, 2), np.float32), pool)
        assert objective.seen[-1] == 0.5
        with pytest.raises(ValueError, match="_Recorder has no step for counts batches, which "
                                             "_CountsReplay gives"):
            train(_CountsReplay([_batch(1, 1)]), _Recorder([1.0]), np.zeros((3, 2), np.float32), pool)


def test_an_objective_without_weighted_steps_says_so_with_the_counts_solver(
    logistic_registered, topic_corpus
):
    docs, _, _ = topic_corpus
    with pytest.raises(ValueError, match="solver='counts' cannot train loss='logistic': it trains "
                                         "loss='negative' or 'softmax'"):
        SkipGramVectorizer(loss="logistic", min_count=1).fit(docs)


class _NoOutputs(LogisticObjective):
    """An objective without per-word output vectors (as hierarchical softmax)."""

    def output_vectors(self):
        return None


def test_score_says_it_needs_output_vectors(monkeypatch, logistic_registered, topic_corpus):
    from skw2v import _registry

    monkeypatch.setitem(_registry.OBJECTIVES, "logistic", _NoOutputs)
    docs, _, _ = topic_corpus
    fitted = SkipGramVectorizer(loss="logistic", solver="sgd", init="random", vector_size=8,
                                min_count=1, epochs=1, random_state=0).fit(docs)
    assert fitted.context_vectors_ is None and fitted.transform(docs[:3]).shape == (3, 8)
    with pytest.raises(ValueError, match="score needs per-word output vectors"):
        fitted.score(docs[:20])


def test_stages_draw_from_streams_of_their_own(topic_corpus, monkeypatch):
    """Each stage's seed comes from its own child stream, drawn up front: the
    stages' seeds do not depend on one another, a RandomState instance gives
    its entropy once, and fits differing only in a later stage's parameters
    (the objective's here) share the counts and the start bit for bit."""
    from skw2v._fitting import StageSeeds, stage_seeds

    seeds = stage_seeds(0)
    assert seeds == stage_seeds(0) and len(set(seeds)) == len(StageSeeds._fields)
    assert stage_seeds(np.random.RandomState(5)) == stage_seeds(np.random.RandomState(5))
    assert stage_seeds(1) != seeds
    docs, _, _ = topic_corpus
    frozen = dict(min_count=1, vector_size=12, epochs=1, learning_rate=1e-9,
                  min_learning_rate=1e-9, random_state=3)
    negative = SkipGramVectorizer(loss="negative", **frozen).fit(docs)
    softmax = SkipGramVectorizer(loss="softmax", **frozen).fit(docs)
    # a rate of 1e-9 moves a vector by a few float32 ulps (values near 1)
    np.testing.assert_allclose(negative.word_vectors_, softmax.word_vectors_, rtol=1e-5, atol=1e-6)
