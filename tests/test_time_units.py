"""Units of time are explicit (issue 13, item 7): a policy's caps are written per
`caps_per` (a year by default) and a portfolio of quarters holds a quarter of an
annual cap per quarter; a mismatch is an error naming file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tests.helpers import invoke

from dealbench.analyze.scenarios import apply_overrides
from dealbench.checker import check
from dealbench.errors import InputError
from dealbench.model import Package, Policy, load_policy, load_portfolio
from dealbench.model.regimes import under_regime
from dealbench.optimize.solve import solve
from dealbench.synth import Size, generate, write_yaml

ANNUAL_CAP = 120_000  # tier 2 under kyc, as written in the policy
QUARTERS = ["2026Q1", "2026Q2"]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def files(
    folder: Path,
    periods: list[str] = QUARTERS,
    caps_per: str | None = None,
    portfolio_caps: str = "",
) -> Path:
    """A tier-2 partner asking 100,000 H100e a period under a kyc cap of 120,000 as
    written; the United States wants all it may give (export value beats the risk)."""
    per = f"caps_per: {caps_per}" if caps_per else "acceptance_margin: 0"
    write(
        folder,
        "policy.yaml",
        f"""
        id: p
        title: Test regime
        security_levels:
          - {{id: baseline, title: Baseline, mitigation: 0}}
          - {{id: kyc, title: KYC, mitigation: 0.5}}
        caps:
          tier2: {{baseline: 0, kyc: {ANNUAL_CAP}}}
        {per}
        export_value_per_h100e: 10k
        risk_penalty_per_h100e: 100k
        """,
    )
    asks = ", ".join(f"{t}: 100_000" for t in periods)
    write(
        folder,
        "aa.yaml",
        f"""
        code: AA
        name: Alphaland
        tier: 2
        diversion_risk: 0.1
        ask: {{{asks}}}
        value_per_h100e: 30k
        batna: 0
        security_costs: {{baseline: 0, kyc: 0}}
        """,
    )
    supply = ", ".join(f"{t}: 1_000_000" for t in periods)
    return write(
        folder,
        "portfolio.yaml",
        f"""
        id: pf
        title: Test portfolio
        policy: policy.yaml
        periods: [{", ".join(periods)}]
        supply: {{{supply}}}
        partners: [aa.yaml]
        """
        + portfolio_caps,
    )


def package(amount: float) -> Package:
    return Package(partner="AA", security="kyc", compute=dict.fromkeys(QUARTERS, amount))


# --- a quarter gets a quarter of an annual cap ----------------------------------------


def test_a_quarter_gets_a_quarter_of_an_annual_cap(tmp_path: Path) -> None:
    pf = load_portfolio(files(tmp_path))
    aa = pf.partners[0]
    assert pf.level_cap(aa, "kyc") == ANNUAL_CAP / 4
    assert all(pf.cap(aa, "kyc", t) == ANNUAL_CAP / 4 for t in QUARTERS)
    assert pf.policy.caps_per == "quarter"  # what the held caps are per, now
    assert load_policy(tmp_path / "policy.yaml").caps_per == "year"  # as written


def test_check_holds_a_package_to_the_quarters_share(tmp_path: Path) -> None:
    pf = load_portfolio(files(tmp_path))
    assert check(pf, [package(30_000)]).ok
    over = check(pf, [package(31_000)])
    assert not over.ok
    assert any("30,000" in p for p in over.problems()), over.problems()


def test_a_solve_whose_optimum_sits_on_the_cap_gives_a_quarter_of_it(tmp_path: Path) -> None:
    pf = load_portfolio(files(tmp_path))
    result = solve(pf)
    deal = result.deal("AA")
    assert deal is not None and deal.security == "kyc"
    assert deal.compute == {t: pytest.approx(ANNUAL_CAP / 4) for t in QUARTERS}
    assert check(pf, [Package(partner="AA", security="kyc", compute=deal.compute)]).ok


def test_caps_per_quarter_keeps_the_cap_as_written(tmp_path: Path) -> None:
    pf = load_portfolio(files(tmp_path, caps_per="quarter"))
    aa = pf.partners[0]
    assert pf.level_cap(aa, "kyc") == ANNUAL_CAP
    assert pf.cap(aa, "kyc", "2026Q1") == 100_000  # the ask is below it
    assert check(pf, [package(100_000)]).ok
    deal = solve(pf).deal("AA")
    assert deal is not None and deal.compute == {t: pytest.approx(100_000) for t in QUARTERS}


@pytest.mark.parametrize("caps_per", ["year", "period", None])
def test_years_hold_an_annual_cap_unchanged(tmp_path: Path, caps_per: str | None) -> None:
    pf = load_portfolio(files(tmp_path, periods=["2026", "2027"], caps_per=caps_per))
    assert pf.level_cap(pf.partners[0], "kyc") == ANNUAL_CAP


def test_caps_per_period_holds_any_period_as_written(tmp_path: Path) -> None:
    pf = load_portfolio(files(tmp_path, caps_per="period"))
    assert pf.level_cap(pf.partners[0], "kyc") == ANNUAL_CAP


def test_a_portfolios_own_caps_are_per_its_period(tmp_path: Path) -> None:
    """Like its supply, a portfolio's deal-by-deal caps are per its own period."""
    pf = load_portfolio(files(tmp_path, portfolio_caps="caps: {AA: {kyc: 50_000}}\n"))
    assert pf.level_cap(pf.partners[0], "kyc") == 50_000


