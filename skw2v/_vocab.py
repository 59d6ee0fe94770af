"""Token lists -> vocabulary, compact integer corpora and word2vec's subsampling.

A corpus is held as one ``int32`` array of word ids plus ``int64`` document
offsets (the CSR layout): a 17M-token corpus takes 68 MB, and no Python list
of strings outlives tokenization.
"""

import itertools
from array import array
from collections import defaultdict
from typing import NamedTuple

import numpy as np

from ._keyed_random import document_uniforms, token_uniforms

#: Tokens handled at once by the passes over a whole corpus (remapping,
#: compaction, subsampling draws), which bounds their temporaries.
TOKEN_CHUNK = 1 << 20
#: Tokens drawn at once in keyed subsampling, and counted or moved at once when
#: tokens are selected (:func:`kept_offsets`, :func:`select_tokens`): the hashes
#: take about 40 bytes a token while they are formed and the running count 8 to
#: 24, so a small slice keeps them beside a chunk a few megabytes (and in the
#: cache).
DRAW_TOKENS = 1 << 16

#: Tokens in a chunk of documents of a corpus read from disk (a document
#: longer than that is a chunk of its own): the unit of the passes after
#: the first read.
CHUNK_TOKENS = 1 << 22


class Corpus(NamedTuple):
    """Documents as word ids: document ``i`` is ``ids[indptr[i]:indptr[i + 1]]``."""

    ids: np.ndarray
    indptr: np.ndarray

    @property
    def n_documents(self):
        return len(self.indptr) - 1

    @property
    def n_tokens(self):
        return len(self.ids)

    def chunks(self, chunk_tokens=None):
        """Yield the corpus as consecutive corpora (views) of whole documents,
        each of the most documents whose tokens sum to at most
        ``chunk_tokens`` (default ``CHUNK_TOKENS``), and at least one (the
        rule of :meth:`skw2v._spill.EncodedCorpus.chunks`)."""
        chunk_tokens = CHUNK_TOKENS if chunk_tokens is None else chunk_tokens
        first = 0
        while first < self.n_documents:
            limit = self.indptr[first] + chunk_tokens
            stop = min(max(int(np.searchsorted(self.indptr, limit, side="right")) - 1, first + 1),
                       self.n_documents)
            begin, end = self.indptr[first], self.indptr[stop]
            yield Corpus(self.ids[begin:end], self.indptr[first : stop + 1] - begin)
            first = stop


def _finish(ids, lengths):
    """The Corpus of ``array("i")`` ids and ``array("q")`` lengths, without copying the ids."""
    return from_lengths(np.frombuffer(ids, dtype=np.int32) if len(ids) else np.empty(0, np.int32),
                        np.frombuffer(lengths, dtype=np.int64) if len(lengths) else [])


def count_and_encode(token_lists):
    """Tokenize once: give every distinct token an id in order of first appearance.

    Parameters
    ----------
    token_lists : iterable of list of str
        One token list per document, consumed once (a generator is fine).

    Returns
    -------
    corpus : Corpus
        The whole input, every token kept, as provisional ids.
    words : list of str
        ``words[i]`` is the token with provisional id ``i``.
    """
    index = defaultdict(itertools.count().__next__)  # a new token gets the next id
    lookup = index.__getitem__
    ids = array("i")
    lengths = array("q")
    for tokens in token_lists:
        before = len(ids)
        ids.extend(map(lookup, tokens))
        lengths.append(len(ids) - before)
    return _finish(ids, lengths), list(index)


def prune_vocabulary(counts, words, min_count, max_features):
    """Choose the kept words: frequency order, ties broken by the word itself.

    Parameters
    ----------
    counts : ndarray of int
        Occurrences of each provisional id.
    words : list of str
        Token of each provisional id.
    min_count : int
        Words occurring fewer times in total are dropped.
    max_features : int or None
        Keep at most this many of the most frequent words.

    Returns
    -------
    kept : ndarray of int
        Provisional ids of the kept words, most frequent first; row ``r`` of
        the model is word ``words[kept[r]]``. Equal counts are ordered by the
        word (``str`` order), so the result does not depend on document order.
    """
    candidates = np.flatnonzero(counts >= min_count)
    order = sorted(candidates.tolist(), key=lambda i: (-counts[i], words[i]))
    if max_features is not None:
        order = order[:max_features]
    return np.asarray(order, dtype=np.int64)


