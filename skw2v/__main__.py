"""``python -m skw2v``: the demo, and word2vec's command line.

``python -m skw2v`` (or ``demo``) runs a pipeline tuned by grid search, then
prints neighbours, on scikit-learn's 20 newsgroups data when it is already in
the local scikit-learn data cache (nothing is downloaded), otherwise on the
paragraphs of Python's documentation that ship with the package
(:func:`skw2v.datasets.load_python_docs`). ``train``, ``neighbors`` and ``evaluate`` work on text files and
word2vec-format vector files, as word2vec.c users expect.
"""

import argparse
import codecs
import os
import re
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from . import SkipGramVectorizer, __version__, load_word2vec_format
from ._registry import INITS, OBJECTIVES, SOLVERS
from .datasets import load_example_corpus

def run_demo(args):
    try:
        documents, labels, probes, description = load_example_corpus(args.data)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    print(f"skw2v {__version__} demo on {description}: {len(documents)} documents")
    # The full softmax costs time proportional to the vocabulary: cap it.
    vectorizer = SkipGramVectorizer(max_features=5000, min_count=2, epochs=5, random_state=0)
    pipeline = make_pipeline(vectorizer, LogisticRegression(max_iter=1000))
    grid = {
        "skipgramvectorizer__window": [2, 5],
        "skipgramvectorizer__vector_size": [20, 50],
        "skipgramvectorizer__learning_rate": [0.005, 0.05],
    }
    search = GridSearchCV(pipeline, grid, cv=3, n_jobs=args.n_jobs)
    tic = time.perf_counter()
    search.fit(documents, labels)
    print(f"grid search over {len(search.cv_results_['params'])} candidates x 3 folds "
          f"in {time.perf_counter() - tic:.1f} s")
    print("best parameters:")
    for name, value in search.best_params_.items():
        print(f"  {name.split('__')[1]} = {value}")
    print(f"best cross-validated accuracy: {search.best_score_:.3f}")
    ranks = np.argsort(search.cv_results_["rank_test_score"])
    print("all candidates (mean accuracy):")
    for i in ranks:
        params = search.cv_results_["params"][i]
        short = ", ".join(f"{k.split('__')[1]}={v}" for k, v in params.items())
        print(f"  {search.cv_results_['mean_test_score'][i]:.3f}  {short}")
    best = search.best_estimator_.named_steps["skipgramvectorizer"]
    print(f"nearest neighbours in the best model ({len(best.vocabulary_)} words):")
    for word in probes:
        if word in best.vocabulary_:
            neighbours = ", ".join(f"{w} ({s:.3f})" for w, s in best.most_similar(word, topn=6))
            print(f"  {word}: {neighbours}")
    return 0


class _LineDocuments:
    """The lines of text files, one document each, re-read on every iteration.

    Read in blocks, so a file that is one huge line (text8, wiki dumps) is
    never held whole: a line longer than ``max_chars`` is cut at its last
    whitespace into pieces, each a document (windows do not cross a cut; no
    word is lost), as word2vec.c cuts sentences at 1,000 words.
    """

    def __init__(self, paths, encoding, max_chars=1 << 20):
        self.paths = paths
        self.encoding = encoding
        self.max_chars = max_chars

    def __iter__(self):
        for path in self.paths:
            try:
                yield from self._read(path)
            except UnicodeDecodeError as error:
                raise ValueError(
                    f"{path}: not valid {self.encoding} ({error.reason}); pass the "
                    "file's encoding with --encoding, e.g. --encoding latin-1"
                ) from None

    def _read(self, path):
        with open(path, encoding=self.encoding) as handle:
            pending = ""
            while block := handle.read(self.max_chars):
                lines = (pending + block).split("\n")
                pending = lines.pop()
                for line in lines:
                    yield from self._pieces(line)
                while len(pending) > self.max_chars:
                    piece, pending = self._cut(pending)
                    yield piece
            if pending:
                yield pending

    def _cut(self, text):
        """``(head, rest)``: ``head`` at most max_chars long, cut at whitespace."""
        cut = max(text.rfind(" ", 0, self.max_chars), text.rfind("\t", 0, self.max_chars))
        if cut <= 0:  # no whitespace: a single monstrous token stays whole
            cut = len(text)
        return text[:cut], text[cut + 1 :]

    def _pieces(self, line):
        while len(line) > self.max_chars:
            piece, line = self._cut(line)
            yield piece
        yield line


