"""SkipGramVectorizer: parameters, validation, and the fit/transform flow.

Data flows one way: documents -> tokens (``_analyzer``) -> ids (``_vocab``) ->
co-occurrence counts (``_cooccurrence``, when the solver or the init needs
them) -> starting vectors (an init from ``_registry``) -> trained matrices (a
solver and an objective from ``_registry``, run by ``_protocol.train``) ->
document vectors (a pooling from ``_registry``). The estimator connects these
pieces (the stages of ``_fitting``); it does no numeric work itself.
"""

import os
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.preprocessing import normalize
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_memory

from ._analyzer import TOKENIZATION_PARAMS, build_analyzer, iter_token_lists, warn_for_unused_params
from ._dask import is_dask_collection, read_collection, score_parts
from ._dask import transform as dask_transform
from ._fitting import (
    cooccurrence, corpus_statistics, encoded_corpus, stage_seeds, starting_vectors, train_vectors,
)
from ._parallel import Pool, effective_n_threads
from ._pooling import POOLING_SAMPLE_TOKENS, WordStatistics
from ._progress import Progress
from ._protocol import BatchKind, TrainingData
from ._registry import (
    AUTO_SOLVERS,
    INITS,
    OBJECTIVES,
    POOLINGS,
    SOLVERS,
    resolve_solver,
)
from ._scoring import log_likelihood
from ._spill import raw_document_chunks
from ._vocab import Corpus, check_vocabulary, encode
from ._wordvectors import WordVectors, WordVectorsMixin


