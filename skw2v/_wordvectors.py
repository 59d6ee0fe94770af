"""WordVectors: trained vectors with the queries users know from gensim."""

import difflib
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._evaluation import evaluate_analogies, evaluate_word_pairs, unit_rows


#: Most frequent words searched for close spellings of an unknown word.
CLOSE_MATCH_WORDS = 50_000


class WordVectors:
    """Word vectors with neighbour queries, evaluation and the word2vec file format.

    A small stand-alone object, like gensim's ``KeyedVectors``: a fitted
    :class:`SkipGramVectorizer` exposes its vectors as one (``wv_``, which
    shares memory with ``word_vectors_``), and :func:`load_word2vec_format`
    reads any word2vec, fastText ``.vec`` or GloVe file into one. Queries use
    cosine similarity; results equal gensim's on the same vectors.

    Parameters
    ----------
    words : sequence of str
        ``words[i]`` labels row ``i``; conventionally by decreasing
        frequency (``restrict_vocab`` arguments keep the first rows).
    vectors : array-like of shape (n_words, vector_size)
        Stored as float32 (without a copy if already float32 and C-ordered).

    Attributes
    ----------
    words : list of str
        Row labels (gensim's ``index_to_key``).
    vectors : ndarray of float32, shape (n_words, vector_size)
    index : dict
        Word -> row (gensim's ``key_to_index``).
    vector_size : int

    Examples
    --------
    >>> import numpy as np
    >>> from skw2v import WordVectors
    >>> wv = WordVectors(["cat", "dog", "car"], np.array([[1, 0.1], [1, 0.2], [0, 1]]))
    >>> wv.most_similar("cat", topn=1)
    [('dog', 0.995...)]
    >>> wv.doesnt_match(["cat", "dog", "car"])
    'car'
    """

    def __init__(self, words, vectors):
        words = list(words)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be 2-D (n_words, vector_size); got shape {vectors.shape}.")
        if len(words) != len(vectors):
            raise ValueError(f"{len(words)} words but {len(vectors)} vectors; they must match.")
        self.words = words
        self.vectors = vectors
        self.index = {word: row for row, word in enumerate(words)}
        if len(self.index) != len(words):
            seen = set()
            duplicate = next(w for w in words if w in seen or seen.add(w))
            raise ValueError(f"Word {duplicate!r} appears twice; words must be unique.")

    # -- container protocol ---------------------------------------------------

    @property
    def vector_size(self):
        return self.vectors.shape[1]

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.index

    def __iter__(self):
        return iter(self.words)

    def __repr__(self):
        return f"<WordVectors: {len(self)} words x {self.vector_size} dimensions>"

    def __getitem__(self, word):
        """The vector of ``word`` (or an array of vectors for a list of words)."""
        if isinstance(word, str):
            return self.vectors[self.get_index(word)]
        return self.vectors[[self.get_index(w) for w in word]]

    @property
    def index_to_key(self):
        """The words in row order (gensim's name for :attr:`words`)."""
        return self.words

    @property
    def key_to_index(self):
        """Word -> row (gensim's name for :attr:`index`)."""
        return self.index

    def has_index_for(self, word):
        """Whether ``word`` has a vector (as gensim's ``KeyedVectors.has_index_for``)."""
        return word in self.index

    def get_vector(self, word, norm=False):
        """The vector of ``word``, scaled to unit length with ``norm=True`` (as gensim's).

        Raises
        ------
        KeyError
            Naming the word, and the words of the vocabulary it may have meant.
        """
        vector = self.vectors[self.get_index(word)]
        return unit_rows(vector[None])[0] if norm else vector

    def get_index(self, word):
        """Row of ``word``; a ``KeyError`` naming the word (and the vocabulary's
        lowercased or closest spellings of it) if it is unknown."""
        try:
            return self.index[word]
        except KeyError:
            raise KeyError(self._unknown_message(word)) from None

    def _unknown_message(self, word):
        message = f"Word {word!r} is not in the vocabulary ({len(self)} words)."
        if not isinstance(word, str):
            return message
        if word.lower() != word and word.lower() in self.index:
            return (f"{message} Did you mean {word.lower()!r}? The vocabulary is lowercased "
                    "when the vectorizer's lowercase=True (the default).")
        close = difflib.get_close_matches(word, self.words[:CLOSE_MATCH_WORDS], n=3, cutoff=0.8)
        if close:
            return f"{message} Close words in the vocabulary: {', '.join(map(repr, close))}."
        return message

    # -- similarity queries ---------------------------------------------------

    def _unit(self, restrict_vocab=None):
        """Unit rows of the first ``restrict_vocab`` vectors (computed once, kept)."""
        cached = self.__dict__.get("_unit_cache")
        if cached is None or cached[0] is not self.vectors:
            cached = self._unit_cache = (self.vectors, unit_rows(self.vectors))
        return cached[1][:restrict_vocab]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_unit_cache", None)  # derived; rebuilt on the first query
        return state

    def _query(self, terms, sign):
        """(unit vector of each term, its row or None) for words or raw vectors."""
        if terms is None:
            return []
        if isinstance(terms, (int, float, np.number)):
            raise TypeError(
                f"Query words must be strings or vectors, got {terms!r}; pass topn "
                "by keyword, as in most_similar('word', topn=5)."
            )
        if isinstance(terms, str) or (isinstance(terms, np.ndarray) and terms.ndim == 1):
            terms = [terms]
        out = []
        for term in terms:
            if isinstance(term, str):
                row = self.get_index(term)
                out.append((sign, unit_rows(self.vectors[row : row + 1])[0], row))
            else:
                vector = np.asarray(term, dtype=np.float32)
                if vector.shape != (self.vector_size,):
                    raise ValueError(
                        f"A query vector has shape {vector.shape}; expected ({self.vector_size},)."
                    )
                out.append((sign, unit_rows(vector[None])[0], None))
        return out

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Words closest to the mean of ``positive`` minus ``negative``, by cosine.

        As gensim's ``most_similar``: each query word's vector is normalised
        to unit length, positives are added and negatives subtracted, the
        result is normalised, and the vocabulary is ranked by cosine
        similarity to it, leaving out the query words.
        ``most_similar(positive=["king", "woman"], negative=["man"])`` solves
        the analogy man : king :: woman : ?.

        Parameters
        ----------
        positive : str, array or list of them
            Words (or vectors) that count positively.
        negative : str, array or list of them, default=None
            Words (or vectors) that count negatively.
        topn : int, default=10
            Number of words to return.
        restrict_vocab : int, default=None
            Only rank the first (most frequent) ``restrict_vocab`` words.

        Returns
        -------
        neighbours : list of (str, float)
            ``(word, cosine similarity)``, most similar first.

        Raises
        ------
        KeyError
            If a query word is not in the vocabulary.
        """
        query = self._query(positive, 1.0) + self._query(negative, -1.0)
        if not query:
            raise ValueError("most_similar needs at least one positive or negative word.")
        mean = unit_rows(sum(sign * vector for sign, vector, _ in query)[None])[0]
        similarity = (self._unit(restrict_vocab) @ mean).astype(np.float64)
        for _, _, row in query:
            if row is not None and row < len(similarity):
                similarity[row] = -np.inf
        n_candidates = len(similarity) - int(np.count_nonzero(np.isneginf(similarity)))
        topn = max(0, min(int(topn), n_candidates))
        if topn == 0:
            return []
        best = np.argpartition(-similarity, topn - 1)[:topn]
        best = best[np.argsort(-similarity[best], kind="stable")]
        return [(self.words[i], float(similarity[i])) for i in best]

    def similarity(self, word1, word2):
        """Cosine similarity of two words' vectors.

        Raises
        ------
        KeyError
            If either word is not in the vocabulary.
        """
        first, second = unit_rows(self[[word1, word2]]).astype(np.float64)
        return float(first @ second)

    def doesnt_match(self, words):
        """The word furthest from the mean of the others' unit vectors.

        As gensim: the unit vectors of ``words`` are averaged and normalised,
        and the word least similar to that mean is returned; words without a
        vector are left out, with a warning naming them.

        Raises
        ------
        ValueError
            If fewer than two of the words have vectors.
        """
        words = [words] if isinstance(words, str) else list(words)
        unknown = [word for word in words if word not in self.index]
        if unknown:
            warnings.warn(f"doesnt_match leaves out words not in the vocabulary: {unknown}",
                          UserWarning, stacklevel=2)
            words = [word for word in words if word in self.index]
        if len(words) < 2:
            raise ValueError("doesnt_match needs at least two words in the vocabulary.")
        unit = unit_rows(self[words])
        mean = unit_rows(unit.mean(axis=0)[None])[0]
        return words[int(np.argmin(unit @ mean))]

    # -- evaluation -----------------------------------------------------------

    def evaluate_word_analogies(self, path, restrict_vocab=30000, case_insensitive=True):
        """Accuracy on analogy questions in word2vec's questions-words.txt format.

        Each question ``a b c d`` asks for the word, among the
        ``restrict_vocab`` most frequent, closest to ``b - a + c`` (3CosAdd,
        the query words left out); as gensim's ``evaluate_word_analogies``,
        whose overall accuracy it reproduces on the same vectors.

        Parameters
        ----------
        path : str or path-like
            Lines ``: section name`` followed by questions of four words.
        restrict_vocab : int, default=30000
            Only the first (most frequent) words may answer or appear in
            questions; questions with other words are skipped and counted.
        case_insensitive : bool, default=True
            Compare words upper-cased, as gensim does.

        Returns
        -------
        result : dict
            ``accuracy`` (overall, correct / total), ``correct``, ``total``
            (questions answered), ``skipped`` (questions with a word outside
            the vocabulary), ``invalid_lines`` and ``sections``, which maps
            each section name to its ``{"correct", "total", "accuracy"}``.
        """
        return evaluate_analogies(
            self.vectors, self.words, path, restrict_vocab=restrict_vocab,
            case_insensitive=case_insensitive,
        )

    def evaluate_word_pairs(
        self, path, delimiter="\t", restrict_vocab=300000, case_insensitive=True
    ):
        r"""Correlation of cosine similarities with human judgements (e.g. WordSim-353).

        Parameters
        ----------
        path : str or path-like
            Lines ``word1<TAB>word2<TAB>score``; ``#`` starts a comment line.
        delimiter : str, default="\\t"
        restrict_vocab : int, default=300000
            Only the first (most frequent) words count as known.
        case_insensitive : bool, default=True

        Returns
        -------
        result : dict
            ``pearson`` and ``spearman`` (coefficients), their
            ``pearson_pvalue`` and ``spearman_pvalue``, ``oov_ratio`` (the
            fraction of pairs skipped for an unknown word; gensim prints it in
            percent), ``pairs`` (pairs used) and ``invalid_lines``.
        """
        return evaluate_word_pairs(
            self.vectors, self.words, path, delimiter=delimiter,
            restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
        )

    # -- files ----------------------------------------------------------------

    def save_word2vec_format(self, path, binary=False, write_header=True):
        """Write the vectors in word2vec.c's text or binary format.

        Parameters
        ----------
        path : str or path-like
        binary : bool, default=False
            Binary: each word, a space and its float32 values (little-endian)
            then a newline, bit-exact. Text: one line per word with its values
            printed to 9 significant digits, which float32 values survive
            exactly.
        write_header : bool, default=True
            Start with the ``n_words vector_size`` line. False writes GloVe's
            headerless text format (binary files always have the header).

        Raises
        ------
        ValueError
            If a word is empty or contains whitespace (the format separates
            fields by spaces, so it could not be read back).
        """
        from ._word2vec_format import save_word2vec_format

        save_word2vec_format(path, self.words, self.vectors, binary, write_header)


class WordVectorsMixin:
    """gensim-style word-vector queries for a fitted estimator.

    The estimator's ``fit`` sets ``_wv``, a :class:`WordVectors` over its
    ``word_vectors_`` in vocabulary order; ``wv_`` returns it, and each query
    method forwards to it. It is not pickled (it holds a second index of the
    words) but rebuilt when the estimator is unpickled.
    """

    @property
    def wv_(self):
        """The trained word vectors as a :class:`WordVectors` (shares memory).

        Neighbour queries, evaluation and saving in the word2vec format, like
        gensim's ``model.wv``; the vectorizer's own methods of the same names
        forward to it. Rows are ``word_vectors_``, in vocabulary order.
        """
        check_is_fitted(self)
        return self._wv

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: the estimator keeps its own _wv
        state.pop("_wv", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "word_vectors_" in self.__dict__:
            words = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)  # row order
            self._wv = WordVectors(words, self.word_vectors_)

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
        """Save the word vectors; see :meth:`WordVectors.save_word2vec_format`."""
        self.wv_.save_word2vec_format(path, binary, write_header)
