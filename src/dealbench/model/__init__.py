"""Data: the types of dealbench and the loaders of its YAML files."""

from dealbench.model.concession import GRANTED, Concession, ConcessionLevel
from dealbench.model.file_kind import detect_kind, refuse_other_kind
from dealbench.model.load import (
    load_file,
    load_partner,
    load_policy,
    load_portfolio,
    validate_file,
)
from dealbench.model.load_package import load_package
from dealbench.model.package import Package
from dealbench.model.partner import Partner
from dealbench.model.policy import Policy, SecurityLevel
from dealbench.model.portfolio import Portfolio

__all__ = [
    "GRANTED",
    "Concession",
    "ConcessionLevel",
    "Package",
    "Partner",
    "Policy",
    "Portfolio",
    "SecurityLevel",
    "detect_kind",
    "load_file",
    "load_package",
    "load_partner",
    "load_policy",
    "load_portfolio",
    "refuse_other_kind",
    "validate_file",
]
