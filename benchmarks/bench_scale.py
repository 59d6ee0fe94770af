"""Time and memory of fit as the corpus grows, against gensim's streaming mode.

The corpus at each scale of ``--scales`` (times ``--base`` tokens) is made
of the Wikipedia articles of ``enwiki-articles.txt.gz`` (one per line), in
order, as many as the scale needs; ``--repeat`` instead repeats the first
``--base`` tokens' articles, with ``min_count`` multiplied by the scale, so
that every scale has the same vocabulary and the same distinct pairs (the
flatness check). Each system runs in a fresh
process, given the corpus as it would be on a large machine:

* skw2v: ``SkipGramVectorizer(loss=..., solver=..., n_jobs=2)`` fitted
  on a one-shot generator of the file's lines (raw text, tokenized by fit);
  a system ``skw2v-LOSS-SOLVER`` names both, ``skw2v-LOSS`` leaves the
  solver at its default (``"auto"``: the row says what it chose);
* gensim: ``Word2Vec(corpus_file=..., sg=1, negative=5, workers=2,
  epochs=5)``, its fastest, streaming mode, on the same tokens written
  beforehand (untimed) one article per line.

Printed first: the memory a process holds once it has imported each
system's libraries (``from skw2v import SkipGramVectorizer``, which loads
its compiled kernels, ``from gensim.models import Word2Vec``), the floor
under any fit's peak. Then per
run: the time of each stage, the peak memory of the process
tree (resident set, and proportional set size, which counts the pages of
the shared libraries that worker processes share once; sampled every 50 ms),
the stage it came in and the part of it in processes other than the
fit's own (reading workers, and the resource trackers that their executor
starts, which stay for the life of the process), the count matrix's bytes,
and ratios against gensim at the same scale. All share vector_size 100,
window 5, min_count 5, sample 1e-3, 2 cores.

Usage::

    pip install ".[benchmarks]"
    python benchmarks/bench_scale.py ../shared/data [--scales 1 4 16] [--repeat] [--runs 2]
"""

import argparse
import contextlib
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

SETTINGS = dict(vector_size=100, window=5, sample=1e-3, min_count=5)
#: A line that ends a stage of a fit with ``verbose=2``: its name and its time.
STAGE_LINE = re.compile(r"\[SkipGramVectorizer\] ([a-z -]+?)(?: \(.*\))?: "
                        r"(?:(\d+) h )?(?:(\d+) min )?([\d.]+) s$")
#: A line that ends an epoch.
EPOCH_END = re.compile(r"\[SkipGramVectorizer\] epoch \d+/\d+: loss")


def _tree(pid):
    """``pid`` and its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def _memory(pids):
    """(RSS, PSS) in bytes summed over ``pids``."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return rss, pss