def _check_train_options(args):
    """Fail early, in one line, on options that would fail deep inside the fit."""
    try:
        codecs.lookup(args.encoding)
    except LookupError:
        raise ValueError(f"--encoding {args.encoding!r} is not a known text encoding (try utf-8 or latin-1)") from None
    if not args.whitespace:
        try:
            re.compile(args.token_pattern)
        except re.error as error:
            raise ValueError(
                f"--token-pattern {args.token_pattern!r} is not a valid regular expression ({error})"
            ) from None


def _save_vocab(path, vectorizer):
    """word2vec.c's vocabulary file: ``word count`` per line, in row order."""
    with open(path, "w", encoding="utf-8") as handle:
        for word, count in zip(vectorizer.wv_.words, vectorizer.word_counts_.tolist(), strict=True):
            handle.write(f"{word} {count}\n")


def _read_vocab(path):
    """The words of a ``word count`` vocabulary file, in file order."""
    words = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or not fields[1].isdigit():
                raise ValueError(f"{path}, line {number}: expected 'word count', found {line.strip()[:60]!r}")
            words.append(fields[0])
    if not words:
        raise ValueError(f"{path}: the vocabulary file is empty")
    return words


def run_train(args):
    _check_train_options(args)
    if args.loss is None:
        args.loss = "negative"
        if not args.quiet:
            # On standard output, with the progress: standard error carries only errors.
            print("loss='negative' (word2vec.c's objective, this command's default; "
                  "SkipGramVectorizer's default is 'softmax': pass --loss softmax for it)")
    for path in args.corpus:
        if path != "-" and not os.path.isfile(path):
            raise ValueError(f"corpus file {path!r} does not exist")
    if args.corpus == ["-"]:
        documents = (line.rstrip("\n") for line in sys.stdin)  # read once
    elif "-" in args.corpus:
        raise ValueError("'-' (standard input) cannot be mixed with corpus files")
    else:
        documents = _LineDocuments(args.corpus, args.encoding)
    tokenization = (
        dict(analyzer=str.split)
        if args.whitespace
        else dict(lowercase=not args.no_lowercase, token_pattern=args.token_pattern)
    )
    vocabulary = _read_vocab(args.read_vocab) if args.read_vocab else None
    vectorizer = SkipGramVectorizer(
        vector_size=args.vector_size,
        window=args.window,
        loss=args.loss,
        solver=args.solver,
        init=args.init,
        negative=args.negative,
        ns_exponent=args.ns_exponent,
        shrink_windows=not args.no_shrink_windows,
        vocabulary=vocabulary,
        memory=args.memory,
        sample=args.sample,
        min_count=args.min_count,
        max_features=args.max_features,
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        min_learning_rate=min(args.min_learning_rate, args.learning_rate),
        batch_size=args.batch_size,
        n_jobs=args.threads,
        random_state=args.seed,
        encoding=args.encoding,
        verbose=0 if args.quiet else 1,
        **tokenization,
    )
    tic = time.perf_counter()
    vectorizer.fit(documents)
    seconds = time.perf_counter() - tic
    vectorizer.save_word2vec_format(args.output, binary=args.binary)
    if args.save_vocab:
        _save_vocab(args.save_vocab, vectorizer)
    if not args.quiet:
        print(
            f"trained {len(vectorizer.vocabulary_):,} word vectors of size "
            f"{args.vector_size} in {seconds:.1f} s; wrote {args.output} "
            f"({'binary' if args.binary else 'text'} word2vec format)"
        )
    return 0


def _load(args):
    return load_word2vec_format(args.vectors, binary=args.binary, no_header=args.no_header)


def run_neighbors(args):
    vectors = _load(args)
    neighbours = vectors.most_similar(
        positive=args.words, negative=args.minus or None, topn=args.topn
    )
    query = " + ".join(args.words) + "".join(f" - {w}" for w in args.minus or [])
    print(f"nearest to {query} among {len(vectors):,} words:")
    for word, similarity in neighbours:
        print(f"  {similarity:8.4f}  {word}")
    return 0


