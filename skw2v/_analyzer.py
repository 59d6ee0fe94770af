"""Raw documents -> token lists, built on scikit-learn's analyzer machinery.

The tokenization parameters of :class:`~skw2v.SkipGramVectorizer` mean exactly
what they mean in :class:`~sklearn.feature_extraction.text.CountVectorizer`, so
the analyzer is obtained from a ``CountVectorizer`` carrying those parameters
(``build_analyzer`` returns a picklable ``functools.partial``). This module adds
what word2vec needs on top: word order is kept, and every document is checked
so that bad input fails with a message naming the document.
"""

import os

from sklearn.feature_extraction.text import CountVectorizer

#: Parameters forwarded unchanged to CountVectorizer.
TOKENIZATION_PARAMS = (
    "input",
    "encoding",
    "decode_error",
    "strip_accents",
    "lowercase",
    "preprocessor",
    "tokenizer",
    "token_pattern",
    "stop_words",
    "analyzer",
)


def build_analyzer(params):
    """Return a callable mapping one raw document to its list of tokens.

    Parameters
    ----------
    params : dict
        Holds at least the keys of ``TOKENIZATION_PARAMS``.

    Returns
    -------
    analyzer : callable
        ``CountVectorizer(**tokenization_params).build_analyzer()``; for
        ``analyzer="word"`` it yields unigrams in document order.
    """
    vectorizer = CountVectorizer(**{name: params[name] for name in TOKENIZATION_PARAMS})
    return vectorizer.build_analyzer()


def check_documents(raw_documents):
    """Reject what cannot be a collection of documents, before any work.

    A bare string (or bytes) is the classic mistake: iterating over it would
    train on single characters. Mappings and non-iterables are rejected too.
    """
    if isinstance(raw_documents, (str, bytes)):
        raise ValueError(
            "Iterable over raw text documents expected, string object received. "
            "Wrap a single document in a list: [text]."
        )
    if isinstance(raw_documents, dict):
        raise ValueError(
            "Iterable over raw text documents expected, dict received. "
            "Pass the documents themselves, e.g. list(mapping.values())."
        )
    try:
        iter(raw_documents)
    except TypeError:
        raise TypeError(
            "Iterable over raw text documents expected, "
            f"{type(raw_documents).__name__} object received."
        ) from None
    return raw_documents


def _check_one(doc, index, input_type):
    """Raise a message naming the offending document when ``doc`` cannot be read."""
    if doc is None or (isinstance(doc, float) and doc != doc):
        raise ValueError(
            f"Document {index} is missing ({doc!r}). Replace missing documents "
            "with an empty string '' or drop them before calling fit/transform."
        )
    if input_type == "content" and not isinstance(doc, (str, bytes)):
        raise TypeError(
            f"Document {index} is a {type(doc).__name__}, expected str or bytes. "
            "To pass pre-tokenized documents, give a callable analyzer, "
            "e.g. analyzer=list for documents that are lists of tokens."
        )
    if input_type == "filename" and not isinstance(doc, (str, bytes, os.PathLike)):
        raise TypeError(
            f"Document {index} is a {type(doc).__name__}, expected a file name "
            "because input='filename'."
        )
    if input_type == "file" and not hasattr(doc, "read"):
        raise TypeError(
            f"Document {index} is a {type(doc).__name__}, expected an open file "
            "because input='file'."
        )


def iter_token_lists(raw_documents, analyzer, input_type, check_content=True):
    """Yield the token list of each document, validating as it goes.

    Parameters
    ----------
    raw_documents : iterable
        Documents as accepted by ``CountVectorizer`` (text, file names or files).
    analyzer : callable
        From :func:`build_analyzer`.
    input_type : {"content", "file", "filename"}
        The vectorizer's ``input`` parameter.
    check_content : bool, default=True
        Whether documents must be str/bytes for ``input="content"``. False when
        the user supplied a callable analyzer, which may accept anything
        (lists of tokens, for instance).
    """
    kind = input_type if (check_content or input_type != "content") else "any"
    for index, doc in enumerate(check_documents(raw_documents)):
        _check_one(doc, index, kind)
        tokens = analyzer(doc)
        if isinstance(tokens, (str, bytes)):
            raise TypeError(
                f"The analyzer returned a string for document {index}; it must "
                "return a list of tokens (for example str.split, not str.lower)."
            )
        yield tokens