class PeakMemory:
    """Samples the memory of this process tree in a thread until stopped;
    ``helpers`` is the PSS of the other processes (workers, their resource
    trackers) at the PSS peak."""

    def __init__(self, every=0.05):
        self.every, self.rss, self.pss, self.helpers, self.when = every, 0, 0, 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            tree = _tree(os.getpid())
            rss, pss = _memory(tree)
            self.rss = max(self.rss, rss)
            if pss > self.pss:
                self.pss, self.helpers = pss, _memory(tree[1:])[1]
                self.when = time.perf_counter()
            time.sleep(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()


def make_corpus(data, tokens, repeat, folder):
    """Write the raw articles (``raw.txt``) and their tokens (``tokens.txt``,
    as skw2v's analyzer cuts them) of ``tokens`` tokens; returns the distinct
    tokens among them."""
    from sklearn.feature_extraction.text import CountVectorizer

    analyzer = CountVectorizer().build_analyzer()
    articles, total = [], 0
    with gzip.open(os.path.join(data, "enwiki-articles.txt.gz"), "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                articles.append(line.rstrip("\n"))
                total += len(analyzer(articles[-1]))
                if total >= (tokens if not repeat else tokens / repeat):
                    break
    distinct = total
    copies = repeat or max(1, -(-tokens // max(total, 1)))
    with open(os.path.join(folder, "raw.txt"), "w", encoding="utf-8") as raw, \
            open(os.path.join(folder, "tokens.txt"), "w", encoding="utf-8") as tok:
        written = 0
        for _ in range(copies):
            for article in articles:
                if written >= tokens:
                    break
                words = analyzer(article)
                raw.write(article + "\n")
                tok.write(" ".join(words) + "\n")
                written += len(words)
    return distinct, written


def run_imports(system):
    """The memory of this process once ``system``'s libraries are imported."""
    if system == "gensim":
        from gensim.models import Word2Vec  # noqa: F401
    else:
        from skw2v import SkipGramVectorizer  # noqa: F401  (its compiled kernels too)
    rss, pss = _memory([os.getpid()])
    return {"rss": rss, "pss": pss}


class _TimedLines(io.StringIO):
    """The fit's progress lines, each with the time it was written."""

    def __init__(self):
        super().__init__()
        self.times = []

    def write(self, text):
        if text.strip():
            self.times.append((time.perf_counter(), text.strip()))
        return super().write(text)

    def stage_at(self, when):
        """The stage running at ``when``: the one that the first stage line
        (``NAME: SECONDS s``, or an epoch's end) written after it closes."""
        for at, line in self.times:
            if at < when:
                continue
            match = STAGE_LINE.match(line)
            if match:
                return match.group(1)
            if EPOCH_END.match(line):
                return "epochs"
        return "after training"


def run_skw2v(folder, loss, solver, min_count):
    from skw2v import SkipGramVectorizer

    def lines():
        with open(os.path.join(folder, "raw.txt"), encoding="utf-8") as handle:
            yield from handle

    out = _TimedLines()
    with PeakMemory() as peak, contextlib.redirect_stdout(out):
        tic = time.perf_counter()
        model = SkipGramVectorizer(loss=loss, solver=solver, n_jobs=2, verbose=2,
                                   random_state=0, **{**SETTINGS, "min_count": min_count}
                                   ).fit(lines())
        seconds = time.perf_counter() - tic
    stages = {}
    for _, line in out.times:
        match = STAGE_LINE.match(line)
        if match:
            hours, minutes, rest = match.group(2, 3, 4)
            stages[match.group(1)] = 3600 * int(hours or 0) + 60 * int(minutes or 0) + float(rest)
    pairs = re.search(r"co-occurrence counts \(([\d,]+) pairs", out.getvalue())
    nnz = int(pairs.group(1).replace(",", "")) if pairs else 0
    n_words = len(model.vocabulary_)
    return {"seconds": seconds, "stages": stages, "rss": peak.rss, "pss": peak.pss,
            "helpers": peak.helpers, "peak_in": out.stage_at(peak.when),
            "matrix": nnz * 8 + (n_words + 1) * 8, "words": n_words, "solver": model.solver_}


def run_gensim(folder, min_count):
    from gensim.models import Word2Vec

    with PeakMemory() as peak:
        tic = time.perf_counter()
        model = Word2Vec(corpus_file=os.path.join(folder, "tokens.txt"), sg=1, negative=5, hs=0,
                         workers=2, epochs=5, seed=0, vector_size=SETTINGS["vector_size"],
                         window=SETTINGS["window"], sample=SETTINGS["sample"],
                         min_count=min_count)
        seconds = time.perf_counter() - tic
    return {"seconds": seconds, "stages": {}, "rss": peak.rss, "pss": peak.pss,
            "helpers": peak.helpers, "matrix": 0, "words": len(model.wv.index_to_key)}


def child(system, folder, min_count):
    if "@" in system:
        system, path = system.split("@")
        sys.path.insert(0, path)
    if folder == "-":
        result = run_imports(system)
    elif system == "gensim":
        result = run_gensim(folder, min_count)
    else:
        _, loss, *solver = system.split("-")
        result = run_skw2v(folder, loss, solver[0] if solver else "auto", min_count)
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--base", type=float, default=5e6, help="tokens at scale 1")
    parser.add_argument("--repeat", action="store_true",
                        help="repeat the scale-1 articles instead of adding distinct ones")
    parser.add_argument("--systems", nargs="+",
                        default=["gensim", "skw2v-negative", "skw2v-softmax"],
                        help="gensim, skw2v-LOSS or skw2v-LOSS-SOLVER, each skw2v one with "
                             "@PATH for the skw2v at PATH (an older checkout, say)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child", nargs=3, metavar=("SYSTEM", "FOLDER", "MIN_COUNT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    model = next((line.split(":", 1)[1].strip() for line in subprocess.run(
        ["lscpu"], capture_output=True, text=True).stdout.splitlines()
        if line.startswith("Model name")), "unknown")
    print(f"machine: {model}, {len(os.sched_getaffinity(0))} cores; "
          f"{'repeated' if args.repeat else 'distinct'} text")
    mb = 2**20
    for system in args.systems:
        done = subprocess.run([sys.executable, __file__, args.data, "--child", system, "-", "0"],
                              capture_output=True, text=True)
        if done.returncode == 0:
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {system:22s} libraries imported: RSS {r['rss'] / mb:6.0f} MB, "
                  f"PSS {r['pss'] / mb:6.0f} MB")
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as folder:
            distinct, tokens = make_corpus(
                args.data, int(scale * args.base), scale if args.repeat else 0, folder
            )
            # Repeated text keeps its vocabulary with min_count scaled as its copies.
            min_count = SETTINGS["min_count"] * (scale if args.repeat else 1)
            print(f"\nscale {scale}x: {tokens:,} tokens ({distinct:,} of them distinct text), "
                  f"min_count {min_count}")
            reference = {}
            for run in range(args.runs):
                for system in args.systems:
                    done = subprocess.run(
                        [sys.executable, __file__, args.data, "--child", system, folder,
                         str(min_count)],
                        capture_output=True, text=True,
                    )
                    if done.returncode:
                        print(f"  {system}: failed\n{done.stderr[-2000:]}")
                        continue
                    r = json.loads(done.stdout.strip().splitlines()[-1])
                    if system == "gensim":
                        reference = r
                    stages = ", ".join(f"{k} {v:.1f} s" for k, v in r["stages"].items())
                    label = system + (f" ({r['solver']})" if r.get("solver") else "")
                    where = f"in {r['peak_in']}; " if r.get("peak_in") else ""
                    line = (f"  run {run + 1} {label:22s} {r['seconds']:7.1f} s, peak RSS "
                            f"{r['rss'] / mb:6.0f} MB, PSS {r['pss'] / mb:6.0f} MB ({where}other "
                            f"processes {r.get('helpers', 0) / mb:.0f}), {r['words']:,} words")
                    if r["matrix"]:
                        line += (f", count matrix {r['matrix'] / mb:.0f} MB (PSS beyond it "
                                 f"{(r['pss'] - r['matrix']) / mb:.0f} MB)")
                    if reference and system != "gensim":
                        line += (f"; vs gensim: time {r['seconds'] / reference['seconds']:.2f}x, "
                                 f"PSS {r['pss'] / reference['pss']:.2f}x")
                    print(line + (f"\n      stages: {stages}" if stages else ""), flush=True)


if __name__ == "__main__":
    main()
