"""Session 47 (qa47-newdata): a portfolio written from the formats alone, by a new user.

tests/data/qa47newdata holds it: five partners not in the shipped data (TR, BR, MX, CH,
NL, with unicode names), eight quarters, compute as H100e, TPP and chips, money in every
suffix, a concession range, anchors and aliases. Each test is a fault it met.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import dealbench
from dealbench.errors import ArgumentError
from dealbench.list_words import meant
from helpers import DATA, REPO, Runner

HERE = DATA / "qa47newdata"
ATLANTIC = HERE / "portfolios/atlantic.yaml"
MID = HERE / "packages/br-mid.yaml"


@pytest.fixture(scope="module")
def atlantic() -> dealbench.Portfolio:
    return dealbench.load_portfolio(ATLANTIC)


# `--set PATH=none` on an optional field with a default other than none (README: "`none`
# unsets any other optional field as if the file left it out") was refused as a value of
# the field's type: "partners.TR.us_batna: expected an amount of USD ..., got 'none'".


@pytest.mark.parametrize(
    ("path", "read", "left_out"),
    [
        ("partners.TR.us_batna", lambda pf: pf.partner("TR").us_batna, 0.0),
        ("policy.acceptance_margin", lambda pf: pf.policy.acceptance_margin, 0.0),
        (
            "partners.MX.concessions.1.excludes",
            lambda pf: pf.partner("MX").concessions[1].excludes,
            [],
        ),
        (
            "partners.TR.concessions.kyc-cloud.requires",
            lambda pf: pf.partner("TR").concessions[1].requires,
            [],
        ),
        (
            "partners.TR.concessions.0.category",
            lambda pf: pf.partner("TR").concessions[0].category,
            "other",
        ),
        ("policy.caps", lambda pf: pf.policy.caps.cap(2, "veu"), None),  # tiers 1 and 2 uncapped
    ],
)
def test_set_none_unsets_an_optional_field_with_a_default(
    atlantic: dealbench.Portfolio, path: str, read: object, left_out: object
) -> None:
    changed = dealbench.apply_overrides(atlantic, [f"{path}=none"])
    assert read(changed) == left_out  # type: ignore[operator]


def test_set_none_on_a_required_field_is_still_refused(atlantic: dealbench.Portfolio) -> None:
    with pytest.raises(ArgumentError, match=r"partners\.TR\.batna"):
        dealbench.apply_overrides(atlantic, ["partners.TR.batna=none"])


def test_set_none_lets_the_exclusion_go_in_the_cli(run: Runner) -> None:
    """The infeasible floor's advice "let MX grant 'no-prc-vendors' together with
    'prc-cloud-ok'", followed with `none` as the README says, solves."""
    r = run(
        "evaluate", MID, "--portfolio", ATLANTIC,
        "--set", "partners.MX.concessions.no-prc-vendors.excludes=none",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert not r.traceback


# `--set policy.risk_penalty=...` said "did you mean 'risk_budget'?", and
# `--set policy.export_value=...` nothing, where the same key in a policy file is answered
# "did you mean 'risk_penalty_per_h100e'?": a field named with a unit's digits (h100e) was
# never near a name typed without digits.


POLICY = ["id", "title", "caps", "export_value_per_h100e", "risk_penalty_per_h100e", "risk_budget"]
PARTNER = ["code", "diversion_risk", "ask", "value_per_h100e", "batna", "us_batna"]


@pytest.mark.parametrize(
    ("typed", "fields", "field"),
    [
        ("risk_penalty", POLICY, "risk_penalty_per_h100e"),
        ("export_value", POLICY, "export_value_per_h100e"),
        ("value", PARTNER, "value_per_h100e"),
    ],
)
def test_a_field_typed_short_is_answered_with_the_field(
    typed: str, fields: list[str], field: str
) -> None:
    assert meant(typed, fields) == [field]


def test_set_a_field_typed_short_names_the_field(run: Runner) -> None:
    r = run("evaluate", MID, "--portfolio", ATLANTIC, "--set", "policy.risk_penalty=150k")
    assert r.exit_code == 2
    assert "did you mean 'risk_penalty_per_h100e'?" in r.stderr
    assert "risk_budget'?" not in r.stderr


def test_a_number_is_still_not_another_number() -> None:
    assert meant("tier4", ["tier1", "tier2", "tier3"]) == []
    assert meant("300bn", ["200bn", "1400bn"]) == []


# docs/formats.md left a new user guessing what a portfolio's own cap is written per: the
# policy's row says "a portfolio of quarters gets a quarter of an annual cap", the
# portfolio's said nothing, and it is per period, whatever the policy's `caps_per`.


def test_formats_says_a_portfolio_cap_is_per_period_as_it_is(run: Runner) -> None:
    doc = (REPO / "docs/formats.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `caps` | no | deal-by-deal"))
    assert "per period of this portfolio" in row and "`caps_per` does not apply" in row
    r = run(
        "evaluate", MID, "--portfolio", ATLANTIC, "--set", "portfolio.caps.BR.veu=5_000",
    )  # fmt: skip
    assert r.exit_code == 3
    assert "exceeds BR's own cap under veu of 5,000 H100e" in " ".join(r.stdout.split())


def test_formats_names_every_way_compute_is_written(tmp_path: Path) -> None:
    doc = (REPO / "docs/formats.md").read_text(encoding="utf-8")
    assert "`{h100e: 200_000}`" in doc
    partner = (HERE / "partners/ch.yaml").read_text(encoding="utf-8")
    (tmp_path / "ch.yaml").write_text(partner.replace("2026Q1: 5_000", "2026Q1: {h100e: 5_000}"))
    assert dealbench.load_partner(tmp_path / "ch.yaml").ask["2026Q1"] == 5_000


def test_a_scenarios_null_unsets_an_optional_field_with_a_default(
    run: Runner, tmp_path: Path
) -> None:
    """A scenario's `~` is `none` (`override_text`), but only where the field's default was
    none: `partners.TR.us_batna: ~` was "the value is empty"."""
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(
        "scenarios:\n"
        "  - id: a\n    title: A\n    set: &s {partners.TR.us_batna: ~, policy.acceptance_margin: null}\n"
        "  - id: b\n    title: B\n    set:\n      <<: *s\n"
        "      partners.MX.concessions.no-prc-vendors.excludes: none\n"
    )
    r = run("validate", "--portfolio", ATLANTIC, scenarios)
    assert r.exit_code == 0, r.output
    pf = dealbench.apply_overrides(
        dealbench.load_portfolio(ATLANTIC), {"partners.TR.us_batna": None}
    )
    assert pf.partner("TR").us_batna == 0
