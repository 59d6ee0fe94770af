"""Token lists -> vocabulary and compact integer corpora.

A corpus is held as one ``int32`` array of word ids plus ``int64`` document
offsets (the CSR layout): a 17M-token corpus takes 68 MB, and no Python list
of strings outlives tokenization.
"""

from array import array
from typing import NamedTuple

import numpy as np


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


def _finish(ids, lengths):
    ids = np.frombuffer(ids, dtype=np.int32) if len(ids) else np.empty(0, np.int32)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    if len(lengths):
        np.cumsum(np.frombuffer(lengths, dtype=np.int64), out=indptr[1:])
    return Corpus(ids, indptr)


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
    index = {}
    ids = array("i")
    lengths = array("q")
    for tokens in token_lists:
        before = len(ids)
        ids.extend([index.setdefault(token, len(index)) for token in tokens])
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


def remap(corpus, mapping):
    """Apply ``mapping`` (old id -> new id, or -1 to drop) to every token.

    Dropped tokens are removed before windows are formed, as word2vec does:
    a context window spans over out-of-vocabulary words.
    """
    new_ids = mapping.astype(np.int32)[corpus.ids] if corpus.n_tokens else corpus.ids
    return select_tokens(Corpus(new_ids, corpus.indptr), new_ids >= 0)


def select_tokens(corpus, keep):
    """The corpus with only the tokens where ``keep`` is True; documents keep their bounds.

    Memory beyond the result is the boolean mask: document offsets come from
    per-document counts, not from a cumulative sum over every token.
    """
    lengths = np.diff(corpus.indptr)
    kept = np.zeros(corpus.n_documents, dtype=np.int64)
    nonempty = lengths > 0
    if nonempty.any():
        kept[nonempty] = np.add.reduceat(keep, corpus.indptr[:-1][nonempty], dtype=np.int64)
    indptr = np.zeros(corpus.n_documents + 1, dtype=np.int64)
    np.cumsum(kept, out=indptr[1:])
    return Corpus(corpus.ids[keep], indptr)


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
    get = vocabulary.get
    ids = array("i")
    lengths = array("q")
    for tokens in token_lists:
        before = len(ids)
        ids.extend([i for i in map(get, tokens) if i is not None])
        lengths.append(len(ids) - before)
    return _finish(ids, lengths)
