"""Raw documents -> word ids on disk: fit reads its input once, in chunks fixed by the data.

Whatever the documents are (a list, file names, a one-shot generator), ``fit``
reads them exactly once. They are cut into chunks of at most
``CHUNK_DOCUMENTS`` documents and about ``CHUNK_CHARACTERS`` characters; the
cut depends on the documents alone, never on the number of workers. Each
chunk is tokenized and numbered on its own (the map stage: in ``n_jobs``
worker processes for longer inputs, since scikit-learn's analyzer is
Python code that holds the GIL); the parent renumbers its words
into one vocabulary, in order of first appearance, and appends the ids to a
spill file, 4 bytes a token. The vocabulary is then pruned, and every later
stage reads the spill back a chunk of documents at a time
(:meth:`EncodedCorpus.chunks`), under the pruned vocabulary: the corpus is
never held in memory, and every result is the same for any ``n_jobs``.
"""

import collections
import itertools
import os
import pickle
import shutil
import tempfile
import time
import weakref

import numpy as np
from joblib.externals.loky import ProcessPoolExecutor

from . import _vocab
from ._analyzer import check_documents
from ._cooccurrence import training_counts
from ._encoding import encode_chunk, worker_started
from ._keyed_random import stream_key
from ._pooling import document_frequencies, sif_gram_units
from ._vocab import (
    Corpus,
    check_kept,
    check_trainable,
    concatenate,
    from_lengths,
    prune_vocabulary,
    remap,
    renumber,
    sample_documents,
    select_tokens,
)

#: A chunk of the map stage holds at most this many documents...
CHUNK_DOCUMENTS = 4096
#: ...and closes once its documents reach this many characters (a file
#: name or an open file counts as ``FILE_CHARACTERS``).
CHUNK_CHARACTERS = 1 << 22
FILE_CHARACTERS = 1 << 16
#: Chunks always encoded in the calling process: worker processes start
#: only for longer inputs, where their start-up (seconds) pays.
LOCAL_CHUNKS = 8
#: Document lengths read from the spill at once.
LENGTH_BLOCK = 1 << 16

_IDS, _LENGTHS, _ENCODING = "ids.i4", "lengths.i8", "encoding.pkl"


def raw_document_chunks(raw_documents, input_type):
    """Yield ``(first, documents)``: consecutive lists of ``raw_documents``.

    A chunk closes at ``CHUNK_DOCUMENTS`` documents or once it holds
    ``CHUNK_CHARACTERS`` characters of content (``FILE_CHARACTERS`` for a
    file name or file): a function of the documents alone. ``first`` is the
    index of the chunk's first document.
    """
    chunk, size, first = [], 0, 0
    for doc in check_documents(raw_documents):
        chunk.append(doc)
        size += len(doc) if input_type == "content" and hasattr(doc, "__len__") else FILE_CHARACTERS
        if len(chunk) == CHUNK_DOCUMENTS or size >= CHUNK_CHARACTERS:
            yield first, chunk
            first += len(chunk)
            chunk, size = [], 0
    if chunk:
        yield first, chunk


def _ready(started):
    """Whether the workers have all started (``started``: their first tasks)."""
    return all(future.done() for future in started)


def mapped_chunks(raw_documents, params, n_jobs):
    """Yield :func:`encode_chunk` of every chunk, in order.

    With ``n_jobs`` above 1 and more than ``LOCAL_CHUNKS`` chunks, ``n_jobs``
    worker processes start (a loky executor of this call's own, shut down
    when the documents are read, so that their memory is returned before
    the counting starts); this process encodes the chunks until they are
    ready (importing scikit-learn takes them seconds), then hands every
    later chunk to them, ``2 n_jobs`` at a time. The documents are always
    read here, in the calling thread, so that an error (or Ctrl-C) in
    reading them reaches the caller as it is; which process encodes a
    chunk changes nothing in the result.
    """
    chunks = raw_document_chunks(raw_documents, params["input"])
    for first, docs in itertools.islice(chunks, LOCAL_CHUNKS if n_jobs > 1 else None):
        yield encode_chunk(docs, first, params)
    following = next(chunks, None)
    if following is None:
        return
    executor = ProcessPoolExecutor(max_workers=n_jobs)
    started = [executor.submit(worker_started) for _ in range(n_jobs)]
    pending = collections.deque()
    try:
        for first, docs in itertools.chain([following], chunks):
            if not pending and not _ready(started):
                yield encode_chunk(docs, first, params)
                continue
            pending.append(executor.submit(encode_chunk, docs, first, params))
            if len(pending) >= 2 * n_jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True)


