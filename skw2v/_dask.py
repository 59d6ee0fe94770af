"""Documents in a Dask collection: the counting passes run where the partitions live.

A ``dask.bag.Bag`` of documents or a ``dask.dataframe.Series`` of text is
read in passes, each a map over its partitions and a tree reduction
(``SPLIT_EVERY`` results combined per task), computed by whichever Dask
scheduler is active (a ``distributed.Client``, or Dask's local one):

1. word counts: each partition is tokenized and numbered under its own
   words (on a distributed cluster its ids then stay in the workers'
   memory, 4 bytes a token, for the later passes); the counts are merged by
   word, with the partitions' document counts, which number the documents
   globally;
2. co-occurrence counts (integer sums, :func:`~skw2v._cooccurrence.partial_training_counts`),
   document frequencies and kept tokens, under the vocabulary, which is sent
   to the workers once; the float32 count matrix is finished on a worker;
3. after the solve, the exact integer Gram matrix of the SIF averages (and,
   for a pooling that reads documents, the keyed sample of documents).

Only these sums reach the client, never the text or its ids. Every random
draw is keyed by the document's global index (:mod:`skw2v._keyed_random`),
and every sum is an integer sum, so the result is the same, bit for bit, as
fitting the same documents from a list on one machine, for any number of
partitions and workers. Dask itself is imported only here, and only when
a Dask collection is given.
"""

import sys
import time
import uuid

import numpy as np
import scipy.sparse as sp

from ._analyzer import TOKENIZATION_PARAMS, build_analyzer, iter_token_lists
from ._cooccurrence import finish_counts, partial_training_counts
from ._keyed_random import stream_key
from ._parallel import Pool
from ._pooling import document_frequencies, sif_gram_units
from ._scoring import log_likelihood
from ._encoding import encode_chunk
from ._vocab import (
    check_kept,
    check_trainable,
    concatenate,
    encode,
    from_lengths,
    prune_vocabulary,
    remap,
    renumber,
    sample_documents,
    token_slices,
)

#: Partial results combined by one task of a tree reduction.
SPLIT_EVERY = 8
#: Bytes of the count matrix's entries that one message brings to the client
#: from a distributed cluster: the client holds the matrix it assembles and
#: one such block in flight beside it, never the whole message.
RECEIVE_BLOCK_BYTES = 32 << 20


def is_dask_collection(X):
    """Whether ``X`` is a Dask collection (checked without importing Dask)."""
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "__dask_graph__")


def check_collection(X):
    """The delayed partitions of ``X``: a Bag of documents or a Series of text.

    Raises a ValueError saying what to pass for a Dask DataFrame (two
    dimensions) or any other Dask collection.
    """
    import dask.bag

    accepted = (dask.bag.Bag,)
    if type(X).__module__.startswith("dask.dataframe"):
        import dask.dataframe  # needs pandas and pyarrow: only for dataframe collections

        if isinstance(X, dask.dataframe.DataFrame):
            raise ValueError(
                "Expected one column of text documents, got a Dask DataFrame. Pass the text "
                "column itself, e.g. ddf['text'] rather than ddf[['text']]."
            )
        accepted += (dask.dataframe.Series,)
    if not isinstance(X, accepted):
        raise TypeError(
            f"A Dask {type(X).__name__} of documents cannot be read: pass a dask.bag.Bag of "
            "documents or a dask.dataframe.Series of text (e.g. ddf['text'] or "
            "dask.bag.read_text(...))."
        )
    return list(X.to_delayed())


def _documents(partition):
    """A partition's documents as a list (a Bag's list, a pandas Series' values)."""
    return partition.tolist() if hasattr(partition, "tolist") else list(partition)


def _failed(index, error):
    """The error that names the partition (and, in ``error``, the document) that failed."""
    return ValueError(
        f"Partition {index} of the Dask collection cannot be read: {type(error).__name__}: "
        f"{error} (document numbers count from the start of the partition)."
    )


def _encode_partition(partition, index, params):
    """Pass 1's map on one partition: ``(words, ids, lengths)`` of
    :func:`~skw2v._encoding.encode_chunk`, its words numbered by first appearance."""
    documents = _documents(partition)
    try:
        return encode_chunk(documents, 0, params)
    except (ValueError, TypeError, OSError) as error:
        raise _failed(index, error) from error


