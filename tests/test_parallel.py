"""Results do not depend on the thread count: the pool's contract, each
objective under every way of running its tasks, and the estimator for every
``n_jobs`` (including the fit in a worker process that GridSearchCV makes)."""

import threading

import joblib
import numpy as np
import pytest
from conftest import ShuffledPool, toy_training

from skw2v import SkipGramVectorizer
from skw2v._negative import NegativeObjective
from skw2v._parallel import Pool, blocks, effective_n_threads, weighted_blocks
from skw2v._softmax import SoftmaxObjective

OBJECTIVES = {
    "softmax": (SoftmaxObjective, {}),
    "negative": (NegativeObjective, {"negative": 5, "ns_exponent": 0.75}),
}


def test_blocks_cut_a_range_into_fixed_blocks():
    np.testing.assert_array_equal(blocks(10, 4), [0, 4, 8, 10])
    np.testing.assert_array_equal(blocks(8, 4), [0, 4, 8])
    np.testing.assert_array_equal(blocks(3, 4), [0, 3])
    np.testing.assert_array_equal(blocks(0, 4), [0])


def test_pool_returns_results_in_task_order_from_several_threads():
    seen = set()

    def task(i, work):
        seen.add(threading.get_ident())
        # take long enough that the helper threads get work too
        return i * i + float(np.linalg.norm(np.ones(20000)) * 0)

    with Pool(3) as pool:
        for _ in range(20):
            assert pool.map(task, 50) == [i * i for i in range(50)]
        assert pool.map(task, 0) == [] and pool.map(task, 1) == [0]
        assert pool.submit(lambda a, b: a + b, 2, 3).result() == 5
    assert len(seen) >= 2


def test_pool_gives_each_thread_its_own_workspace():
    owners = {}
    lock = threading.Lock()

    def task(i, work):
        with lock:
            owners.setdefault(id(work), set()).add(threading.get_ident())
        return i

    with Pool(2) as pool:
        for _ in range(50):
            pool.map(task, 8)
    assert all(len(threads) == 1 for threads in owners.values())


@pytest.mark.parametrize("n_threads", [1, 3])
def test_pool_reraises_a_tasks_exception(n_threads):
    def task(i, work):
        if i == 5:
            raise ZeroDivisionError("task 5")
        return i

    with Pool(n_threads) as pool:
        with pytest.raises(ZeroDivisionError, match="task 5"):
            pool.map(task, 12)
        failed = pool.submit(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failed.result()
        assert pool.map(task, 3) == [0, 1, 2]  # still usable


def test_effective_n_threads():
    assert effective_n_threads(3) == 3
    assert effective_n_threads(-1) >= 1
    assert effective_n_threads(None) >= 1


@pytest.mark.parametrize("loss", list(OBJECTIVES))
def test_every_way_of_running_the_tasks_gives_the_same_bits(loss):
    """1, 2 and 3 threads, and each phase's tasks run serially in shuffled
    orders, train bit-identical vectors. The batch (300 centers, blocks of
    64) has several tasks per phase, so the orders really differ."""
    objective_class, hyper = OBJECTIVES[loss]
    import skw2v._negative_corpus as negative
    import skw2v._softmax as softmax

    runs = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(softmax, "CENTER_BLOCK", 64)
        patch.setattr(softmax, "WORD_BLOCK", 8)
        patch.setattr(negative, "CENTER_BLOCK", 64)
        for pool in [Pool(1), Pool(2), Pool(3), ShuffledPool(0), ShuffledPool(1)]:
            with pool if isinstance(pool, Pool) else _closing(pool):
                _, w_in, objective = toy_training(
                    objective_class, pool, batch_size=300, epochs=2, sample=1e-2, **hyper
                )
            runs.append((w_in, objective.output_vectors()))
    for w_in, w_out in runs[1:]:
        np.testing.assert_array_equal(w_in, runs[0][0])
        np.testing.assert_array_equal(w_out, runs[0][1])
    assert np.abs(runs[0][0]).max() > 0.1  # it trained


class _closing:
    def __init__(self, pool):
        self.pool = pool

    def __enter__(self):
        return self.pool

    def __exit__(self, *exc):
        self.pool.close()


def _fit(params, docs):
    vectorizer = SkipGramVectorizer(**params).fit(docs)
    return vectorizer.word_vectors_, vectorizer.context_vectors_, vectorizer.transform(docs[:50])


@pytest.mark.parametrize("loss", ["softmax", "negative"])
def test_any_n_jobs_gives_bit_identical_vectors(topic_corpus, loss):
    docs, _, _ = topic_corpus
    params = dict(vector_size=16, min_count=1, epochs=2, sample=1e-3, loss=loss,
                  batch_size=700, random_state=0)
    reference = _fit({**params, "n_jobs": 1}, docs)
    for n_jobs in (2, 3, -1, None):
        for mine, theirs in zip(_fit({**params, "n_jobs": n_jobs}, docs), reference):
            np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("loss", ["softmax", "negative"])
def test_a_fit_in_a_worker_process_equals_the_fit_here(topic_corpus, loss):
    """GridSearchCV(n_jobs=2) fits in worker processes whose BLAS joblib
    limits to one thread, then refits the best model here with all of them:
    with the default n_jobs=None both must give the same vectors."""
    docs, _, _ = topic_corpus
    params = dict(vector_size=16, min_count=1, epochs=2, sample=1e-3, loss=loss, random_state=0)
    here = _fit(params, docs)
    (there,) = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(_fit)(params, docs) for _ in range(1)
    )
    for mine, theirs in zip(here, there):
        np.testing.assert_array_equal(mine, theirs)


def test_weighted_blocks_respect_both_bounds_and_cover_every_item():
    rng = np.random.RandomState(0)
    sizes = rng.randint(0, 50, size=500)
    sizes[[7, 300]] = 400  # items larger than max_size: blocks of their own
    bounds = weighted_blocks(sizes, max_items=16, max_size=120)
    assert bounds[0] == 0 and bounds[-1] == len(sizes)
    lengths = np.diff(bounds)
    assert lengths.min() >= 1 and lengths.max() <= 16
    for begin, stop in zip(bounds[:-1], bounds[1:]):
        assert stop - begin == 1 or sizes[begin:stop].sum() <= 120
        # Greedy: the next item would not have fitted.
        if stop < len(sizes) and stop - begin < 16:
            assert sizes[begin:stop + 1].sum() > 120
    assert {7, 8, 300, 301} <= set(bounds.tolist())
    np.testing.assert_array_equal(weighted_blocks(sizes, 16), blocks(len(sizes), 16))
