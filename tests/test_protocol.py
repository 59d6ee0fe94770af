"""The training protocol: the loop's contract, and a new objective added as
the developer guide (docs/developers.rst) shows, trained through the estimator."""

import numpy as np
import pytest
from sklearn.utils import check_random_state

from skw2v import SkipGramVectorizer
from skw2v._parallel import Pool, blocks
from skw2v._protocol import Batch, Objective, Solver, TrainingData, train
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
        self.max_batch = batch_size
        # One noise stream per block, seeded now, never from thread timing.
        seed = check_random_state(random_state).randint(2**31)
        n_blocks = len(blocks(batch_size, self.BLOCK)) - 1
        self._streams = [np.random.default_rng(s)
                         for s in np.random.SeedSequence(seed).spawn(n_blocks)]

    def output_vectors(self):
        return self.w_out.copy()

    def step(self, w_in, batch, learning_rate, pool):
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

        self.count(pool.map(update, 2)[0])  # input rows: n_updates, n_clipped
        return sum(loss for loss, _ in parts)
# -- the worked example of docs/developers.rst (end) --


@pytest.fixture
def logistic_registered(monkeypatch):
    """``loss="logistic"`` registered, as adding its registry entry would."""
    from sklearn.utils._param_validation import StrOptions

    from skw2v import _registry, _vectorizer

    monkeypatch.setitem(_registry.OBJECTIVES, "logistic", LogisticObjective)
    constraints = dict(SkipGramVectorizer._parameter_constraints)
    constraints["loss"] = [StrOptions(set(_registry.OBJECTIVES))]
    monkeypatch.setattr(_vectorizer.SkipGramVectorizer, "_parameter_constraints", constraints)


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

    def batches(self, epoch, batch_size, pool, max_pairs=None, sample_below=None):
        total = sum(len(b.centers) for b in self._batches)
        done = 0
        for batch in self._batches:
            yield batch, done, total
            done += len(batch.centers)


class _Recorder(Objective):
    def __init__(self, losses):
        self.max_batch = 10
        self.losses = list(losses)
        self.seen = []

    def step(self, w_in, batch, learning_rate, pool):
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


def test_training_data_counts_pairs_once():
    calls = []
    data = TrainingData(None, np.ones(3), lambda: calls.append(1) or "counts")
    assert data.cooccurrence() == data.cooccurrence() == "counts" and len(calls) == 1
    with pytest.raises(ValueError, match="no co-occurrence counts"):
        TrainingData(None, np.ones(3)).cooccurrence()


def test_an_objective_without_weighted_steps_says_so_with_the_counts_solver(
    logistic_registered, topic_corpus
):
    docs, _, _ = topic_corpus
    with pytest.raises(ValueError, match="LogisticObjective cannot train from co-occurrence counts"):
        SkipGramVectorizer(loss="logistic", min_count=1).fit(docs)
