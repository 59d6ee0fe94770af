"""Word-vector evaluation on the standard benchmark files.

Pure functions of a (V, d) matrix and a word list ordered by decreasing
frequency, so one piece of code evaluates skw2v's vectors and anyone else's
(the benchmark scores gensim's with it), with gensim's conventions:
analogies by 3CosAdd over unit vectors among the ``restrict_vocab`` most
frequent words, excluding the three question words; questions with a word
outside that set are skipped and counted.
"""

import numpy as np
from scipy import stats


def _unit_rows(vectors):
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.finfo(np.float32).tiny)


def read_analogies(path):
    """``[(section, [(a, b, c, d), ...]), ...]`` from a questions-words.txt file."""
    sections = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                sections.append((line[1:].strip(), []))
                continue
            words = line.lower().split()
            if len(words) != 4 or not sections:
                raise ValueError(f"{path}, line {number}: expected 4 words after a ': section' line")
            sections[-1][1].append(tuple(words))
    return sections


def evaluate_analogies(vectors, words, path, restrict_vocab=30000, chunk=2048):
    """Analogy accuracy (a : b :: c : ?) per section and overall.

    Parameters
    ----------
    vectors : ndarray of shape (V, d)
    words : sequence of str
        ``words[i]`` labels row ``i``; rows in decreasing frequency.
    path : str
        A file in the format of word2vec's questions-words.txt.
    restrict_vocab : int, default=30000
        Only the first (most frequent) words are candidates and may appear in
        questions.

    Returns
    -------
    result : dict
        ``accuracy`` (overall), ``correct``, ``total`` (questions answered),
        ``skipped`` (questions with a word outside the vocabulary) and
        ``sections``: ``{name: (correct, total)}``.
    """
    n = min(restrict_vocab, len(words))
    unit = _unit_rows(np.asarray(vectors)[:n])
    index = {word: i for i, word in enumerate(words[:n])}
    result = {"sections": {}, "correct": 0, "total": 0, "skipped": 0}
    for name, questions in read_analogies(path):
        known = [q for q in questions if all(w in index for w in q)]
        result["skipped"] += len(questions) - len(known)
        correct = 0
        ids = np.array([[index[w] for w in q] for q in known], dtype=np.int64).reshape(-1, 4)
        for start in range(0, len(ids), chunk):
            a, b, c, d = ids[start : start + chunk].T
            sims = (unit[b] - unit[a] + unit[c]) @ unit.T
            rows = np.arange(len(a))
            for excluded in (a, b, c):
                sims[rows, excluded] = -np.inf
            correct += int((sims.argmax(axis=1) == d).sum())
        result["sections"][name] = (correct, len(ids))
        result["correct"] += correct
        result["total"] += len(ids)
    result["accuracy"] = result["correct"] / max(result["total"], 1)
    return result


def evaluate_word_pairs(vectors, words, path):
    """Pearson and Spearman correlation of cosine similarity with human scores.

    Parameters
    ----------
    vectors : ndarray of shape (V, d)
    words : sequence of str
    path : str
        Tab-separated ``word1 word2 score`` lines; lines starting with ``#``
        are comments.

    Returns
    -------
    result : dict
        ``pearson``, ``spearman`` (correlation coefficients), ``oov_ratio``
        (fraction of pairs skipped for an unknown word), ``pairs`` (used).
    """
    index = {word: i for i, word in enumerate(words)}
    unit = _unit_rows(vectors)
    model, human, total = [], [], 0
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                raise ValueError(f"{path}, line {number}: expected word1<TAB>word2<TAB>score")
            total += 1
            first, second = fields[0].lower(), fields[1].lower()
            if first in index and second in index:
                model.append(float(unit[index[first]] @ unit[index[second]]))
                human.append(float(fields[2]))
    return {
        "pearson": float(stats.pearsonr(human, model)[0]),
        "spearman": float(stats.spearmanr(human, model)[0]),
        "oov_ratio": 1 - len(model) / max(total, 1),
        "pairs": len(model),
    }