def run_evaluate(args):
    if not (args.analogies or args.pairs):
        raise ValueError("give --analogies FILE, --pairs FILE, or both")
    vectors = _load(args)
    print(f"{args.vectors}: {len(vectors):,} words x {vectors.vector_size} dimensions")
    if args.analogies:
        result = vectors.evaluate_word_analogies(args.analogies, restrict_vocab=args.restrict_vocab)
        print(f"analogies ({args.analogies}, {args.restrict_vocab:,} most frequent words):")
        for name, section in result["sections"].items():
            print(f"  {section['accuracy']:7.2%}  {section['correct']:5d}/{section['total']:<5d} {name}")
        print(
            f"  {result['accuracy']:7.2%}  {result['correct']:5d}/{result['total']:<5d} overall "
            f"({result['skipped']} questions skipped for unknown words)"
        )
    if args.pairs:
        result = vectors.evaluate_word_pairs(args.pairs)
        print(
            f"word pairs ({args.pairs}): Spearman {result['spearman']:.4f}, "
            f"Pearson {result['pearson']:.4f}, {result['pairs']} pairs, "
            f"{result['oov_ratio']:.1%} out of vocabulary"
        )
    return 0


def _add_vector_file_arguments(command):
    command.add_argument("vectors", help="word2vec-format vector file (text or binary)")
    form = command.add_mutually_exclusive_group()
    form.add_argument("--binary", dest="binary", action="store_const", const=True,
                      default=None, help="the file is binary (default: detected)")
    form.add_argument("--text", dest="binary", action="store_const", const=False,
                      help="the file is text (default: detected)")
    command.add_argument("--no-header", action="store_true",
                         help="text file without the 'n_words size' line (GloVe)")


