"""Raw documents -> token lists, built on scikit-learn's analyzer machinery.

The tokenization parameters of :class:`~skw2v.SkipGramVectorizer` mean exactly
what they mean in :class:`~sklearn.feature_extraction.text.CountVectorizer`, so
the analyzer is obtained from a ``CountVectorizer`` carrying those parameters
(``build_analyzer`` returns a picklable ``functools.partial``). This module adds
what word2vec needs on top: word order is kept, and every document is checked
so that bad input fails with a message naming the document.
"""

import os
import warnings

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


#: CountVectorizer's default token pattern (a different one given with a
#: callable analyzer is warned about).
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def warn_for_unused_params(params):
    """Warn about tokenization parameters that ``params`` makes unused, as
    ``CountVectorizer.fit`` does: ``token_pattern`` beside a ``tokenizer``,
    and ``preprocessor``, ``tokenizer``, ``stop_words`` or a non-default
    ``token_pattern`` beside a callable ``analyzer``. Called from the
    estimator's ``_fit``, under a public method that ``_fit_context`` wraps:
    the warnings point at the caller of that method."""
    unused = []
    if params["tokenizer"] is not None and params["token_pattern"] is not None:
        unused.append(("token_pattern", "'tokenizer' is not None; pass token_pattern=None"))
    if callable(params["analyzer"]):
        reason = "'analyzer' is callable"
        unused += [(name, reason) for name in ("preprocessor", "tokenizer", "stop_words")
                   if params[name] is not None]
        if params["token_pattern"] not in (None, DEFAULT_TOKEN_PATTERN):
            unused.append(("token_pattern", reason))
    for name, reason in unused:
        warnings.warn(f"The parameter {name!r} will not be used since {reason}.", UserWarning,
                      stacklevel=5)


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
    if getattr(raw_documents, "ndim", 1) == 2 or hasattr(raw_documents, "columns"):
        shape = getattr(raw_documents, "shape", None)
        raise ValueError(
            f"Expected one column of text documents (1-D), got a 2-D input"
            f"{f' of shape {shape}' if shape is not None else ''}. Pass the text column "
            "itself, e.g. df['text'] rather than df[['text']]; in a ColumnTransformer, "
            "name the column as a string ('text'), not a list (['text'])."
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


def _decode_message(doc, index, input_type, error):
    where = f" ({os.fspath(doc)!r})" if input_type == "filename" else ""
    if input_type == "file":
        where = f" ({getattr(doc, 'name', 'an open file')!r})"
    return (
        f"Document {index}{where} cannot be decoded as {error.encoding}: byte "
        f"{error.start:,} is {error.object[error.start:error.start + 1]!r} ({error.reason}). "
        "Pass the documents' encoding as encoding=..., or decode_error='replace' to "
        "replace the bytes that do not decode."
    )


def iter_token_lists(raw_documents, analyzer, input_type, check_content=True, start=0):
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
    start : int, default=0
        Index of the first document, in messages (for a chunk of a longer
        collection).

    Raises
    ------
    ValueError
        Naming the document (and its file), when it is missing or its bytes
        cannot be decoded with ``encoding``.
    """
    kind = input_type if (check_content or input_type != "content") else "any"
    for index, doc in enumerate(check_documents(raw_documents), start):
        _check_one(doc, index, kind)
        try:
            tokens = analyzer(doc)
        except UnicodeDecodeError as error:
            raise ValueError(_decode_message(doc, index, input_type, error)) from error
        if isinstance(tokens, (str, bytes)):
            raise TypeError(
                f"The analyzer returned a string for document {index}; it must "
                "return a list of tokens (for example str.split, not str.lower)."
            )
        yield tokens