def count_words(ids, n_words):
    """``np.bincount(ids, minlength=n_words)`` as int64, counted ``TOKEN_CHUNK``
    ids at a time (``bincount`` copies its input to 8-byte integers)."""
    counts = np.zeros(n_words, dtype=np.int64)
    for part in token_slices(len(ids)):
        counts += np.bincount(ids[part], minlength=n_words)
    return counts


def token_slices(n_tokens, size=None):
    """``slice`` objects cutting ``range(n_tokens)`` into pieces of ``size``
    (default ``TOKEN_CHUNK``)."""
    size = TOKEN_CHUNK if size is None else size
    return [slice(start, min(start + size, n_tokens)) for start in range(0, n_tokens, size)]


def remap(corpus, mapping):
    """Apply ``mapping`` (old id -> new id, or -1 to drop) to every token, in place.

    Dropped tokens are removed before windows are formed, as word2vec does:
    a context window spans over out-of-vocabulary words. ``corpus.ids`` is
    overwritten (the result's ids are a view of its start), so that the
    corpus is never held twice: pass a corpus of your own.
    """
    ids, table = corpus.ids, np.asarray(mapping, dtype=np.int32)  # no copy if int32
    for part in token_slices(corpus.n_tokens):
        ids[part] = table[ids[part]]
    return select_tokens(corpus, ids >= 0, in_place=True)


def kept_offsets(keep, indptr):
    """CSR offsets after keeping the entries where ``keep`` is True.

    ``indptr`` (non-decreasing, from 0 to ``len(keep)``) cuts ``keep`` into
    segments (documents, or the rows of a sparse matrix); the result cuts the
    kept entries the same way. The entries are counted ``DRAW_TOKENS`` at a
    time, so that beside the result only one slice's running count (8 bytes
    an entry) is formed, whatever the length of ``keep``.
    """
    indptr = np.asarray(indptr)
    offsets = np.zeros(len(indptr), dtype=np.int64)
    total = 0
    for part in token_slices(len(keep), DRAW_TOKENS):
        running = np.cumsum(keep[part], dtype=np.int64)
        # The boundaries that fall in this chunk, after its first entry.
        lo, hi = np.searchsorted(indptr, [part.start, part.stop], side="right")
        offsets[lo:hi] = total + running[indptr[lo:hi] - part.start - 1]
        total += int(running[-1])
    return offsets


def select_tokens(corpus, keep, in_place=False):
    """The corpus with only the tokens where ``keep`` is True; documents keep their bounds.

    Memory beyond the result is the boolean mask: document offsets come from
    per-document counts, not from a cumulative sum over every token. With
    ``in_place``, the kept tokens are moved to the start of ``corpus.ids``
    (chunk by chunk, so no second corpus is formed) and the result's ids are
    a view of it.
    """
    indptr = kept_offsets(keep, corpus.indptr)
    if not in_place:
        return Corpus(corpus.ids[keep], indptr)
    written = _write_kept(corpus.ids, keep, corpus.ids)
    return Corpus(corpus.ids[:written], indptr)


def _write_kept(ids, keep, out):
    """Write the entries of ``ids`` where ``keep`` is True to the start of
    ``out``, in order, ``DRAW_TOKENS`` at a time; return how many. ``out`` may
    be ``ids`` itself: no write runs ahead of what is read."""
    written = 0
    for part in token_slices(len(ids), DRAW_TOKENS):
        chosen = ids[part][keep[part]]
        out[written : written + len(chosen)] = chosen
        written += len(chosen)
    return written


