"""Starting vectors: the ``init`` family (random, spectral) and pretrained vectors.

Each ``init`` is a :class:`~skw2v._protocol.Init` found by name in
``_registry``; pretrained vectors (``initial_vectors``) then replace the rows
of the words they know. Functions of plain arrays, a vocabulary and a random
state; the estimator calls them and keeps the results.
"""

import warnings

import numpy as np
from sklearn.utils import check_random_state

from ._protocol import Init
from ._spectral import spectral_vectors
from ._word2vec_format import load_word2vec_format
from ._wordvectors import WordVectors


def random_input_vectors(n_words, vector_size, rng):
    """word2vec's start for the input vectors: uniform in ``+-0.5 / vector_size``, float32."""
    return ((rng.random_sample((n_words, vector_size)) - 0.5) / vector_size).astype(np.float32)


class RandomInit(Init):
    """word2vec's start (``init="random"``): small uniform input vectors, and the
    objective's own output start (zeros)."""

    def start(self, data, vector_size, random_state, n_threads=1):
        rng = check_random_state(random_state)
        return random_input_vectors(len(data.word_counts), vector_size, rng), None


class SpectralInit(Init):
    """The spectral start (``init="spectral"``): inputs ``U S^(1/2)`` and outputs
    ``V S^(1/2)`` from the truncated SVD of the counts' positive PMI
    (:func:`~skw2v._spectral.spectral_vectors`)."""

    needs_counts = True
    cacheable = True

    def start(self, data, vector_size, random_state, n_threads=1):
        return spectral_vectors(data.counts, vector_size, random_state, n_threads=n_threads)


def read_initial_vectors(initial_vectors, vector_size):
    """The :class:`WordVectors` that ``initial_vectors`` names, checked.

    Parameters
    ----------
    initial_vectors : str, path-like or WordVectors
        A word2vec-format file or loaded vectors.
    vector_size : int
        The dimension they must have.

    Raises
    ------
    ValueError
        Naming ``initial_vectors`` when their dimension differs from
        ``vector_size`` or a value is not finite.
    """
    pretrained = initial_vectors
    if not isinstance(pretrained, WordVectors):
        pretrained = load_word2vec_format(pretrained)
    if pretrained.vector_size != vector_size:
        raise ValueError(
            f"initial_vectors have {pretrained.vector_size} dimensions but "
            f"vector_size={vector_size}; set vector_size={pretrained.vector_size}."
        )
    finite = np.isfinite(pretrained.vectors).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise ValueError(
            f"initial_vectors hold non-finite values (NaN or inf) for {len(bad)} "
            f"words, e.g. {pretrained.words[bad[0]]!r}; drop or repair those vectors."
        )
    return pretrained


def copy_pretrained(w_in, words, pretrained):
    """Copy ``pretrained``'s vectors into the rows of the words they share.

    Matching is exact and case-sensitive. Warns when no word is shared.

    Returns
    -------
    n_copied : int
    """
    shared = [(row, pretrained.index[word]) for row, word in enumerate(words) if word in pretrained.index]
    if not shared:
        warnings.warn(
            f"None of the {len(words)} vocabulary words is among the "
            f"{len(pretrained)} initial_vectors (matching is exact and "
            "case-sensitive); all vectors start at random.",
            UserWarning,
            stacklevel=5,
        )
        return 0
    rows, sources = np.array(shared).T
    w_in[rows] = pretrained.vectors[sources]
    return len(rows)
