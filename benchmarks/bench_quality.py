"""Vector quality against gensim at two corpus sizes, and how it moves with the passes.

For each corpus (``--sizes``): ``small`` is ``wiki30m.txt`` (5M tokens, in
10,000-word pieces); ``large`` adds the distinct ``enwiki-articles.txt.gz``
(one article per document; 40M tokens in all); a number ``N`` is the first
``N`` tokens of that sequence (distinct text at every size). On each, in a fresh
subprocess (so that time and peak memory are each system's own):

* gensim ``Word2Vec(sg=1, negative=5)`` in its fastest, streaming
  ``corpus_file`` mode (the file is written beforehand, untimed);
* ``SkipGramVectorizer(solver=...)`` for each solver of ``--solvers``
  (``counts``, ``pairs``, ``auto``: the row says what it chose) and each loss of ``--losses`` it takes, at each
  number of passes (epochs) of ``--passes`` (the counts and the spectral
  start come from a ``memory`` cache after the first fit, so the later rows
  time the passes; with one row, no cache: the fit is timed from nothing), and
  the spectral start alone (``--passes 0``: a rate of 1e-9).

Printed: analogy accuracy (30,000 most frequent words), Spearman correlation
on WordSim-353, MEN and SimLex-999, the time and the peak memory. All share
vector_size 100, window 5, min_count 5, 2 threads, the same tokens (split on
whitespace) and so the same vocabulary. The subsampling threshold is each
system's default (skw2v 1e-4, gensim 1e-3) unless ``--sample`` sets both, or
``--gensim-sample`` gensim's alone. Until 2026-12-07 both ran at 1e-3 unless
told otherwise: add ``--sample 1e-3`` to repeat the design page's tables of
before that day that give no ``--sample``.

Usage::

    pip install ".[benchmarks]"
    python benchmarks/bench_quality.py ../shared/data [--sizes small large] [--passes 0 1 5 15] \
        [--solvers counts pairs] [--repeat 2] [--sample 1e-4] [--gensim-sample 1e-4]
    python benchmarks/bench_quality.py ../shared/data --sizes 250000 1000000 2500000 small \
        --solvers counts pairs --passes 5
"""

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

PIECE = 10_000
SETTINGS = dict(vector_size=100, window=5, min_count=5)
# gensim's default, and skw2v's until 2026-12-07: bench_expected_loss and
# bench_pair_sampling import it as the threshold their recorded figures used.
GENSIM_SAMPLE = 1e-3
SCORES = [("analogy", "questions-words.txt"), ("WordSim-353", "wordsim353.tsv"),
          ("MEN", "men3000.tsv"), ("SimLex-999", "simlex999.tsv")]


def documents(data, size):
    """The corpus as token lists: ``"small"``, ``"large"``, or the first ``int(size)`` tokens."""
    limit = None if size in ("small", "large") else int(size)
    with open(os.path.join(data, "wiki30m.txt"), encoding="utf-8") as handle:
        words = handle.read().split()[:limit]
    docs = [words[i : i + PIECE] for i in range(0, len(words), PIECE)]
    left = None if limit is None else limit - len(words)
    if size == "large" or (left is not None and left > 0):
        with gzip.open(os.path.join(data, "enwiki-articles.txt.gz"), "rt", encoding="utf-8") as handle:
            for line in handle:
                if left is not None and left <= 0:
                    break
                doc = line.split()[:left]
                if doc:
                    docs.append(doc)
                    left = None if left is None else left - len(doc)
    return docs


def size_argument(text):
    """``small``, ``large`` or a positive number of tokens."""
    if text in ("small", "large") or (text.isdigit() and int(text) > 0):
        return text
    raise argparse.ArgumentTypeError(f"expected small, large or a number of tokens, got {text!r}")


def scores(data, words, vectors):
    from skw2v import WordVectors

    wv = WordVectors(words, vectors)
    out = {"analogy": wv.evaluate_word_analogies(os.path.join(data, SCORES[0][1]))["accuracy"]}
    for name, path in SCORES[1:]:
        out[name] = wv.evaluate_word_pairs(os.path.join(data, path))["spearman"]
    return out


