"""fit, transform and score on Dask collections, on a LocalCluster of worker processes.

The counting passes run on the workers; the vectors must be those of the
same documents fitted from a list on one machine, bit for bit.
"""

import os

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")
import dask.bag as db  # noqa: E402

from skw2v import SkipGramVectorizer  # noqa: E402
from skw2v.datasets import make_topic_corpus  # noqa: E402

DOCS, _ = make_topic_corpus(n_documents=240, document_length=(5, 40), random_state=3)
FAST = dict(vector_size=8, min_count=2, epochs=2, sample=1e-2, random_state=0, n_jobs=1)
FITTED = ("word_vectors_", "context_vectors_", "word_counts_", "idf_", "sif_component_",
          "loss_curve_")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def local():
    return {
        solver: SkipGramVectorizer(**FAST, **params).fit(DOCS)
        for solver, params in [("counts", {}), ("pairs", {"solver": "pairs", "loss": "negative"})]
    }


def bag_of(documents, npartitions):
    """``documents`` in a Bag of exactly ``npartitions`` partitions (the last may be shorter)."""
    bag = db.from_sequence(documents, partition_size=-(-len(documents) // npartitions))
    assert bag.npartitions == npartitions
    return bag


def assert_same_fit(a, b):
    assert a.vocabulary_ == b.vocabulary_
    for name in FITTED:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_fit_on_a_bag_equals_the_fit_on_the_list(client, local, npartitions):
    bag = bag_of(DOCS, npartitions)
    assert_same_fit(SkipGramVectorizer(**FAST).fit(bag), local["counts"])


def test_pairs_solver_and_the_tasks_run_on_the_workers(client, local):
    bag = bag_of(DOCS, 3)
    with distributed.get_task_stream(client) as tasks:
        fitted = SkipGramVectorizer(**FAST, solver="pairs", loss="negative").fit(bag)
    assert_same_fit(fitted, local["pairs"])
    names = {str(task["key"]) for task in tasks.data}
    for stage in ("count-words", "count-pairs", "sif-statistics"):
        assert sum(stage in name for name in names) >= 3, stage  # one task per partition, at least


def test_the_count_matrix_reaches_the_client_in_blocks_of_entries(client, local, monkeypatch):
    from skw2v import _dask

    monkeypatch.setattr(_dask, "RECEIVE_BLOCK_BYTES", 8 * 997)  # 997 entries a block, the last shorter
    with distributed.get_task_stream(client) as tasks:
        fitted = SkipGramVectorizer(**FAST).fit(bag_of(DOCS, 3))
    assert_same_fit(fitted, local["counts"])
    blocks = sorted(int(str(task["key"]).rsplit("-", 1)[1]) for task in tasks.data
                    if "count-pairs" in str(task["key"]) and "-entries-" in str(task["key"]))
    assert len(blocks) > 1 and blocks == list(range(len(blocks)))


@pytest.mark.parametrize("block_entries", [1, 7, 10_000])
def test_received_counts_equal_the_workers_counts(client, block_entries, monkeypatch):
    import dask
    import scipy.sparse as sp

    from skw2v import _dask

    monkeypatch.setattr(_dask, "RECEIVE_BLOCK_BYTES", 8 * block_entries)
    counts = sp.random(40, 40, density=0.2, format="csr", dtype=np.float32, random_state=0)
    frequency = np.arange(40)
    finished = dask.delayed(lambda: (counts, frequency, 123, True))()
    (received, *rest), size = _dask._receive_counts(finished, "test-receive")
    assert (received != counts).nnz == 0 and received.dtype == counts.dtype
    np.testing.assert_array_equal(received.indptr, counts.indptr)
    np.testing.assert_array_equal(rest[0], frequency)
    assert rest[1:] == [123, True]
    assert size >= counts.data.nbytes + counts.indices.nbytes


def test_the_vocabulary_travels_as_its_words():
    import pickle

    from skw2v._dask import _Rows

    rows = _Rows(["b", "a", "c"])
    assert rows.rows == {"b": 0, "a": 1, "c": 2}
    assert rows.__reduce__() == (_Rows, (["b", "a", "c"],))
    assert pickle.loads(pickle.dumps(rows)).rows == rows.rows


def test_entry_blocks_cover_every_entry_once():
    from skw2v._dask import _entry_blocks

    assert _entry_blocks(0, 64) == []
    assert _entry_blocks(16, 64) == [slice(0, 8), slice(8, 16)]
    assert _entry_blocks(17, 64) == [slice(0, 8), slice(8, 16), slice(16, 17)]
    assert _entry_blocks(3, 1) == [slice(0, 1), slice(1, 2), slice(2, 3)]  # never empty blocks


def test_auto_solver_chooses_by_the_words_counted_on_the_workers(client, local, monkeypatch):
    from skw2v import _registry

    monkeypatch.setattr(_registry, "PAIRS_FROM_TOKENS", int(local["pairs"].word_counts_.sum()))
    fitted = SkipGramVectorizer(**FAST, loss="negative").fit(bag_of(DOCS, 3))
    assert fitted.solver_ == "pairs"
    assert_same_fit(fitted, local["pairs"])


def test_fit_on_a_dask_dataframe_series(client, local):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_pandas(pd.DataFrame({"text": DOCS}), npartitions=4)
    assert_same_fit(SkipGramVectorizer(**FAST).fit(frame["text"]), local["counts"])
    with pytest.raises(ValueError, match=r"ddf\['text'\]"):
        SkipGramVectorizer(**FAST).fit(frame)


def test_transform_fit_transform_and_score_of_a_bag(client, local):
    import dask.array as da

    bag = bag_of(DOCS, 5)
    fitted = local["counts"]
    features = fitted.transform(bag)
    assert isinstance(features, da.Array) and features.numblocks[0] == 5
    np.testing.assert_array_equal(features.compute(), fitted.transform(DOCS))
    new = SkipGramVectorizer(**FAST)
    lazy = new.fit_transform(bag)
    assert isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.compute(), fitted.fit_transform(DOCS))
    np.testing.assert_allclose(fitted.score(bag), fitted.score(DOCS), rtol=1e-6)


def dense(features):
    return features.toarray() if hasattr(features, "toarray") else features


def test_sample_for_a_pooling_that_reads_documents(client):
    """SCDV's clusters are fitted on a keyed sample of the documents: the
    same documents whichever partition holds them."""
    bag = bag_of(DOCS, 3)
    params = dict(FAST, pooling="scdv", scdv_clusters=3)
    on_dask = SkipGramVectorizer(**params).fit(bag)
    in_memory = SkipGramVectorizer(**params).fit(DOCS)
    np.testing.assert_array_equal(dense(on_dask.transform(DOCS)), dense(in_memory.transform(DOCS)))


def test_partial_fit_on_bags(client):
    first, second = DOCS[:120], DOCS[120:]
    on_dask = SkipGramVectorizer(**FAST)
    on_dask.partial_fit(bag_of(first, 2))
    on_dask.partial_fit(bag_of(second, 3))
    in_memory = SkipGramVectorizer(**FAST).partial_fit(first).partial_fit(second)
    assert_same_fit(on_dask, in_memory)


def _kill_once(document, marker):
    """Kill this worker process the first time any worker runs it."""
    try:
        descriptor = os.open(marker, os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return document
    os.close(descriptor)
    os._exit(1)


def test_a_worker_lost_while_counting_changes_nothing(client, local, tmp_path):
    marker = str(tmp_path / "killed")
    bag = bag_of(DOCS, 4).map(_kill_once, marker)
    fitted = SkipGramVectorizer(**FAST).fit(bag)
    assert os.path.exists(marker)  # a worker did die, and its tasks ran again
    assert_same_fit(fitted, local["counts"])
    client.wait_for_workers(2, timeout=60)


def test_an_undecodable_partition_is_named_and_nothing_is_fitted(client, local):
    documents = [d.encode() for d in DOCS]
    documents[100] = b"caf\xe9 " + documents[100]  # latin-1, not utf-8
    bag = bag_of(documents, 4)  # 60 documents a partition
    vectorizer = SkipGramVectorizer(**FAST)
    with pytest.raises(ValueError, match=r"Partition 1 .*Document 40 .*utf-8"):
        vectorizer.fit(bag)
    assert not hasattr(vectorizer, "word_vectors_")
    fitted = SkipGramVectorizer(**FAST).fit(DOCS)
    before = fitted.word_vectors_.copy()
    with pytest.raises(ValueError, match="Partition 1"):
        fitted.fit(bag)
    np.testing.assert_array_equal(fitted.word_vectors_, before)


def test_solvers_that_read_the_corpus_every_epoch_are_refused(client):
    bag = bag_of(DOCS, 2)
    with pytest.raises(ValueError, match="solver='counts' or\\s+solver='pairs'"):
        SkipGramVectorizer(**FAST, solver="sgd").fit(bag)
    with pytest.raises(TypeError, match="dask.bag.Bag"):
        import dask.array as da

        SkipGramVectorizer(**FAST).fit(da.from_array(np.array(DOCS, dtype=object), chunks=100))


def test_skw2v_imports_no_dask_until_given_a_dask_collection():
    import subprocess
    import sys

    code = (
        "import sys; from skw2v import SkipGramVectorizer; "
        "SkipGramVectorizer(vector_size=4, min_count=1, epochs=1).fit(['one two three', 'two three four']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'gensim')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
