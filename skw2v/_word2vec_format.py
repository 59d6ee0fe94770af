"""Reading and writing word2vec.c's vector files (text and binary), GloVe's and fastText's.

The formats, as word2vec.c writes them:

* text: a header line ``n_words vector_size``, then one line per word: the
  word, a space, and ``vector_size`` numbers separated by spaces. fastText's
  ``.vec`` files are the same; GloVe's lack the header line.
* binary: the same header line, then per word: its UTF-8 bytes, a space, and
  ``vector_size`` little-endian float32 values (4 bytes each), then a newline
  (gensim omits that newline; both are read).

Words therefore cannot contain whitespace; writing one is an error.
"""

import mmap
import os
import re
import warnings

import numpy as np

_WHITESPACE = re.compile(r"\s")
#: A binary record whose word runs longer than this is not a binary record.
_MAX_WORD_BYTES = 1 << 16


def _check_words(words):
    for row, word in enumerate(words):
        if not isinstance(word, str) or not word or _WHITESPACE.search(word):
            raise ValueError(
                f"Word {word!r} (row {row}) cannot be written in the word2vec format: "
                "words must be non-empty strings without whitespace, since spaces "
                "separate the fields. Replace or drop it before saving."
            )


def save_word2vec_format(path, words, vectors, binary=False, write_header=True):
    """Write ``vectors`` labelled by ``words``; see WordVectors.save_word2vec_format."""
    vectors = np.asarray(vectors, dtype=np.float32)
    _check_words(words)
    if binary and not write_header:
        raise ValueError("Binary word2vec files always have a header; use write_header=True.")
    n_words, size = vectors.shape
    header = f"{n_words} {size}\n".encode("ascii")
    little = vectors.astype("<f4", copy=False)
    with open(path, "wb") as handle:
        if write_header:
            handle.write(header)
        if binary:
            for word, row in zip(words, little):
                handle.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            template = " ".join(["%.9g"] * size)
            for word, row in zip(words, vectors.tolist()):
                handle.write(f"{word} {template % tuple(row)}\n".encode("utf-8"))


def _parse_header(line, path):
    fields = line.split()
    try:
        n_words, size = (int(f) for f in fields)
    except ValueError:
        raise ValueError(
            f"{path}, line 1: expected the header 'n_words vector_size', found "
            f"{line[:60]!r}. For a GloVe file (no header) pass no_header=True."
        ) from None
    if n_words < 0 or size < 1:
        raise ValueError(f"{path}, line 1: invalid header {line.strip()!r}.")
    return n_words, size


#: What separates the fields of a text line (word2vec.c writes single spaces).
_FIELD_SEPARATOR = re.compile(r"[ \t]+")


def _fields(line):
    return _FIELD_SEPARATOR.split(line.strip(" \t\r\n"))


def _parse_text_line(line, size, path, number):
    """``(word, float32 vector)`` from one text line, or a ValueError naming the line.

    The line must hold exactly a word and ``size`` numbers, separated by
    spaces or tabs.
    """
    parts = _fields(line)
    if len(parts) == size + 1 and parts[0]:
        try:
            values = np.array(parts[1:], dtype=np.float64)
        except ValueError:
            values = None
        if values is not None:
            with np.errstate(over="ignore"):
                vector = values.astype(np.float32)
            overflow = np.isinf(vector) & np.isfinite(values)
            if not overflow.any():
                return parts[0], vector
            raise ValueError(
                f"{path}, line {number}: a value beyond float32's range "
                f"({values[overflow][0]:g}); word vectors are float32."
            )
    found = f"{len(parts) - 1} fields after the word" if len(parts) != size + 1 else "a value that is not a number"
    raise ValueError(
        f"{path}, line {number}: expected a word followed by {size} numbers, found "
        f"{found}: {line[:80]!r}{'...' if len(line) > 80 else ''}."
    )


#: After its word, a text record holds only these bytes (numbers, inf, nan, separators).
_TEXT_VALUES = re.compile(rb"[-+0-9.eEinfatyINFATY \t\r]*")


