"""Issue 13, item 9: violations and binding limits as objects in --json, figures without noise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dealbench.checker import check
from dealbench.cli.output import JSON_DIGITS, to_json
from dealbench.model import Package, load_portfolio
from helpers import DATA, REPO, Runner

BAD = DATA / "bad"
FIELDS = {"kind", "partner", "period", "level", "limit", "amount", "message"}


def floats(data: Any) -> list[float]:
    if isinstance(data, float):
        return [data]
    if isinstance(data, dict):
        return [x for value in data.values() for x in floats(value)]
    if isinstance(data, list):
        return [x for value in data for x in floats(value)]
    return []


def test_evaluate_json_gives_each_violation_as_an_object(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under kyc the tier-2 cap is 50,000 and the ask 100,000; 150,000 breaks both."""
    (tmp_path / "over.yaml").write_text(
        "partner: AA\nsecurity: kyc\ncompute: {2026: 150_000}\nconcessions: {no-prc: true}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run("evaluate", "over.yaml", "--portfolio", BAD / "_base" / "portfolio.yaml", "--json")
    assert result.exit_code == 3, result.stderr
    data = json.loads(result.stdout)
    details = data["violations"]
    assert [set(d) for d in details] == [FIELDS, FIELDS]
    ask, cap = details
    assert ask == {
        "kind": "ask",
        "partner": "AA",
        "period": "2026",
        "level": None,
        "limit": 100_000.0,
        "amount": 150_000.0,
        "message": "AA: 2026 compute 150,000 H100e exceeds its ask of 100,000 H100e",
    }
    assert (cap["kind"], cap["level"], cap["limit"], cap["amount"]) == (
        "cap",
        "kyc",
        50_000,
        150_000,
    )


def test_the_checker_makes_objects_for_package_and_security_faults() -> None:
    """Faults the loaders refuse can still reach `check` from the library: each is an object."""
    portfolio = load_portfolio(BAD / "_base" / "portfolio.yaml")
    checked = check(
        portfolio,
        [
            Package(partner="AA", security="nope", compute={"2026": 1_000}),
            Package(partner="AA", security="veu", compute={}),
            Package(partner="ZZ", security="veu", compute={}),
        ],
    )
    assert [(v.kind, v.partner) for v in checked.violations] == [
        ("package", "AA"),
        ("package", "ZZ"),
    ]
    (deal,) = checked.deals
    assert [(v.kind, v.level) for v in deal.violations] == [("security", "nope")]


def test_solve_json_gives_binding_limits_as_objects(run: Runner) -> None:
    result = run("solve", REPO / "deals/portfolios/gulf-asia.yaml", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    details = data["binding"]
    assert details and all(set(d) == FIELDS for d in details)
    kinds = {d["kind"] for d in details}
    assert {"supply", "cap", "acceptance"} <= kinds
    for d in details:
        if d["kind"] == "supply":
            assert d["period"] in data["periods"]
            assert d["limit"] == data["supply"][d["period"]]
            assert d["amount"] == pytest.approx(d["limit"], abs=0.5)
        if d["kind"] == "cap":
            deal = next(x for x in data["deals"] if x["partner"] == d["partner"])
            assert d["level"] == deal["security"]
            assert deal["compute"][d["period"]] == pytest.approx(d["limit"], abs=0.5)
        if d["kind"] == "acceptance":
            deal = next(x for x in data["deals"] if x["partner"] == d["partner"])
            assert d["limit"] == deal["acceptance_threshold"]


def test_solve_json_figures_carry_no_float_noise(run: Runner) -> None:
    result = run("solve", REPO / "deals/portfolios/gulf-asia.yaml", "--json")
    assert result.exit_code == 0, result.stderr
    for x in floats(json.loads(result.stdout)):
        assert x == float(f"{x:.{JSON_DIGITS}g}"), x


def test_to_json_rounds_noise_and_keeps_what_the_model_resolves() -> None:
    data = json.loads(
        to_json({"a": 149_999.99999999997, "b": 2_300_000_000.0000005, "c": 0.1 + 0.2, "d": 1.5})
    )
    assert data == {"a": 150_000.0, "b": 2_300_000_000.0, "c": 0.3, "d": 1.5}
    # A dollar on a hundred billion and a thousandth of an H100e survive.
    assert json.loads(to_json(100_000_000_001.0)) == 100_000_000_001.0
    assert json.loads(to_json(150_000.001)) == 150_000.001
    assert json.loads(to_json([float("nan"), float("inf")])) == [None, None]