def _length_blocks(file):
    while True:
        block = np.fromfile(file, dtype=np.int64, count=LENGTH_BLOCK)
        if len(block) == 0:
            return
        yield block


def cut_documents(length_blocks, chunk_tokens):
    """Yield the document lengths of consecutive chunks: each holds the most
    documents whose tokens sum to at most ``chunk_tokens``, and at least one.

    ``length_blocks`` yields the lengths in blocks; the cut does not depend
    on the blocks.
    """
    pending = np.empty(0, dtype=np.int64)
    blocks = itertools.chain(length_blocks, [None])
    for block in blocks:
        last = block is None
        if not last:
            pending = np.concatenate([pending, block])
        ends = np.cumsum(pending)
        start, base = 0, 0
        while start < len(pending):
            stop = max(int(np.searchsorted(ends, base + chunk_tokens, side="right")), start + 1)
            if stop >= len(pending) and not last:
                break
            yield pending[start:stop]
            base, start = int(ends[stop - 1]), stop
        pending = pending[start:]


def _read_chunk(ids_file, lengths, table):
    """The next documents of ``lengths`` from ``ids_file``, as a Corpus,
    remapped by ``table`` unless it is None."""
    chunk = from_lengths(np.fromfile(ids_file, dtype=np.int32, count=int(lengths.sum())), lengths)
    return chunk if table is None else remap(chunk, table)


class EncodedCorpus:
    """A corpus's word ids on disk under its vocabulary, read a chunk at a time.

    Made by :func:`encode_corpus` (or :meth:`open`); a context manager that
    removes its files on exit unless they are a cache entry (``key`` set).

    Attributes
    ----------
    path : str
        The directory of the files.
    words : list of str
        The vocabulary, in row order.
    word_counts : ndarray of int64
        Occurrences of each word.
    frequency : ndarray of int64
        Documents containing each word.
    n_documents, n_tokens : int
        Documents, and tokens kept by the vocabulary.
    key : str or None
        Names the documents and the encoding when the files are a cache
        entry that later fits may reuse.
    """

    def __init__(self, path, encoding, key=None):
        self.path = path
        self.key = key
        self.words = encoding["words"]
        self.word_counts = encoding["word_counts"]
        self.frequency = encoding["frequency"]
        self.n_documents = encoding["n_documents"]
        self.n_tokens = encoding["n_tokens"]
        self._table = encoding["table"]
        self._finalizer = None if key is not None else weakref.finalize(
            self, shutil.rmtree, path, ignore_errors=True
        )

    @classmethod
    def open(cls, path, key):
        """The cache entry at ``path``, or None if it is not complete."""
        try:
            with open(os.path.join(path, _ENCODING), "rb") as file:
                return cls(path, pickle.load(file), key)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def chunks(self, chunk_tokens=None):
        """Yield the documents as :class:`~skw2v._vocab.Corpus` chunks of rows.

        Each chunk holds the documents whose tokens (before the vocabulary
        removes any) sum to at most ``chunk_tokens``, and at least one; the
        chunks depend on the documents alone. Tokens outside the vocabulary
        are removed, as word2vec removes them before forming windows.
        ``chunk_tokens`` defaults to ``_vocab.CHUNK_TOKENS``.
        """
        chunk_tokens = _vocab.CHUNK_TOKENS if chunk_tokens is None else chunk_tokens
        table = self._table
        with open(os.path.join(self.path, _IDS), "rb") as ids_file, \
                open(os.path.join(self.path, _LENGTHS), "rb") as lengths_file:
            for lengths in cut_documents(_length_blocks(lengths_file), chunk_tokens):
                # Nothing here refers to the chunk once yielded, so that the
                # consumer can release it before it asks for the next.
                yield _read_chunk(ids_file, lengths, table)

    def load(self):
        """The whole corpus in memory (4 bytes a token)."""
        ids = np.empty(self.n_tokens, dtype=np.int32)
        indptr = np.zeros(self.n_documents + 1, dtype=np.int64)
        tokens, documents = 0, 0
        for chunk in self.chunks():
            ids[tokens : tokens + chunk.n_tokens] = chunk.ids
            indptr[documents + 1 : documents + chunk.n_documents + 1] = chunk.indptr[1:] + tokens
            tokens += chunk.n_tokens
            documents += chunk.n_documents
        return Corpus(ids, indptr)

    def sample(self, max_tokens, random_state):
        """A seeded sample of the documents of about ``max_tokens`` tokens.

        Each document is kept with probability ``max_tokens / n_tokens``
        (every document when the corpus is not longer), by a draw keyed by
        the document's index under ``random_state`` (an int seed):
        :func:`~skw2v._vocab.sample_documents`.
        """
        fraction = max_tokens / max(self.n_tokens, 1)
        if fraction >= 1:
            return self.load()
        key, first, parts = stream_key(random_state, 0), 0, []
        for chunk in self.chunks():
            parts.append(sample_documents(chunk, fraction, key, first))
            first += chunk.n_documents
        return concatenate(parts)

    def training_counts(self, word_counts, **params):
        """:func:`~skw2v._cooccurrence.training_counts` of the corpus, read a chunk at a time."""
        return training_counts(self.chunks(), word_counts, **params)

    def sif_gram_units(self, vectors, word_counts, alpha, exponent):
        """:func:`~skw2v._pooling.sif_gram_units` of the corpus, summed a chunk at a time."""
        units = np.zeros((3, vectors.shape[1], vectors.shape[1]), dtype=np.int64)
        for chunk in self.chunks():
            units += sif_gram_units(chunk, vectors, word_counts, alpha, exponent)
        return units

    def document_vectors(self, pool):
        """``pool(chunk)`` of every chunk of the documents, in order (a list)."""
        return [pool(chunk) for chunk in self.chunks()]

    def remove(self):
        """Remove the files, unless they are a cache entry."""
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


