"""
======================================
The same grid search on a Dask cluster
======================================

``GridSearchCV`` runs its fits through joblib, and joblib can hand them to a
Dask cluster: ``with joblib.parallel_backend("dask"):`` is all it takes to
spread a search over many machines. Here the cluster is a ``LocalCluster``
of two worker processes on this machine; for a real cluster, connect the
``Client`` to its scheduler address instead.

Each candidate trains with ``n_jobs=1`` (one thread per fit: the cluster
provides the parallelism), and with a fixed ``random_state`` the results
equal the sequential search's exactly.
"""

# %%
import joblib
from dask.distributed import Client, LocalCluster
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_example_corpus

documents, labels, _, description = load_example_corpus(n_documents=300)
documents, labels = documents[:300], labels[:300]
pipeline = make_pipeline(
    SkipGramVectorizer(vector_size=20, min_count=2, max_features=3000, n_jobs=1, random_state=0),
    LogisticRegression(max_iter=1000),
)
grid = {"skipgramvectorizer__window": [2, 5], "skipgramvectorizer__learning_rate": [0.005, 0.05]}

if __name__ == "__main__":  # worker processes re-import this script
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        print(client)
        with joblib.parallel_backend("dask"):
            on_dask = GridSearchCV(pipeline, grid, cv=3).fit(documents, labels)
    sequential = GridSearchCV(pipeline, grid, cv=3).fit(documents, labels)

    for params, a, b in zip(on_dask.cv_results_["params"],
                            on_dask.cv_results_["mean_test_score"],
                            sequential.cv_results_["mean_test_score"]):
        print(f"{params}: dask {a:.4f}, sequential {b:.4f}")
    same = (on_dask.cv_results_["mean_test_score"] == sequential.cv_results_["mean_test_score"]).all()
    print("identical results:", bool(same))