def build_parser():
    defaults = SkipGramVectorizer()
    parser = argparse.ArgumentParser(
        prog="python -m skw2v",
        description="skw2v: skip-gram word2vec as a scikit-learn transformer. "
        "Without a command, runs the demo.",
    )
    parser.add_argument("--version", action="version", version=f"skw2v {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="grid-search a pipeline and print neighbours (default)")
    for target in (parser, demo):
        target.add_argument(
            "--data",
            choices=["auto", "file", "20newsgroups", "python_docs", "generated"],
            default="auto",
            help="corpus (auto: the label<TAB>text file named by $SKW2V_EXAMPLE_DATA, "
            "else 20 newsgroups if cached locally, else the Python documentation's "
            "paragraphs that ship with the package; generated: a small synthetic corpus)",
        )
        target.add_argument("--n-jobs", type=int, default=2, help="GridSearchCV workers")

    train = sub.add_parser(
        "train",
        help="train word vectors on text files and save them in word2vec format",
        description="Train skip-gram word vectors on text files (one document per "
        "line; windows do not cross lines; lines over a million characters are cut "
        "at whitespace) and write them in word2vec.c's format.",
        epilog="Defaults are SkipGramVectorizer's, except --loss: negative sampling, as "
        "word2vec.c (the estimator's default is the full softmax). Unlike word2vec.c, "
        "words are CountVectorizer's tokens (lower-cased, two or more word characters; "
        "--whitespace splits on whitespace and keeps case, as word2vec.c does), each line "
        "is a document (word2vec.c reads a stream cut every 1,000 words), and there is no "
        "hierarchical softmax. Exit status: 0 on success, 1 for an error in the input or "
        "the options' values (one line on standard error), 2 for a usage error "
        "(argparse's message).",
    )
    train.add_argument("corpus", nargs="+", help="text file(s), one document per line; - reads standard input")
    train.add_argument("-o", "--output", required=True, help="vector file to write")
    train.add_argument("--binary", action="store_true", help="write the binary format (default: text)")
    train.add_argument("--vector-size", "--size", type=int, default=defaults.vector_size, help="dimension (default %(default)s)")
    train.add_argument("--window", type=int, default=defaults.window, help="max context distance (default %(default)s)")
    train.add_argument("--loss", choices=sorted(OBJECTIVES), default=None, help="objective (default negative, as word2vec.c; the estimator's default is softmax)")
    train.add_argument("--solver", choices=["auto", *sorted(SOLVERS)], default=defaults.solver, help="sgd: SGD over the text; counts: passes over the co-occurrence counts; pairs: SGD over pairs drawn from the counts; auto: counts below two million words, pairs from there (default %(default)s)")
    train.add_argument("--init", choices=sorted(INITS), default=defaults.init, help="starting vectors (default %(default)s)")
    train.add_argument("--negative", type=int, default=defaults.negative, help="noise words per context word (default %(default)s)")
    train.add_argument("--ns-exponent", type=float, default=defaults.ns_exponent, help="exponent of the noise distribution (default %(default)s)")
    train.add_argument("--no-shrink-windows", action="store_true", help="use the full window for every center (word2vec shrinks it at random)")
    train.add_argument("--sample", type=float, default=defaults.sample, help="subsampling threshold, 0 disables (default %(default)s)")
    train.add_argument("--min-count", type=int, default=defaults.min_count, help="drop rarer words (default %(default)s)")
    train.add_argument("--max-features", type=int, default=None, help="keep only the most frequent words")
    train.add_argument("--epochs", "--iter", type=int, default=defaults.epochs, help="passes over the corpus (default %(default)s)")
    train.add_argument("--learning-rate", "--alpha", type=float, default=defaults.learning_rate, help="initial step (default %(default)s)")
    train.add_argument("--min-learning-rate", type=float, default=defaults.min_learning_rate, help="final step (default %(default)s)")
    train.add_argument("--batch-size", type=_batch_size, default=defaults.batch_size, help="centers per minibatch, or auto: 1024 for the softmax, 2048 for negative sampling (default %(default)s)")
    train.add_argument("--threads", type=int, default=None, help="training threads (default: as many as the BLAS uses)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default %(default)s)")
    train.add_argument("--whitespace", action="store_true", help="split words on whitespace only and keep case, as word2vec.c")
    train.add_argument("--no-lowercase", action="store_true", help="keep case (with the default tokenizer)")
    train.add_argument("--token-pattern", default=defaults.token_pattern, help="token regular expression (default %(default)r)")
    train.add_argument("--encoding", default="utf-8", help="of the corpus files (default %(default)s)")
    train.add_argument("--save-vocab", metavar="FILE", help="write the vocabulary, 'word count' per line (word2vec.c's -save-vocab)")
    train.add_argument("--read-vocab", metavar="FILE", help="take the vocabulary from a 'word count' file (word2vec.c's -read-vocab); counts are recounted from the corpus")
    train.add_argument("--memory", metavar="DIR", help="cache the encoded corpus and co-occurrence counts here (see the estimator's memory)")
    train.add_argument("-q", "--quiet", action="store_true", help="no progress display")

    neighbors = sub.add_parser(
        "neighbors",
        help="print a word's nearest neighbours",
        description="Nearest neighbours by cosine similarity, as gensim's most_similar: "
        "'neighbors vectors.bin king woman --minus man' answers man : king :: woman : ?",
    )
    _add_vector_file_arguments(neighbors)
    neighbors.add_argument("words", nargs="+", help="query word(s), added")
    neighbors.add_argument("--minus", nargs="+", metavar="WORD", help="word(s) subtracted")
    neighbors.add_argument("--topn", type=int, default=10, help="neighbours to print (default %(default)s)")

    evaluate = sub.add_parser(
        "evaluate",
        help="score vectors on analogy questions and word-pair similarities",
        description="Analogy accuracy (questions-words.txt format) and correlation "
        "with human similarity judgements (word1<TAB>word2<TAB>score files, e.g. "
        "WordSim-353), computed as gensim does.",
    )
    _add_vector_file_arguments(evaluate)
    evaluate.add_argument("--analogies", metavar="FILE", help="questions-words.txt-format file")
    evaluate.add_argument("--pairs", metavar="FILE", help="tab-separated word-pair file")
    evaluate.add_argument("--restrict-vocab", type=int, default=30000, help="analogies use the most frequent words only (default %(default)s)")
    return parser


COMMANDS = {None: run_demo, "demo": run_demo, "train": run_train,
            "neighbors": run_neighbors, "evaluate": run_evaluate}


def _batch_size(text):
    """``--batch-size``: a positive integer or ``auto``."""
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'auto', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'auto', got {text!r}")
    return value


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyError as error:
        parser.exit(1, f"skw2v {args.command}: error: {error.args[0]}\n")
    except (OSError, ValueError, LookupError, re.error) as error:
        message = " ".join(str(error).split())  # one line
        parser.exit(1, f"skw2v {args.command}: error: {message}\n")


if __name__ == "__main__":
    sys.exit(main())
