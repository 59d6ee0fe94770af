"""Corpora for demos, examples and tests.

:func:`load_python_docs` reads a real corpus that ships with the package:
paragraphs of Python's documentation, some labelled with their topic.
:func:`make_topic_corpus` generates text in the spirit of
:func:`sklearn.datasets.make_classification`: the structure is known, so a test
can check that words of one topic end up nearer each other than words of
different topics. :func:`load_example_corpus` gives the examples the best
corpus on the machine. None of them downloads anything.
"""

import gzip
import os

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

#: The shipped corpus (see skw2v/data/README.md).
PYTHON_DOCS = os.path.join(os.path.dirname(__file__), "data", "python_docs.tsv.gz")

#: Topic vocabularies: real words so that neighbour lists read naturally.
TOPICS = {
    "sports": "football goal match team player coach league score referee stadium "
    "season tournament striker keeper penalty champion fans trophy defender "
    "midfield kickoff transfer captain derby pitch",
    "food": "bread cheese butter pasta sauce garlic onion tomato recipe oven bake "
    "flour sugar salt pepper soup salad kitchen chef dinner lunch spice grill "
    "dessert olive",
    "space": "planet orbit rocket galaxy star telescope astronaut moon mars "
    "satellite launch comet asteroid nebula gravity cosmos solar lunar "
    "spacecraft shuttle crater universe meteor eclipse jupiter",
    "music": "guitar piano melody rhythm chord song album concert drum violin "
    "orchestra singer band lyrics tempo jazz opera chorus bass symphony tune "
    "harmony rehearsal stage microphone",
    "finance": "bank loan interest credit stock market bond investor profit "
    "dividend budget tax revenue debt equity portfolio inflation currency "
    "mortgage fund shares trading deposit audit pension",
    "weather": "rain snow storm cloud wind thunder forecast humidity sunshine "
    "frost drizzle hail fog breeze temperature climate hurricane tornado "
    "lightning drought monsoon blizzard rainfall mist heatwave",
    "medicine": "doctor nurse hospital patient vaccine surgery clinic diagnosis "
    "therapy symptom disease treatment medicine prescription infection virus "
    "dose pharmacy fever injury ward ambulance cardiology allergy recovery",
    "computing": "computer software keyboard laptop server network database "
    "program code compiler algorithm memory processor website browser email "
    "password download upload cloud backup kernel debug cursor pixel",
}

#: Words shared by every topic, drawn when a word is not from the topic.
COMMON_WORDS = (
    "the of and to in is was for on with as by at from that this it an be are "
    "or have not but had they which one you were all we when there can more"
).split()


