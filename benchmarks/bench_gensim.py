"""skw2v against gensim on the same corpus, settings and evaluation, in one run.

Trains, each in a fresh subprocess (so peak memory is each model's own):

1. skw2v ``loss="negative"`` and gensim ``Word2Vec(sg=1, negative=5, hs=0)``
   on the whole corpus;
2. skw2v ``loss="softmax"`` and gensim ``Word2Vec(sg=1, hs=1, negative=0)``
   with the vocabulary capped (``--softmax-vocab``) on the first
   ``--softmax-tokens`` words, so the exact objective's cost is visible.

Both see the same documents (the corpus cut into 10,000-word pieces, gensim's
sentence limit), streamed from disk: vector_size 100, window 5, sample 1e-3,
min_count 5, 5 epochs, 2 threads. Both are scored by the same code
(``skw2v.WordVectors``; gensim's own ``KeyedVectors`` evaluation of its
vectors is printed beside it, to show the two agree): analogy accuracy on questions-words.txt restricted to
the 30,000 most frequent words, Spearman correlation on WordSim-353.

Usage::

    pip install ".[benchmarks]"
    python benchmarks/bench_gensim.py [--data ../shared/data] [--epochs 5]
    # memory at corpus scale: the text streamed 4 times (20M words), one epoch
    python benchmarks/bench_gensim.py --repeat 4 --epochs 1 --objectives negative

Peak memory is the process's maximum resident set size when training ends
(and, separately, after the evaluation, whose analogy search holds a
(256, 30000) similarity block).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

DEFAULT_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
PIECE = 10_000  # words per document: gensim truncates longer sentences


class Pieces:
    """Re-iterable stream of the corpus as 10,000-word strings; never holds it whole."""

    def __init__(self, path, max_tokens=None, repeat=1):
        self.path = path
        self.max_tokens = max_tokens
        self.repeat = repeat

    def __iter__(self):
        for _ in range(self.repeat):
            yield from self._once()

    def _once(self):
        emitted = 0
        tail = ""  # a word cut at the end of the previous block
        with open(self.path, encoding="utf-8") as handle:
            while True:
                block = handle.read(1 << 20)
                if not block:
                    break
                words = (tail + block).split(" ")
                tail = words.pop()
                for start in range(0, len(words), PIECE):
                    piece = [w for w in words[start : start + PIECE] if w]
                    if self.max_tokens is not None:
                        piece = piece[: self.max_tokens - emitted]
                    if piece:
                        emitted += len(piece)
                        yield " ".join(piece)
                    if self.max_tokens is not None and emitted >= self.max_tokens:
                        return
        if tail.strip():
            yield tail.strip()


class TokenPieces(Pieces):
    """The same pieces as token lists, for gensim."""

    def __iter__(self):
        for piece in super().__iter__():
            yield piece.split()


def worker(args):
    """Train one model and print a JSON line of its figures."""
    from skw2v import WordVectors

    corpus = os.path.join(args.data, "wiki30m.txt")
    max_tokens = args.softmax_tokens if args.objective == "softmax" else None
    vocab_cap = args.softmax_vocab if args.objective == "softmax" else None
    repeat = 1 if args.objective == "softmax" else args.repeat
    n_tokens = sum(len(p.split()) for p in Pieces(corpus, max_tokens, repeat))
    tic = time.perf_counter()
    if args.worker == "skw2v":
        from skw2v import SkipGramVectorizer

        model = SkipGramVectorizer(
            loss=args.objective,
            vector_size=100,
            window=5,
            sample=1e-3,
            min_count=5,
            max_features=vocab_cap,
            epochs=args.epochs,
            n_jobs=2,
            analyzer=str.split,
            random_state=0,
        ).fit(Pieces(corpus, max_tokens, repeat))
    else:
        from gensim.models import Word2Vec

        negative = args.objective == "negative"
        model = Word2Vec(
            TokenPieces(corpus, max_tokens, repeat),
            sg=1,
            hs=0 if negative else 1,
            negative=5 if negative else 0,
            vector_size=100,
            window=5,
            sample=1e-3,
            min_count=5,
            max_final_vocab=vocab_cap,
            epochs=args.epochs,
            workers=2,
            seed=0,
        )
    seconds = time.perf_counter() - tic
    peak_training = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Both models' vectors go through the same evaluation code.
    if args.worker == "skw2v":
        wv = model.wv_
    else:
        wv = WordVectors(model.wv.index_to_key, model.wv.vectors)
    questions = os.path.join(args.data, "questions-words.txt")
    wordsim = os.path.join(args.data, "wordsim353.tsv")
    analogies = wv.evaluate_word_analogies(questions, restrict_vocab=30000)
    pairs = wv.evaluate_word_pairs(wordsim)
    agreement = {}
    if args.worker == "gensim":  # gensim's own evaluation of the same vectors
        own_analogy, _ = model.wv.evaluate_word_analogies(questions, restrict_vocab=30000)
        own_pairs = model.wv.evaluate_word_pairs(wordsim)
        agreement = {"gensim_own_analogy": own_analogy,
                     "gensim_own_spearman": float(own_pairs[1][0])}
    print(
        json.dumps(
            {
                **agreement,
                "seconds": seconds,
                "words_per_second": n_tokens * args.epochs / seconds,
                "tokens": n_tokens,
                "vocabulary": len(wv),
                "analogy": analogies["accuracy"],
                "analogy_questions": analogies["total"],
                "wordsim_spearman": pairs["spearman"],
                "peak_rss_mb": peak_training,
                "peak_rss_with_evaluation_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def run(library, objective, args):
    command = [
        sys.executable, __file__, "--worker", library, "--objective", objective,
        "--data", args.data, "--epochs", str(args.epochs),
        "--softmax-tokens", str(args.softmax_tokens), "--softmax-vocab", str(args.softmax_vocab),
        "--repeat", str(args.repeat),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{library} {objective} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder with wiki30m.txt and the test sets")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--softmax-tokens", type=int, default=1_000_000)
    parser.add_argument("--softmax-vocab", type=int, default=10_000)
    parser.add_argument("--objectives", default="negative,softmax")
    parser.add_argument("--repeat", type=int, default=1,
                        help="stream the corpus this many times (e.g. 4: 20M words, for memory)")
    parser.add_argument("--worker", choices=["skw2v", "gensim"], help=argparse.SUPPRESS)
    parser.add_argument("--objective", choices=["negative", "softmax"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    rows = [
        ("analogy accuracy", "analogy", "{:.4f}"),
        ("WordSim-353 Spearman", "wordsim_spearman", "{:.4f}"),
        ("training time, s", "seconds", "{:.1f}"),
        ("words per second", "words_per_second", "{:,.0f}"),
        ("peak memory (training), MB", "peak_rss_mb", "{:,.0f}"),
        ("peak memory (+evaluation)", "peak_rss_with_evaluation_mb", "{:,.0f}"),
        ("vocabulary", "vocabulary", "{:,}"),
        ("analogy questions answered", "analogy_questions", "{:,}"),
    ]
    for objective in args.objectives.split(","):
        mine = run("skw2v", objective, args)
        theirs = run("gensim", objective, args)
        peer = "gensim sg=1 negative=5" if objective == "negative" else "gensim sg=1 hs=1"
        print(f"\n== skw2v loss={objective!r} vs {peer}: {mine['tokens']:,} tokens, "
              f"{args.epochs} epochs, 2 threads")
        print(f"{'':28s} {'skw2v':>12s} {'gensim':>12s}")
        for label, key, fmt in rows:
            print(f"{label:28s} {fmt.format(mine[key]):>12s} {fmt.format(theirs[key]):>12s}")
        print(f"{'speed ratio skw2v/gensim':28s} {mine['words_per_second'] / theirs['words_per_second']:>12.2f}")
        print(f"{'analogy difference':28s} {mine['analogy'] - theirs['analogy']:>+12.4f}")
        print(f"{'WordSim difference':28s} {mine['wordsim_spearman'] - theirs['wordsim_spearman']:>+12.4f}")
        print(
            f"gensim's vectors scored by gensim itself: analogy "
            f"{theirs['gensim_own_analogy']:.4f}, WordSim {theirs['gensim_own_spearman']:.4f} "
            f"(by skw2v.WordVectors: {theirs['analogy']:.4f}, {theirs['wordsim_spearman']:.4f})"
        )


if __name__ == "__main__":
    main()
