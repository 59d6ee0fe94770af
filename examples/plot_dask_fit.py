"""
===============================
Training on a Dask Bag of files
===============================

When the documents live in partitions on a cluster (text files read with
``dask.bag.read_text``, a column of a ``dask.dataframe``), hand the Dask
collection itself to ``fit``. The counting passes run on the workers, where
the partitions are; only the counts come back, and the vectors are trained
where ``fit`` was called. ``transform`` of a Dask collection is a lazy Dask
array, one block of rows per partition.

Here the cluster is a ``LocalCluster`` of two worker processes on this
machine, and the corpus is the shipped one written to four text files; for a
real cluster, connect the ``Client`` to its scheduler address and point
``read_text`` at files every worker can read. The vectors are the same, bit
for bit, as those of the same documents fitted from a list.
"""

# %%
import os
import tempfile

import dask.bag as db
import numpy as np
from dask.distributed import Client, LocalCluster
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_example_corpus

documents, labels, _, description = load_example_corpus(n_documents=600)
documents = [" ".join(d.split()) for d in documents]  # one document per line
print(description)

if __name__ == "__main__":  # worker processes re-import this script
    directory = tempfile.TemporaryDirectory(prefix="skw2v-example-")
    files = []
    for part in range(4):
        path = os.path.join(directory.name, f"part-{part}.txt")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in documents[part::4])
        files.append(path)
    in_file_order = [line for part in range(4) for line in documents[part::4]]
    labels_in_file_order = [label for part in range(4) for label in labels[part::4]]

    vectorizer = SkipGramVectorizer(vector_size=30, min_count=2, random_state=0, verbose=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        bag = db.read_text(files)  # one partition per file
        print(f"{bag.npartitions} partitions on {len(client.scheduler_info()['workers'])} workers")
        vectorizer.fit(bag)
        features = vectorizer.transform(bag)  # lazy: nothing computed yet
        print(features)
        X = features.compute()

    # %%
    # The same documents fitted from a list on this machine give the same vectors.
    in_memory = SkipGramVectorizer(vector_size=30, min_count=2, random_state=0).fit(in_file_order)
    print("identical vectors:", np.array_equal(vectorizer.word_vectors_, in_memory.word_vectors_))

    # %%
    # The features go to any classifier, as those of a list would.
    scores = cross_val_score(LogisticRegression(max_iter=1000), X, labels_in_file_order, cv=3)
    print(f"3-fold accuracy: {scores.mean():.3f}")
    directory.cleanup()
