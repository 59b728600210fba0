"""Portfolio analysis on inputs written from the docs alone (qa39-analyze)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench.analyze.diff import diff_results
from dealbench.model import load_portfolio
from dealbench.optimize import solve
from helpers import Runner


def test_diff_of_two_portfolios_says_a_partner_of_one_only_is_not_in_the_other(
    deals: Path,
) -> None:
    """`diff` of a gulf-asia result against a global one said "JP: gains a deal" and
    "CN: ..." nothing, as if gulf-asia had negotiated with Japan and failed: a partner of
    one portfolio only was read as a partner without a deal in the other."""
    solo = solve(load_portfolio(deals / "portfolios" / "solo.yaml"))
    gulf = solve(load_portfolio(deals / "portfolios" / "gulf-asia.yaml"))
    assert [d.partner for d in solo.deals] == ["SG"] and "AE" in {d.partner for d in gulf.deals}
    found = {p.partner: p for p in diff_results(solo, gulf).partners}
    ae, my = found["AE"], found["MY"]
    assert ae.change == "only-b" and my.change == "only-b"
    assert ae.changes[0].startswith("not a partner of portfolio solo; in gulf-asia: a deal (veu")
    assert my.changes == ["not a partner of portfolio solo; in gulf-asia: no deal"]
    assert not any("gains a deal" in line for p in found.values() for line in p.changes)
    back = {p.partner: p for p in diff_results(gulf, solo).partners}
    assert back["AE"].change == "only-a" and not back["SG"].change.startswith("only")


def test_a_policy_figure_the_portfolio_sets_its_own_of_is_refused_not_ignored(
    run: Runner, fresh: Path
) -> None:
    """americas-europe sets its own risk budget (8,000) beside its policy's (12,000): a
    sweep of `policy.risk_budget` from 0 to 20,000 solved every row at 8,000 and said the
    package never changes, and `--set policy.granularity=...` was ignored in the same way
    (the portfolio's own wins). Each is refused, naming the path to set instead."""
    pf = fresh / "portfolios" / "americas-europe.yaml"
    grid = ["--from", "0", "--to", "20_000", "--steps", "3"]
    swept = run("sweep", pf, "--param", "policy.risk_budget", *grid)
    assert swept.exit_code == 2 and not swept.traceback, swept.output
    assert "--param: policy.risk_budget: portfolio am-eu sets its own risk budget (8,000" in (
        " ".join(swept.stderr.split())
    )
    assert "set portfolio.risk_budget instead" in " ".join(swept.stderr.split())
    step = run("solve", pf, "--set", "policy.granularity=1000")
    assert step.exit_code == 2 and "set portfolio.granularity instead" in step.stderr
    assert run("solve", pf, "--set", "portfolio.risk_budget=20_000").exit_code == 0


def test_set_and_sweep_reach_a_figure_of_a_distribution(shipped: Path) -> None:
    """`--set partners.AE.batna.high=14bn` on gulf-asia-uncertain (AE's BATNA uniform 6bn
    to 10bn) said "partners.AE.batna is a single value (8,000,000,000), it has no 'high'"
    (its mean), and `sweep --param partners.SA.batna.mode` the same: a figure of a
    distribution is set as the file writes it, a normal's centre as `mean`."""
    from dealbench.analyze.sweep import parse_bound
    from dealbench.errors import ArgumentError
    from dealbench.model.distributions import distribution_of
    from dealbench.model.override_paths import read_value
    from dealbench.model.overrides import apply_overrides

    pf = load_portfolio(shipped / "portfolios" / "gulf-asia-uncertain.yaml")
    cost = "partners.AE.concessions.invest-us.levels.1400bn.partner_cost"
    moved = apply_overrides(pf, ["partners.AE.batna.high=14bn", f"{cost}.mean=48bn"])
    ae = moved.partner("AE")
    assert ae is not None and ae.batna == 10e9
    assert distribution_of(ae.batna) is not None
    assert read_value(moved, f"{cost}.mean") == 48e9 and read_value(moved, f"{cost}.sd") == 6e9
    assert moved.overrides == {"partners.AE.batna.high": "14bn", f"{cost}.mean": "48bn"}
    assert parse_bound(pf, "partners.SA.batna.mode", "7bn", "to") == 7e9
    with pytest.raises(ArgumentError, match=r"low \(20bn\) is above high \(10,000,000,000\)"):
        apply_overrides(pf, ["partners.AE.batna.low=20bn"])


def test_more_samples_than_memory_holds_are_refused_in_words(run: Runner, shipped: Path) -> None:
    """`risk ... --samples 10_000_000_000` (three zeros too many) drew until the system
    killed it for want of memory (exit 137, nothing said); every sample is held at once
    (some 70 bytes). The count is bounded, in `risk` and `solve --robust`, one past the
    bound refused with the bound."""
    pf = shipped / "portfolios" / "gulf-asia-uncertain.yaml"
    offer = shipped / "packages" / "ae-offer.yaml"
    said = run("risk", offer, "--portfolio", pf, "--samples", "10_000_001")
    assert said.exit_code == 2 and not said.traceback, said.output
    assert "--samples: expected at most 10,000,000 samples" in said.stderr
    assert "got 10,000,001" in said.stderr
    robust = run("solve", pf, "--robust", "0.9", "--samples", "10_000_000_000")
    assert robust.exit_code == 2 and "expected at most 10,000,000 samples" in robust.stderr
