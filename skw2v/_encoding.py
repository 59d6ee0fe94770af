"""The map stage of reading: one chunk of raw documents to word ids.

Run by ``_spill`` in this process and in the reading worker processes, and
by ``_dask`` on the workers. It imports only the tokenizer and the
vocabulary's encoding (scikit-learn's text module and numpy), not the
training kernels, so that a worker process holds no more than that.
"""

import numpy as np

from ._analyzer import build_analyzer, iter_token_lists
from ._vocab import count_and_encode


def encode_chunk(documents, first, params):
    """``(words, ids, lengths)`` of a chunk of documents.

    ``ids`` (int32) number the chunk's tokens by first appearance within it,
    ``words[i]`` being the token numbered ``i``; ``lengths`` (int64) are the
    documents' token counts. ``first`` is the index of the chunk's first
    document, for error messages; ``params`` holds the tokenization
    parameters. A module-level function of plain values, so that worker
    processes can run it.
    """
    tokens = iter_token_lists(
        documents, build_analyzer(params), params["input"],
        check_content=not callable(params["analyzer"]), start=first,
    )
    corpus, words = count_and_encode(tokens)
    return words, corpus.ids, np.diff(corpus.indptr)


def worker_started():
    """A task that returns once a worker process has imported this module."""
    return True
