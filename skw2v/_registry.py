"""Where the estimator finds objectives, solvers, inits and poolings by name.

Each value is a class following the contract of its family (``_protocol``
for objectives, solvers and inits, ``_pooling.Pooling`` for poolings); the
keys are the accepted values of the estimator's ``loss``, ``solver``,
``init`` and ``pooling`` parameters. A new member is one module and one
entry here.
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

INITS = {"random": RandomInit, "spectral": SpectralInit}

POOLINGS = {
    "mean": MeanPooling,
    "max": MaxPooling,
    "tfidf": TfidfPooling,
    "sif": SifPooling,
    "scdv": ScdvPooling,
}