def make_topic_corpus(
    n_documents=800,
    *,
    n_topics=4,
    words_per_topic=25,
    document_length=(20, 60),
    topic_purity=0.7,
    random_state=None,
    return_topics=False,
):
    """Generate documents whose words come from known topics.

    Each document draws a topic uniformly at random (its label), a length
    uniformly in ``document_length``, and then each word independently: with
    probability ``topic_purity`` a word of its topic (Zipf-weighted, so some
    topic words are frequent and some rare), otherwise a common word shared by
    all topics.

    Parameters
    ----------
    n_documents : int, default=800
        Number of documents.
    n_topics : int, default=4
        Number of topics, at most ``len(TOPICS)`` (8).
    words_per_topic : int, default=25
        Words used from each topic's list, at most 25.
    document_length : tuple of int, default=(20, 60)
        Inclusive range of document lengths, in words.
    topic_purity : float, default=0.7
        Probability that a word comes from the document's topic.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible corpora.
    return_topics : bool, default=False
        Also return the word list of each topic.

    Returns
    -------
    documents : list of str
        Space-separated words.
    labels : ndarray of int, shape (n_documents,)
        Topic index of each document.
    topics : list of list of str
        Only when ``return_topics=True``: ``topics[k]`` are topic ``k``'s words.

    Examples
    --------
    >>> from skw2v.datasets import make_topic_corpus
    >>> docs, labels = make_topic_corpus(n_documents=3, random_state=0)
    >>> len(docs), labels.shape
    (3, (3,))
    """
    names = list(TOPICS)
    if not 1 <= n_topics <= len(names):
        raise ValueError(f"n_topics must be between 1 and {len(names)}, got {n_topics}.")
    if not 1 <= words_per_topic <= 25:
        raise ValueError(f"words_per_topic must be between 1 and 25, got {words_per_topic}.")
    low, high = document_length
    if not 1 <= low <= high:
        raise ValueError(f"document_length must be (low, high) with 1 <= low <= high, got {document_length}.")
    if not 0.0 <= topic_purity <= 1.0:
        raise ValueError(f"topic_purity must be in [0, 1], got {topic_purity}.")
    rng = check_random_state(random_state)
    topics = [TOPICS[name].split()[:words_per_topic] for name in names[:n_topics]]
    zipf = 1.0 / np.arange(1, words_per_topic + 1)
    zipf /= zipf.sum()
    labels = rng.randint(n_topics, size=n_documents)
    lengths = rng.randint(low, high + 1, size=n_documents)
    documents = []
    for topic, length in zip(labels, lengths):
        from_topic = rng.random_sample(length) < topic_purity
        topic_words = rng.choice(words_per_topic, size=length, p=zipf)
        common = rng.randint(len(COMMON_WORDS), size=length)
        words = [
            topics[topic][t] if f else COMMON_WORDS[c]
            for f, t, c in zip(from_topic, topic_words, common)
        ]
        documents.append(" ".join(words))
    if return_topics:
        return documents, labels, topics
    return documents, labels


def load_python_docs(*, subset="labelled", return_X_y=False):
    """Paragraphs of Python's documentation, labelled by topic where they have one.

    17,657 paragraphs of prose (669,168 words) from the Python 3.11
    documentation (PSF License; see ``skw2v/data/README.md``). The 7,723
    paragraphs of the library reference that document a module of six topics
    (networking, data, files, concurrency, text, numbers) are labelled with
    it; the rest (tutorial, how-tos, language reference, other modules) are
    not, which makes the set a small real case of "much text, few labels".

    Parameters
    ----------
    subset : {"labelled", "unlabelled", "all"}, default="labelled"
        Which paragraphs to return, in file order.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` (list of str), ``target`` (ndarray of int: the index of the
        topic in ``target_names``, -1 for unlabelled paragraphs, as
        scikit-learn's semi-supervised estimators expect), ``target_names``
        and ``DESCR``.

    Examples
    --------
    >>> from skw2v.datasets import load_python_docs
    >>> docs = load_python_docs()
    >>> len(docs.data), docs.target_names
    (7723, ['concurrency', 'data', 'files', 'networking', 'numbers', 'text'])
    """
    if subset not in ("labelled", "unlabelled", "all"):
        raise ValueError(f"subset must be 'labelled', 'unlabelled' or 'all', got {subset!r}.")
    data, topics = [], []
    with gzip.open(PYTHON_DOCS, "rt", encoding="utf-8") as handle:
        for line in handle:
            topic, _, text = line.rstrip("\n").partition("\t")
            if (subset == "labelled" and not topic) or (subset == "unlabelled" and topic):
                continue
            data.append(text)
            topics.append(topic)
    names = ["concurrency", "data", "files", "networking", "numbers", "text"]
    index = {name: i for i, name in enumerate(names)}
    target = np.array([index.get(topic, -1) for topic in topics], dtype=np.int64)
    if return_X_y:
        return data, target
    description = (
        "Paragraphs of the Python 3.11 documentation (PSF License), labelled with "
        "one of six topics where they document a module of the library reference."
    )
    return Bunch(data=data, target=target, target_names=names, DESCR=description)


#: 20 newsgroups categories used by the demo and examples, with a probe word each.
NEWSGROUPS = {
    "rec.sport.hockey": "hockey",
    "sci.space": "space",
    "comp.graphics": "graphics",
    "talk.politics.guns": "gun",
}

#: Words of the shipped Python documentation worth asking for neighbours.
PYTHON_DOCS_PROBES = ("socket", "thread", "string", "file", "integer", "list")


