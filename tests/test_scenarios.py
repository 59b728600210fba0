"""Scenarios: `--set PATH=VALUE` overrides, per-partner caps, scenario files.

What a user relies on: an override changes exactly the figure it names, in the
files' units; a bad path or value is refused with the path and what was
expected (exit 2, no traceback); a portfolio's deal-by-deal cap replaces the
tier's for that partner, in the optimizer and in `check` alike.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dealbench.analyze.scenarios import apply_overrides, load_scenarios, parse_set, read_value
from dealbench.checker import check
from dealbench.errors import InputError
from dealbench.model import Package, Portfolio, load_portfolio
from dealbench.optimize import solve
from helpers import DATA, REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
TINY = DATA / "tiny" / "portfolio.yaml"


def test_overrides_parse_the_files_units(gulf_portfolio: Portfolio) -> None:
    pf = apply_overrides(
        gulf_portfolio,
        parse_set(
            [
                "partners.AE.batna=3bn",
                "policy.risk_penalty_per_h100e=200k",
                "portfolio.supply.2027=900_000",
                "portfolio.caps.AE.veu={tpp: 15_832_000_000}",
                "partners.AE.concessions.invest-us.levels.200bn.us_value=12bn",
            ]
        ),
    )
    assert pf.partner("AE").batna == 3e9  # type: ignore[union-attr]
    assert pf.policy.risk_penalty_per_h100e == 200_000
    assert pf.supply == {"2026": 1_000_000, "2027": 900_000, "2028": 1_400_000}
    assert pf.caps == {"AE": {"veu": pytest.approx(1_000_000)}}
    assert read_value(pf, "partners.AE.concessions.invest-us.levels.200bn.us_value") == 12e9
    # Nothing else moved; the original is untouched (models are frozen).
    assert pf.partner("SA") == gulf_portfolio.partner("SA")
    assert gulf_portfolio.partner("AE").batna == 8e9
    assert pf.fingerprint() != gulf_portfolio.fingerprint()


def test_policy_override_keeps_the_portfolio_risk_budget_rule(gulf_portfolio: Portfolio) -> None:
    pf = apply_overrides(gulf_portfolio, {"policy.risk_budget": "100_000"})
    assert pf.risk_budget == 100_000  # the policy's, since the portfolio sets none
    pf = apply_overrides(pf, {"portfolio.risk_budget": 50_000})
    assert pf.risk_budget == 50_000


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "partners.XX.batna=1bn",
            "error: --set: partners.XX.batna: no partner 'XX' in portfolio gulf-asia; "
            "expected one of: AE, SA, QA, BH, IN, SG, MY, KZ, AM",
        ),
        (
            "partners.AE.batnna=1bn",
            "error: --set: partners.AE.batnna: partners.AE has no field 'batnna' (did you mean "
            "'batna'?); expected one of: "
            "code, name, article, tier, diversion_risk, ask, value_per_h100e, batna, us_batna, "
            "security_costs, concessions",
        ),
        (
            "budget.risk=1",
            "error: --set: budget.risk: unknown root 'budget'; a path starts with one of: "
            "policy, partners, portfolio",
        ),
        (
            "portfolio.supply.2027=3bn",
            "error: --set: portfolio.supply.2027: expected a number, got '3bn'; suffixes such "
            "as bn are for amounts of USD: the field is in H100e",
        ),
        (
            "partners.AE.batna=900_000 H100e",
            "error: --set: partners.AE.batna: expected an amount of USD such as 1.4tn, 200bn, "
            "350m, 75k or 1000, got '900_000 H100e'",
        ),
        (
            "portfolio.supply.2031=1",
            "error: --set: portfolio.supply.2031: period '2031' is not one of the portfolio's "
            "periods (2026, 2027, 2028)",
        ),
        (
            "portfolio.caps.AE.vew=1",
            "error: --set: portfolio.caps.AE.vew: unknown security level 'vew'; expected one of: "
            "baseline, kyc, veu; did you mean 'veu'?",
        ),
        (
            "partners.AE.batna",
            "error: --set: expected PATH=VALUE (e.g. partners.AE.batna=3bn), got 'partners.AE.batna'",
        ),
        (
            "partners.AE.diversion_risk=1.5",
            "error: --set: partners.AE.diversion_risk: must be at most 1, got 1.5",
        ),
    ],
)
def test_bad_set_is_refused_with_the_path_and_exit_2(run: Runner, item: str, message: str) -> None:
    for command in (["solve", GULF], ["compare", GULF, "--regimes", "bilateral", "-j", "1"]):
        result = run(*command, "--set", item)
        assert result.exit_code == 2, result.output
        assert result.traceback == ""
        assert result.stderr.strip() == message


def test_set_changes_what_solve_finds(run: Runner) -> None:
    base = json.loads(run("solve", GULF, "--json").stdout)
    richer = json.loads(
        run("solve", GULF, "--json", "--set", "portfolio.supply.2027=1_500_000").stdout
    )
    assert richer["supply"]["2027"] == 1_500_000
    assert richer["objective"] > base["objective"]


def test_evaluate_takes_set(run: Runner) -> None:
    package = REPO / "deals" / "packages" / "ae-offer.yaml"
    plain = json.loads(run("evaluate", package, "--portfolio", GULF, "--json").stdout)
    moved = json.loads(
        run(
            "evaluate", package, "--portfolio", GULF, "--json", "--set", "partners.AE.batna=1bn"
        ).stdout
    )
    assert moved["batna"] == 1e9
    assert moved["partner_margin"] == pytest.approx(plain["partner_margin"] + 7e9, abs=1)


# --- per-partner caps ---------------------------------------------------------------------


def _tiny_with_caps(tmp_path: Path, caps: str) -> Path:
    for name in ("aa.yaml", "policy.yaml"):
        shutil.copy(DATA / "tiny" / name, tmp_path / name)
    text = TINY.read_text() + f"caps: {caps}\n"
    (tmp_path / "portfolio.yaml").write_text(text)
    return tmp_path / "portfolio.yaml"


def test_a_partner_cap_replaces_the_tier_cap(tmp_path: Path) -> None:
    """Tiny: AA (tier 2) asks 100,000; tier 2 allows kyc 50,000 and veu uncapped. With
    `caps: {AA: {veu: 20_000}}`, veu allows 20,000 and kyc keeps its tier cap."""
    pf = load_portfolio(_tiny_with_caps(tmp_path, "{AA: {veu: 20_000}}"))
    aa = pf.partner("AA")
    assert aa is not None
    assert pf.cap(aa, "veu", "2026") == 20_000
    assert pf.cap(aa, "kyc", "2026") == 50_000
    over = Package(partner="AA", security="veu", compute={"2026": 30_000})
    problems = check(pf, [over]).problems()
    assert any("AA's own cap under veu of 20,000 H100e" in p for p in problems)
    result = solve(pf).raise_for_status()
    for deal in result.deals:
        if deal.security == "veu":
            assert deal.compute["2026"] <= 20_000 + 0.5
    assert check(pf, [d.package() for d in result.deals]).ok


def test_a_set_cap_reaches_the_optimizer(gulf_portfolio: Portfolio) -> None:
    """Bilateral gives AE 600,000 a year under veu against an ask of 1,250,000 and AE takes
    it where supply allows; a deal-by-deal cap of 200,000 holds it there."""
    pf = apply_overrides(gulf_portfolio, {"portfolio.caps.AE.veu": "200_000"})
    result = solve(pf).raise_for_status()
    ae = result.deal("AE")
    assert ae is None or max(ae.compute.values()) <= 200_000 + 0.5


@pytest.mark.parametrize(
    ("caps", "message"),
    [
        ("{ZZ: {veu: 1}}", "'ZZ' is not a partner of this portfolio; expected one of: AA"),
        ("{AA: {vue: 1}}", "unknown security level 'vue'; expected one of: baseline, kyc, veu"),
        ("{AA: {veu: -1}}", "caps.AA.veu: must be at least 0, got -1"),
    ],
)
def test_bad_partner_caps_in_a_file(tmp_path: Path, run: Runner, caps: str, message: str) -> None:
    path = _tiny_with_caps(tmp_path, caps)
    result = run("validate", path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "portfolio.yaml:8: caps" in result.stderr


# --- scenario files -----------------------------------------------------------------------


def test_scenario_file_errors_name_file_and_line(tmp_path: Path, gulf_portfolio: Portfolio) -> None:
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        "scenarios:\n"
        "  - id: ok\n"
        "    set: {partners.AE.batna: 3bn}\n"
        "  - id: bad\n"
        "    set:\n"
        "      partners.AE.batna: lots\n"
    )
    with pytest.raises(InputError) as caught:
        load_scenarios(path, gulf_portfolio)
    (issue,) = caught.value.issues
    assert issue.line == 6
    assert "expected an amount of USD" in issue.message


def test_a_scenario_of_the_base_rows_id_is_the_base(run: Runner, tmp_path: Path) -> None:
    """`sweep` lists the portfolio as loaded under the id `base`; a scenario of that id,
    whatever the letter case, that sets nothing names that row (one row `base`, not two:
    a script keying sweep.json's rows by id finds the one its file named). It was refused
    until qa28 (DESIGN.md lets a scenario take any id); one that sets something is refused
    since session 42 (`test_qa42_analyze`)."""
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        "scenarios:\n  - id: more-supply\n    set: {portfolio.supply.2027: 1_500_000}\n"
        "  - id: Base\n    set: {}\n"
    )
    result = run("sweep", GULF, path, "--jobs", "1", "--json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)["rows"]] == ["Base", "more-supply"]
    assert run("validate", path).exit_code == 0


def test_a_set_value_with_a_key_twice_is_refused_as_in_a_file(run: Runner) -> None:
    """`{dist: uniform, low: 1bn, low: 2bn, high: 3bn}` in a file is refused (which low?);
    the same value after --set was taken, one of the two silently dropped."""
    value = "partners.AE.batna={dist: uniform, low: 1bn, low: 2bn, high: 3bn}"
    result = run("solve", GULF, "--set", value)
    assert result.exit_code == 2 and not result.traceback
    assert result.stderr.strip() == (
        "error: --set: partners.AE.batna: duplicate key 'low' in the value "
        "(a key may appear only once)"
    )
    with pytest.raises(InputError):
        parse_set(["portfolio.supply={2026: 1, '2026': 2}"])


def test_solve_policy_unknown_regime_is_bad_input(run: Runner) -> None:
    result = run("solve", GULF, "--policy", "anarchy")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --policy: unknown regime 'anarchy'; expected one of: tiered, monopoly, "
        "repeal, bilateral (or a policy file)"
    )


def test_validate_checks_a_scenarios_file_against_a_portfolio(run: Runner, tmp_path: Path) -> None:
    path = tmp_path / "scenarios.yaml"
    path.write_text("scenarios:\n  - id: x\n    set: {partners.ZZ.batna: 1bn}\n")
    assert run("validate", path).exit_code == 0  # shape alone
    result = run("validate", path, "--portfolio", GULF)
    assert result.exit_code == 2
    assert "scenarios.yaml:3: scenarios[0].set" in result.stderr
    assert "no partner 'ZZ' in portfolio gulf-asia" in result.stderr


def test_a_shorter_horizon_reads_partner_files_written_for_a_longer_one(tmp_path: Path) -> None:
    """The shipped partner files ask for 2026-2028; a 2026-2027 portfolio of them loads,
    its partners ask for its own periods only, and it solves and checks. `--set` on an ask
    beyond the horizon is still refused: it would change nothing."""
    shorter = tmp_path / "shorter.yaml"
    shorter.write_text(
        f"id: shorter\ntitle: Two years\npolicy: {REPO}/deals/policy/bilateral.yaml\n"
        "periods: [2026, 2027]\nsupply: {2026: 400_000, 2027: 500_000}\n"
        f"partners: [{REPO}/deals/partners/ae.yaml, {REPO}/deals/partners/in.yaml]\n"
    )
    pf = load_portfolio(shorter)
    assert all(set(p.ask) == {"2026", "2027"} for p in pf.partners)
    result = solve(pf)
    assert result.deals and check(pf, [d.package() for d in result.deals]).ok
    with pytest.raises(InputError, match="2028"):
        apply_overrides(pf, {"partners.AE.ask.2028": 5_000})
