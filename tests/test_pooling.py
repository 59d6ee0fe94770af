"""Document pooling (mean, max, tfidf, sif; norm) against direct numpy computations,
and pretrained starts (initial_vectors)."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline

from conftest import topic_separation
from skw2v import SkipGramVectorizer, WordVectors
from skw2v._pooling import document_frequencies, max_pool, weighted_mean
from skw2v._vocab import Corpus
from skw2v.datasets import make_topic_corpus

TRAIN = [
    "the cat sat on the mat with the cat",
    "a dog sat on the log",
    "the cat and the dog",
    "birds fly over the dog and the cat",
]
TEST = ["the cat and the bird", "unknown words only", "", "dog dog dog mat"]
TINY = dict(vector_size=6, min_count=1, epochs=2, sample=0, random_state=0)


@pytest.fixture(scope="module")
def tiny():
    return SkipGramVectorizer(**TINY).fit(TRAIN)


def known_tokens(vectorizer, document):
    analyze = vectorizer.build_analyzer()
    return [vectorizer.vocabulary_[t] for t in analyze(document) if t in vectorizer.vocabulary_]


def direct(vectorizer, documents, pooling):
    """Pooled vectors by a loop over documents, in float64."""
    vectors = vectorizer.word_vectors_.astype(np.float64)
    frequency = vectorizer.word_counts_ / vectorizer.word_counts_.sum()
    out = np.zeros((len(documents), vectors.shape[1]))
    for i, document in enumerate(documents):
        ids = known_tokens(vectorizer, document)
        if not ids:
            continue
        if pooling == "mean":
            out[i] = vectors[ids].mean(axis=0)
        elif pooling == "max":
            out[i] = vectors[ids].max(axis=0)
        elif pooling == "tfidf":
            weights = vectorizer.idf_[ids]
            out[i] = weights @ vectors[ids] / weights.sum()
        else:
            weights = vectorizer.sif_alpha / (vectorizer.sif_alpha + frequency[ids])
            out[i] = weights @ vectors[ids] / len(ids)
    return out


@pytest.mark.parametrize("pooling", ["mean", "max", "tfidf", "sif"])
@pytest.mark.parametrize("norm", [None, "l2"])
def test_pooling_matches_direct_computation(tiny, pooling, norm):
    vectorizer = SkipGramVectorizer(**TINY, pooling=pooling, norm=norm).fit(TRAIN)
    np.testing.assert_array_equal(vectorizer.word_vectors_, tiny.word_vectors_)
    expected = direct(vectorizer, TEST, pooling)
    if pooling == "sif":
        train = direct(vectorizer, TRAIN, "sif")
        component = np.linalg.svd(train)[2][0]  # uncentred, as Arora et al.
        expected -= np.outer(expected @ component, component)
    if norm == "l2":
        lengths = np.linalg.norm(expected, axis=1, keepdims=True)
        expected = np.divide(expected, lengths, out=np.zeros_like(expected), where=lengths > 0)
    result = vectorizer.transform(TEST)
    assert result.dtype == np.float32 and result.shape == (len(TEST), 6)
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
    assert not result[1:3].any() and np.isfinite(result).all()  # empty documents: zero rows


def test_idf_is_tfidfvectorizers(tiny):
    reference = TfidfVectorizer().fit(TRAIN)
    for word, row in tiny.vocabulary_.items():
        assert tiny.idf_[row] == pytest.approx(reference.idf_[reference.vocabulary_[word]])


def test_sif_component_is_fitted_on_training_documents_only(topic_corpus):
    docs, labels, _ = topic_corpus
    params = dict(TINY, vector_size=10, pooling="sif")
    first = SkipGramVectorizer(**params).fit(docs[:200])
    component = first.sif_component_.copy()
    first.transform(docs[200:])
    np.testing.assert_array_equal(first.sif_component_, component)  # transform learns nothing
    train = direct(first, docs[:200], "sif")
    expected = np.linalg.svd(train)[2][0]
    assert abs(component @ expected) == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(
        first.fit_transform(docs[:200]), first.transform(docs[:200]), rtol=1e-5, atol=1e-6
    )
    # In cross-validation each fold's component comes from its training part alone.
    folds = list(KFold(3).split(docs[:150]))
    fitted = cross_validate(
        make_pipeline(SkipGramVectorizer(**params), LogisticRegression(max_iter=500)),
        docs[:150], labels[:150], cv=folds, return_estimator=True,
    )["estimator"]
    for pipeline, (train_index, _) in zip(fitted, folds):
        alone = SkipGramVectorizer(**params).fit([docs[i] for i in train_index])
        np.testing.assert_array_equal(pipeline[0].sif_component_, alone.sif_component_)


@pytest.mark.parametrize("chunk", [1, 5, 1000])
def test_chunked_pooling_matches_direct_loops(monkeypatch, chunk):
    """Pooling works in chunks of documents; any chunk size gives the same numbers."""
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 7, size=50)
    ids = rng.integers(0, 12, size=lengths.sum()).astype(np.int32)
    corpus = Corpus(ids, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
    vectors = rng.standard_normal((12, 4)).astype(np.float32)
    weights = rng.random(12)
    monkeypatch.setattr("skw2v._pooling.CHUNK_TOKENS", chunk)
    maxed = max_pool(corpus, vectors)
    weighted = weighted_mean(corpus, vectors, weights)
    summed = weighted_mean(corpus, vectors, weights, normalize=False)
    frequencies = document_frequencies(corpus, 12)
    expected_df = np.zeros(12, dtype=int)
    for i, (a, b) in enumerate(zip(corpus.indptr[:-1], corpus.indptr[1:])):
        words = ids[a:b]
        expected_df[np.unique(words)] += 1
        if b == a:
            assert not maxed[i].any() and not weighted[i].any() and not summed[i].any()
            continue
        np.testing.assert_array_equal(maxed[i], vectors[words].max(axis=0))
        np.testing.assert_allclose(
            weighted[i], weights[words] @ vectors[words] / weights[words].sum(), rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(summed[i], weights[words] @ vectors[words] / (b - a), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(frequencies, expected_df)
    np.testing.assert_array_equal(corpus.ids, ids)  # the corpus is never reordered


def test_pooling_and_norm_are_tunable(topic_corpus):
    docs, labels, _ = topic_corpus
    search = GridSearchCV(
        make_pipeline(SkipGramVectorizer(**TINY), LogisticRegression(max_iter=500)),
        {
            "skipgramvectorizer__pooling": ["mean", "max", "tfidf", "sif"],
            "skipgramvectorizer__norm": [None, "l2"],
        },
        cv=2,
    ).fit(docs[:160], labels[:160])
    assert len(search.cv_results_["params"]) == 8
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


# -- pretrained starts ----------------------------------------------------------


def test_initial_vectors_start_the_shared_words(tiny, tmp_path):
    rng = np.random.default_rng(1)
    pretrained = WordVectors(["cat", "dog", "zebra"], rng.standard_normal((3, 6)))
    path = tmp_path / "pre.bin"
    pretrained.save_word2vec_format(path, binary=True)
    for source in (pretrained, path, str(path)):
        # A vanishing learning rate leaves the starting vectors as they were.
        still = SkipGramVectorizer(
            **TINY, initial_vectors=source, learning_rate=1e-12, min_learning_rate=0
        ).fit(TRAIN)
        assert still.n_initialized_ == 2
        for word in ("cat", "dog"):
            np.testing.assert_allclose(still.wv_[word], pretrained[word], atol=1e-6)
        assert "zebra" not in still.vocabulary_  # pretrained words do not enter the vocabulary
        # The other words start exactly where they would without initial_vectors.
        np.testing.assert_array_equal(
            still.wv_["mat"],
            SkipGramVectorizer(**TINY, learning_rate=1e-12, min_learning_rate=0).fit(TRAIN).wv_["mat"],
        )
    assert tiny.n_initialized_ == 0


def test_initial_vectors_errors(tmp_path):
    wrong = WordVectors(["cat"], np.ones((1, 4)))
    with pytest.raises(ValueError, match="4 dimensions but vector_size=6; set vector_size=4"):
        SkipGramVectorizer(**TINY, initial_vectors=wrong).fit(TRAIN)
    with pytest.warns(UserWarning, match="None of the .* vocabulary words"):
        SkipGramVectorizer(**TINY, initial_vectors=WordVectors(["CAT"], np.ones((1, 6)))).fit(TRAIN)
    with pytest.raises(FileNotFoundError):
        SkipGramVectorizer(**TINY, initial_vectors=str(tmp_path / "missing.bin")).fit(TRAIN)


def test_fine_tuning_beats_training_from_scratch_on_a_small_corpus(topic_corpus):
    """Vectors trained on a large corpus, fine-tuned on 15 short noisy documents.

    Calibration (make_topic_corpus(15, topic_purity=0.35, document_length=(10, 30),
    random_state=1); the small model's random_state 0-9): same-minus-cross-topic
    gap from scratch -0.005..0.048 (it learns next to nothing), fine-tuned
    0.894-0.895. Threshold: fine-tuned above 0.6 and at least 0.4 above scratch.
    """
    docs, _, topics = topic_corpus
    general = SkipGramVectorizer(vector_size=20, min_count=1, sample=0, random_state=0).fit(docs)
    small, _ = make_topic_corpus(
        n_documents=15, topic_purity=0.35, document_length=(10, 30), random_state=1
    )
    params = dict(vector_size=20, min_count=1, sample=0, random_state=3)
    scratch = SkipGramVectorizer(**params).fit(small)
    tuned = SkipGramVectorizer(**params, initial_vectors=general.wv_).fit(small)
    assert tuned.n_initialized_ == len(tuned.vocabulary_)
    scratch_gap, _ = topic_separation(scratch, topics)
    tuned_gap, _ = topic_separation(tuned, topics)
    assert tuned_gap > 0.6 and tuned_gap > scratch_gap + 0.4


# -- SCDV --------------------------------------------------------------------------


def scdv_direct(vectorizer, train_documents, documents, n_clusters, sparsity):
    """SCDV by its definition, document by document, in float64."""
    from sklearn.mixture import GaussianMixture

    vectors = vectorizer.word_vectors_.astype(np.float64)
    from skw2v._fitting import stage_seeds

    mixture = GaussianMixture(n_clusters, covariance_type="tied", max_iter=100,
                              random_state=stage_seeds(vectorizer.random_state).pooling).fit(vectors)
    probabilities = mixture.predict_proba(vectors)
    probabilities[probabilities < 1e-3] = 0

    def unit_sum(document):
        total = np.zeros(n_clusters * vectors.shape[1])
        for row in known_tokens(vectorizer, document):
            total += vectorizer.idf_[row] * np.kron(probabilities[row], vectors[row])
        length = np.linalg.norm(total)
        return total / length if length > 0 else total

    train = np.array([unit_sum(d) for d in train_documents])
    threshold = sparsity * (np.abs(np.minimum(train.min(axis=1), 0)).mean()
                            + np.abs(np.maximum(train.max(axis=1), 0)).mean()) / 2
    out = np.array([unit_sum(d) for d in documents])
    out[np.abs(out) < threshold] = 0
    return out


@pytest.mark.parametrize("chunk_tokens", [1, 7, 1 << 14])
@pytest.mark.parametrize("n_clusters, sparsity", [(1, 0.0), (3, 0.04), (3, 0.3)])
def test_scdv_matches_its_definition(topic_corpus, monkeypatch, n_clusters, sparsity, chunk_tokens):
    """Any chunking of the documents gives the definition's numbers."""
    import scipy.sparse as sp

    monkeypatch.setattr("skw2v._pooling.SCDV_CHUNK_TOKENS", chunk_tokens)
    docs, _, _ = topic_corpus
    params = dict(TINY, vector_size=5, pooling="scdv", scdv_clusters=n_clusters, scdv_sparsity=sparsity)
    vectorizer = SkipGramVectorizer(**params).fit(docs[:80])
    queries = docs[80:100] + ["", "nothing known here"]
    result = vectorizer.transform(queries)
    assert sp.isspmatrix_csr(result) and result.dtype == np.float32
    assert result.shape == (len(queries), n_clusters * 5)
    expected = scdv_direct(vectorizer, docs[:80], queries, n_clusters, sparsity)
    np.testing.assert_allclose(result.toarray(), expected, rtol=1e-4, atol=1e-5)
    assert result[-2:].nnz == 0 and np.isfinite(result.data).all()  # empty and unknown: zero rows
    if sparsity >= 0.3:
        assert result.nnz < 0.7 * (result.shape[0] - 2) * result.shape[1]


def test_scdv_names_pickles_and_tunes(topic_corpus):
    import pickle

    docs, labels, _ = topic_corpus
    vectorizer = SkipGramVectorizer(**TINY, pooling="scdv", scdv_clusters=4).fit(docs[:100])
    names = vectorizer.get_feature_names_out()
    assert len(names) == 4 * 6 and names[0] == "skipgramvectorizer_c0_d0" and names[7] == "skipgramvectorizer_c1_d1"
    restored = pickle.loads(pickle.dumps(vectorizer))
    assert (restored.transform(docs[100:120]) != vectorizer.transform(docs[100:120])).nnz == 0
    search = GridSearchCV(
        make_pipeline(SkipGramVectorizer(**TINY, pooling="scdv"), LogisticRegression(max_iter=500)),
        {"skipgramvectorizer__scdv_clusters": [2, 4], "skipgramvectorizer__scdv_sparsity": [0.0, 0.04]},
        cv=2,
    ).fit(docs[:160], labels[:160])
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_score_ > 0.8


def test_scdv_chosen_after_fit_asks_for_a_refit(tiny):
    from sklearn.base import clone

    fitted = clone(tiny).fit(TRAIN)
    fitted.set_params(pooling="sif")
    assert fitted.transform(TEST).shape == (4, 6)  # fitted from the stored statistics
    fitted.set_params(pooling="scdv")
    with pytest.raises(ValueError, match="fit the vectorizer with pooling='scdv'"):
        fitted.transform(TEST)
    # Fitted with scdv, it keeps it while other poolings are tried.
    scdv = clone(tiny).set_params(pooling="scdv", scdv_clusters=2).fit(TRAIN)
    first = scdv.transform(TEST).toarray()
    for pooling in ("mean", "sif", "scdv"):
        scdv.set_params(pooling=pooling).transform(TEST)
    np.testing.assert_array_equal(scdv.transform(TEST).toarray(), first)


@pytest.mark.parametrize("chunk_tokens", [1, 2, 3, 7, 4096])
def test_max_pool_over_chunks_is_the_direct_maximum(chunk_tokens):
    """Documents spanning chunks, empty ones, and all-negative vectors."""
    rng = np.random.RandomState(0)
    for _ in range(50):
        lengths = rng.choice([0, 1, 2, 5, 30], size=rng.randint(1, 30))
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        corpus = Corpus(rng.randint(0, 50, size=indptr[-1]).astype(np.int32), indptr)
        vectors = rng.randn(50, 4).astype(np.float32) - 3
        expected = np.zeros((len(lengths), 4), dtype=np.float32)
        for i in range(len(lengths)):
            if lengths[i]:
                expected[i] = vectors[corpus.ids[indptr[i]:indptr[i + 1]]].max(axis=0)
        np.testing.assert_array_equal(max_pool(corpus, vectors, chunk_tokens), expected)


def test_sif_gram_is_an_exact_integer_sum_in_any_grouping():
    """The SIF Gram matrix is summed in integers: any cut of the documents
    gives the same sums bit for bit (the map-reduce over chunks, processes or
    Dask partitions), and they are the float Gram matrix to 1e-9."""
    from skw2v._pooling import gram_exponent, gram_from_units, sif_gram_units, sif_weights

    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 30, 200)
    corpus = Corpus(rng.integers(0, 50, lengths.sum()).astype(np.int32),
                    np.concatenate([[0], np.cumsum(lengths)]))
    vectors = rng.normal(size=(50, 7)).astype(np.float32) * 3
    counts = rng.integers(1, 1000, 50)
    exponent = gram_exponent(vectors, counts, 1e-2)
    whole = sif_gram_units(corpus, vectors, counts, 1e-2, exponent)
    assert whole.dtype == np.int64 and whole.shape == (3, 7, 7)
    for cuts in ([77], [1, 2, 3, 150, 199]):
        bounds = [0, *cuts, 200]
        parts = [Corpus(corpus.ids[corpus.indptr[a]:corpus.indptr[b]],
                        corpus.indptr[a:b + 1] - corpus.indptr[a]) for a, b in zip(bounds, bounds[1:])]
        total = sum(sif_gram_units(p, vectors, counts, 1e-2, exponent) for p in parts[::-1])
        np.testing.assert_array_equal(total, whole)
    averages = weighted_mean(corpus, vectors, sif_weights(counts, 1e-2), normalize=False)
    averages = averages.astype(np.float64)
    np.testing.assert_allclose(gram_from_units(whole, exponent), averages.T @ averages, rtol=1e-9)