def _sniff_binary(data, start, size, encoding, unicode_errors):
    """Whether the record at ``data[start:]`` is binary (not a text line).

    Text when the line parses as a word and ``size`` numbers, or when
    everything after its word is number characters (a malformed text line,
    which the text reader then reports); binary float32 values almost never
    look like that.
    """
    end = data.find(b"\n", start, start + _MAX_WORD_BYTES + 64 * size)
    if end < 0:
        return True
    record = data[start:end]
    try:
        _parse_text_line(record.decode(encoding, errors=unicode_errors), size, "", 0)
        return False
    except (UnicodeDecodeError, ValueError):
        pass
    space = record.find(b" ")
    return space < 0 or _TEXT_VALUES.fullmatch(record[space:]) is None


def _decoded_lines(handle, path, first_number, encoding, unicode_errors):
    """``(number, text)`` of each line of a binary handle, decoded one by one,
    so that a decode error names its line."""
    for number, raw in enumerate(handle, first_number):
        try:
            yield number, raw.decode(encoding, errors=unicode_errors)
        except UnicodeDecodeError as error:
            raise ValueError(
                f"{path}, line {number}: not valid {encoding} ({error.reason} at byte "
                f"{error.start} of the line); pass the file's encoding, or "
                "unicode_errors='replace' or 'ignore' to read it anyway."
            ) from None


def _read_binary(data, start, n_words, size, path, encoding, unicode_errors, guessed, whole):
    words = []
    vectors = np.empty((n_words, size), dtype=np.float32)
    position = start
    record_bytes = 4 * size
    hint = " (read as binary, detected; pass binary=False if it is text)" if guessed else ""
    for row in range(n_words):
        space = data.find(b" ", position, position + _MAX_WORD_BYTES)
        if space < 0:
            raise ValueError(
                f"{path}, vector {row + 1} of {n_words} (byte {position}): no word "
                f"followed by a space{hint}; the file is truncated or not in "
                "word2vec's binary format."
            )
        raw = data[position:space].lstrip(b"\r\n")
        try:
            word = raw.decode(encoding, errors=unicode_errors)
        except UnicodeDecodeError as error:
            raise ValueError(
                f"{path}, vector {row + 1} (byte {position}): word is not valid "
                f"{encoding} ({error.reason}); pass unicode_errors='replace' or "
                "'ignore' to read it anyway."
            ) from None
        if not word:
            raise ValueError(f"{path}, vector {row + 1} (byte {position}): empty word{hint}.")
        end = space + 1 + record_bytes
        if end > len(data):
            raise ValueError(
                f"{path}, vector {row + 1} of {n_words} ({word!r}): the file ends "
                f"inside its {size} values; it is truncated{hint}."
            )
        vectors[row] = np.frombuffer(data, dtype="<f4", count=size, offset=space + 1)
        words.append(word)
        position = end
    rest = data[position:].strip() if whole else b""
    if rest:
        raise ValueError(
            f"{path}: {len(rest)} bytes after the {n_words} vectors the header "
            f"announces{hint}; the header is wrong or the file is not binary."
        )
    return words, vectors


def _read_text(lines, n_words, size, path, first_number, limit, whole=False):
    words, rows = [], []
    number = first_number - 1
    for number, line in lines:
        if not line.strip():
            continue
        if len(words) == limit:
            if whole:
                raise ValueError(
                    f"{path}, line {number}: more lines than the {n_words} vectors the "
                    "header announces; the header is wrong."
                )
            break
        if size is None:  # headerless: the first line tells the dimension
            size = len(_fields(line)) - 1
            if size < 1:
                raise ValueError(f"{path}, line {number}: expected a word followed by numbers.")
        word, vector = _parse_text_line(line, size, path, number)
        words.append(word)
        rows.append(vector)
    if n_words is not None and len(words) < min(n_words, limit):
        raise ValueError(
            f"{path}: the header announces {n_words} vectors but the file ends after "
            f"{len(words)} (line {number}); it is truncated or the header is wrong."
        )
    vectors = np.stack(rows) if rows else np.empty((0, size or 0), dtype=np.float32)
    return words, vectors


