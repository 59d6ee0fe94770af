"""skw2v: skip-gram word2vec as a scikit-learn transformer.

The public names are imported on first use (PEP 562), so that a process
that needs one private module (a reading worker runs ``_encoding`` only)
does not import the training kernels.
"""

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "SkipGramVectorizer": "._vectorizer",
    "WordVectors": "._wordvectors",
    "load_word2vec_format": "._word2vec_format",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
