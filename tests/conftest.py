import tracemalloc

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


def softmax_gradients(h, w_out, rows, cols, n_contexts, weights=None):
    """The softmax kernel's loss and gradients for a batch, as dense arrays.

    Runs skw2v._softmax's training code on one block and returns
    ``(loss, grad_h, grad_w_out)`` with ``grad_w_out`` of shape (V, d).
    """
    from skw2v._softmax import augment_output, center_inputs, forward_block, output_gradient, pair_curvature
    from skw2v._updates import max_row_norm

    h = np.asarray(h, dtype=np.float32)
    w_out_aug = augment_output(w_out)
    rows, cols, n_contexts = np.asarray(rows), np.asarray(cols), np.asarray(n_contexts)
    e = np.empty((len(h), len(w_out_aug)), dtype=np.float32)
    bound = max_row_norm(h) * max_row_norm(w_out_aug[:, :-2])
    loss, grad_h, inv_sums, _ = forward_block(h, w_out_aug, e, rows, cols, weights, n_contexts, bound)
    grad_curv = output_gradient(e, center_inputs(h, n_contexts, inv_sums))
    grad_curv[:, -1] += pair_curvature(rows, cols, weights, np.einsum("ij,ij->i", h, h), len(w_out))
    return loss, grad_h, grad_curv[:, :-1]


def negative_sampling_gradients(w_in, w_out, centers, rows, cols, negatives):
    """The negative-sampling kernel's loss and gradients of a batch, as dense arrays.

    Pair ``p`` has input word ``cols[p]``, center ``centers[rows[p]]`` and the
    center's noise words ``negatives[rows[p]]`` (shape (B, K)). Returns
    ``(loss, grad_w_in, grad_w_out)`` in float64.
    """
    from skw2v._negative_corpus import forward
    from skw2v._parallel import Workspace

    out_sq = np.einsum("ij,ij->i", w_out, w_out)
    n_contexts = np.bincount(rows, minlength=len(centers))
    part = forward(w_in, w_out, out_sq, centers, rows, cols, n_contexts, negatives, Workspace())
    grad_w_in = np.zeros_like(w_in, dtype=np.float64)
    np.add.at(grad_w_in, part.contexts, part.input_grads)
    grad_w_out = np.zeros_like(w_out, dtype=np.float64)
    np.add.at(grad_w_out, part.outputs, part.output_grads)
    return part.loss, grad_w_in, grad_w_out


class ShuffledPool:
    """A stand-in for skw2v._parallel.Pool that runs each phase's tasks one
    after another in a random order, each with a workspace of its own kind.

    If the objectives' results depended on the order or the timing of their
    tasks, runs with different seeds here would differ from each other and
    from the threaded pool; a race that rarely fires cannot hide."""

    def __init__(self, seed):
        from skw2v._parallel import Workspace

        self.n_threads = 3
        self._rng = np.random.default_rng(seed)
        self._work = [Workspace() for _ in range(self.n_threads)]

    def map(self, fn, n_tasks):
        results = [None] * n_tasks
        for task in self._rng.permutation(n_tasks):
            results[task] = fn(int(task), self._work[int(self._rng.integers(self.n_threads))])
        return results

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future = Future()
        future.set_result(fn(*args))
        return future

    def close(self):
        pass


def toy_training(objective_class, pool, *, seed=0, epochs=3, batch_size=128, lr=0.05,
                 n_words=40, dim=8, shrink_windows=True, sample=0.0, **hyper):
    """Train a small model through skw2v._protocol.train on a random corpus of
    three documents; returns (loss curve, input vectors, objective)."""
    from skw2v._protocol import TrainingData, train
    from skw2v._solver_sgd import CorpusSolver
    from skw2v._vocab import Corpus

    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_words, 3000).astype(np.int32)
    corpus = Corpus(ids, np.array([0, 1000, 2200, 3000]))
    counts = np.bincount(ids, minlength=n_words)
    w_in = ((rng.random((n_words, dim)) - 0.5) / dim).astype(np.float32)
    random_state = np.random.RandomState(seed)
    objective = objective_class(counts, dim, batch_size=batch_size, random_state=random_state, **hyper)
    solver = CorpusSolver(
        TrainingData(corpus, counts), epochs=epochs, learning_rate=lr, min_learning_rate=1e-3,
        random_state=random_state, window=3, shrink_windows=shrink_windows, sample=sample,
    )
    curve = train(solver, objective, w_in, pool)
    return curve, w_in, objective


def traced_peak(function, *args):
    """``(function(*args), the peak of traced allocations while it ran, in bytes)``."""
    tracemalloc.start()
    try:
        return function(*args), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
