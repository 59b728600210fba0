"""Optimization: the MIP of DESIGN.md, the solver choice and the result type."""

from dealbench.optimize.backends import SOLVERS, make_backend
from dealbench.optimize.formulate import MODES, Formulation, Row, formulate
from dealbench.optimize.result import SolveResult, SolverInfo, Status
from dealbench.optimize.solve import extract_packages, solve

__all__ = [
    "MODES",
    "SOLVERS",
    "Formulation",
    "Row",
    "SolveResult",
    "SolverInfo",
    "Status",
    "extract_packages",
    "formulate",
    "make_backend",
    "solve",
]
