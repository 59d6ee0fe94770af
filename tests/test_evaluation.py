"""Analogy and word-pair evaluation on small generated files, and agreement with gensim."""

import numpy as np
import pytest

from skw2v import WordVectors
from skw2v._evaluation import evaluate_analogies, evaluate_word_pairs, read_analogies

WORDS = ["man", "woman", "king", "queen", "paris", "france", "rome", "italy", "noise"]


def toy_vectors():
    """Vectors where king - man + woman = queen and paris - france + italy = rome."""
    rng = np.random.default_rng(0)
    gender, royal, capital, country = rng.standard_normal((4, 16))
    vectors = {
        "man": 0.01 * rng.standard_normal(16),
        "woman": gender,
        "king": royal,
        "queen": royal + gender,
        "france": country,
        "paris": country + capital,
        "italy": country + 0.5 * rng.standard_normal(16),
        "noise": rng.standard_normal(16),
    }
    vectors["rome"] = vectors["italy"] + capital
    return np.array([vectors[w] for w in WORDS], dtype=np.float32)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_analogies_count_correct_skipped_invalid_and_sections(tmp_path):
    path = write(
        tmp_path / "q.txt",
        ": royals\nman woman king queen\nMAN WOMAN KING QUEEN\nman woman king unknownword\n"
        "man woman king\n\n: capitals\nfrance paris italy rome\n",
    )
    result = WordVectors(WORDS, toy_vectors()).evaluate_word_analogies(path)
    assert result["sections"]["royals"] == {"correct": 2, "total": 2, "accuracy": 1.0}
    assert result["sections"]["capitals"] == {"correct": 1, "total": 1, "accuracy": 1.0}
    assert result["skipped"] == 1 and result["invalid_lines"] == 1
    assert result["total"] == 3 and result["accuracy"] == 1.0


def test_case_sensitive_analogies_skip_upper_case_questions(tmp_path):
    path = write(tmp_path / "q.txt", ": s\nman woman king queen\nMAN WOMAN KING QUEEN\n")
    result = evaluate_analogies(toy_vectors(), WORDS, path, case_insensitive=False)
    assert result["total"] == 1 and result["skipped"] == 1


def test_wrong_answers_count_against(tmp_path):
    path = write(tmp_path / "q.txt", ": s\nman woman king noise\n")
    result = evaluate_analogies(toy_vectors(), WORDS, path)
    assert result["correct"] == 0 and result["total"] == 1 and result["accuracy"] == 0.0


def test_restrict_vocab_drops_rare_words_from_questions(tmp_path):
    path = write(tmp_path / "q.txt", ": s\nman woman king queen\nfrance paris italy rome\n")
    result = evaluate_analogies(toy_vectors(), WORDS, path, restrict_vocab=4)
    assert result["total"] == 1 and result["skipped"] == 1


def test_question_before_any_section_names_the_line(tmp_path):
    path = write(tmp_path / "q.txt", "\nman woman king queen\n")
    with pytest.raises(ValueError, match="line 2"):
        read_analogies(path)


def test_word_pairs_correlations(tmp_path):
    vectors = toy_vectors()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    pairs = [("king", "queen"), ("paris", "rome"), ("man", "noise"), ("france", "italy")]
    cosines = [unit[WORDS.index(a)] @ unit[WORDS.index(b)] for a, b in pairs]
    lines = ["# comment"] + [f"{a}\t{b}\t{10 * c:.6f}" for (a, b), c in zip(pairs, cosines)]
    lines += ["king\tdragon\t5.0", "not a pair"]
    path = write(tmp_path / "pairs.tsv", "\n".join(lines) + "\n")
    result = WordVectors(WORDS, vectors).evaluate_word_pairs(path)
    assert result["spearman"] == pytest.approx(1.0)
    assert result["pearson"] == pytest.approx(1.0, abs=1e-5)
    assert result["oov_ratio"] == pytest.approx(0.2) and result["pairs"] == 4
    assert result["invalid_lines"] == 1


def test_word_pairs_without_known_pairs_is_an_error(tmp_path):
    path = write(tmp_path / "pairs.tsv", "dragon\tunicorn\t3.0\n")
    with pytest.raises(ValueError, match="fewer than two word pairs"):
        evaluate_word_pairs(toy_vectors(), WORDS, path)


def random_benchmark_files(tmp_path, words, rng, n_questions=300, n_pairs=40):
    lines = [": one"]
    for k in range(n_questions):
        if k == n_questions // 2:
            lines.append(": two")
        lines.append(" ".join(words[i] for i in rng.choice(len(words), 4, replace=False)))
    lines.append("a malformed line")
    analogies = write(tmp_path / "q.txt", "\n".join(lines) + "\n")
    pair_lines = ["# a comment", "word1\tword2\tnot-a-number"]
    vocabulary = list(words) + ["oov1", "oov2", "oov3"]  # some pairs out of vocabulary
    pair_lines += [
        f"{vocabulary[a]}\t{vocabulary[b]}\t{rng.random():.4f}"
        for a, b in rng.choice(len(vocabulary), (n_pairs, 2))
    ]
    pairs = write(tmp_path / "p.tsv", "\n".join(pair_lines) + "\n")
    return analogies, pairs


@pytest.mark.parametrize("case_variants", [False, True])
def test_agrees_with_gensim(tmp_path, case_variants):
    gensim_models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(60)]
    if case_variants:  # "W3" and "w3" both exist: the more frequent one stands for both
        words += [w.upper() for w in words[:20:3]]
    vectors = rng.standard_normal((len(words), 10)).astype(np.float32)
    analogies, pairs = random_benchmark_files(tmp_path, words[:60], rng)
    kv = gensim_models.KeyedVectors(10)
    kv.add_vectors(words, vectors)
    mine = WordVectors(words, vectors)
    for restrict in (50, 30000):
        theirs, sections = kv.evaluate_word_analogies(analogies, restrict_vocab=restrict)
        result = mine.evaluate_word_analogies(analogies, restrict_vocab=restrict)
        assert result["accuracy"] == pytest.approx(theirs, abs=1e-12)
        for section in sections[:-1]:
            mine_section = result["sections"][section["section"]]
            assert mine_section["correct"] == len(section["correct"])
            assert mine_section["total"] == len(section["correct"]) + len(section["incorrect"])
    pearson, spearman, oov = kv.evaluate_word_pairs(pairs)
    result = mine.evaluate_word_pairs(pairs)
    assert result["pearson"] == pytest.approx(pearson[0], abs=1e-5)
    assert result["spearman"] == pytest.approx(spearman[0], abs=1e-5)
    assert 100 * result["oov_ratio"] == pytest.approx(oov)
    assert result["oov_ratio"] > 0
