import numpy as np
import pytest

from skw2v.datasets import make_topic_corpus


@pytest.fixture(scope="session")
def topic_corpus():
    """400 generated documents, their labels and the topics' word lists."""
    return make_topic_corpus(n_documents=400, random_state=0, return_topics=True)


def topic_separation(vectorizer, topics):
    """(mean same-topic cosine - mean cross-topic cosine, nearest-neighbour purity)."""
    vectors = vectorizer.word_vectors_
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    label = np.full(len(unit), -1)
    for k, words in enumerate(topics):
        label[[vectorizer.vocabulary_[w] for w in words if w in vectorizer.vocabulary_]] = k
    keep = label >= 0
    sims = unit[keep] @ unit[keep].T
    lab = label[keep]
    same = (lab[:, None] == lab[None, :]) & ~np.eye(len(lab), dtype=bool)
    gap = sims[same].mean() - sims[lab[:, None] != lab[None, :]].mean()
    np.fill_diagonal(sims, -np.inf)
    purity = (lab[sims.argmax(axis=1)] == lab).mean()
    return gap, purity


def finite_differences(f, x, eps=1e-4):
    """Central differences of the scalar function ``f`` at ``x``, in float64."""
    x = x.astype(np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        grad[index] = (f(up) - f(down)) / (2 * eps)
    return grad
