"""Optimization: the MIP of DESIGN.md, the exact decomposition, the solver choice, the result."""

from dealbench.optimize.backends import SOLVERS, make_backend
from dealbench.optimize.decomposition.warm import WarmStart
from dealbench.optimize.formulate import formulate
from dealbench.optimize.formulation import MODES, Formulation, Row
from dealbench.optimize.result import SolveResult, SolverInfo, Status
from dealbench.optimize.solve import METHODS, extract_packages, solve

__all__ = [
    "METHODS",
    "MODES",
    "SOLVERS",
    "Formulation",
    "Row",
    "SolveResult",
    "SolverInfo",
    "Status",
    "WarmStart",
    "extract_packages",
    "formulate",
    "make_backend",
    "solve",
]