# --- mismatches are errors --------------------------------------------------------------


def test_caps_per_quarter_on_years_is_an_error_at_caps_per(tmp_path: Path) -> None:
    path = files(tmp_path, periods=["2026", "2027"], caps_per="quarter")
    with pytest.raises(InputError) as raised:
        load_portfolio(path)
    (issue,) = raised.value.issues
    assert issue.file.endswith("policy.yaml")
    assert issue.field == "caps_per"
    assert issue.line == 8
    assert "written per quarter" in issue.message and "years" in issue.message


def test_the_mismatch_exits_2_through_validate(tmp_path: Path) -> None:
    path = files(tmp_path, periods=["2026", "2027"], caps_per="quarter")
    run = invoke(["validate", path])
    assert run.exit_code == 2, run.output
    assert not run.traceback
    assert "policy.yaml:8" in run.output and "caps_per" in run.output
    assert "cannot hold a whole year" in run.output


def test_periods_that_do_not_say_their_length_cannot_take_an_annual_cap(tmp_path: Path) -> None:
    path = files(tmp_path, periods=["H1", "H2"])
    with pytest.raises(InputError) as raised:
        load_portfolio(path)
    (issue,) = raised.value.issues
    assert issue.file.endswith("portfolio.yaml")
    assert (issue.line, issue.field) == (4, "periods[0]")
    assert "does not say its length" in issue.message and "caps_per: period" in issue.message
    assert load_portfolio(files(tmp_path, periods=["H1", "H2"], caps_per="period"))


def test_years_and_quarters_mixed_is_an_error(tmp_path: Path) -> None:
    path = files(tmp_path, periods=["2026", "2027Q1"])
    run = invoke(["validate", path])
    assert run.exit_code == 2, run.output
    assert "portfolio.yaml:4" in run.output and "one length" in run.output


def test_a_yearly_ask_in_a_quarterly_portfolio_says_to_write_it_per_quarter(
    tmp_path: Path,
) -> None:
    path = files(tmp_path)
    aa = tmp_path / "aa.yaml"
    aa.write_text(aa.read_text().replace("2026Q2: 100_000", "2027: 400_000"))
    run = invoke(["validate", path])
    assert run.exit_code == 2, run.output
    assert "aa.yaml:5" in run.output
    assert "'2027' is a year" in run.output and "write the ask per quarter" in run.output


def test_an_unknown_caps_per_is_an_error(tmp_path: Path) -> None:
    path = files(tmp_path, caps_per="month")
    run = invoke(["validate", path])
    assert run.exit_code == 2, run.output
    assert "policy.yaml:8" in run.output and "caps_per" in run.output


# --- other ways a policy reaches a portfolio ---------------------------------------------


def test_another_regime_is_converted_too(tmp_path: Path) -> None:
    pf = load_portfolio(files(tmp_path))
    other = Policy.model_validate(
        {**load_policy(tmp_path / "policy.yaml").model_dump(), "id": "other"}
    )
    moved = under_regime(pf, other)
    assert moved.level_cap(moved.partners[0], "kyc") == ANNUAL_CAP / 4
    assert pf.with_policy(other).level_cap(pf.partners[0], "kyc") == ANNUAL_CAP / 4


def test_setting_caps_per_quarter_on_years_is_refused(tmp_path: Path) -> None:
    pf = load_portfolio(files(tmp_path, periods=["2026", "2027"]))
    with pytest.raises(InputError) as raised:
        apply_overrides(pf, {"policy.caps_per": "quarter"})
    assert "cannot hold a whole year" in str(raised.value)


def test_synthetic_quarters_state_their_caps_per_quarter(tmp_path: Path) -> None:
    """The generator writes its quarterly caps per quarter (`caps_per: quarter`), so
    they mean the same in memory and read back from YAML."""
    pf = generate(Size("Q", 3, 2, 2, 8), seed=0)
    assert pf.periods[0] == "2026Q1" and pf.policy.caps_per == "quarter"
    assert pf.policy.caps.cap(2, "kyc") == 25_000  # 100,000 a year
    loaded = load_portfolio(write_yaml(pf, tmp_path))
    assert loaded.policy.caps == pf.policy.caps
    assert generate(Size("Y", 3, 2, 2, 4), seed=0).policy.caps_per == "year"
