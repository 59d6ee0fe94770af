"""Corpus positions -> (center, context) pairs for a minibatch.

Every objective consumes the same thing: for a batch of center positions, the
word ids of the words within ``window`` positions on either side, inside the
same document. This module builds them with array arithmetic over a
``(batch, 2 * window)`` grid; no Python loop touches a word.
"""

import numpy as np


def training_positions(indptr):
    """Positions that have at least one context word.

    Parameters
    ----------
    indptr : ndarray of int64, shape (n_documents + 1,)
        Document offsets of a :class:`~skw2v._vocab.Corpus`.

    Returns
    -------
    positions : ndarray of int32 (int64 beyond 2**31 tokens)
        Every position of every document holding two or more words, ascending.
    """
    lengths = np.diff(indptr)
    n_tokens = int(indptr[-1])
    dtype = np.int32 if n_tokens < 2**31 else np.int64
    usable = lengths >= 2
    if usable.all():  # the usual case: no index array of int64 in between
        return np.arange(n_tokens, dtype=dtype)
    return np.flatnonzero(np.repeat(usable, lengths)).astype(dtype)


def context_pairs(positions, ids, indptr, window, reduced_windows=None):
    """Context words of a batch of centers.

    Parameters
    ----------
    positions : ndarray of int64, shape (batch,)
        Corpus positions of the centers; each must have a context word.
    ids : ndarray of int32
        Word ids of the corpus.
    indptr : ndarray of int64
        Document offsets of the corpus; windows never cross them.
    window : int
        Maximum distance between a center and a context word.
    reduced_windows : ndarray of int, shape (batch,), optional
        Per-center effective window (1..window), as word2vec's window shrinking
        draws it; None uses ``window`` for every center.

    Returns
    -------
    rows : ndarray of int64, shape (n_pairs,)
        Batch row of each pair, ascending (every row appears at least once).
    cols : ndarray of int32, shape (n_pairs,)
        Word id of each context word.
    n_contexts : ndarray of int64, shape (batch,)
        Number of context words of each center (``C`` in the loss).
    """
    doc = np.searchsorted(indptr, positions, side="right") - 1
    reach = window if reduced_windows is None else reduced_windows
    low = np.maximum(indptr[doc], positions - reach)
    high = np.minimum(indptr[doc + 1], positions + reach + 1)
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    grid = positions[:, None] + offsets
    valid = (grid >= low[:, None]) & (grid < high[:, None])
    rows, slots = np.nonzero(valid)
    cols = ids[positions[rows] + offsets[slots]]
    return rows, cols, high - low - 1
