"""Analogy and word-pair evaluation on small generated files."""

import numpy as np
import pytest

from skw2v._evaluation import evaluate_analogies, evaluate_word_pairs, read_analogies

WORDS = ["man", "woman", "king", "queen", "paris", "france", "rome", "italy", "noise"]


def toy_vectors():
    """Vectors where king - man + woman = queen and paris - france + italy = rome."""
    rng = np.random.default_rng(0)
    base = rng.standard_normal((4, 16))
    gender, royal, capital, country = base
    vectors = {
        "man": royal * 0 + gender * 0 + country * 0.1,
        "woman": gender,
        "king": royal,
        "queen": royal + gender,
        "france": country,
        "paris": country + capital,
        "italy": country + 0.5 * rng.standard_normal(16),
        "noise": rng.standard_normal(16),
    }
    vectors["man"] = 0.01 * rng.standard_normal(16)
    vectors["rome"] = vectors["italy"] + capital
    return np.array([vectors[w] for w in WORDS], dtype=np.float32)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_analogies_count_correct_skipped_and_sections(tmp_path):
    path = write(
        tmp_path / "q.txt",
        ": royals\nman woman king queen\nMAN WOMAN KING QUEEN\nman woman king unknownword\n"
        ": capitals\nfrance paris italy rome\n",
    )
    result = evaluate_analogies(toy_vectors(), WORDS, path)
    assert result["sections"] == {"royals": (2, 2), "capitals": (1, 1)}
    assert result["skipped"] == 1 and result["total"] == 3 and result["accuracy"] == 1.0


def test_restrict_vocab_drops_rare_words_from_questions(tmp_path):
    path = write(tmp_path / "q.txt", ": s\nman woman king queen\nfrance paris italy rome\n")
    result = evaluate_analogies(toy_vectors(), WORDS, path, restrict_vocab=4)
    assert result["total"] == 1 and result["skipped"] == 1


def test_malformed_analogy_file_names_the_line(tmp_path):
    path = write(tmp_path / "q.txt", ": s\nman woman king\n")
    with pytest.raises(ValueError, match="line 2"):
        read_analogies(path)


def test_word_pairs_correlations(tmp_path):
    vectors = toy_vectors()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    pairs = [("king", "queen"), ("paris", "rome"), ("man", "noise"), ("france", "italy")]
    cosines = [unit[WORDS.index(a)] @ unit[WORDS.index(b)] for a, b in pairs]
    lines = ["# comment"] + [f"{a}\t{b}\t{10 * c:.6f}" for (a, b), c in zip(pairs, cosines)]
    lines.append("king\tdragon\t5.0")
    path = write(tmp_path / "pairs.tsv", "\n".join(lines) + "\n")
    result = evaluate_word_pairs(vectors, WORDS, path)
    assert result["spearman"] == pytest.approx(1.0)
    assert result["pearson"] == pytest.approx(1.0, abs=1e-5)
    assert result["oov_ratio"] == pytest.approx(0.2) and result["pairs"] == 4


def test_agrees_with_gensim(tmp_path):
    gensim_models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(60)]
    vectors = rng.standard_normal((60, 10)).astype(np.float32)
    questions = [rng.choice(60, 4, replace=False) for _ in range(300)]
    lines = [": one"] + [" ".join(words[i] for i in q) for q in questions[:150]]
    lines += [": two"] + [" ".join(words[i] for i in q) for q in questions[150:]]
    analogies = write(tmp_path / "q.txt", "\n".join(lines) + "\n")
    pair_lines = [f"{words[a]}\t{words[b]}\t{rng.random():.4f}" for a, b in rng.choice(60, (40, 2))]
    pairs = write(tmp_path / "p.tsv", "\n".join(pair_lines) + "\n")
    kv = gensim_models.KeyedVectors(10)
    kv.add_vectors(words, vectors)
    theirs, _ = kv.evaluate_word_analogies(analogies, restrict_vocab=50)
    mine = evaluate_analogies(vectors, words, analogies, restrict_vocab=50)
    assert mine["accuracy"] == pytest.approx(theirs)
    pearson, spearman, oov = kv.evaluate_word_pairs(pairs)
    result = evaluate_word_pairs(vectors, words, pairs)
    assert result["pearson"] == pytest.approx(pearson[0], abs=1e-5)
    assert result["spearman"] == pytest.approx(spearman[0], abs=1e-5)
