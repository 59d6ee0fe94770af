"""skw2v: skip-gram word2vec as a scikit-learn transformer."""

from ._vectorizer import SkipGramVectorizer

__version__ = "0.1.0"

__all__ = ["SkipGramVectorizer", "__version__"]
