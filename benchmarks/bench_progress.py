"""How close ``verbose=1``'s training-time estimate comes to the time training took.

For each solver (and loss it takes) a fit on ``wiki30m.txt`` (5M tokens, in
10,000-word documents), and on the shipped Python documentation, at
``verbose=1``; the estimate (printed once a tenth of the first epoch has
run, if it is at least 10 s) is compared with the training time the last
epoch's line reports. Also printed: how many lines the fit wrote.

Usage::

    python benchmarks/bench_progress.py ../shared/data [--epochs 5]
"""

import argparse
import contextlib
import io
import os
import re

from skw2v import SkipGramVectorizer
from skw2v.datasets import load_python_docs

SETUPS = [
    {"solver": "counts", "loss": "softmax"},
    {"solver": "counts", "loss": "negative"},
    {"solver": "sgd", "loss": "negative"},
    {"solver": "pairs", "loss": "negative"},
]


def seconds(text):
    minutes = re.match(r"(\d+) min (\d+) s", text)
    return 60 * int(minutes.group(1)) + int(minutes.group(2)) if minutes else float(text.split()[0])


def run(name, documents, epochs):
    for setup in SETUPS:
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            SkipGramVectorizer(**setup, epochs=epochs, min_count=5, random_state=0, verbose=1,
                               n_jobs=2).fit(documents)
        out = log.getvalue()
        estimate = re.search(r"estimated training time (\d+ min \d+ s|[\d.]+ s)", out)
        took = float(re.findall(r"([\d.]+) s elapsed", out)[-1])
        row = f"{name:<12} {setup['solver']:<7} {setup['loss']:<9} lines {len(out.splitlines()):3d}"
        if estimate is None:
            print(f"{row}  no estimate (short); trained in {took:.1f} s", flush=True)
        else:
            guess = seconds(estimate.group(1))
            print(f"{row}  estimate {guess:6.1f} s, took {took:6.1f} s, ratio {guess / took:.2f}",
                  flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    run("python docs", load_python_docs().data, args.epochs)
    with open(os.path.join(args.data, "wiki30m.txt"), encoding="utf-8") as handle:
        words = handle.read().split()
    run("wiki30m", [" ".join(words[i : i + 10_000]) for i in range(0, len(words), 10_000)],
        args.epochs)


if __name__ == "__main__":
    main()