def sample_documents(corpus, fraction, key, first_document):
    """The documents of ``corpus`` whose keyed uniform is below ``fraction``.

    Document ``d`` (numbered from ``first_document``) is chosen when
    :func:`~skw2v._keyed_random.document_uniforms` gives it a value below
    ``fraction`` under ``key``: whether it is chosen does not depend on the
    other documents nor on how they are cut into chunks.
    """
    chosen = document_uniforms(key, np.arange(corpus.n_documents) + first_document) < fraction
    lengths = np.diff(corpus.indptr)
    return from_lengths(corpus.ids[np.repeat(chosen, lengths)], lengths[chosen])


def concatenate(corpora):
    """The documents of ``corpora``, in order, as one Corpus."""
    corpora = list(corpora)
    if not corpora:
        return from_lengths(np.empty(0, np.int32), np.empty(0, np.int64))
    return from_lengths(np.concatenate([c.ids for c in corpora]),
                        np.concatenate([np.diff(c.indptr) for c in corpora]))


def from_lengths(ids, lengths):
    """The Corpus of ``ids`` (int32) cut into documents of ``lengths`` tokens."""
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return Corpus(np.asarray(ids, dtype=np.int32), indptr)


def subsample_keyed(corpus, keep, key, first_document):
    """:func:`subsample` with draws keyed by document and position.

    Token ``i`` of document ``d`` (the corpus's documents being numbered
    from ``first_document``) is kept when the uniform that
    :func:`~skw2v._keyed_random.token_uniforms` gives it under ``key`` is
    below ``keep[word]``: the draws do not depend on how the documents are
    cut into chunks, nor on which process makes them.
    """
    if np.all(keep >= 1.0):
        return corpus
    return select_tokens(corpus, _keyed_mask(corpus, keep, key, first_document))


def subsampled_copies(corpus, keep, keys, first_document):
    """The copies :func:`subsample_keyed` draws under each of ``keys``, one
    after another as documents of one Corpus (:func:`concatenate` of them);
    with one key, that draw itself (``corpus`` as it is when every word is
    always kept).

    The copies are written straight into the result: beside ``corpus`` and
    the result, only each draw's mask (a byte a token) is held.
    """
    if len(keys) == 1:
        return subsample_keyed(corpus, keep, keys[0], first_document)
    masks = [_keyed_mask(corpus, keep, key, first_document) for key in keys]
    offsets = [kept_offsets(mask, corpus.indptr) for mask in masks]
    ids = np.empty(sum(int(kept[-1]) for kept in offsets), dtype=np.int32)
    written = 0
    for mask in masks:
        written += _write_kept(corpus.ids, mask, ids[written:])
    lengths = [np.diff(kept) for kept in offsets]
    return from_lengths(ids, np.concatenate(lengths) if lengths else np.empty(0, np.int64))


def _keyed_mask(corpus, keep, key, first_document):
    """The tokens :func:`subsample_keyed` keeps, as a boolean mask."""
    mask = np.empty(corpus.n_tokens, dtype=bool)
    indptr = np.asarray(corpus.indptr, dtype=np.int64)
    for part in token_slices(corpus.n_tokens, DRAW_TOKENS):
        uniforms = token_uniforms(key, first_document, indptr, part.start, part.stop)
        np.less(uniforms, keep[corpus.ids[part]], out=mask[part])
    return mask


def subsample(corpus, keep, rng):
    """Drop each token with probability ``1 - keep[word]``; documents keep their bounds.

    Dropped tokens are removed before windows are formed, as in word2vec, so
    windows reach further around frequent words. ``rng`` is a RandomState.
    The draws are made in chunks (the same random stream as one draw), so
    the temporaries stay a few megabytes at any corpus size.
    """
    if np.all(keep >= 1.0):
        return corpus
    mask = np.empty(corpus.n_tokens, dtype=bool)
    for part in token_slices(corpus.n_tokens):
        np.less(rng.random_sample(part.stop - part.start), keep[corpus.ids[part]], out=mask[part])
    return select_tokens(corpus, mask)


