"""Random draws keyed by what they are about, not by the order they are made in.

A draw for token ``t`` of document ``d`` is a hash of ``(seed, stream, d, t)``
(splitmix64's finalizer, applied twice), so it is the same whichever process
makes it, however the documents are cut into chunks or partitions, and in
whatever order they arrive. This is what makes subsampled counts and the
pooling sample the same for a list read in one process, ``n_jobs`` worker
processes, or the partitions of a Dask collection.
"""

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def _mix_int(x):
    """splitmix64's finalizer of a Python int (exact, no overflow warnings)."""
    z = (x + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _mix(x):
    """splitmix64's finalizer of a uint64 array (wrapping arithmetic), in place."""
    x += np.uint64(_GOLDEN)
    x ^= x >> np.uint64(30)
    x *= np.uint64(_M1)
    x ^= x >> np.uint64(27)
    x *= np.uint64(_M2)
    x ^= x >> np.uint64(31)
    return x


def stream_key(seed, stream):
    """The key of draw stream ``stream`` (an int) under ``seed`` (an int)."""
    return _mix_int(_mix_int(int(seed) & _MASK) ^ (int(stream) & _MASK))


def _to_unit(x):
    """Uniform floats in [0, 1) from the top 53 bits of uint64 hashes."""
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def document_keys(key, documents):
    """The uint64 key of each document index in ``documents`` under ``key``."""
    x = np.asarray(documents, dtype=np.uint64) * np.uint64(_GOLDEN)
    x ^= np.uint64(key)
    return _mix(x)


def document_uniforms(key, documents):
    """One uniform in [0, 1) per document index in ``documents``."""
    return _to_unit(_mix(document_keys(key, documents)))


def token_uniforms(key, first_document, indptr, start, stop):
    """Uniforms for tokens ``start:stop`` of a block of documents.

    The block's documents are numbered from ``first_document``; ``indptr``
    (int64, from 0) bounds their tokens. Token ``i`` of document ``d`` gets
    the hash of ``(key, d, i)``: the value does not depend on the block.
    Each document's key is hashed once, not once per token.
    """
    first = int(np.searchsorted(indptr, start, side="right")) - 1
    stop_document = max(int(np.searchsorted(indptr, stop, side="left")), first + 1)
    bounds = np.clip(indptr[first : stop_document + 1], start, stop)
    lengths = np.diff(bounds)
    x = np.repeat(document_keys(key, np.arange(first, stop_document) + first_document), lengths)
    within = np.arange(start, stop, dtype=np.int64) - np.repeat(indptr[first:stop_document], lengths)
    x += within.astype(np.uint64) * np.uint64(_M1)
    return _to_unit(_mix(x))
