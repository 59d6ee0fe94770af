"""Word-vector evaluation on the standard benchmark files.

Pure functions of a (V, d) matrix and its word list (rows by decreasing
frequency), so one piece of code scores skw2v's vectors and anyone else's (the
benchmarks score gensim's with it). The conventions are gensim's
``KeyedVectors.evaluate_word_analogies`` / ``evaluate_word_pairs``, so that
the numbers agree with gensim's on the same vectors (tested):

* only the ``restrict_vocab`` most frequent words take part;
* with ``case_insensitive`` (the default), words are compared upper-cased and
  of several case variants the most frequent one stands for them all;
* analogies ``a : b :: c : d`` are answered by 3CosAdd: the word, other than
  ``a``, ``b`` and ``c``, whose unit vector is closest to the normalised mean of
  ``unit(b) + unit(c) - unit(a)``;
* questions or pairs with an unknown word are skipped and counted; lines that
  are not questions or pairs are skipped and counted too.
"""

import numpy as np
from scipy import stats


#: Rows normalised at once by :func:`unit_rows` (bounds its float64 temporaries).
UNIT_CHUNK = 1 << 15


def unit_rows(vectors):
    """Rows scaled to unit Euclidean norm (zero rows stay zero), as float32.

    Each row is divided by its largest magnitude, then by its norm, in
    float64: correct unit vectors for any finite values (rows of size 1e-30
    or 3e38 included), with temporaries of at most ``UNIT_CHUNK`` rows.
    """
    vectors = np.asarray(vectors)
    out = np.empty(vectors.shape, dtype=np.float32)
    for start in range(0, len(vectors), UNIT_CHUNK):
        block = vectors[start : start + UNIT_CHUNK].astype(np.float64)
        scale = np.abs(block).max(axis=1, keepdims=True) if block.size else block[:, :1]
        block /= np.where(scale > 0, scale, 1.0)
        norms = np.sqrt(np.einsum("ij,ij->i", block, block))[:, None]
        block /= np.where(norms > 0, norms, 1.0)
        out[start : start + UNIT_CHUNK] = block
    return out


def _lookup(words, restrict_vocab, case_insensitive):
    """key -> row among the first ``restrict_vocab`` words; keys of each row."""
    n = len(words) if restrict_vocab is None else min(restrict_vocab, len(words))
    keys = [w.upper() for w in words[:n]] if case_insensitive else list(words[:n])
    index = {}
    for row in range(n - 1, -1, -1):  # backwards: the most frequent variant wins
        index[keys[row]] = row
    return n, keys, index


def read_analogies(path, case_insensitive=True):
    """Parse a questions-words.txt file.

    Returns
    -------
    sections : list of (str, list of tuple)
        Section names (from ``: name`` lines) with their 4-word questions.
    invalid : int
        Lines that are neither a section header nor four words.

    Raises
    ------
    ValueError
        If a question comes before the first section header.
    """
    sections, invalid = [], 0
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.startswith(": "):
                sections.append((line[2:].strip(), []))
                continue
            words = line.split()
            if not words:
                continue
            if not sections:
                raise ValueError(
                    f"{path}, line {number}: a question before the first ': section' line"
                )
            if len(words) != 4:
                invalid += 1
                continue
            if case_insensitive:
                words = [w.upper() for w in words]
            sections[-1][1].append(tuple(words))
    return sections, invalid


