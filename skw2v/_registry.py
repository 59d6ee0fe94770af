"""Where the estimator finds objectives, solvers, inits and poolings by name.

Each value is a class following the contract of its family (``_protocol``
for objectives, solvers and inits, ``_pooling.Pooling`` for poolings); the
keys are the accepted values of the estimator's ``loss``, ``solver``,
``init`` and ``pooling`` parameters. A new member is one module and one
entry here. ``solver="auto"`` is a rule over two of the solvers
(:func:`resolve_solver`), not a class.
"""

from ._initialization import RandomInit, SpectralInit
from ._negative import NegativeObjective
from ._pooling import MaxPooling, MeanPooling, ScdvPooling, SifPooling, TfidfPooling
from ._softmax import SoftmaxObjective
from ._solver_counts import CountsSolver
from ._solver_pairs import PairsSolver
from ._solver_sgd import CorpusSolver

OBJECTIVES = {"softmax": SoftmaxObjective, "negative": NegativeObjective}

SOLVERS = {"sgd": CorpusSolver, "counts": CountsSolver, "pairs": PairsSolver}

#: Words in the vocabulary (counted with repeats) from which ``solver="auto"``
#: trains by pairs: the size where the counts solver's word similarity falls to
#: gensim's (the design page's ``design_auto_solver`` has the figures).
PAIRS_FROM_TOKENS = 2_000_000

#: What ``solver="auto"`` chooses between: below :data:`PAIRS_FROM_TOKENS`, from it.
AUTO_SOLVERS = ("counts", "pairs")


def resolve_solver(name, n_tokens):
    """The registered solver that ``solver=name`` stands for on ``n_tokens`` words.

    ``"auto"`` is ``AUTO_SOLVERS[1]`` (``"pairs"``) from
    :data:`PAIRS_FROM_TOKENS` words (those in the vocabulary, with repeats)
    and ``AUTO_SOLVERS[0]`` (``"counts"``) below; any other name is itself.
    """
    if name != "auto":
        return name
    below, from_threshold = AUTO_SOLVERS
    return from_threshold if n_tokens >= PAIRS_FROM_TOKENS else below

INITS = {"random": RandomInit, "spectral": SpectralInit}

POOLINGS = {
    "mean": MeanPooling,
    "max": MaxPooling,
    "tfidf": TfidfPooling,
    "sif": SifPooling,
    "scdv": ScdvPooling,
}