def write(array, file):
    """Append ``array``'s bytes to ``file``."""
    array.tofile(file)


class _SpillWriter:
    """Appends documents' ids and lengths to the files of a new directory."""

    def __init__(self, parent):
        self.path = tempfile.mkdtemp(prefix="skw2v-corpus-", dir=parent)
        self.n_tokens = 0
        self.n_documents = 0
        self._files = [open(os.path.join(self.path, name), "wb") for name in (_IDS, _LENGTHS)]

    def append(self, ids, lengths):
        try:
            write(ids.astype(np.int32, copy=False), self._files[0])
            write(lengths.astype(np.int64, copy=False), self._files[1])
        except OSError as error:
            raise OSError(
                error.errno,
                f"Writing the encoded corpus to {self.path} failed after "
                f"{self.n_tokens:,} tokens ({error.strerror}). It takes 4 bytes a token; "
                "point the TMPDIR environment variable (or memory=, when the documents "
                "are cached) at a disk with room.",
            ) from error
        self.n_tokens += len(ids)
        self.n_documents += len(lengths)

    def close(self):
        for file in self._files:
            file.close()


def encode_corpus(raw_documents, params, *, min_count, max_features, words=None, n_jobs=1,
                  parent=None, report=None):
    """Read ``raw_documents`` once into an :class:`EncodedCorpus` (temporary files).

    Parameters
    ----------
    raw_documents : iterable
        As ``CountVectorizer`` reads them (``params["input"]``).
    params : dict
        The tokenization parameters (``_analyzer.TOKENIZATION_PARAMS``).
    min_count, max_features : int or None
        As :func:`~skw2v._vocab.prune_vocabulary`; ignored with ``words``.
    words : list of str, optional
        A fixed vocabulary in row order; other tokens are dropped.
    n_jobs : int
        Worker processes of the map stage; the result does not depend on it.
    parent : str, optional
        Directory of the files (default: the system's temporary directory).
    report : Progress, optional
        Told the documents and tokens read.

    Raises
    ------
    ValueError
        With a hint, when there are no documents, no word is kept, or no
        document has two kept words. The files are removed on any error.
    """
    writer = _SpillWriter(parent)
    try:
        grow = words is None
        index = {} if grow else {word: row for row, word in enumerate(words)}
        counts = np.zeros(0 if grow else len(index), dtype=np.int64)
        size = len(raw_documents) if hasattr(raw_documents, "__len__") else None
        tic = time.perf_counter()
        if report is not None:
            report.start_reading()
        for chunk_words, ids, lengths in mapped_chunks(raw_documents, params, n_jobs):
            n_read = len(ids)
            ids = renumber(index, chunk_words, grow)[ids]
            if not grow:
                kept = select_tokens(from_lengths(ids, lengths), ids >= 0, in_place=True)
                ids, lengths = kept.ids, np.diff(kept.indptr)
            if len(index) > len(counts):
                counts = np.concatenate([counts, np.zeros(len(index) - len(counts), np.int64)])
            counts += np.bincount(ids, minlength=len(counts))
            writer.append(ids, lengths)
            if report is not None:
                report.reading(writer.n_documents, size, n_read, time.perf_counter() - tic)
        writer.close()
        if report is not None:
            report.reading(writer.n_documents, size, 0, time.perf_counter() - tic, done=True)
        if grow:
            words = list(index)
            kept = prune_vocabulary(counts, words, min_count, max_features)
            check_kept(kept, writer.n_documents, writer.n_tokens, len(words), min_count)
            table = np.full(len(words), -1, dtype=np.int32)
            table[kept] = np.arange(len(kept), dtype=np.int32)
            words, counts = [words[k] for k in kept.tolist()], counts[kept]
        else:
            check_kept(words, writer.n_documents, writer.n_tokens, 0, min_count)
            table = None
        encoding = {
            "words": list(words), "word_counts": counts, "table": table,
            "n_documents": writer.n_documents, "n_tokens": 0,
            "frequency": np.zeros(len(words), dtype=np.int64),
        }
        corpus = EncodedCorpus(writer.path, encoding)
        _count_documents(corpus)
        return corpus
    except BaseException:
        writer.close()
        shutil.rmtree(writer.path, ignore_errors=True)
        raise


