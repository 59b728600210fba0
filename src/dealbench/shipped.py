"""The example data shipped inside the package: `deals/` (policies, partners, portfolios,
packages, scenarios, rounds), which `demo`, `serve` and the regimes found by name fall
back on wherever dealbench is installed. In the repository `src/dealbench/deals` is a
link to the top-level `deals/`; a wheel holds a copy (pyproject's package-data)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEALS"]

DEALS = Path(__file__).resolve().parent / "deals"
