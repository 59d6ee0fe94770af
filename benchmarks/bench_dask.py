"""fit on a Dask cluster against the same fit on one machine, on the same files.

The corpus: ``wiki30m.txt`` (in 10,000-word lines) and the distinct articles
of ``enwiki-articles.txt.gz`` (one per line), about 40M tokens, repeated
until it holds ``--tokens`` tokens, written (untimed) one document per line
into ``--files`` files. Each system runs in a fresh process:

* ``dask``: a ``LocalCluster`` of 2 worker processes (1 thread each) and
  ``SkipGramVectorizer(...).fit(dask.bag.read_text(files))``: one partition
  per file, counted on the workers;
* ``local``: the same estimator with ``n_jobs=2`` fitted on a one-shot
  generator of the same files' lines, in the same order.

Printed: each pass's time (from ``verbose``), the whole fit's, the ratio of
the two, the client's peak resident memory (it hosts the scheduler too) and
each worker's, what travelled to the client, the count matrix's size, and
whether the vectors are bit-identical. Both fits: vector_size 100, window 5,
min_count 5, sample 1e-3, ``loss="negative"``, ``solver="counts"``,
``random_state=0``.

Usage::

    pip install ".[benchmarks]"
    python benchmarks/bench_dask.py ../shared/data [--tokens 100000000] [--files 16] [--runs 2]
"""

import argparse
import contextlib
import gzip
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

PIECE = 10_000
SETTINGS = dict(vector_size=100, window=5, min_count=5, sample=1e-3, loss="negative",
                solver="counts", random_state=0, verbose=2)


def write_corpus(data, tokens, n_files, directory):
    """The corpus's lines spread over ``n_files`` files in order; returns the paths and tokens."""
    import numpy as np

    with open(os.path.join(data, "wiki30m.txt"), encoding="utf-8") as handle:
        words = handle.read().split()
    lines = [" ".join(words[i : i + PIECE]) for i in range(0, len(words), PIECE)]
    del words
    with gzip.open(os.path.join(data, "enwiki-articles.txt.gz"), "rt", encoding="utf-8") as handle:
        lines += [line.strip() for line in handle if line.strip()]
    sizes = [line.count(" ") + 1 for line in lines]
    repeats = -(-tokens // sum(sizes))
    everything = lines * repeats
    if repeats == 1:  # fewer tokens than the corpus: its first lines
        everything = everything[: int(np.searchsorted(np.cumsum(sizes), tokens)) + 1]
        sizes = sizes[: len(everything)]
    per_file = -(-len(everything) // n_files)
    paths = []
    for index in range(n_files):
        path = os.path.join(directory, f"part-{index:03d}.txt")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in everything[index * per_file : (index + 1) * per_file])
        paths.append(path)
    return paths, sum(sizes) * repeats


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def task_seconds(tasks):
    """``{kind: [compute seconds, transfer seconds]}`` summed over the tasks,
    by kind: each pass's map tasks and its reduction tasks."""
    totals = {}
    for task in tasks:
        key = str(task["key"])
        match = re.match(r"\(?'?skw2v-([a-z-]+?)-[0-9a-f]{8}(-encode|-reduce|-finish)?", key)
        kind = (match.group(1) + (match.group(2) or " map")) if match else "reading"
        entry = totals.setdefault(kind, [0.0, 0.0])
        for step in task["startstops"]:
            entry[0 if step["action"] == "compute" else 1] += step["stop"] - step["start"]
    return totals


def _lines(paths):
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            yield from handle


def child(system, paths, out):
    import numpy as np

    from skw2v import SkipGramVectorizer

    log = io.StringIO()
    result = {}
    if system == "dask":
        import dask.bag as db
        from dask.distributed import Client, LocalCluster

        from dask.distributed import get_task_stream

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None, memory_limit=0) as cluster, Client(cluster) as client:
            bag = db.read_text(paths)
            tic = time.perf_counter()
            with contextlib.redirect_stdout(log), get_task_stream(client) as tasks:
                vectorizer = SkipGramVectorizer(**SETTINGS).fit(bag)
            result["fit_s"] = time.perf_counter() - tic
            result["tasks"] = task_seconds(tasks.data)
            result["partitions"] = bag.npartitions
            result["worker_peak_mb"] = sorted(
                v / 1024 for v in client.run(
                    lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values())
    else:
        tic = time.perf_counter()
        with contextlib.redirect_stdout(log):
            vectorizer = SkipGramVectorizer(**SETTINGS, n_jobs=2).fit(_lines(paths))
        result["fit_s"] = time.perf_counter() - tic
    result["peak_mb"] = _peak_mb()
    result["log"] = log.getvalue()
    result["vocabulary"] = len(vectorizer.vocabulary_)
    np.save(out + ".npy", vectorizer.word_vectors_)
    with open(out + ".json", "w") as handle:
        json.dump(result, handle)


def stages(log):
    """``{stage: seconds}`` from a verbose log's ``what: 12.3 s`` (or ``2 min 05 s``) lines."""
    found = {}
    pattern = r"\] ([^:\n]+?(?:\([^)]*\))?): (?:(\d+) min )?([\d.]+) s$"
    for what, minutes, seconds in re.findall(pattern, log, flags=re.MULTILINE):
        found[what.split(" (")[0]] = 60 * float(minutes or 0) + float(seconds)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data")
    parser.add_argument("--tokens", type=int, default=100_000_000)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        system, listing, out = args.child
        with open(listing) as handle:
            child(system, handle.read().split("\n"), out)
        return

    import numpy as np

    with tempfile.TemporaryDirectory(prefix="bench-dask-") as directory:
        paths, tokens = write_corpus(args.data, args.tokens, args.files, directory)
        listing = os.path.join(directory, "files.txt")
        with open(listing, "w") as handle:
            handle.write("\n".join(paths))
        print(f"{tokens:,} tokens in {len(paths)} files "
              f"({sum(os.path.getsize(p) for p in paths) / 1e9:.2f} GB)", flush=True)
        for run in range(args.runs):
            results, vectors = {}, {}
            for system in ("dask", "local"):
                out = os.path.join(directory, system)
                subprocess.run([sys.executable, __file__, args.data, "--child", system, listing, out],
                               check=True)
                with open(out + ".json") as handle:
                    results[system] = json.load(handle)
                vectors[system] = np.load(out + ".npy")
            dask_run, local_run = results["dask"], results["local"]
            print(f"\nrun {run + 1}: vocabulary {dask_run['vocabulary']:,}, "
                  f"{dask_run['partitions']} partitions")
            print("\n".join(line for line in dask_run["log"].splitlines()
                            if "Dask partitions" in line))
            for name, result in results.items():
                timed = stages(result["log"])
                print(f"{name:>5}: fit {result['fit_s']:.1f} s; peak RSS {result['peak_mb']:,.0f} MB; "
                      + "; ".join(f"{k} {v:.1f} s" for k, v in timed.items()))
            print("task seconds on the workers (compute, transfer), summed over tasks:")
            for kind, (compute, transfer) in sorted(dask_run["tasks"].items()):
                print(f"  {kind:<28} {compute:8.1f} {transfer:8.1f}")
            print(f"workers' peak RSS: {', '.join(f'{m:,.0f} MB' for m in dask_run['worker_peak_mb'])}")
            print(f"dask / local fit time: {dask_run['fit_s'] / local_run['fit_s']:.2f}")
            print(f"bit-identical vectors: {np.array_equal(vectors['dask'], vectors['local'])}",
                  flush=True)


if __name__ == "__main__":
    main()
