"""SkipGramVectorizer: parameters, validation, and the fit/transform flow.

Data flows one way: documents -> tokens (``_analyzer``) -> ids (``_vocab``) ->
trained matrices (``_softmax``) -> document vectors (``_pooling``). This module
only orchestrates; the numeric work lives in those modules.
"""

import os
import sys
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_info

from ._analyzer import build_analyzer, iter_token_lists
from ._pooling import (
    document_frequencies,
    first_component,
    max_pool,
    remove_component,
    sif_weights,
    smooth_idf,
    weighted_mean,
)
from ._negative import NegativeObjective
from ._softmax import SoftmaxObjective, augment_output, log_likelihood
from ._training import keep_probabilities, train
from ._vocab import count_and_encode, encode, prune_vocabulary, remap
from ._word2vec_format import load_word2vec_format
from ._wordvectors import WordVectors


def _available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _blas_threads():
    """Threads the loaded BLAS libraries use (1 when none reports)."""
    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return max(counts, default=1)


def _softmax_objective(estimator, counts, n_threads):
    return SoftmaxObjective(
        len(counts), estimator.vector_size, estimator._batch_size(), n_threads
    )


def _negative_objective(estimator, counts, n_threads):
    return NegativeObjective(
        counts, estimator.vector_size, estimator.negative, estimator.ns_exponent, n_threads
    )


#: loss name -> factory(estimator, word counts, n_threads) of the output layer.
#: A new objective is one module with a class like these plus one entry here
#: and one in AUTO_BATCH_SIZE.
OBJECTIVES = {"softmax": _softmax_objective, "negative": _negative_objective}

#: loss name -> the minibatch that ``batch_size="auto"`` picks. Negative
#: sampling: 2048 centers trained faster and no worse than 1024 on 5.1M words
#: of Wikipedia (500,641 against 398,446-414,396 words/s; analogy 0.1803
#: against 0.1796, WordSim 0.5948 against 0.5869); 4096 lost WordSim (0.5722).
AUTO_BATCH_SIZE = {"softmax": 1024, "negative": 2048}