def _count_documents(corpus):
    """Set ``corpus``'s kept tokens and document frequencies (one read of the
    spill); raise if no document has two kept words."""
    trainable = False
    for chunk in corpus.chunks():
        corpus.n_tokens += chunk.n_tokens
        corpus.frequency += document_frequencies(chunk, len(corpus.words))
        trainable = trainable or bool((np.diff(chunk.indptr) >= 2).any())
    check_trainable(trainable)


def cached_corpus(raw_documents, params, *, min_count, max_features, words, n_jobs, report,
                  key=None, location=None):
    """:func:`encode_corpus`, reused from ``location`` when ``key`` names it there.

    With ``key`` (which names the documents and every argument that shapes
    the encoding) and ``location`` (a directory), the files are kept there as
    a cache entry for later fits, written under a temporary name and renamed
    once complete; without, they are temporary.
    """
    if key is None or location is None:
        return encode_corpus(raw_documents, params, min_count=min_count,
                             max_features=max_features, words=words, n_jobs=n_jobs, report=report)
    path = os.path.join(location, key)
    found = EncodedCorpus.open(path, key)
    if found is not None:
        return found
    os.makedirs(location, exist_ok=True)
    corpus = encode_corpus(raw_documents, params, min_count=min_count, max_features=max_features,
                           words=words, n_jobs=n_jobs, parent=location, report=report)
    encoding = {
        "words": corpus.words, "word_counts": corpus.word_counts, "table": corpus._table,
        "frequency": corpus.frequency, "n_documents": corpus.n_documents,
        "n_tokens": corpus.n_tokens,
    }
    with open(os.path.join(corpus.path, _ENCODING), "wb") as file:
        pickle.dump(encoding, file, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        os.rename(corpus.path, path)
    except OSError:  # another fit stored the same entry meanwhile
        corpus.remove()
        return EncodedCorpus.open(path, key)
    corpus._finalizer.detach()
    return EncodedCorpus(path, encoding, key)
