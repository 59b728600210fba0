"""The fast method finds the plain formulation's optimum (DESIGN.md's model as one MIP)."""

from __future__ import annotations

import pytest

from dealbench.optimize import solve
from dealbench.synth import Size, generate

SMALL = [Size("A", 3, 3, 2, 2), Size("B", 5, 4, 3, 3), Size("C", 8, 4, 2, 4)]


def _close(a: float | None, b: float | None, gap: float) -> bool:
    assert a is not None and b is not None
    return abs(a - b) <= gap * max(abs(a), abs(b), 1.0) + 1e4


@pytest.mark.parametrize("size", SMALL, ids=lambda s: s.name)
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("mode", ["us-best", "partner-best"])
def test_decomposition_matches_the_plain_formulation(size: Size, seed: int, mode: str) -> None:
    portfolio = generate(size, seed=seed)
    plain = solve(portfolio, mode, method="plain")  # type: ignore[arg-type]
    fast = solve(portfolio, mode, method="auto")  # type: ignore[arg-type]
    assert plain.status.value == fast.status.value == "optimal"
    assert _close(
        fast.objective if mode == "us-best" else fast.partner_total,
        plain.objective if mode == "us-best" else plain.partner_total,
        2e-6,
    )
    assert all(not d.violations and d.accepts for d in fast.deals)


def test_warm_start_after_a_small_change_gives_the_cold_optimum() -> None:
    portfolio = generate(Size("W", 8, 4, 3, 3), seed=5)
    first = solve(portfolio)
    big = max(portfolio.partners, key=lambda p: sum(p.ask.values()))
    smaller = big.model_copy(update={"ask": {t: a * 0.8 for t, a in big.ask.items()}})
    changed = portfolio.model_copy(
        update={"partners": [smaller if p is big else p for p in portfolio.partners]}
    )
    cold = solve(changed)
    warm = solve(changed, warm_start=first)
    assert _close(warm.objective, cold.objective, 2e-6)