def _word_counts(encoded):
    """``(words, counts, [n_documents])`` of an encoded partition."""
    words, ids, lengths = encoded
    return words, np.bincount(ids, minlength=len(words)).astype(np.int64), [len(lengths)]


def _merge_word_counts(parts):
    """Pass 1's reduction: word counts summed by word; document counts in order."""
    index, counts, n_documents = {}, [], []
    for words, part_counts, part_documents in parts:
        rows = renumber(index, words, grow=True)
        if len(index) > len(counts):
            counts = np.concatenate([counts, np.zeros(len(index) - len(counts), np.int64)])
        counts[rows] += part_counts  # a partition's words are distinct
        n_documents += part_documents
    return list(index), np.asarray(counts, dtype=np.int64), n_documents


def _encoded(partition, index, vocabulary, params):
    """A partition's documents as a Corpus under ``vocabulary`` (unknown words
    dropped), tokenized anew."""
    documents = _documents(partition)
    analyzer = build_analyzer(params)
    tokens = iter_token_lists(documents, analyzer, params["input"],
                              check_content=not callable(params["analyzer"]))
    try:
        return encode(tokens, vocabulary)
    except (ValueError, TypeError, OSError) as error:
        raise _failed(index, error) from error


class _Rows:
    """A vocabulary's ``{word: row}`` (``rows``) that travels as its list of
    words: Dask sends a dict or a list element by element (about 20 s for
    100,000 words), an object of its own at once, and each worker builds
    the dict once, when it receives it."""

    def __init__(self, words):
        self.words = list(words)
        self.rows = {word: row for row, word in enumerate(self.words)}

    def __reduce__(self):
        return type(self), (self.words,)


def _under(encoded, vocabulary):
    """An encoded partition as a Corpus under ``vocabulary`` (:class:`_Rows`):
    its words' rows looked up once, unknown words dropped."""
    words, ids, lengths = encoded
    return remap(from_lengths(ids.copy(), lengths), renumber(vocabulary.rows, words, grow=False))


def _pair_counts(encoded, index, first_document, vocabulary, word_counts, count_params):
    """Pass 2 on one partition: integer count sums, document frequencies, kept tokens."""
    corpus = _under(encoded, vocabulary)
    sums = partial_training_counts(corpus.chunks(), word_counts, first_document=first_document,
                                   **count_params)
    trainable = bool((np.diff(corpus.indptr) >= 2).any())
    return _narrow(sums), document_frequencies(corpus, len(word_counts)), corpus.n_tokens, trainable


def _finish_pair_counts(total, window, sample, word_counts):
    """The last task of pass 2, on a worker: the float32 counts from the
    integer sums, so that only the count matrix travels to the client."""
    sums, frequency, n_tokens, trainable = total
    counts = finish_counts(sums, window=window, sample=sample, word_counts=word_counts)
    return counts, frequency, n_tokens, trainable


def _counts_outline(total):
    """The count matrix's shape, row pointers and sortedness, with the
    pass's other results: what the client needs before the entries."""
    counts, frequency, n_tokens, trainable = total
    return (counts.shape, counts.indptr, counts.has_sorted_indices, counts.indices.dtype,
            frequency, n_tokens, trainable)


def _counts_entries(total, part):
    """The count matrix's entries in the slice ``part``: values and columns."""
    counts = total[0]
    return counts.data[part], counts.indices[part]