class SkipGramVectorizer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Learn skip-gram word vectors from raw text; represent documents by pooling them.

    ``fit`` tokenizes the documents as :class:`~sklearn.feature_extraction.text.CountVectorizer`
    does, keeping word order, and trains a skip-gram word2vec model (Mikolov et
    al. 2013) with the full softmax: each center word predicts the words within
    ``window`` positions of it, inside its document, with one softmax over the
    vocabulary shared by its whole window. ``transform`` maps each document to
    the average of its in-vocabulary words' vectors (or another ``pooling``).

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the word vectors (word2vec's ``-size``, gensim's ``vector_size``).

    window : int, default=5
        Maximum distance between a center word and a context word
        (word2vec's ``-window``).

    learning_rate : float, default=0.025
        Initial SGD step (word2vec's ``-alpha``), decayed linearly to
        ``min_learning_rate`` over all epochs. It is the step of one center
        word's update, as in word2vec's sequential SGD; a minibatch gives each
        row the step that the sequential updates of its examples would take
        (see the User Guide), so the same value trains alike for any
        ``batch_size``. Far too large values degrade the vectors; should
        training ever produce a non-finite loss, ``fit`` raises a
        ``ValueError`` naming this parameter.

    min_learning_rate : float, default=0.0001
        Final SGD step (gensim's ``min_alpha``). Must not exceed ``learning_rate``.

    epochs : int, default=5
        Passes over the corpus (word2vec's ``-iter``).

    batch_size : int or "auto", default="auto"
        Center words per minibatch. ``"auto"``: 1024 with the softmax, 2048
        with negative sampling (measured fastest without loss of quality, see
        the User Guide). A softmax step is three matrix products of shapes
        (batch, vector_size) x (vector_size, n_words); larger batches use the
        BLAS better and, thanks to the update rule behind ``learning_rate``,
        train about as well (on Wikipedia text, held-out score -6.202 at 512
        and -6.205 at 1024). With vocabularies so large that the softmax's
        (batch, n_words) float32 buffer would exceed 256 MB, the batch is
        reduced to fit.

    min_count : int, default=5
        Ignore words with fewer total occurrences (word2vec's ``-min-count``).

    max_features : int, default=None
        Keep only the ``max_features`` most frequent words (after
        ``min_count``); ties are broken by the word itself, so the vocabulary
        does not depend on document order. The full softmax costs time
        proportional to the vocabulary size, so this is the main speed knob.

    loss : {"softmax", "negative"}, default="softmax"
        Training objective. ``"softmax"``: the exact full softmax over the
        vocabulary, one per center shared by its window (cost proportional to
        the vocabulary size). ``"negative"``: skip-gram with negative sampling
        (Mikolov et al. 2013b; word2vec's ``-negative``, gensim's ``sg=1``),
        whose cost does not grow with the vocabulary: the choice for large
        corpora and vocabularies.

    negative : int, default=5
        Noise words per context word with ``loss="negative"`` (word2vec's
        ``-negative``): each center draws ``negative`` noise words, and every
        context word of its window is trained against them (see the User
        Guide). Ignored by the softmax.

    ns_exponent : float, default=0.75
        Noise words are drawn from the unigram distribution raised to this
        power (gensim's ``ns_exponent``). Ignored by the softmax.

    sample : float, default=1e-3
        Frequent-word subsampling threshold (word2vec's ``-sample``): each
        occurrence of a word with corpus frequency ``f`` is kept with
        probability ``(sqrt(f / sample) + 1) * sample / f``, redrawn every
        epoch; dropped words are removed before windows are formed. 0 keeps
        every word. Applies to both objectives.

    shrink_windows : bool, default=True
        Draw each center's window uniformly from ``1..window``, as word2vec
        does, so nearer words count more. False uses ``window`` for every
        center. Applies to both objectives; ``score`` always uses the full
        window.

    initial_vectors : str, path-like or WordVectors, default=None
        Pretrained vectors to start from (fine-tuning): a word2vec, fastText
        ``.vec`` or GloVe file (read with :func:`load_word2vec_format`; GloVe
        files need their header line added, or load them yourself with
        ``no_header=True``) or a :class:`WordVectors`. Vocabulary words found
        there (exact, case-sensitive match: with ``lowercase=True`` only the
        lower-case entries match) start from those vectors; the others start
        at random as usual. The vocabulary is still the corpus's: words below
        ``min_count`` in the corpus are not kept, however well the
        pretrained vectors know them, and pretrained words absent from the
        corpus are not added. Their dimension must equal ``vector_size``.

    pooling : {"mean", "max", "tfidf", "sif"}, default="mean"
        How ``transform`` turns word vectors into a document vector.
        ``"mean"``: their average. ``"max"``: their element-wise maximum.
        ``"tfidf"``: the average weighted by each word's smoothed inverse
        document frequency ``idf_`` (learned in ``fit``; repeated words count
        each time, so the weights are tf-idf). ``"sif"``: smooth inverse
        frequency (Arora et al. 2017): the average of the words' vectors
        weighted by ``sif_alpha / (sif_alpha + p(w))``, ``p(w)`` the word's
        frequency in the training documents, minus its projection on
        ``sif_component_``, the first principal component of the training
        documents' weighted averages (fitted in ``fit`` only, so nothing leaks
        across cross-validation folds). Documents without a known word give
        zero rows with every pooling.

    norm : {None, "l2"}, default=None
        Scale each document vector to unit Euclidean length (after pooling);
        zero rows stay zero.

    sif_alpha : float, default=1e-3
        The ``a`` of SIF's weights ``a / (a + p(w))``; the paper found 1e-4 to
        1e-3 best. Only used by ``pooling="sif"``.

    input : {"content", "file", "filename"}, default="content"
        As in ``CountVectorizer``: documents are strings, open files, or file names.

    encoding : str, default="utf-8"
        As in ``CountVectorizer``.

    decode_error : {"strict", "ignore", "replace"}, default="strict"
        As in ``CountVectorizer``.

    strip_accents : {"ascii", "unicode"} or callable, default=None
        As in ``CountVectorizer``.

    lowercase : bool, default=True
        As in ``CountVectorizer``.

    preprocessor : callable, default=None
        As in ``CountVectorizer``.

    tokenizer : callable, default=None
        As in ``CountVectorizer``.

    token_pattern : str or None, default=r"(?u)\\b\\w\\w+\\b"
        As in ``CountVectorizer``.

    stop_words : {"english"}, list, default=None
        As in ``CountVectorizer``. Stop words are removed before windows are
        formed, so they neither are trained nor separate other words.

    analyzer : "word" or callable, default="word"
        ``"word"`` tokenizes with the parameters above; a callable maps one
        document to its list of tokens, in order. Pre-tokenized documents
        (lists of strings) are passed with ``analyzer=list``.

    n_jobs : int, default=None
        Training threads. ``None`` uses as many as the BLAS library does, -1
        all cores. Each thread runs single-threaded BLAS; the work is split so
        that results do not depend on thread timing. A different number of
        threads changes the last bits (softmax) or the noise words drawn
        (``loss="negative"``: one stream per thread), not what is learned.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial vectors and the order of centers. The same seed (and
        ``n_jobs``) gives bit-identical vectors on the same machine.

    verbose : int, default=0
        If positive, print the loss, speed and elapsed time after each epoch;
        above 1, also a progress line updated in place during each epoch.

    Attributes
    ----------
    vocabulary_ : dict
        Word -> row of ``word_vectors_``; rows are in decreasing frequency.

    word_counts_ : ndarray of int64, shape (n_words,)
        Occurrences of each vocabulary word in the training documents.

    word_vectors_ : ndarray of float32, shape (n_words, vector_size)
        Input (word) vectors, the ones ``transform`` averages.

    context_vectors_ : ndarray of float32, shape (n_words, vector_size)
        Output (context) vectors of the softmax.

    loss_curve_ : ndarray of float64, shape (epochs,)
        Mean loss per context word in each epoch (the negative mean
        log-probability of the context words during that epoch).

    n_iter_ : int
        Number of epochs run.

    idf_ : ndarray of float64, shape (n_words,)
        Smoothed inverse document frequency ``ln((1 + n) / (1 + df)) + 1`` of
        each word in the training documents, as ``TfidfVectorizer``'s
        (used by ``pooling="tfidf"``).

    sif_component_ : ndarray of float32, shape (vector_size,)
        Unit first principal component of the training documents' SIF
        averages (used by ``pooling="sif"``).

    n_initialized_ : int
        Vocabulary words whose vectors started from ``initial_vectors``
        (0 without them).

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : Tokenization it shares.
    sklearn.feature_extraction.text.TfidfVectorizer : Sparse bag-of-words features.

    References
    ----------
    T. Mikolov, K. Chen, G. Corrado and J. Dean (2013). "Efficient Estimation of
    Word Representations in Vector Space." arXiv:1301.3781.

    X. Rong (2014). "word2vec Parameter Learning Explained." arXiv:1411.2738
    (the softmax gradients; note that a window of C words multiplies the
    softmax term by C).

    Examples
    --------
    >>> from skw2v import SkipGramVectorizer
    >>> from skw2v.datasets import make_topic_corpus
    >>> docs, labels = make_topic_corpus(n_documents=200, random_state=0)
    >>> vectorizer = SkipGramVectorizer(vector_size=20, epochs=3, random_state=0)
    >>> X = vectorizer.fit_transform(docs)
    >>> X.shape
    (200, 20)
    >>> len(vectorizer.most_similar("football", topn=3))
    3
    """

    _parameter_constraints: dict = {
        "vector_size": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "min_learning_rate": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "loss": [StrOptions(set(OBJECTIVES))],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "ns_exponent": [Interval(Real, None, None, closed="neither")],
        "sample": [Interval(Real, 0, 1, closed="left")],
        "shrink_windows": ["boolean"],
        "initial_vectors": [str, os.PathLike, WordVectors, None],
        "pooling": [StrOptions({"mean", "max", "tfidf", "sif"})],
        "norm": [StrOptions({"l2"}), None],
        "sif_alpha": [Interval(Real, 0, None, closed="neither")],
        "input": [StrOptions({"content", "file", "filename"})],
        "encoding": [str],
        "decode_error": [StrOptions({"strict", "ignore", "replace"})],
        "strip_accents": [StrOptions({"ascii", "unicode"}), callable, None],
        "lowercase": ["boolean"],
        "preprocessor": [callable, None],
        "tokenizer": [callable, None],
        "token_pattern": [str, None],
        "stop_words": [StrOptions({"english"}), list, None],
        "analyzer": [StrOptions({"word"}), callable],
        "n_jobs": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Integral, None, -1, closed="right"),
            None,
        ],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        vector_size=100,
        window=5,
        learning_rate=0.025,
        min_learning_rate=0.0001,
        epochs=5,
        batch_size="auto",
        min_count=5,
        max_features=None,
        loss="softmax",
        negative=5,
        ns_exponent=0.75,
        sample=1e-3,
        shrink_windows=True,
        initial_vectors=None,
        pooling="mean",
        norm=None,
        sif_alpha=1e-3,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        token_pattern=r"(?u)\b\w\w+\b",
        stop_words=None,
        analyzer="word",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.vector_size = vector_size
        self.window = window
        self.learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.min_count = min_count
        self.max_features = max_features
        self.loss = loss
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.sample = sample
        self.shrink_windows = shrink_windows
        self.initial_vectors = initial_vectors
        self.pooling = pooling
        self.norm = norm
        self.sif_alpha = sif_alpha
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.token_pattern = token_pattern
        self.stop_words = stop_words
        self.analyzer = analyzer
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # -- tokenization -------------------------------------------------------

    def build_analyzer(self):
        """Return the callable that turns one raw document into its tokens.

        Returns
        -------
        analyzer : callable
            Built by ``CountVectorizer`` from this vectorizer's tokenization
            parameters.
        """
        return build_analyzer(self.get_params())

    def _token_lists(self, raw_documents):
        return iter_token_lists(
            raw_documents,
            self.build_analyzer(),
            self.input,
            check_content=not callable(self.analyzer),
        )

    def _encode(self, raw_documents):
        """Documents -> Corpus of row ids under the fitted vocabulary."""
        check_is_fitted(self)
        return encode(self._token_lists(raw_documents), self.vocabulary_)

    # -- fitting ------------------------------------------------------------

    def _n_threads(self):
        if self.n_jobs is None:
            return _blas_threads()
        if self.n_jobs < 0:  # -1 means all cores, -2 all but one, as in joblib
            return max(1, _available_cores() + 1 + self.n_jobs)
        return self.n_jobs

    def _build_vocabulary(self, raw_documents):
        """Tokenize once; return the corpus under the pruned vocabulary."""
        corpus, words = count_and_encode(self._token_lists(raw_documents))
        if corpus.n_documents == 0:
            raise ValueError("fit needs at least one document; got an empty collection.")
        counts = np.bincount(corpus.ids, minlength=len(words))
        kept = prune_vocabulary(counts, words, self.min_count, self.max_features)
        if len(kept) == 0:
            if corpus.n_tokens == 0:
                hint = "the documents contain no tokens; perhaps they only contain stop words"
            else:
                hint = (
                    f"no word occurs min_count={self.min_count} times in the "
                    f"{corpus.n_documents} documents ({corpus.n_tokens} tokens, "
                    f"{len(words)} distinct words); lower min_count or pass more text"
                )
            raise ValueError(f"Empty vocabulary: {hint}.")
        mapping = np.full(len(words), -1, dtype=np.int64)
        mapping[kept] = np.arange(len(kept))
        corpus = remap(corpus, mapping)
        if not (np.diff(corpus.indptr) >= 2).any():  # no word has a context
            raise ValueError(
                "Nothing to train on: no document has two in-vocabulary words, so "
                "no word has a context. Lower min_count, raise max_features, or "
                "pass longer documents."
            )
        self.vocabulary_ = {words[k]: row for row, k in enumerate(kept.tolist())}
        self.word_counts_ = counts[kept].astype(np.int64)
        return corpus

    def _batch_size(self, loss=None):
        """``batch_size``, with ``"auto"`` resolved for ``loss`` (default: the objective's)."""
        if self.batch_size != "auto":
            return self.batch_size
        return AUTO_BATCH_SIZE[self.loss if loss is None else loss]

    def _report_epoch(self, epoch, loss, n_centers, seconds):
        self._elapsed += seconds
        print(
            f"{chr(13) if self.verbose > 1 else ''}"
            f"[{type(self).__name__}] epoch {epoch + 1}/{self.epochs}: "
            f"loss {loss:.4f}, {n_centers / max(seconds, 1e-9):,.0f} words/s, "
            f"{self._elapsed:.1f} s elapsed",
            file=sys.stdout,
            flush=True,
        )

    def _fit(self, raw_documents):
        if self.min_learning_rate > self.learning_rate:
            raise ValueError(
                f"min_learning_rate={self.min_learning_rate} exceeds "
                f"learning_rate={self.learning_rate}; the rate decays from "
                "learning_rate down to min_learning_rate."
            )
        self.__dict__.pop("_wv_cache", None)
        corpus = self._build_vocabulary(raw_documents)
        n_words = len(self.vocabulary_)
        rng = check_random_state(self.random_state)
        # word2vec's initialisation: inputs uniform in +-0.5/d, outputs zero.
        w_in = ((rng.random_sample((n_words, self.vector_size)) - 0.5) / self.vector_size).astype(
            np.float32
        )
        self.n_initialized_ = self._initialize(w_in)
        n_threads = self._n_threads()
        objective = OBJECTIVES[self.loss](self, self.word_counts_, n_threads)
        if self.verbose > 0:
            print(
                f"[{type(self).__name__}] {corpus.n_tokens:,} words in "
                f"{corpus.n_documents:,} documents, vocabulary {n_words:,}, "
                f"loss={self.loss!r}, {n_threads} thread(s)",
                flush=True,
            )
        self._elapsed = 0.0
        try:
            loss_curve = train(
                corpus,
                w_in,
                objective,
                window=self.window,
                shrink_windows=self.shrink_windows,
                keep=keep_probabilities(self.word_counts_, self.sample),
                epochs=self.epochs,
                batch_size=self._batch_size(),
                learning_rate=self.learning_rate,
                min_learning_rate=self.min_learning_rate,
                rng=rng,
                n_threads=n_threads,
                on_epoch=self._report_epoch if self.verbose > 0 else None,
                on_progress=self._report_progress if self.verbose > 1 else None,
            )
        except FloatingPointError as error:
            raise ValueError(
                f"Training diverged ({error}): learning_rate={self.learning_rate} "
                "is too large for this corpus and batch. Use a smaller "
                f"learning_rate, e.g. {self.learning_rate / 10:g}."
            ) from error
        finally:
            del self._elapsed
        self.word_vectors_ = w_in
        self.context_vectors_ = objective.output_vectors()
        self.loss_curve_ = np.asarray(loss_curve, dtype=np.float64)
        self.n_iter_ = self.epochs
        self._n_features_out = self.vector_size
        self.idf_ = smooth_idf(document_frequencies(corpus, n_words), corpus.n_documents)
        sif_average = weighted_mean(
            corpus, w_in, sif_weights(self.word_counts_, self.sif_alpha), normalize=False
        )
        self.sif_component_ = first_component(sif_average)
        return corpus

    def _initialize(self, w_in):
        """Copy ``initial_vectors`` into the rows of the words they share; count them."""
        if self.initial_vectors is None:
            return 0
        pretrained = self.initial_vectors
        if not isinstance(pretrained, WordVectors):
            pretrained = load_word2vec_format(pretrained)
        if pretrained.vector_size != self.vector_size:
            raise ValueError(
                f"initial_vectors have {pretrained.vector_size} dimensions but "
                f"vector_size={self.vector_size}; set vector_size={pretrained.vector_size}."
            )
        shared = [(row, pretrained.index[word]) for word, row in self.vocabulary_.items()
                  if word in pretrained.index]
        if not shared:
            warnings.warn(
                f"None of the {len(self.vocabulary_)} vocabulary words is among the "
                f"{len(pretrained)} initial_vectors (matching is exact and "
                "case-sensitive); all vectors start at random.",
                UserWarning,
                stacklevel=4,
            )
            return 0
        rows, sources = np.array(shared).T
        w_in[rows] = pretrained.vectors[sources]
        if self.verbose > 0:
            print(
                f"[{type(self).__name__}] {len(rows):,} of {len(self.vocabulary_):,} "
                "words start from initial_vectors",
                flush=True,
            )
        return len(rows)

    def _report_progress(self, epoch, fraction, n_centers, seconds):
        print(
            f"\r[{type(self).__name__}] epoch {epoch + 1}/{self.epochs}: "
            f"{100 * fraction:5.1f}%, {n_centers / max(seconds, 1e-9):,.0f} words/s",
            end="",
            file=sys.stdout,
            flush=True,
        )

    def _pool(self, corpus):
        """Document vectors of ``corpus`` under the fitted model and ``pooling``."""
        vectors = self.word_vectors_
        if self.pooling == "mean":
            pooled = weighted_mean(corpus, vectors)
        elif self.pooling == "max":
            pooled = max_pool(corpus, vectors)
        elif self.pooling == "tfidf":
            pooled = weighted_mean(corpus, vectors, self.idf_)
        else:
            weights = sif_weights(self.word_counts_, self.sif_alpha)
            pooled = weighted_mean(corpus, vectors, weights, normalize=False)
            pooled = remove_component(pooled, self.sif_component_)
        if self.norm == "l2":
            pooled = normalize(pooled, norm="l2", copy=False)
        return pooled

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary and train the word vectors.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files
            Raw documents, read once (a generator works), as for ``CountVectorizer``.
        y : None
            Ignored.

        Returns
        -------
        self : SkipGramVectorizer
            The fitted vectorizer.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit, then return the document vectors of ``X``; reads ``X`` once.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files
            Raw documents.
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of float32, shape (n_documents, vector_size)
            Pooled word vectors of each document.
        """
        return self._pool(self._fit(X))

    def transform(self, X):
        """Represent each document by its known words' vectors, pooled.

        Pooled as ``pooling`` says (by default their mean), then scaled as
        ``norm`` says. Out-of-vocabulary words are ignored; a document with no
        known word gives a row of zeros.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files
            Raw documents.

        Returns
        -------
        X_new : ndarray of float32, shape (n_documents, vector_size)
        """
        return self._pool(self._encode(X))

    def score(self, X, y=None):
        """Mean log-probability of the context words of ``X`` under the model.

        Every word of ``X`` in the vocabulary predicts the vocabulary words
        within ``window`` positions of it with the full softmax over
        ``context_vectors_``; the score is the mean of ``log p(context | center)``
        over those pairs. Higher is better: it is the default scorer of
        ``GridSearchCV`` for unsupervised model selection, as
        ``LatentDirichletAllocation.score`` is. Note that models with different
        vocabularies are scored on different words.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files
            Raw documents.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean log-probability per context word (at most 0).
        """
        corpus = self._encode(X)
        w_out_aug = augment_output(self.context_vectors_)
        total, n_pairs = log_likelihood(
            corpus, self.word_vectors_, w_out_aug, window=self.window,
            batch_size=self._batch_size("softmax"),  # score is a softmax for every objective
        )
        if n_pairs == 0:
            raise ValueError(
                "Cannot score: no document of X has two in-vocabulary words within "
                "one window, so there is no context word to predict."
            )
        return total / n_pairs

    # -- word vectors -------------------------------------------------------

    @property
    def wv_(self):
        """The trained word vectors as a :class:`WordVectors` (shares memory).

        Neighbour queries, evaluation and saving in the word2vec format, like
        gensim's ``model.wv``; the vectorizer's own methods of the same names
        forward to it. Rows are ``word_vectors_``, in vocabulary order.
        """
        check_is_fitted(self)
        # Built once per fitted model (the word index costs O(n_words)).
        key = (id(self.vocabulary_), id(self.word_vectors_))
        cached = getattr(self, "_wv_cache", None)
        if cached is None or cached[0] != key:
            words = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)  # row order
            cached = self._wv_cache = (key, WordVectors(words, self.word_vectors_))
        return cached[1]

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Words closest to the mean of ``positive`` minus ``negative`` (cosine).

        See :meth:`WordVectors.most_similar`; as gensim's, so
        ``most_similar(positive=["king", "woman"], negative=["man"])`` works.

        Returns
        -------
        neighbours : list of (str, float)
            ``(word, cosine similarity)``, most similar first, query words left out.

        Raises
        ------
        KeyError
            Naming a query word that is not in the vocabulary.
        """
        return self.wv_.most_similar(positive, negative, topn, restrict_vocab)

    def similarity(self, word1, word2):
        """Cosine similarity of two words; see :meth:`WordVectors.similarity`."""
        return self.wv_.similarity(word1, word2)

    def doesnt_match(self, words):
        """The word least like the others; see :meth:`WordVectors.doesnt_match`."""
        return self.wv_.doesnt_match(words)

    def evaluate_word_analogies(self, path, restrict_vocab=30000, case_insensitive=True):
        """Analogy accuracy; see :meth:`WordVectors.evaluate_word_analogies`."""
        return self.wv_.evaluate_word_analogies(path, restrict_vocab, case_insensitive)

    def evaluate_word_pairs(self, path, delimiter="\t", restrict_vocab=300000,
                            case_insensitive=True):
        """Word-pair correlations; see :meth:`WordVectors.evaluate_word_pairs`."""
        return self.wv_.evaluate_word_pairs(path, delimiter, restrict_vocab, case_insensitive)

    def save_word2vec_format(self, path, binary=False, write_header=True):
        """Save ``word_vectors_``; see :meth:`WordVectors.save_word2vec_format`."""
        self.wv_.save_word2vec_format(path, binary, write_header)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_wv_cache", None)  # rebuilt on demand; not worth pickling
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = []
        return tags
