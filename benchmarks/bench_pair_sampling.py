"""SGD over (center, context) pairs drawn from the co-occurrence counts: the quality issue's probe.

Does SGD over pairs drawn independently with probability proportional to the
training counts X (what an epoch of SGD over the text sees, in expectation,
in shuffled order) reach what SGD over the text reaches? Each run of
``--runs`` is ``init:epochs:rate``: the start (``spectral`` or ``random``),
how many epochs' worth of pairs (``X.sum()`` pairs an epoch) to draw, and
the initial rate (decaying linearly to 1e-4 of itself). Each pair is one
negative-sampling step with 5 noise words, through the package's corpus
step on one-pair centers (numpy: about 145,000 pairs a second on 2 cores).
The corpora are bench_quality.py's (``small``: wiki30m, 5.1M tokens;
``large``: 40M); the scores are its four.

At 5.1M tokens (AMD EPYC, 2 cores): ``random:3:0.025`` gave analogy 0.1238,
WordSim 0.5062, MEN 0.4112, SimLex 0.2527, where gensim's 5 epochs over the
text give 0.1227, 0.5146, 0.4183, 0.2480 (see the user guide).

This numpy step is the reference for ``solver="pairs"``'s compiled kernel:
a run ``pairs-INIT:epochs:rate`` trains the package's ``PairsSolver`` (whole
epochs, the same start and objective) in the same process, and each row
prints its pairs per second, so the two compare on one machine.

Usage::

    python benchmarks/bench_pair_sampling.py ../shared/data --size small \
        --runs spectral:0:0 spectral:1:0.025 random:3:0.025
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_quality import GENSIM_SAMPLE as SAMPLE, SETTINGS, documents, scores

from skw2v._cooccurrence import training_counts
from skw2v._fitting import stage_seeds
from skw2v._initialization import RandomInit, SpectralInit
from skw2v._negative import NegativeObjective
from skw2v._parallel import Pool
from skw2v._protocol import Batch, BatchKind, Solver, TrainingData, train
from skw2v._solver_pairs import PairsSolver
from skw2v._spill import encode_corpus

PARAMS = dict(input="content", encoding="utf-8", decode_error="strict", strip_accents=None,
              lowercase=True, preprocessor=None, tokenizer=None, token_pattern=None,
              stop_words=None, analyzer=list)


class PairSampleSolver(Solver):
    """``n_pairs`` pairs drawn with probability proportional to the counts,
    in batches of the objective's corpus batch size."""

    unit = "pairs"
    batch_kind = BatchKind.CORPUS
    needs_counts = True

    def __init__(self, counts, *, epochs, learning_rate, min_learning_rate, random_state, n_pairs):
        super().__init__(epochs=epochs, learning_rate=learning_rate, min_learning_rate=min_learning_rate)
        x = counts.tocsr()
        self.cum = np.cumsum(x.data, dtype=np.float64)
        self.rows = np.repeat(np.arange(x.shape[0], dtype=np.int32), np.diff(x.indptr))
        self.cols = x.indices.astype(np.int32)
        self.rng = np.random.default_rng(random_state)
        self.n_pairs = int(n_pairs)

    def batches(self, epoch, limits, pool):
        b = limits.max_batch
        ones = np.ones(b, dtype=np.int64)
        rows_index = np.arange(b, dtype=np.int32)
        for done in range(0, self.n_pairs, b):
            idx = np.searchsorted(self.cum, self.rng.random(b) * self.cum[-1], side="right")
            idx = np.minimum(idx, len(self.cum) - 1)
            yield Batch(self.rows[idx], rows_index, self.cols[idx], ones), done, self.n_pairs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("data")
    p.add_argument("--size", default="small", choices=["small", "large"])
    p.add_argument("--runs", nargs="+", default=["spectral:1:0.025"], help="init:pair_epochs:lr")
    a = p.parse_args()
    data = a.data
    docs = documents(data, a.size)
    seeds = stage_seeds(0)
    tic = time.perf_counter()
    with encode_corpus(docs, PARAMS, min_count=SETTINGS["min_count"], max_features=None) as c:
        words, wc = c.words, c.word_counts
        counts = training_counts(c.chunks(), wc, window=SETTINGS["window"], shrink_windows=True,
                                 sample=SAMPLE, random_state=seeds.counts, n_threads=2)
    total = float(counts.sum())
    print(f"{a.size}: {len(words):,} words, {counts.nnz:,} nnz, {total:,.0f} pairs per epoch; "
          f"counted in {time.perf_counter() - tic:.0f} s", flush=True)
    starts = {}
    for run in a.runs:
        init, epochs, lr = run.split(":")
        epochs, lr = float(epochs), float(lr)
        compiled = init.startswith("pairs-")
        init = init.removeprefix("pairs-")
        if init not in starts:
            tic = time.perf_counter()
            cls = SpectralInit if init == "spectral" else RandomInit
            starts[init] = cls().start(TrainingData(None, wc, counts), 100, seeds.init, 2)
            print(f"  {init} start in {time.perf_counter() - tic:.0f} s", flush=True)
        w_in, w_out = starts[init]
        w_in = w_in.copy()
        if epochs == 0:
            r = scores(data, words, w_in)
            print(f"  {run:24s} " + " ".join(f"{k} {v:.4f}" for k, v in r.items()), flush=True)
            continue
        objective = NegativeObjective(wc, 100, batch_size=2048, random_state=seeds.objective,
                                      negative=5, ns_exponent=0.75,
                                      output_vectors=None if w_out is None else w_out)
        if compiled:
            solver = PairsSolver(TrainingData(None, wc, counts), epochs=int(epochs), learning_rate=lr,
                                 min_learning_rate=lr * 1e-4, random_state=seeds.solver)
        else:
            solver = PairSampleSolver(counts, epochs=1, learning_rate=lr, min_learning_rate=lr * 1e-4,
                                      random_state=seeds.solver, n_pairs=epochs * total)
        tic = time.perf_counter()
        with Pool(2) as pool:
            curve = train(solver, objective, w_in, pool)
        seconds = time.perf_counter() - tic
        r = scores(data, words, w_in)
        print(f"  {run:24s} " + " ".join(f"{k} {v:.4f}" for k, v in r.items())
              + f"  loss {curve[-1]:.4f}, {seconds:.0f} s, {epochs * total / seconds:,.0f} pairs/s",
              flush=True)


if __name__ == "__main__":
    main()
