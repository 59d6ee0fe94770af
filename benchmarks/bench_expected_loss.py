"""How far the counts solver gets on the loss it trains, against gensim's vectors.

Negative sampling's expected loss over the co-occurrence counts,
``sum_ij X_ij softplus(-v_i.u_j) + k N_i sum_n q_n softplus(v_i.u_n)`` per
unit of count, computed exactly (every noise word, no sampling) on the
counts ``SkipGramVectorizer`` trains from, for:

* gensim ``Word2Vec(sg=1, negative=5)``'s input and output vectors, trained
  on the same tokens (``corpus_file`` mode);
* the spectral start, and the same start with its last dimension turned
  into a constant logit shift of ``-shift`` (``--shift``);
* the counts solver after ``--passes`` passes, from the spectral start.

Each row also prints the analogy accuracy (30,000 most frequent words) of
its input vectors. Settings as ``bench_quality.py``; corpora too
(``--size small``: wiki30m, 5M tokens; ``large``: 40M tokens).

Usage::

    python benchmarks/bench_expected_loss.py ../shared/data [--size small] [--passes 5]
"""

import argparse
import os
import sys
import tempfile
import time

import numpy as np

from bench_quality import GENSIM_SAMPLE as SAMPLE, SETTINGS, documents


def expected_loss(counts, word_counts, w_in, w_out, k=5, ns_exponent=0.75, block=512):
    """The exact expected loss per unit of count (see the module docstring)."""
    from skw2v._noise import noise_weights

    q = noise_weights(word_counts, ns_exponent)
    q = (q / q.sum()).astype(np.float32)
    row_sums = np.asarray(counts.sum(axis=1)).ravel()
    total = 0.0
    for r0 in range(0, counts.shape[0], block):
        r1 = min(r0 + block, counts.shape[0])
        z = w_in[r0:r1] @ w_out.T
        total += float((k * row_sums[r0:r1]) @ (np.logaddexp(0, z) @ q).astype(np.float64))
        part = counts[r0:r1].tocoo()
        positive = np.logaddexp(0, -z[part.row, part.col]).astype(np.float64)
        total += float(part.data.astype(np.float64) @ positive)
    return total / row_sums.sum()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    parser.add_argument("--size", default="small", choices=["small", "large"])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--shift", type=float, default=2.0)
    args = parser.parse_args()

    from gensim.models import Word2Vec

    from skw2v import SkipGramVectorizer, WordVectors
    from skw2v._cooccurrence import training_counts
    from skw2v._spill import encode_corpus
    from skw2v._fitting import stage_seeds
    from skw2v._spectral import spectral_vectors

    from bench_solvers import _cpu

    print(f"machine: {_cpu()}; {SETTINGS}, {args.size} corpus", flush=True)
    docs = documents(args.data, args.size)
    analogies = os.path.join(args.data, "questions-words.txt")
    params = dict(input="content", encoding="utf-8", decode_error="strict", strip_accents=None,
                  lowercase=True, preprocessor=None, tokenizer=None, token_pattern=None,
                  stop_words=None, analyzer=list)
    seeds = stage_seeds(0)
    with encode_corpus(docs, params, min_count=SETTINGS["min_count"], max_features=None) as corpus:
        words, word_counts = corpus.words, corpus.word_counts
        counts = training_counts(corpus.chunks(), word_counts, window=SETTINGS["window"],
                                 shrink_windows=True, sample=SAMPLE,
                                 random_state=seeds.counts, n_threads=2)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "corpus.txt")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(" ".join(doc) + "\n" for doc in docs)
        tic = time.perf_counter()
        model = Word2Vec(corpus_file=path, sg=1, hs=0, negative=5, epochs=5, workers=2, seed=0, **SETTINGS)
        print(f"gensim trained in {time.perf_counter() - tic:.1f} s", flush=True)
    row_of = np.array([model.wv.key_to_index[w] for w in words])
    rows["gensim sg neg5, 5 epochs"] = (model.wv.vectors[row_of], model.syn1neg[row_of])
    w_in, w_out = spectral_vectors(counts, SETTINGS["vector_size"], seeds.init, n_threads=2)
    rows["spectral start"] = (w_in, w_out)
    shifted_in, shifted_out = w_in.copy(), w_out.copy()
    shifted_in[:, -1], shifted_out[:, -1] = np.sqrt(args.shift), -np.sqrt(args.shift)
    rows[f"spectral start, logit shift -{args.shift:g}"] = (shifted_in, shifted_out)
    fitted = SkipGramVectorizer(**SETTINGS, loss="negative", epochs=args.passes, analyzer=list,
                                n_jobs=2, random_state=0).fit(docs)
    assert fitted.wv_.words == words
    rows[f"counts negative, {args.passes} passes"] = (fitted.word_vectors_, fitted.context_vectors_)
    print(f"\n{'':40s}{'expected loss':>15s}{'analogy':>10s}")
    for label, (vectors, outputs) in rows.items():
        loss = expected_loss(counts, word_counts, vectors, outputs)
        evaluation = vectors if "shift" not in label else np.ascontiguousarray(vectors[:, :-1])
        accuracy = WordVectors(words, evaluation).evaluate_word_analogies(analogies)["accuracy"]
        print(f"{label:40s}{loss:15.4f}{accuracy:10.4f}", flush=True)
    print(f"{'zero input vectors':40s}{(1 + 5) * np.log(2):15.4f}")


if __name__ == "__main__":
    sys.exit(main())