def evaluate_analogies(
    vectors, words, path, restrict_vocab=30000, case_insensitive=True, chunk=256
):
    """Analogy accuracy (a : b :: c : ?) per section and overall.

    Parameters
    ----------
    vectors : ndarray of shape (V, d)
    words : sequence of str
        ``words[i]`` labels row ``i``; rows in decreasing frequency.
    path : str or path-like
        A file in the format of word2vec's questions-words.txt.
    restrict_vocab : int, default=30000
        Only the first (most frequent) words are candidates and may appear in
        questions.
    case_insensitive : bool, default=True
        Compare words upper-cased, as gensim does.

    Returns
    -------
    result : dict
        ``accuracy`` (correct / total), ``correct``, ``total`` (questions
        answered), ``skipped`` (questions with a word outside the first
        ``restrict_vocab``), ``invalid_lines`` and ``sections``:
        ``{name: {"correct": int, "total": int, "accuracy": float}}``.
    """
    n, keys, index = _lookup(words, restrict_vocab, case_insensitive)
    unit = unit_rows(np.asarray(vectors)[:n])
    sections, invalid = read_analogies(path, case_insensitive)
    result = {"sections": {}, "correct": 0, "total": 0, "skipped": 0, "invalid_lines": invalid}
    for name, questions in sections:
        known = [q for q in questions if all(w in index for w in q)]
        result["skipped"] += len(questions) - len(known)
        correct = 0
        for start in range(0, len(known), chunk):
            block = known[start : start + chunk]
            a, b, c = (np.array([index[q[k]] for q in block], dtype=np.int64) for k in range(3))
            target = unit[b] + unit[c] - unit[a]
            sims = unit_rows(target) @ unit.T
            rows = np.arange(len(block))
            for excluded in (a, b, c):
                sims[rows, excluded] = -np.inf
            # The best few in order: with case variants, gensim skips a
            # candidate whose key is a question word and takes the next.
            top = np.argpartition(-sims, min(4, n - 1), axis=1)[:, :5]
            order = np.argsort(-sims[rows[:, None], top], axis=1, kind="stable")
            top = np.take_along_axis(top, order, axis=1)
            for question, candidates in zip(block, top.tolist()):
                ignore = set(question[:3])
                predicted = None
                for row in candidates:
                    predicted = keys[row]
                    if predicted not in ignore:
                        break
                correct += predicted == question[3]
        result["sections"][name] = {
            "correct": correct,
            "total": len(known),
            "accuracy": correct / len(known) if known else 0.0,
        }
        result["correct"] += correct
        result["total"] += len(known)
    result["accuracy"] = result["correct"] / max(result["total"], 1)
    return result


def evaluate_word_pairs(
    vectors, words, path, delimiter="\t", restrict_vocab=300000, case_insensitive=True
):
    r"""Pearson and Spearman correlation of cosine similarity with human scores.

    Parameters
    ----------
    vectors : ndarray of shape (V, d)
    words : sequence of str
    path : str or path-like
        ``word1<delimiter>word2<delimiter>score`` lines; lines starting with
        ``#`` are comments.
    delimiter : str, default="\\t"
    restrict_vocab : int, default=300000
    case_insensitive : bool, default=True

    Returns
    -------
    result : dict
        ``pearson``, ``spearman`` (correlation coefficients),
        ``pearson_pvalue``, ``spearman_pvalue``, ``oov_ratio`` (fraction of
        pairs skipped for an unknown word; gensim reports it in percent),
        ``pairs`` (pairs used) and ``invalid_lines``.

    Raises
    ------
    ValueError
        If no line gives a pair of known words.
    """
    n, _, index = _lookup(words, restrict_vocab, case_insensitive)
    unit = unit_rows(np.asarray(vectors)[:n])
    model, human, oov, invalid = [], [], 0, 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split(delimiter)
            try:
                first, second, score = fields
                score = float(score)
            except ValueError:
                invalid += 1
                continue
            if case_insensitive:
                first, second = first.upper(), second.upper()
            if first not in index or second not in index:
                oov += 1
                continue
            model.append(float(unit[index[first]] @ unit[index[second]]))
            human.append(score)
    if len(model) < 2:
        raise ValueError(
            f"{path}: fewer than two word pairs with both words known "
            f"({oov} pairs with unknown words, {invalid} unreadable lines)."
        )
    pearson = stats.pearsonr(human, model)
    spearman = stats.spearmanr(human, model)
    return {
        "pearson": float(pearson[0]),
        "pearson_pvalue": float(pearson[1]),
        "spearman": float(spearman[0]),
        "spearman_pvalue": float(spearman[1]),
        "oov_ratio": oov / (len(model) + oov),
        "pairs": len(model),
        "invalid_lines": invalid,
    }
