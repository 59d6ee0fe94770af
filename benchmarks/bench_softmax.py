"""Full-softmax training speed against numpy's own sgemm on the same shapes.

Trains SkipGramVectorizer's softmax objective on a slice of a real corpus
(``../shared/data/wiki30m.txt`` by default) and prints, from the same run:

* centers (words) per second,
* the FLOP rate training achieved, counting 6 * V * d per center (logits,
  gradient for the centers, gradient for the output vectors),
* numpy's float32 matrix-product rate on the step's three shapes, with the
  same number of cores, and the ratio of the two.

Usage::

    python benchmarks/bench_softmax.py [CORPUS] [--max-features 10000]
        [--tokens 100000] [--batch-size 1024] [--n-jobs 2] [--repeats 3]
"""

import argparse
import os
import time

import numpy as np
from threadpoolctl import threadpool_limits

from skw2v import SkipGramVectorizer

DEFAULT_CORPUS = os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "data", "wiki30m.txt"
)


def read_documents(path, n_tokens, document_length=1000):
    """The first ``n_tokens`` words of a one-line corpus, cut into documents."""
    with open(path, encoding="utf-8") as handle:
        words = handle.read(n_tokens * 12).split()[:n_tokens]
    return [
        " ".join(words[i : i + document_length]) for i in range(0, len(words), document_length)
    ]


def sgemm_rate(batch, n_words, dim, n_threads, repeats=20):
    """GFLOP/s of numpy's float32 products for one softmax step's three shapes."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((n_words, dim), dtype=np.float32)
    h = rng.standard_normal((batch, dim), dtype=np.float32)
    z = np.empty((batch, n_words), dtype=np.float32)
    gh = np.empty((batch, dim), dtype=np.float32)
    gw = np.empty((n_words, dim), dtype=np.float32)
    best = np.inf
    with threadpool_limits(limits=n_threads, user_api="blas"):
        for _ in range(3):
            tic = time.perf_counter()
            for _ in range(repeats):
                np.matmul(h, w.T, out=z)
                np.matmul(z, w, out=gh)
                np.matmul(z.T, h, out=gw)
            best = min(best, (time.perf_counter() - tic) / repeats)
    return 6 * batch * n_words * dim / best / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS)
    parser.add_argument("--max-features", type=int, default=10000)
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    # Pre-tokenized documents (analyzer=list): fit's time is then training,
    # plus counting the words (about 1% of it).
    documents = [d.split() for d in read_documents(args.corpus, args.tokens)]
    vectorizer = SkipGramVectorizer(
        vector_size=args.vector_size,
        max_features=args.max_features,
        min_count=1,
        sample=0,  # every known word is a center, so the FLOP count below is exact
        batch_size=args.batch_size,
        epochs=1,
        n_jobs=args.n_jobs,
        analyzer=list,
        random_state=0,
    )
    vectorizer.fit(documents)  # warm-up
    n_words = len(vectorizer.vocabulary_)
    # every document is 1000 words long, so every known word is a center
    n_centers = sum(w in vectorizer.vocabulary_ for d in documents for w in d)
    flops_per_center = 6 * n_words * args.vector_size
    print(f"corpus: {args.corpus}")
    print(
        f"{sum(map(len, documents)):,} tokens ({n_centers:,} centers) in "
        f"{len(documents)} documents, vocabulary {n_words:,}, vector_size "
        f"{args.vector_size}, batch_size {args.batch_size}, n_jobs {args.n_jobs}"
    )
    # Interleave training epochs and sgemm measurements so that both see the
    # same machine load; report each round and the median ratio.
    ratios = []
    for round_ in range(args.repeats):
        tic = time.perf_counter()
        vectorizer.fit(documents)
        seconds = time.perf_counter() - tic
        train = flops_per_center * n_centers / seconds / 1e9
        reference = sgemm_rate(args.batch_size, n_words, args.vector_size, args.n_jobs)
        ratios.append(train / reference)
        print(
            f"round {round_ + 1}: training {n_centers / seconds:,.0f} centers/s = "
            f"{train:.1f} GFLOP/s; numpy sgemm on the same shapes with "
            f"{args.n_jobs} BLAS threads {reference:.1f} GFLOP/s; ratio {ratios[-1]:.2f}"
        )
    print(f"median ratio training / sgemm: {np.median(ratios):.2f}")


if __name__ == "__main__":
    main()