def _entry_blocks(n_entries, block_bytes):
    """Slices of consecutive blocks of at most ``block_bytes`` of entries (a
    float32 value and a column index each), at least one entry a block."""
    return token_slices(n_entries, max(1, block_bytes // 8))


def _receive_counts(finished, name):
    """``(result of _finish_pair_counts, bytes received)``; the count matrix
    comes from a distributed cluster in blocks of entries, copied one by one
    into arrays of its size, so that the client never holds a whole
    message's buffers beside it."""
    client = _client()
    if client is None:
        return _compute(finished)
    from dask.sizeof import sizeof

    held = client.compute(finished)
    try:
        outline = client.submit(_counts_outline, held, key=f"{name}-outline").result()
        shape, indptr, is_sorted, index_dtype, frequency, n_tokens, trainable = outline
        received = int(sizeof(outline))
        n_entries = int(indptr[-1])
        data = np.empty(n_entries, dtype=np.float32)
        indices = np.empty(n_entries, dtype=index_dtype)
        blocks = _entry_blocks(n_entries, RECEIVE_BLOCK_BYTES)
        pending = [client.submit(_counts_entries, held, part, key=f"{name}-entries-{i}")
                   for i, part in enumerate(blocks)]
        for part, future in zip(blocks, pending, strict=True):
            values, columns = future.result()
            future.release()
            data[part], indices[part] = values, columns
            received += values.nbytes + columns.nbytes
            del values, columns
    finally:
        held.release()
    counts = sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)
    counts.has_sorted_indices = is_sorted
    return (counts, frequency, n_tokens, trainable), received


def _narrow(sums):
    """Integer count sums as int32 when every sum fits (half the bytes to
    move between workers), else int64."""
    if sums.nnz and sums.data.max() > np.iinfo(np.int32).max:
        return sums.astype(np.int64)
    return sums.astype(np.int32)


def _add_pair_counts(parts):
    sums, frequency, n_tokens, trainable = parts[0]
    sums = sums.astype(np.int64)
    for part in parts[1:]:
        sums = sums + part[0].astype(np.int64)
        frequency = frequency + part[1]
        n_tokens += part[2]
        trainable = trainable or part[3]
    return _narrow(sums), frequency, n_tokens, trainable


def _gram_units(encoded, index, first_document, vocabulary, vectors, word_counts, alpha, exponent):
    """Pass 3 on one partition: the exact SIF Gram units of its documents."""
    corpus = _under(encoded, vocabulary)
    return sif_gram_units(corpus, vectors, word_counts, alpha, exponent)


def _add(parts):
    return sum(parts[1:], parts[0])


def _sampled(encoded, index, first_document, vocabulary, fraction, key):
    """The partition's documents chosen by the keyed sample, as a list of one Corpus."""
    corpus = _under(encoded, vocabulary)
    return [sample_documents(corpus, fraction, key, first_document)]


def _joined(parts):
    return [corpus for part in parts for corpus in part]


def _transform(partition, index, vectorizer):
    documents = _documents(partition)
    try:
        return vectorizer.transform(documents)
    except (ValueError, TypeError, OSError) as error:
        raise _failed(index, error) from error


def _score(partition, index, vectorizer):
    """``(total log-probability, pairs)`` of one partition under the fitted model."""
    params = {name: getattr(vectorizer, name) for name in TOKENIZATION_PARAMS}
    corpus = _encoded(partition, index, vectorizer.vocabulary_, params)
    with Pool(1) as pool:
        return log_likelihood(corpus, vectorizer.word_vectors_, vectorizer.context_vectors_,
                              vectorizer.window, pool)


def _add_scores(parts):
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def _tree(values, combine, name):
    """A tree reduction of delayed ``values`` by ``combine`` (of a list), in
    order, ``SPLIT_EVERY`` at a time; its tasks are named ``name``."""
    import dask

    level = 0
    while len(values) > 1 or level == 0:
        values = [
            dask.delayed(combine, pure=True)(
                values[i : i + SPLIT_EVERY], dask_key_name=f"{name}-reduce-{level}-{i // SPLIT_EVERY}"
            )
            for i in range(0, len(values), SPLIT_EVERY)
        ]
        level += 1
    return values[0]


def _map(function, partitions, name, *args, firsts=None, homes=None):
    """``function(partition, index, [first document,] *args)`` of every partition, as named tasks.

    ``homes[i]``, if given, names the workers that hold partition ``i``: its
    task is meant to run there (another worker may take it only if none of
    them is left), so that the partition is not copied to a worker that was
    idle when the task was scheduled.
    """
    import dask

    call = dask.delayed(function, pure=True)
    tasks = []
    for i, partition in enumerate(partitions):
        head = (partition, i) if firsts is None else (partition, i, int(firsts[i]))
        home = homes[i] if homes is not None else None
        with dask.annotate(**({"workers": home, "allow_other_workers": True} if home else {})):
            tasks.append(call(*head, *args, dask_key_name=f"{name}-{i}"))
    return tasks


def _homes(persisted):
    """The workers holding each persisted partition (None for each without a cluster)."""
    client = _client()
    if client is None:
        return None
    from distributed import futures_of

    who_has = client.who_has([future for value in persisted for future in futures_of(value)])
    return [list(who_has.get(value.key, ())) or None for value in persisted]


def _client():
    """The active ``distributed.Client``, or None (without importing distributed)."""
    if "distributed" not in sys.modules:
        return None
    try:
        return sys.modules["distributed"].get_client()
    except ValueError:  # no client: Dask's local scheduler computes
        return None


def _shared(value):
    """``value`` as one piece of data that every task taking it shares: sent
    to the workers once (scattered, on a distributed cluster), not once per
    partition, nor inside the task graph.

    Dask sends a dict or a list element by element (seconds for 100,000
    entries): give such a value in an object of its own, as :class:`_Rows`.
    """
    import dask

    client = _client()
    if client is not None:
        return client.scatter([value], hash=False, broadcast=True)[0]
    return dask.delayed(value, name=_name(type(value).__name__), traverse=False)


def _compute(value):
    """``(result, its size in bytes)``: what the pass sent to this machine."""
    import dask
    from dask.sizeof import sizeof

    result = dask.compute(value)[0]
    return result, int(sizeof(result))


def _name(stage):
    return f"skw2v-{stage}-{uuid.uuid4().hex[:8]}"


class DaskCorpus:
    """A Dask collection's documents, counted where they live.

    Made by :func:`read_collection` (pass 1); has the attributes and methods
    of :class:`~skw2v._spill.EncodedCorpus` that ``fit`` uses, each a pass
    over the partitions. ``frequency`` and ``n_tokens`` are known once
    :meth:`training_counts` has run.
    """

    key = None

    def __init__(self, encoded, words, word_counts, n_documents, report, received_bytes=0):
        self._encoded = encoded
        self._report = report
        self.words = words
        self.word_counts = word_counts
        self._firsts = np.concatenate([[0], np.cumsum(n_documents)])[:-1]
        self.n_documents = int(np.sum(n_documents))
        self.n_tokens = 0
        self.frequency = np.zeros(len(words), dtype=np.int64)
        #: Bytes of results received from the workers, over every pass.
        self.received_bytes = received_bytes
        self._vocabulary = None

    def _shared_vocabulary(self):
        if self._vocabulary is None:
            self._vocabulary = _shared(_Rows(self.words))
        return self._vocabulary

    def _over_encoded(self, function, name, *args):
        """``function(ids, index, first document, vocabulary, *args)`` of every
        encoded partition, as named tasks, each on the worker that holds its
        partition (asked anew each pass: a lost worker's partitions move)."""
        return _map(function, self._encoded, name, self._shared_vocabulary(), *args,
                    firsts=self._firsts, homes=_homes(self._encoded))

    def _pass(self, what, value, receive=_compute):
        tic = time.perf_counter()
        result, size = receive(value)
        self.received_bytes += size
        self._report.stage(
            f"{what} ({len(self._encoded)} Dask partitions, {size / 1e6:,.1f} MB to this "
            "machine)", time.perf_counter() - tic, level=1,
        )
        return result

    def training_counts(self, word_counts, *, window, shrink_windows, sample, random_state,
                        n_threads=1, report=None):
        """Pass 2: :func:`~skw2v._cooccurrence.training_counts` of the documents,
        as integer sums per partition, tree-reduced."""
        import dask

        count_params = {"window": window, "shrink_windows": shrink_windows, "sample": sample,
                        "random_state": random_state}
        name = _name("count-pairs")
        shared_counts = _shared(np.asarray(word_counts))
        parts = self._over_encoded(_pair_counts, name, shared_counts, count_params)
        finished = dask.delayed(_finish_pair_counts, pure=True)(
            _tree(parts, _add_pair_counts, name), window, sample, shared_counts,
            dask_key_name=f"{name}-finish",
        )
        counts, frequency, n_tokens, trainable = self._pass(
            "co-occurrence counts", finished, lambda value: _receive_counts(value, name))
        check_trainable(trainable)
        self.frequency, self.n_tokens = frequency, int(n_tokens)
        return counts

    def sif_gram_units(self, vectors, word_counts, alpha, exponent):
        """Pass 3: :func:`~skw2v._pooling.sif_gram_units`, summed over the partitions."""
        name = _name("sif-statistics")
        parts = self._over_encoded(_gram_units, name, _shared(vectors),
                                   _shared(np.asarray(word_counts)), alpha, exponent)
        return self._pass("SIF statistics", _tree(parts, _add, name))

    def sample(self, max_tokens, random_state):
        """The keyed sample of :meth:`~skw2v._spill.EncodedCorpus.sample`: a
        pass that sends the chosen documents' ids to the client."""
        fraction = max_tokens / max(self.n_tokens, 1)  # 1 or more: every document
        name = _name("sample")
        parts = self._over_encoded(_sampled, name, fraction, stream_key(random_state, 0))
        return concatenate(self._pass("sample of documents", _tree(parts, _joined, name)))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._encoded = self._vocabulary = None  # the workers release the encoded partitions


def read_collection(X, params, *, min_count, max_features, words, report):
    """Pass 1 over a Dask collection: its vocabulary and word counts, as a :class:`DaskCorpus`.

    ``words`` is a fixed vocabulary in row order, or None to learn one
    (pruned by ``min_count`` and ``max_features``, as for a list). Each
    partition is tokenized once: on a distributed cluster its word ids (4
    bytes a token) stay in the workers' memory until the fit ends, and the
    later passes read them; on Dask's local scheduler each pass tokenizes
    the partition again, so that nothing is held.
    """
    import dask

    partitions = check_collection(X)
    name = _name("count-words")
    tic = time.perf_counter()
    encoded = _map(_encode_partition, partitions, f"{name}-encode", params)
    client = _client()
    if client is not None:  # kept on the workers for the later passes
        encoded = client.persist(encoded)
    counts_of = [dask.delayed(_word_counts, pure=True)(e, dask_key_name=f"{name}-{i}")
                 for i, e in enumerate(encoded)]
    (found, counts, n_documents), size = _compute(_tree(counts_of, _merge_word_counts, name))
    report.stage(f"word counts ({len(partitions)} Dask partitions, {size / 1e6:,.1f} MB to this "
                 "machine)", time.perf_counter() - tic, level=1)
    n_tokens = int(counts.sum())
    if words is None:
        kept = prune_vocabulary(counts, found, min_count, max_features)
        check_kept(kept, sum(n_documents), n_tokens, len(found), min_count)
        words, word_counts = [found[k] for k in kept.tolist()], counts[kept]
    else:
        index = {word: row for row, word in enumerate(found)}
        word_counts = np.array([counts[index[w]] if w in index else 0 for w in words], np.int64)
        check_kept(words, sum(n_documents), n_tokens, 0, min_count)
    return DaskCorpus(encoded, list(words), word_counts, n_documents, report, size)


def transform(vectorizer, X):
    """The document vectors of a Dask collection, as a lazy Dask array (one
    block of rows per partition; their lengths are unknown until computed)."""
    import dask.array as da

    partitions = check_collection(X)
    shared = _shared(vectorizer)
    name = _name("transform")
    n_features = vectorizer._n_features_out
    meta = vectorizer.transform([""])[:0]
    blocks = [
        da.from_delayed(block, shape=(np.nan, n_features), dtype=meta.dtype, meta=meta)
        for block in _map(_transform, partitions, name, shared)
    ]
    return da.concatenate(blocks, axis=0) if len(blocks) > 1 else blocks[0]


def score_parts(vectorizer, X):
    """``(total log-probability, pairs)`` summed over a Dask collection's partitions."""
    partitions = check_collection(X)
    shared = _shared(vectorizer)
    name = _name("score")
    return _compute(_tree(_map(_score, partitions, name, shared), _add_scores, name))[0]