def load_word2vec_format(
    path,
    binary=None,
    *,
    no_header=False,
    limit=None,
    encoding="utf-8",
    unicode_errors="strict",
):
    """Read word vectors written by word2vec.c, gensim, fastText (``.vec``) or GloVe.

    Parameters
    ----------
    path : str or path-like
    binary : bool, default=None
        The file's format; None detects it from the first record.
    no_header : bool, default=False
        The file has no ``n_words vector_size`` line (GloVe's text format).
    limit : int, default=None
        Read only the first ``limit`` vectors (files are conventionally
        sorted by decreasing frequency).
    encoding : str, default="utf-8"
    unicode_errors : {"strict", "replace", "ignore"}, default="strict"
        What to do with words that are not valid in ``encoding`` (binary
        files cut by some tools in the middle of a character).

    Returns
    -------
    vectors : WordVectors

    Raises
    ------
    ValueError
        For a malformed file, naming the line (or, in binary files, the
        vector and byte offset) where reading failed.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skw2v import WordVectors, load_word2vec_format
    >>> wv = WordVectors(["cat", "dog"], np.array([[0.25, -1.5], [1.0, 2.0]]))
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.bin")
    >>> wv.save_word2vec_format(path, binary=True)
    >>> loaded = load_word2vec_format(path)
    >>> loaded.words, loaded["cat"].tolist()
    (['cat', 'dog'], [0.25, -1.5])
    """
    from ._wordvectors import WordVectors

    path = os.fspath(path)
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be None or non-negative; got {limit}.")
    if no_header:
        if binary:
            raise ValueError("Binary word2vec files always have a header; no_header needs binary=False.")
        with open(path, "rb") as handle:
            lines = _decoded_lines(handle, path, 1, encoding, unicode_errors)
            words, vectors = _read_text(lines, None, None, path, 1, limit)
        if not words and vectors.shape[1] == 0:
            raise ValueError(f"{path}, line 1: the file is empty.")
        return _unique(WordVectors, words, vectors, path)
    with open(path, "rb") as handle:
        header = handle.readline()
        if not header:
            raise ValueError(f"{path}, line 1: the file is empty.")
        try:
            n_words, size = _parse_header(header.decode("ascii"), path)
        except UnicodeDecodeError:
            raise ValueError(f"{path}, line 1: the header is not 'n_words vector_size'.") from None
        wanted = n_words if limit is None else min(n_words, limit)
        if os.fstat(handle.fileno()).st_size == len(header):
            data = b""
        else:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            guessed = binary is None
            if guessed:
                binary = n_words > 0 and _sniff_binary(data, len(header), size, encoding, unicode_errors)
            if binary:
                words, vectors = _read_binary(
                    data, len(header), wanted, size, path, encoding, unicode_errors, guessed,
                    whole=wanted == n_words,
                )
        finally:
            if isinstance(data, mmap.mmap):
                data.close()
    if not binary:
        with open(path, "rb") as handle:
            handle.readline()
            lines = _decoded_lines(handle, path, 2, encoding, unicode_errors)
            words, vectors = _read_text(
                lines, n_words, size, path, 2, wanted, whole=wanted == n_words
            )
    return _unique(WordVectors, words, vectors, path)


def _unique(cls, words, vectors, path):
    """WordVectors keeping the first of repeated words (with a warning)."""
    if len(set(words)) != len(words):
        first = {}
        for row, word in enumerate(words):
            first.setdefault(word, row)
        keep = np.array(sorted(first.values()))
        warnings.warn(
            f"{path}: {len(words) - len(keep)} repeated words; kept the first "
            "vector of each.",
            UserWarning,
            stacklevel=3,
        )
        words = [words[i] for i in keep]
        vectors = vectors[keep]
    return cls(words, vectors)