def worker(args):
    docs_or_file = args.corpus_file
    tic = time.perf_counter()
    if args.system == "gensim":
        from gensim.models import Word2Vec

        model = Word2Vec(corpus_file=docs_or_file, sg=1, hs=0, negative=5, epochs=5, workers=2,
                         seed=0, **settings(args, "gensim"))
        words, vectors = model.wv.index_to_key, model.wv.vectors
        seconds = time.perf_counter() - tic
        chosen = None
    else:
        from skw2v import SkipGramVectorizer

        docs = documents(args.data, args.size)
        tic = time.perf_counter()
        frozen = dict(learning_rate=1e-9, min_learning_rate=1e-9) if args.passes == 0 else {}
        vectorizer = SkipGramVectorizer(
            **settings(args), **frozen, loss=args.system, solver=args.solver, epochs=max(args.passes, 1),
            analyzer=list, n_jobs=2, random_state=0, memory=args.memory or None,
        ).fit(docs)
        seconds = time.perf_counter() - tic
        words, vectors = vectorizer.wv_.words, vectorizer.word_vectors_
        chosen = vectorizer.solver_
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "vocabulary": len(words), "solver": chosen,
                      **scores(args.data, words, vectors)}))


def settings(args, system="skw2v"):
    """The shared settings, with the subsampling threshold of ``system``
    (``"gensim"`` or any other for skw2v): ``--sample``, else
    ``--gensim-sample`` for gensim, else the system's default."""
    if system == "gensim":
        return {**SETTINGS, "sample": args.gensim_sample}
    return SETTINGS if args.sample is None else {**SETTINGS, "sample": args.sample}


def run(args, size, system, corpus_file, memory, passes=5, solver="counts"):
    command = [sys.executable, __file__, args.data, "--worker", "--size", size, "--system", system,
               *(["--sample", repr(args.sample)] if args.sample is not None else []),
               "--gensim-sample", repr(args.gensim_sample),
               "--corpus-file", corpus_file, "--memory", memory, "--run-passes", str(passes),
               "--solver", solver]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{system} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    parser.add_argument("--sizes", nargs="+", default=["small", "large"], type=size_argument,
                        help="small, large, or a number of tokens (default: small large)")
    parser.add_argument("--losses", default="negative,softmax")
    parser.add_argument("--passes", type=int, nargs="+", default=[0, 1, 5, 15])
    parser.add_argument("--solvers", nargs="+", default=["counts"], choices=["counts", "pairs", "auto"])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each row (the spread)")
    parser.add_argument("--skip-gensim", action="store_true")
    parser.add_argument("--sample", type=float,
                        help="subsampling threshold of both systems (default: each system's own)")
    parser.add_argument("--gensim-sample", type=float,
                        help=f"gensim's subsampling threshold (default: --sample, else {GENSIM_SAMPLE:g})")
    parser.add_argument("--solver", help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    parser.add_argument("--system", help=argparse.SUPPRESS)
    parser.add_argument("--corpus-file", help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    parser.add_argument("--run-passes", dest="passes_one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gensim_sample is None:
        args.gensim_sample = GENSIM_SAMPLE if args.sample is None else args.sample
    if args.worker:
        args.passes = args.passes_one
        return worker(args)
    from bench_solvers import _cpu

    from skw2v import SkipGramVectorizer

    sample = SkipGramVectorizer().sample if args.sample is None else args.sample
    print(f"machine: {_cpu()}; {settings(args)}, skw2v sample {sample:g}, gensim sample "
          f"{args.gensim_sample:g}, 2 threads; gensim 5 epochs", flush=True)
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus_file = os.path.join(tmp, "corpus.txt")
            n_tokens = 0
            with open(corpus_file, "w", encoding="utf-8") as handle:
                for doc in documents(args.data, size):
                    n_tokens += len(doc)
                    handle.write(" ".join(doc) + "\n")
            rows = []
            for _ in range(args.repeat):
                if not args.skip_gensim:
                    rows.append(("gensim sg neg5, 5 epochs", run(args, size, "gensim", corpus_file, tmp)))
                for solver in args.solvers:
                    for loss in args.losses.split(","):
                        # a cache only where rows share the counts and the start: a single
                        # row is timed from nothing, as a user's one fit
                        shared = len(args.passes) > 1
                        memory = os.path.join(tmp, f"cache-{solver}-{loss}") if shared else ""
                        for passes in args.passes:
                            if solver != "counts" and passes == 0:
                                continue
                            result = run(args, size, loss, corpus_file, memory, passes, solver)
                            chose = f" ({result['solver']})" if solver == "auto" else ""
                            label = f"{solver}{chose} {loss}, " + (f"{passes} passes" if passes else "spectral start")
                            rows.append((label, result))
            print(f"\n== {size}: {n_tokens:,} tokens, vocabulary {rows[0][1]['vocabulary']:,}", flush=True)
            names = [name for name, _ in SCORES]
            print(f"{'':38s}" + "".join(f"{n:>12s}" for n in names) + f"{'time, s':>10s}{'peak MB':>9s}")
            for label, r in rows:
                print(f"{label:38s}" + "".join(f"{r[n]:12.4f}" for n in names)
                      + f"{r['seconds']:10.1f}{r['peak_mb']:9.0f}", flush=True)


if __name__ == "__main__":
    main()