def check_vocabulary(vocabulary):
    """The words of a fixed ``vocabulary``, in row order, checked.

    ``vocabulary`` is a mapping word -> row (rows ``0..n-1``, each once) or
    an iterable of distinct words (rows in order), as ``CountVectorizer``'s.

    Raises
    ------
    ValueError
        Naming the problem: empty, a repeated word or row, a missing row.
    """
    if isinstance(vocabulary, str):
        raise ValueError("vocabulary must be a mapping or an iterable of words, not a string.")
    if hasattr(vocabulary, "items"):
        items = sorted(vocabulary.items(), key=lambda item: item[1])
        rows = [row for _, row in items]
        if rows != list(range(len(rows))):
            missing = sorted(set(range(len(rows))) - set(rows))
            raise ValueError(
                f"vocabulary of {len(rows)} words must map them to the rows 0..{len(rows) - 1}, "
                f"each once; row {missing[0] if missing else 'numbers repeat'} is missing."
            )
        words = [word for word, _ in items]
    else:
        words = list(vocabulary)
        if len(set(words)) != len(words):
            seen = set()
            repeated = next(w for w in words if w in seen or seen.add(w))
            raise ValueError(f"vocabulary contains {repeated!r} twice; words must be distinct.")
    if not words:
        raise ValueError("vocabulary is empty; give at least one word.")
    if not all(isinstance(word, str) for word in words):
        raise ValueError("vocabulary words must be strings.")
    return words


def check_kept(kept, n_documents, n_tokens, n_distinct, min_count):
    """Raise a ValueError with a hint when there are no documents or no kept word."""
    if n_documents == 0:
        raise ValueError("fit needs at least one document; got an empty collection.")
    if len(kept) == 0:
        if n_tokens == 0:
            hint = "the documents contain no tokens; perhaps they only contain stop words"
        else:
            hint = (
                f"no word occurs min_count={min_count} times in the {n_documents} documents "
                f"({n_tokens} tokens, {n_distinct} distinct words); lower min_count or pass "
                "more text"
            )
        raise ValueError(f"Empty vocabulary: {hint}.")


def check_trainable(has_context):
    """Raise a ValueError with a hint unless some document has two kept words."""
    if not has_context:
        raise ValueError(
            "Nothing to train on: no document has two in-vocabulary words, so "
            "no word has a context. Lower min_count, raise max_features, pass "
            "longer documents, or check the vocabulary."
        )


def keep_probabilities(counts, sample):
    """word2vec's probability of keeping each occurrence of each word.

    A word making up a fraction ``f`` of the corpus is kept with probability
    ``(sqrt(f / sample) + 1) * sample / f``, capped at 1 (Mikolov et al. 2013b,
    as implemented in word2vec.c and gensim). ``sample=0`` keeps everything.

    Parameters
    ----------
    counts : ndarray of int, shape (n_words,)
        Occurrences of each word in the training corpus.
    sample : float
        The threshold; words rarer than about ``sample`` are always kept.

    Returns
    -------
    keep : ndarray of float64, shape (n_words,)
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    with np.errstate(divide="ignore"):
        keep = (np.sqrt(counts / threshold) + 1) * threshold / counts
    return np.minimum(keep, 1.0)


def renumber(index, words, grow):
    """Each of ``words``' id in ``index`` (a dict, word -> id), as int32.

    A word not in ``index`` gets the next id (and is added to it) if
    ``grow``, else -1. Known words are looked up in one C-level pass; only
    new ones take a Python step.
    """
    ids = list(map(index.get, words))
    for position, found in enumerate(ids):
        if found is None:
            ids[position] = index.setdefault(words[position], len(index)) if grow else -1
    return np.array(ids, dtype=np.int32)


def encode(token_lists, vocabulary):
    """Encode documents with a fixed vocabulary, dropping unknown tokens.

    Parameters
    ----------
    token_lists : iterable of list of str
    vocabulary : dict
        Token -> row.

    Returns
    -------
    corpus : Corpus
    """
    get, unknown = vocabulary.get, itertools.repeat(-1)
    ids = array("i")
    lengths = array("q")
    for tokens in token_lists:
        before = len(ids)
        ids.extend(map(get, tokens, unknown))  # -1 for an unknown token, looked up in C
        lengths.append(len(ids) - before)
    corpus = _finish(ids, lengths)
    known = corpus.ids >= 0
    return corpus if known.all() else select_tokens(corpus, known, in_place=True)
