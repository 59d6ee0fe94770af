"""GridSearchCV through joblib's dask backend on a LocalCluster of worker processes, and
fit on a Bag with Dask's local scheduler (no distributed Client)."""

import re

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")

import joblib  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skw2v import SkipGramVectorizer  # noqa: E402
from skw2v.datasets import make_topic_corpus  # noqa: E402


def test_grid_search_on_a_dask_cluster_equals_the_sequential_search():
    documents, labels = make_topic_corpus(
        n_documents=200, document_length=(8, 30), topic_purity=0.35, random_state=0
    )
    pipeline = make_pipeline(
        # n_jobs=1: the same thread count in every process, so bit-identical fits.
        SkipGramVectorizer(vector_size=10, min_count=2, epochs=3, n_jobs=1, random_state=0),
        LogisticRegression(max_iter=500),
    )
    grid = {"skipgramvectorizer__window": [2, 4], "skipgramvectorizer__learning_rate": [0.005, 0.05]}
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            on_dask = GridSearchCV(pipeline, grid, cv=3).fit(documents, labels)
        # All 12 fits (4 candidates x 3 folds) really ran on the cluster's workers.
        calls = [re.match(r"batch_of__fit_and_score_(\d+)_calls", str(task["key"]))
                 for task in tasks.data]
        assert sum(int(m.group(1)) for m in calls if m) == 12
        assert {task["worker"] for task in tasks.data} <= set(client.scheduler_info()["workers"])
    sequential = GridSearchCV(pipeline, grid, cv=3).fit(documents, labels)
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_array_equal(on_dask.cv_results_[key], sequential.cv_results_[key])
    assert on_dask.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(
        on_dask.best_estimator_[0].word_vectors_, sequential.best_estimator_[0].word_vectors_
    )


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_fit_on_a_bag_with_dasks_local_scheduler_equals_the_fit_on_the_list(scheduler):
    """Without a distributed Client, Dask's local scheduler runs the passes
    (the count matrix computed in one piece): the same fit, bit for bit."""
    import dask
    import dask.bag as db

    from skw2v._dask import _client

    assert _client() is None
    documents, _ = make_topic_corpus(n_documents=120, document_length=(5, 30), random_state=4)
    params = dict(vector_size=8, min_count=2, epochs=2, sample=1e-2, random_state=0, n_jobs=1)
    on_list = SkipGramVectorizer(**params).fit(documents)
    with dask.config.set(scheduler=scheduler):
        on_bag = SkipGramVectorizer(**params).fit(db.from_sequence(documents, npartitions=3))
    assert on_bag.vocabulary_ == on_list.vocabulary_
    for name in ("word_vectors_", "context_vectors_", "idf_", "sif_component_"):
        np.testing.assert_array_equal(getattr(on_bag, name), getattr(on_list, name), err_msg=name)
