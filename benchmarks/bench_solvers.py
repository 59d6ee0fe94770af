"""The two solvers against each other and against gensim, on the same corpus, in one run.

For each loss, trains (each in a fresh subprocess, so peak memory is each
model's own):

* ``SkipGramVectorizer(solver="sgd")`` and ``SkipGramVectorizer(solver="counts")``
  (with ``--init``, default spectral), and gensim ``Word2Vec(sg=1, negative=5)``
  for negative sampling (gensim has no full softmax; its hierarchical softmax
  is bench_gensim.py's business), at the full vocabulary;
* SGD as word2vec trains (``init="random"``) and from the spectral start;
* for the softmax, SGD at the full vocabulary costs hours, so both solvers
  also train at ``--softmax-vocab`` words (default 10,000), at the first
  scale only: the same vocabulary for the speed comparison.

All see the same documents (the corpus cut into 10,000-word pieces; the last
5% of pieces held out): vector_size 100, window 5, sample 1e-3, min_count 5,
5 epochs (passes for the counts solver), 2 threads. Printed for each:
tokenization, counting (the co-occurrence counts and the spectral start),
training and total time, words/s, analogy accuracy (30,000 most frequent
words), WordSim-353 Spearman, held-out score (mean log-probability of the
held-out context words under the full softmax of the trained input and
output vectors; gensim's from its ``syn1neg``), and peak memory (with the
high-water mark before fitting, after reading the stream once to count its
pieces, and at the end of each stage of the counts solver). With
``--scales 1 4`` (the default) everything runs again on the training pieces
streamed four times, to show that the counts solver's time after counting
stays flat while the SGD solvers' grows.

Usage::

    pip install ".[benchmarks]"
    python benchmarks/bench_solvers.py ../shared/data [--scales 1 4] [--losses negative,softmax]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

PIECE = 10_000
HELD_OUT = 0.05
SETTINGS = dict(vector_size=100, window=5, sample=1e-3, min_count=5, epochs=5)


class Pieces:
    """The corpus as 10,000-word token lists, streamed from disk on every
    iteration (never held whole, so peak memory is the model's own): the
    training pieces ``repeat`` times, or the held-out pieces."""

    def __init__(self, path, part, repeat=1):
        self.path, self.part, self.repeat = path, part, repeat
        n_pieces = sum(1 for _ in self._all())
        self.cut = n_pieces - max(1, int(round(HELD_OUT * n_pieces)))

    def _all(self):
        tail = ""
        with open(self.path, encoding="utf-8") as handle:
            while block := handle.read(1 << 22):
                words = (tail + block).split(" ")
                tail = words.pop()
                while len(words) >= PIECE:
                    yield [w for w in words[:PIECE] if w]
                    words = words[PIECE:]
                tail = " ".join(words + [tail]) if words else tail
        if tail.split():
            yield tail.split()

    def __iter__(self):
        for _ in range(self.repeat if self.part == "train" else 1):
            for index, piece in enumerate(self._all()):
                if (index < self.cut) == (self.part == "train"):
                    yield piece


def worker(args):
    """Train one configuration; print one JSON line of figures."""
    from skw2v import SkipGramVectorizer, WordVectors
    from skw2v._parallel import Pool
    from skw2v._scoring import log_likelihood

    path = os.path.join(args.data, "wiki30m.txt")
    train, held_out = Pieces(path, "train", args.scale), Pieces(path, "held-out")
    n_tokens = sum(map(len, train))
    timings = {"peak before": _peak_mb()}
    tic = time.perf_counter()
    if args.library == "gensim":
        from gensim.models import Word2Vec

        model = Word2Vec(
            train, sg=1, hs=0, negative=5, workers=2, seed=0, **{
                k: v for k, v in SETTINGS.items() if k != "epochs"}, epochs=SETTINGS["epochs"],
        )
        wv = WordVectors(model.wv.index_to_key, model.wv.vectors)
        output = model.syn1neg
    else:
        vectorizer = SkipGramVectorizer(
            **SETTINGS, loss=args.loss, solver=args.solver, init=args.init,
            max_features=args.max_features, analyzer=list, n_jobs=2, random_state=0, verbose=2,
        )
        _capture_stages(vectorizer, timings)
        vectorizer.fit(train)
        wv = vectorizer.wv_
        output = vectorizer.context_vectors_
    seconds = time.perf_counter() - tic
    peak = _peak_mb()
    # Every model is scored by the same code, on the same held-out pieces.
    from skw2v._vocab import encode

    corpus = encode(held_out, wv.index)
    with Pool(2) as pool:
        total, n_pairs = log_likelihood(corpus, wv.vectors, np.ascontiguousarray(output), 5, pool)
    analogies = wv.evaluate_word_analogies(os.path.join(args.data, "questions-words.txt"))
    pairs = wv.evaluate_word_pairs(os.path.join(args.data, "wordsim353.tsv"))
    print(json.dumps({
        "seconds": seconds, "tokens": n_tokens, "words_per_second": n_tokens * SETTINGS["epochs"] / seconds,
        "vocabulary": len(wv), "analogy": analogies["accuracy"], "wordsim": pairs["spearman"],
        "held_out": total / n_pairs, "peak_mb": peak, **timings,
    }))


def _peak_mb():
    """The process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _capture_stages(vectorizer, timings):
    """Record the stage timings that verbose=2 reports (without printing them),
    and the peak memory at the end of each stage."""
    import skw2v._progress as progress

    def stage(self, what, seconds, level=2):
        key = what.split(" (")[0]
        timings[key] = timings.get(key, 0.0) + seconds
        timings["peak " + key] = _peak_mb()

    progress.Progress.stage = stage
    progress.Progress.message = lambda self, text, level=1: None
    progress.Progress.batch = lambda self, *args: None
    progress.Progress.epoch = lambda self, *args: None


def run(args, library, loss=None, solver=None, max_features=None, scale=1, init=None):
    command = [
        sys.executable, __file__, args.data, "--worker", "--library", library,
        "--loss", str(loss), "--solver", str(solver), "--init", init or args.init,
        "--max-features", str(max_features or 0), "--scale", str(scale),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{library} {loss} {solver} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


ROWS = [
    ("analogy accuracy", "analogy", "{:.4f}"),
    ("WordSim-353 Spearman", "wordsim", "{:.4f}"),
    ("held-out score", "held_out", "{:.4f}"),
    ("tokenization + vocabulary, s", "tokenization and vocabulary", "{:.1f}"),
    ("co-occurrence counts, s", "co-occurrence counts", "{:.1f}"),
    ("spectral start, s", "spectral start", "{:.1f}"),
    ("total time, s", "seconds", "{:.1f}"),
    ("words/s (5 epochs)", "words_per_second", "{:,.0f}"),
    ("peak memory, MB", "peak_mb", "{:,.0f}"),
    ("  before fitting", "peak before", "{:,.0f}"),
    ("  after tokenization", "peak tokenization and vocabulary", "{:,.0f}"),
    ("  after counting", "peak co-occurrence counts", "{:,.0f}"),
    ("  after spectral start", "peak spectral start", "{:,.0f}"),
    ("vocabulary", "vocabulary", "{:,}"),
]


def table(title, columns):
    print(f"\n== {title}")
    names = list(columns)
    print(f"{'':30s}" + "".join(f"{n:>16s}" for n in names))
    for label, key, fmt in ROWS:
        cells = [fmt.format(c[key]) if key in c else "-" for c in columns.values()]
        print(f"{label:30s}" + "".join(f"{cell:>16s}" for cell in cells))
    return columns


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4],
                        help="stream the training pieces this many times (1 4: the corpus and 4x it)")
    parser.add_argument("--losses", default="negative,softmax")
    parser.add_argument("--init", default="spectral", help="init of the counts solver")
    parser.add_argument("--softmax-vocab", type=int, default=10_000)
    parser.add_argument("--skip-sgd-softmax", action="store_true", help="leave out SGD at the capped vocabulary")
    parser.add_argument("--skip-sgd", action="store_true",
                        help="leave out the SGD columns of negative sampling (a rerun after a change "
                             "to the counts solver only: the counts solver and gensim, in one run)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--library", help=argparse.SUPPRESS)
    parser.add_argument("--loss", help=argparse.SUPPRESS)
    parser.add_argument("--solver", help=argparse.SUPPRESS)
    parser.add_argument("--max-features", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.max_features = args.max_features or None
        worker(args)
        return
    print(f"machine: {_cpu()}; settings {SETTINGS}, 2 threads; init={args.init!r} for the counts solver")
    for scale in args.scales:
        for loss in args.losses.split(","):
            columns = {}
            columns["counts"] = run(args, "skw2v", loss, "counts", scale=scale)
            if loss == "negative":
                if not args.skip_sgd:
                    columns["sgd"] = run(args, "skw2v", loss, "sgd", scale=scale, init="random")
                    columns["sgd spectral"] = run(args, "skw2v", loss, "sgd", scale=scale, init="spectral")
                columns["gensim"] = run(args, "gensim", scale=scale)
            title = f"loss={loss!r}, {columns['counts']['tokens']:,} training tokens"
            table(title, {k: v for k, v in columns.items() if v})
            if loss == "negative":
                g = columns["gensim"]
                for name in [name for name in ("counts", "sgd", "sgd spectral") if name in columns]:
                    c = columns[name]
                    print(f"{name} vs gensim: {g['seconds'] / c['seconds']:.2f}x faster, analogy "
                          f"{c['analogy'] - g['analogy']:+.4f}, WordSim {c['wordsim'] - g['wordsim']:+.4f}")
            if loss == "softmax" and not args.skip_sgd_softmax and scale == args.scales[0]:
                capped = {
                    "counts": run(args, "skw2v", loss, "counts", args.softmax_vocab, scale),
                    "sgd": run(args, "skw2v", loss, "sgd", args.softmax_vocab, scale, init="random"),
                }
                table(f"loss='softmax' at {args.softmax_vocab:,} words", capped)
                c, s = capped["counts"], capped["sgd"]
                print(f"counts vs sgd at the same vocabulary: {s['seconds'] / c['seconds']:.1f}x faster, "
                      f"analogy {c['analogy'] - s['analogy']:+.4f}, WordSim {c['wordsim'] - s['wordsim']:+.4f}, "
                      f"held-out {c['held_out'] - s['held_out']:+.4f}")


def _cpu():
    try:
        with open("/proc/cpuinfo") as handle:
            info = handle.read()
        model = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name"))
        family = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("cpu family"))
        number = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model\t"))
        return f"{model} (family {family}, model {number}), {os.cpu_count()} CPUs"
    except (OSError, StopIteration):
        return "unknown"


if __name__ == "__main__":
    main()
