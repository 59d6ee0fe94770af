"""skw2v: skip-gram word2vec as a scikit-learn transformer."""

from ._vectorizer import SkipGramVectorizer
from ._word2vec_format import load_word2vec_format
from ._wordvectors import WordVectors

__version__ = "0.1.0"

__all__ = ["SkipGramVectorizer", "WordVectors", "load_word2vec_format", "__version__"]