class SkipGramVectorizer(
    WordVectorsMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    r"""Learn skip-gram word vectors from raw text; represent documents by pooling them.

    ``fit`` tokenizes the documents as :class:`~sklearn.feature_extraction.text.CountVectorizer`
    does, keeping word order, and trains a skip-gram word2vec model (Mikolov et
    al. 2013): each center word predicts the words within ``window`` positions
    of it, inside its document, by default with one full softmax over the
    vocabulary shared by its whole window (``loss``). ``transform`` maps each
    document to the average of its in-vocabulary words' vectors (or another
    ``pooling``).

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the word vectors (word2vec's ``-size``, gensim's ``vector_size``).

    window : int, default=5
        Maximum distance between a center word and a context word
        (word2vec's ``-window``).

    learning_rate : float, default=0.025
        Initial step (word2vec's ``-alpha``), decayed linearly to
        ``min_learning_rate`` over all epochs: the step of one occurrence, as
        in word2vec's sequential SGD, whatever the batch size (see the User
        Guide). Far too large values warn (``ConvergenceWarning``) and never
        give NaN; a non-finite loss would raise a ``ValueError`` naming it.

    min_learning_rate : float, default=0.0001
        Final SGD step (gensim's ``min_alpha``). Must not exceed ``learning_rate``.

    epochs : int, default=5
        Passes over the corpus (word2vec's ``-iter``).

    batch_size : int or "auto", default="auto"
        Centers per step; ``"auto"`` takes the objective's default (1024
        for the softmax, 2048 for negative sampling). Reduced to fit the
        softmax's (batch, n_words) buffer in 256 MB.

    min_count : int, default=5
        Ignore words with fewer total occurrences (word2vec's ``-min-count``).

    max_features : int, default=None
        Keep only the ``max_features`` most frequent words (after
        ``min_count``); ties are broken by the word itself, so the vocabulary
        does not depend on document order. The full softmax costs time
        proportional to the vocabulary size, so this is the main speed knob.

    loss : {"softmax", "negative"}, default="softmax"
        ``"softmax"``: the exact full softmax over the vocabulary, one per
        center shared by its window. ``"negative"``: negative sampling
        (Mikolov et al. 2013b; gensim's ``sg=1``).

    solver : {"auto", "counts", "pairs", "sgd"}, default="auto"
        ``"auto"``: ``"counts"`` on corpora of under two million words (in
        the vocabulary, with repeats), ``"pairs"`` from two million up, where
        the counts solver's word similarity (SimLex-999) falls to gensim's
        and, at tens of millions of words, its analogies fall behind (the
        User Guide has the figures); ``solver_`` says which a fit used.
        ``"counts"``: count the window-weighted co-occurrences once, then
        train each distinct center word once per epoch, weighted by its
        counts, so the training time does not grow with the corpus.
        ``"pairs"``: count once, then word2vec's SGD steps over pairs drawn
        from the counts, an epoch's worth (as many pairs as the corpus's
        windows hold) per epoch, in compiled code; the vectors of SGD over
        the text, without reading it again. With ``loss="softmax"`` each pair
        takes a sampled-softmax step (Jean et al. 2015) over its context and
        ``negative`` noise words: the objective is still the full softmax
        (``score``), its gradient estimated from those candidates.
        ``"sgd"``: word2vec's SGD over the corpus positions. See the User
        Guide for how the other parameters map and which to choose.

    init : {"spectral", "random"}, default="spectral"
        ``"spectral"``: inputs ``U S^(1/2)`` and outputs ``V S^(1/2)`` from
        the truncated SVD of the co-occurrences' positive PMI (Levy and
        Goldberg 2014), which approximates negative sampling's optimum.
        ``"random"``: word2vec's start. ``initial_vectors`` replace either.

    memory : str or joblib.Memory, default=None
        Caches the encoded corpus, the co-occurrence counts and the spectral
        start, as ``AgglomerativeClustering(memory=...)``, so that fits
        differing only in ``vector_size``, ``learning_rate``, ``epochs``,
        ``loss``, ``init``, pooling or ``n_jobs`` reuse what they share (see
        the User Guide for when each is cached).

    negative : int, default=5
        Noise words per context word with ``loss="negative"`` (word2vec's
        ``-negative``): each center draws ``negative`` noise words, and every
        context word of its window is trained against them (see the User
        Guide). With ``loss="softmax"``, used by ``solver="pairs"`` only: the
        noise words beside each pair's context in its sampled softmax.

    ns_exponent : float, default=0.75
        Noise words are drawn from the unigram distribution raised to this
        power (gensim's ``ns_exponent``). With ``loss="softmax"``, used by
        ``solver="pairs"`` only.

    sample : float, default=1e-4
        Frequent-word subsampling threshold (word2vec's ``-sample``): an
        occurrence of a word of frequency ``f`` is kept with probability
        ``(sqrt(f / sample) + 1) * sample / f``; 0 keeps every word.
        word2vec's and gensim's default is 1e-3; 1e-4 scored as well or
        better with the default solver on classification and word
        benchmarks from 80,000 to 40M tokens (one exception: the pairs'
        analogy at 2.5M words) and makes the pairs' epochs a quarter
        shorter (:ref:`design_default_sample`). On a vocabulary of a few
        hundred words every word is frequent: use ``sample=0`` there.

    shrink_windows : bool, default=True
        Draw each center's window uniformly from ``1..window``, as word2vec
        does, so nearer words count more. False uses ``window`` for every
        center. Applies to both objectives; ``score`` always uses the full
        window.

    vocabulary : mapping or iterable of str, default=None
        A fixed vocabulary, as ``CountVectorizer``'s (word -> row, or words
        in row order); other tokens are dropped and ``min_count``,
        ``max_features`` are not used. None learns it from the documents.

    warm_start : bool, default=False
        ``fit`` continues from the fitted vectors when it finds the same
        vocabulary and ``vector_size`` (else starts anew, with a warning).
        See also :meth:`partial_fit`.

    initial_vectors : str, path-like or WordVectors, default=None
        Pretrained vectors (a word2vec, fastText ``.vec`` or GloVe file, or
        a :class:`WordVectors`) for the vocabulary words they know (exact,
        case-sensitive match); the vocabulary stays the corpus's. Their
        dimension must equal ``vector_size``.

    pooling : {"mean", "max", "tfidf", "sif", "scdv"}, default="mean"
        How ``transform`` makes a document vector of its words' vectors:
        their mean, element-wise maximum, ``idf_``-weighted mean, SIF
        (Arora et al. 2017: weights ``sif_alpha / (sif_alpha + p(w))``,
        minus the projection on ``sif_component_``), or SCDV (Mekala et al.
        2017: one idf-weighted copy of each vector per soft cluster,
        ``scdv_clusters * vector_size`` sparse columns, a CSR matrix).
        Everything learned comes from the training documents. Documents
        without a known word give zero rows.

    norm : {None, "l2"}, default=None
        Scale each document vector to unit Euclidean length (after pooling);
        zero rows stay zero.

    sif_alpha : float, default=1e-3
        The ``a`` of SIF's weights ``a / (a + p(w))``; the paper found 1e-4 to
        1e-3 best. Only used by ``pooling="sif"``.

    scdv_clusters : int, default=20
        Clusters of the Gaussian mixture over the word vectors with
        ``pooling="scdv"``; the document vectors have ``scdv_clusters *
        vector_size`` columns. More clusters, with a larger ``vector_size``,
        can classify short texts better, for a longer fit and a slower
        ``transform`` (see the User Guide's SCDV tuning table).

    scdv_sparsity : float, default=0.04
        With ``pooling="scdv"``, entries of a document vector smaller in
        magnitude than this fraction of the training documents' typical
        largest entry are set to zero (the paper's ``p / 100``).

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
        all cores. Each thread runs single-threaded BLAS on whole blocks of
        work whose boundaries do not depend on the thread count, so the
        results do not depend on ``n_jobs`` at all.

    random_state : int, RandomState instance or None, default=None
        Seeds every random draw (initial vectors, subsampling, order of
        centers, windows, noise words). The same int gives bit-identical
        vectors on the same machine, for any ``n_jobs``.

    verbose : int, default=0
        1: print what is trained, an estimate of the training time once the
        first batches have run, progress within each epoch (in place on a
        terminal, periodic lines elsewhere) and each epoch's loss and speed.
        2: also the time each stage of ``fit`` took.

    Attributes
    ----------
    vocabulary_ : dict
        Word -> row of ``word_vectors_``; rows are in decreasing frequency.

    word_counts_ : ndarray of int64, shape (n_words,)
        Occurrences of each vocabulary word in the training documents.

    word_vectors_ : ndarray of float32, shape (n_words, vector_size)
        Input (word) vectors, the ones ``transform`` averages.

    context_vectors_ : ndarray of float32, shape (n_words, vector_size)
        Output (context) vectors of the objective (``u_w`` in the User Guide).

    loss_curve_ : ndarray of float64, shape (epochs,)
        Mean training loss per context word in each epoch: with the softmax,
        the negative log-probability of a context word; with negative
        sampling, the logistic loss of a context word against its center and
        its noise words.

    n_iter_ : int
        Number of epochs run (over all :meth:`partial_fit` calls).

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

    solver_ : str
        The solver the last fit (or :meth:`partial_fit` call) trained with:
        ``solver``, or what ``solver="auto"`` chose.

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
        "solver": [StrOptions({*SOLVERS, "auto"})],
        "init": [StrOptions(set(INITS))],
        "memory": [str, HasMethods(["cache"]), None],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "ns_exponent": [Interval(Real, None, None, closed="neither")],
        "sample": [Interval(Real, 0, 1, closed="left")],
        "shrink_windows": ["boolean"],
        "vocabulary": [HasMethods(["__iter__"]), None],
        "warm_start": ["boolean"],
        "initial_vectors": [str, os.PathLike, WordVectors, None],
        "pooling": [StrOptions(set(POOLINGS))],
        "norm": [StrOptions({"l2"}), None],
        "sif_alpha": [Interval(Real, 0, None, closed="neither")],
        "scdv_clusters": [Interval(Integral, 1, None, closed="left")],
        "scdv_sparsity": [Interval(Real, 0, 1, closed="left")],
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
        solver="auto",
        init="spectral",
        memory=None,
        negative=5,
        ns_exponent=0.75,
        sample=1e-4,
        shrink_windows=True,
        vocabulary=None,
        warm_start=False,
        initial_vectors=None,
        pooling="mean",
        norm=None,
        sif_alpha=1e-3,
        scdv_clusters=20,
        scdv_sparsity=0.04,
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
        self.solver = solver
        self.init = init
        self.memory = memory
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.sample = sample
        self.shrink_windows = shrink_windows
        self.vocabulary = vocabulary
        self.warm_start = warm_start
        self.initial_vectors = initial_vectors
        self.pooling = pooling
        self.norm = norm
        self.sif_alpha = sif_alpha
        self.scdv_clusters = scdv_clusters
        self.scdv_sparsity = scdv_sparsity
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

    def _document_vectors(self, raw_documents):
        """The pooled vectors of ``raw_documents``, read, encoded and pooled
        a chunk of documents at a time (so no corpus of ids is held)."""
        check_is_fitted(self)
        analyzer = self.build_analyzer()
        parts = [
            self._pool(encode(
                iter_token_lists(documents, analyzer, self.input,
                                 check_content=not callable(self.analyzer), start=first),
                self.vocabulary_,
            ))
            for first, documents in raw_document_chunks(raw_documents, self.input)
        ]
        if not parts:
            parts = [self._pool(Corpus(np.empty(0, np.int32), np.zeros(1, np.int64)))]
        return self._stack(parts)

    @staticmethod
    def _stack(parts):
        """Row blocks of document vectors (dense or sparse) as one matrix."""
        if len(parts) == 1:
            return parts[0]
        if sp.issparse(parts[0]):
            return sp.vstack(parts, format="csr")
        return np.concatenate(parts)

    # -- fitting ------------------------------------------------------------

    def _fit(self, raw_documents, partial=False, transform=False):
        """Train on ``raw_documents``; set every fitted attribute at once, at the end.

        ``partial``: continue the fitted model (``partial_fit`` after its first
        call). Returns the document vectors of ``raw_documents`` if
        ``transform``, else None.
        """
        self._check_solver_and_loss()
        self._check_learning_rates()
        on_dask = is_dask_collection(raw_documents)
        if on_dask and any(SOLVERS[name].batch_kind is BatchKind.CORPUS
                           for name in self._solver_candidates()):
            raise ValueError(
                f"solver={self.solver!r} reads the corpus at every epoch, which a Dask "
                "collection would send to this machine each time. Use solver='counts' or "
                "solver='pairs': they train from counts computed on the "
                "workers."
            )
        warn_for_unused_params(self.get_params())
        report = Progress(type(self).__name__, self.verbose)
        memory = check_memory(self.memory)
        reproducible = isinstance(self.random_state, Integral)
        n_threads = effective_n_threads(self.n_jobs)
        seeds = stage_seeds(self.random_state)
        objective_class = OBJECTIVES[self.loss]

        with self._read(raw_documents, partial, memory, n_threads, report) as encoded:
            n_words = int(np.sum(encoded.word_counts, dtype=np.int64))
            solver_name = resolve_solver(self.solver, n_words)
            solver_class = SOLVERS[solver_name]
            if self.solver == "auto":
                report.message(f"solver='auto' chose {solver_name!r} for {n_words:,} words")
            words = encoded.words
            word_counts = encoded.word_counts
            if partial:
                word_counts = word_counts + self.word_counts_
            continues = partial or self._continues(words)
            init = INITS[self.init]()
            counts = None
            if solver_class.needs_counts or (init.needs_counts and not continues):
                counts = cooccurrence(
                    encoded, word_counts, window=self.window, shrink_windows=self.shrink_windows,
                    sample=self.sample, seed=seeds.counts, reproducible=reproducible,
                    memory=memory, report=report, n_threads=n_threads,
                )
            corpus = encoded if solver_class.batch_kind is BatchKind.CORPUS else None
            data = TrainingData(corpus, word_counts, counts)
            if continues:
                w_in, w_out = self.word_vectors_.copy(), self.context_vectors_.copy()
                n_initialized = self.n_initialized_
                report.message("training continues from the fitted vectors")
            else:
                w_in, w_out, n_initialized = starting_vectors(
                    self.init, init, data, words, self.vector_size, self.initial_vectors,
                    seed=seeds.init, reproducible=reproducible, memory=memory, report=report,
                    n_threads=n_threads,
                )
            objective = objective_class(
                word_counts, self.vector_size, random_state=seeds.objective, output_vectors=w_out,
                batch_size=(objective_class.default_batch_size if self.batch_size == "auto"
                            else self.batch_size),
                **self._hyperparameters(objective_class),
            )
            solver = solver_class(
                data, epochs=self.epochs, learning_rate=self.learning_rate,
                min_learning_rate=self.min_learning_rate, random_state=seeds.solver, copy=False,
                **self._hyperparameters(solver_class),
            )
            del data, corpus, counts, w_out  # the solver and the objective hold their own
            report.message(
                f"{encoded.n_tokens:,} words in {encoded.n_documents:,} documents, vocabulary "
                f"{len(words):,}, loss={self.loss!r}, solver={solver_name!r}, init={self.init!r}, "
                f"{n_threads} thread(s)"
            )
            loss_curve = train_vectors(
                solver, objective, w_in, n_threads=n_threads, learning_rate=self.learning_rate,
                report=report,
            )
            w_out = objective.output_vectors()
            del solver, objective  # the counts and the training buffers are released

            statistics = corpus_statistics(
                encoded, w_in, word_counts, self.sif_alpha,
                previous=self._partial_fit_statistics if partial else None,
            )
            cls, params, key = self._pooling_spec()
            pooling = cls(**params).fit(
                encoded.sample(POOLING_SAMPLE_TOKENS, seeds.pooling) if cls.needs_documents else None,
                w_in, WordStatistics(word_counts, statistics["idf"], statistics["component"]),
                seeds.pooling,
            )
            self.__dict__.update({
                "vocabulary_": {word: row for row, word in enumerate(words)},
                "word_counts_": word_counts,
                "word_vectors_": w_in,
                "context_vectors_": w_out,
                "loss_curve_": np.asarray(
                    [*self.loss_curve_, *loss_curve] if partial else loss_curve, dtype=np.float64
                ),
                "n_iter_": len(loss_curve) + (self.n_iter_ if partial else 0),
                "n_initialized_": n_initialized,
                "solver_": solver_name,
                "idf_": statistics["idf"],
                "sif_component_": statistics["component"],
                # What partial_fit accumulates over calls: document frequencies,
                # the document count and the SIF Gram matrix (corpus_statistics).
                "_partial_fit_statistics": {
                    name: statistics[name] for name in ("frequency", "n_documents", "gram")
                },
                # The pooling fitted on the training documents, under its parameters.
                "_fitted_pooling": (key, pooling),
                # Neighbour queries' word index over word_vectors_ (wv_).
                "_wv": WordVectors(words, w_in),
            })
            if transform:
                if on_dask:
                    return dask_transform(self, raw_documents)
                return self._stack(encoded.document_vectors(self._pool))
        return None

    def _solver_candidates(self):
        """The registered solvers that ``solver`` may stand for."""
        return AUTO_SOLVERS if self.solver == "auto" else (self.solver,)

    def _check_solver_and_loss(self):
        """Refuse a solver whose batches the loss has no step for, before anything is read."""
        for name in self._solver_candidates():
            kind = SOLVERS[name].batch_kind
            if kind not in OBJECTIVES[self.loss].batch_kinds:
                takes = sorted(loss for loss, objective in OBJECTIVES.items()
                               if kind in objective.batch_kinds)
                raise ValueError(
                    f"solver={name!r} cannot train loss={self.loss!r}: it trains "
                    f"loss={' or '.join(map(repr, takes))}. Set loss={takes[0]!r}, or choose "
                    "another solver."
                )

    def _check_learning_rates(self):
        if self.min_learning_rate > self.learning_rate:
            raise ValueError(
                f"min_learning_rate={self.min_learning_rate} exceeds "
                f"learning_rate={self.learning_rate}; the rate decays from "
                "learning_rate down to min_learning_rate."
            )

    def _read(self, raw_documents, partial, memory, n_jobs, report):
        """The documents read once (an EncodedCorpus: a context manager):
        under the fitted vocabulary (``partial``), a fixed ``vocabulary``, or
        one learned from them."""
        if partial:
            words = self.wv_.words
        else:
            words = None if self.vocabulary is None else check_vocabulary(self.vocabulary)
        params = {name: getattr(self, name) for name in TOKENIZATION_PARAMS}
        if is_dask_collection(raw_documents):
            return read_collection(raw_documents, params, min_count=self.min_count,
                                   max_features=self.max_features, words=words, report=report)
        return encoded_corpus(
            raw_documents, params, self.min_count, self.max_features, words, memory, n_jobs, report,
        )

    def _continues(self, words):
        """Whether ``fit`` continues from the fitted vectors (``warm_start``)."""
        if not (self.warm_start and hasattr(self, "word_vectors_")):
            return False
        if self.wv_.words == words and self.word_vectors_.shape[1] == self.vector_size:
            return True
        warnings.warn(
            "warm_start=True but the vocabulary (or vector_size) differs from the fitted "
            "model's; training starts anew from init.",
            UserWarning,
            stacklevel=4,
        )
        return False

    def _hyperparameters(self, component):
        """The estimator parameters a registered class takes by name."""
        return {name: getattr(self, name) for name in component.hyperparameters}

    # -- document vectors ---------------------------------------------------

    def _pooling_spec(self):
        """``(class, constructor keywords, cache key)`` of the current ``pooling``."""
        cls = POOLINGS[self.pooling]
        params = {keyword: getattr(self, name) for name, keyword in cls.hyperparameters.items()}
        return cls, params, (self.pooling, tuple(sorted(params.items())))

    def _pooling(self):
        """The fitted pooling for the current ``pooling`` parameters.

        ``fit`` fits the pooling it was given; one chosen afterwards (with
        ``set_params``) is fitted here, each time, from the stored statistics,
        if it needs no training documents.
        """
        cls, params, key = self._pooling_spec()
        fitted_key, fitted = self._fitted_pooling
        if key == fitted_key:
            return fitted
        statistics = WordStatistics(self.word_counts_, self.idf_, self.sif_component_)
        return cls(**params).fit(None, self.word_vectors_, statistics)

    def _pool(self, corpus):
        """Document vectors of ``corpus`` under the fitted model, ``pooling`` and ``norm``."""
        pooled = self._pooling().transform(corpus, self.word_vectors_)
        if self.norm == "l2" and pooled.shape[0] > 0:
            pooled = normalize(pooled, norm="l2", copy=False)
        return pooled

    @property
    def _n_features_out(self):
        check_is_fitted(self)
        return self._pooling().n_features(self.vector_size)

    def get_feature_names_out(self, input_features=None):
        """Output feature names: ``skipgramvectorizer0``, ``skipgramvectorizer1``, ...

        Parameters
        ----------
        input_features : None
            Ignored (the input is text).

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        prefix = type(self).__name__.lower()
        names = self._pooling().feature_names(prefix, self.vector_size)
        if names is None:
            return super().get_feature_names_out(input_features)
        return np.asarray(names, dtype=object)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary and train the word vectors.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files, or a Dask collection
            Raw documents, read once (a generator works), as for
            ``CountVectorizer``; or a ``dask.bag.Bag`` of them or a
            ``dask.dataframe.Series`` of text, counted on the Dask workers
            (see the user guide's "Scaling out").
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
    def partial_fit(self, X, y=None):
        """Train on ``X``, continuing the fitted model if there is one.

        The first call fits as :meth:`fit` does (and gives the same model).
        Later calls keep the vocabulary (words of ``X`` outside it are
        ignored) and train ``epochs`` more passes over ``X``, starting from
        the current vectors, with the rate decaying again from
        ``learning_rate`` to ``min_learning_rate`` within the call; ``init``
        is not used again. ``word_counts_`` (hence subsampling and the noise
        distribution), ``idf_`` and ``sif_component_`` accumulate over all the
        documents seen; ``loss_curve_`` grows by one entry per epoch. With
        ``solver="counts"`` or ``"pairs"``, each call trains on the counts of
        its own documents; with ``solver="auto"``, each call chooses by the
        length of its own documents.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files, or a Dask collection
            Raw documents, or a ``dask.bag.Bag`` / ``dask.dataframe.Series`` of them.
        y : None
            Ignored.

        Returns
        -------
        self : SkipGramVectorizer
        """
        self._fit(X, partial=hasattr(self, "word_vectors_"))
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit, then return the document vectors of ``X``; reads ``X`` once.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files, or a Dask collection
            Raw documents, or a ``dask.bag.Bag`` / ``dask.dataframe.Series`` of them.
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of float32, shape (n_documents, n_features)
            Pooled word vectors of each document (a lazy Dask array for a
            Dask collection).
        """
        return self._fit(X, transform=True)

    def transform(self, X):
        """Represent each document by its known words' vectors, pooled.

        Pooled as ``pooling`` says (by default their mean), then scaled as
        ``norm`` says. Out-of-vocabulary words are ignored; a document with no
        known word gives a row of zeros.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files, or a Dask collection
            Raw documents, or a ``dask.bag.Bag`` / ``dask.dataframe.Series`` of them.

        Returns
        -------
        X_new : ndarray of float32, shape (n_documents, n_features)
            A lazy Dask array (one block of rows per partition) for a Dask
            collection.
        """
        if is_dask_collection(X):
            check_is_fitted(self)
            return dask_transform(self, X)
        return self._document_vectors(X)

    def score(self, X, y=None):
        """Mean log-probability of the context words of ``X`` under the model.

        Every word of ``X`` in the vocabulary predicts the vocabulary words
        within ``window`` positions of it, in its document, with the full
        softmax over ``context_vectors_``, for every ``loss``; the score is
        the mean of ``log p(context | center)`` over those pairs. It is
        computed exactly from the pairs' counts, so its cost grows with the
        number of distinct words of ``X``, not with its length. Higher is
        better: it is the default scorer of ``GridSearchCV`` for
        unsupervised model selection, as ``LatentDirichletAllocation.score``
        is. Models with different vocabularies are scored on different words.

        Parameters
        ----------
        X : iterable of str, bytes, file names or files, or a Dask collection
            Raw documents, or a ``dask.bag.Bag`` / ``dask.dataframe.Series`` of them.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean log-probability per context word (at most 0).
        """
        if is_dask_collection(X):
            check_is_fitted(self)
            total, n_pairs = score_parts(self, X)
        else:
            corpus = self._encode(X)
            with Pool(effective_n_threads(self.n_jobs)) as pool:
                total, n_pairs = log_likelihood(
                    corpus, self.word_vectors_, self.context_vectors_, self.window, pool
                )
        if n_pairs == 0:
            raise ValueError(
                "Cannot score: no document of X has two in-vocabulary words within "
                "one window, so there is no context word to predict."
            )
        return total / n_pairs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.transformer_tags.preserves_dtype = []
        return tags