#: Environment variable naming a labelled corpus file for the examples.
EXAMPLE_DATA_VARIABLE = "SKW2V_EXAMPLE_DATA"


def load_example_corpus(source="auto", *, n_documents=600, random_state=0):
    """A labelled corpus for the examples: the best real text on the machine.

    Parameters
    ----------
    source : {"auto", "file", "20newsgroups", "python_docs", "generated"}, default="auto"
        ``"file"``: the file named by the environment variable
        ``SKW2V_EXAMPLE_DATA``, one document per line as ``label<TAB>text``
        (the format of the UCI SMS Spam Collection). ``"20newsgroups"``: four
        groups of scikit-learn's 20 newsgroups training set, from the local
        scikit-learn data cache only (nothing is downloaded).
        ``"python_docs"``: the labelled paragraphs of Python's documentation
        that ship with the package (:func:`load_python_docs`).
        ``"generated"``: :func:`make_topic_corpus` with short, noisy
        documents. ``"auto"`` takes the first of the first four that is
        available, so at worst the shipped Python documentation.
    n_documents : int, default=600
        Documents of the shipped or generated corpus: a stratified random
        sample of that size (real corpora from a file or a cache are used
        whole).
    random_state : int, default=0
        Seed of the sample or of the generated corpus.

    Returns
    -------
    documents : list of str
    labels : ndarray of shape (n_documents,)
    probe_words : list of str
        Words worth asking for neighbours (empty for a file: unknown topics).
    description : str
        Where the data came from, for printing.
    """
    if source not in ("auto", "file", "20newsgroups", "python_docs", "generated"):
        raise ValueError(
            f"Unknown source {source!r}; use auto, file, 20newsgroups, python_docs or generated."
        )
    path = os.environ.get(EXAMPLE_DATA_VARIABLE)
    if source == "file" or (source == "auto" and path):
        if not path:
            raise ValueError(f"Set {EXAMPLE_DATA_VARIABLE} to a label<TAB>text file.")
        documents, labels = [], []
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                label, tab, text = line.rstrip("\n").partition("\t")
                if not tab:
                    raise ValueError(f"{path}, line {number}: expected label<TAB>text.")
                documents.append(text)
                labels.append(label)
        return documents, np.asarray(labels), [], f"{os.path.basename(path)} ({EXAMPLE_DATA_VARIABLE})"
    if source in ("auto", "20newsgroups"):

        try:
            from sklearn.datasets import fetch_20newsgroups

            data = fetch_20newsgroups(
                subset="train",
                categories=list(NEWSGROUPS),
                remove=("headers", "footers", "quotes"),
                download_if_missing=False,
            )
            probes = [NEWSGROUPS[data.target_names[k]] for k in range(len(data.target_names))]
            return data.data, data.target, probes, "20 newsgroups (local cache), 4 groups"
        except OSError:
            if source == "20newsgroups":
                raise ValueError(
                    "20 newsgroups is not in the local scikit-learn data cache; run "
                    "sklearn.datasets.fetch_20newsgroups() once with network access, "
                    "or use the shipped corpus (python_docs)."
                ) from None
    if source in ("auto", "python_docs"):
        docs = load_python_docs()
        index = np.arange(len(docs.target))
        if n_documents < len(index):
            index, _ = train_test_split(
                index, train_size=n_documents, stratify=docs.target, random_state=random_state
            )
        chosen = np.sort(index)
        labels = np.array([docs.target_names[docs.target[i]] for i in chosen])
        return (
            [docs.data[i] for i in chosen], labels, list(PYTHON_DOCS_PROBES),
            f"Python documentation (shipped with skw2v), {len(chosen)} paragraphs of 6 topics",
        )
    documents, labels = make_topic_corpus(
        n_documents=n_documents, n_topics=4, document_length=(8, 30), topic_purity=0.35,
        random_state=random_state,
    )
    probes = ["football", "bread", "planet", "guitar"]
    return documents, labels, probes, "generated topic corpus (skw2v.datasets.make_topic_corpus)"
