"""Data files written by a new analyst from the README and DESIGN.md alone (a QA pass).

Each test is one fault such a user met, written as what they rely on: a number is
read as they meant it or refused with the file, line and field (never misread ten or
a hundred times over), a figure they forgot is asked for, and a portfolio that cannot
mean what it says is refused before anything is solved.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dealbench.errors import InputError
from dealbench.model import load_partner, load_portfolio
from dealbench.render.filters import distance_to_best
from dealbench.units import parse_money, parse_number, parse_share
from helpers import REPO, Runner

POLICY = """\
id: house
title: An analyst's regime
security_levels:
  - {id: baseline, title: Standard licence conditions, mitigation: 0.0}
  - {id: veu, title: VEU-grade data centres, mitigation: 0.9}
caps:
  tier1: {}
  tier2: {baseline: 25_000, veu: 400_000}
  tier3: 0
export_value_per_h100e: 8k
risk_penalty_per_h100e: 120k
acceptance_margin: 50m
"""

BRAZIL = """\
code: BR
name: Brazil
tier: 2
diversion_risk: 0.39
ask: {2026: 40_000, 2027: 40_000}
value_per_h100e: 30k
batna: 500m
security_costs: {baseline: 0, veu: 300m}
concessions: []
"""

KENYA = """\
code: KE
name: Kenya
tier: 2
diversion_risk: 0.2
ask: {2026: 5_000, 2027: 10_000}
value_per_h100e: 20k
batna: 50m
security_costs: {baseline: 0}
"""

PORTFOLIO = """\
id: two
title: Brazil and Kenya
policy: ../policy/house.yaml
periods: [2026, 2027]
supply: {2026: 200_000, 2027: 220_000}
partners: [../partners/br.yaml, ../partners/ke.yaml]
"""


@pytest.fixture(autouse=True)
def _in_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The analyst works in their folder, so messages name files as they would see them."""
    monkeypatch.chdir(tmp_path)


def _folder(tmp_path: Path, **replace: tuple[str, str]) -> Path:
    """The analyst's folder (the working directory); `replace[name] = (old, new)` edits one
    file first. Returns the portfolio's path as they would type it."""
    texts = {
        "policy/house.yaml": POLICY,
        "partners/br.yaml": BRAZIL,
        "partners/ke.yaml": KENYA,
        "portfolios/two.yaml": PORTFOLIO,
    }
    for name, (old, new) in replace.items():
        key = next(k for k in texts if Path(k).stem == name)
        assert old in texts[key]
        texts[key] = texts[key].replace(old, new, 1)
    for name, text in texts.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return Path("portfolios/two.yaml")


# --- a decimal comma is refused, never read as thousands ------------------------------


@pytest.mark.parametrize("text", ["1,5bn", "0,1", "12,5", "1.500,5", "$2,5m"])
def test_a_decimal_comma_is_refused_not_read_ten_times_too_large(text: str) -> None:
    """`1,5bn` was 15bn and a share of `0,1` was 1: the comma was dropped wherever it stood."""
    for parse in (parse_money, parse_number):
        with pytest.raises(ValueError, match="a comma separates thousands"):
            parse(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,000", 1e3), ("1,500,000,000", 1.5e9), ("1,00,000", 1e5), ("1,500.5", 1500.5)],
)
def test_commas_between_thousands_still_read(text: str, value: float) -> None:
    assert parse_number(text) == value
    assert parse_money(text) == value


@pytest.mark.parametrize(
    ("text", "usd"), [("1 500 000", 1.5e6), ("USD 3 bn", 3e9), ("1 500m", 1.5e9)]
)
def test_spaces_between_thousands_and_before_units_still_read(text: str, usd: float) -> None:
    assert parse_money(text) == usd


@pytest.mark.parametrize(("value", "hint"), [("0.5", "0.5bn"), (0.5, "0.5bn"), ("-0.25", "-0.25bn"),
                                             ("$0.75", "0.75bn"), (1e-3, "0.001bn")])  # fmt: skip
def test_an_amount_below_one_dollar_is_refused_with_its_units(value: object, hint: str) -> None:
    """`batna: 0.5` meant 0.5bn (or 0.5m): a fraction of a dollar is no figure of a deal,
    and read as written it would be a billion times too small. Whole dollars and 0 read."""
    with pytest.raises(ValueError, match="below one dollar") as info:
        parse_money(value)
    assert hint in str(info.value)
    assert parse_money("0") == 0.0 and parse_money(1) == 1.0 and parse_money("2.50") == 2.5


def test_thousands_grouped_by_points_are_refused_not_read_as_decimals(
    run: Runner, tmp_path: Path
) -> None:
    """`supply: {2027: 100.000}` (a hundred thousand, as German writes it) read as 100
    H100e; a point-grouped figure is now refused with both readings, in a file, in --set
    and in the number parsers. A decimal with its own digits (0.470, 12.5) still reads."""
    for parse in (parse_number, parse_money):
        with pytest.raises(ValueError, match="a point separates decimals, not thousands"):
            parse("100.000")
    assert parse_number("0.470") == 0.47 and parse_number("12.5") == 12.5
    portfolio = (REPO / "deals/portfolios/gulf-asia.yaml").read_text()
    path = tmp_path / "gulf-asia.yaml"
    path.write_text(portfolio.replace("2027: 1_200_000", "2027: 1.200.000").replace(
        "2028: 1_400_000", "2028: 100.000").replace("../", f"{REPO}/deals/"))  # fmt: skip
    result = run("validate", path)
    assert result.exit_code == 2
    assert "supply.2028: '100.000': a point separates decimals, not thousands; " \
        "write 100_000 for 100,000, or 100" in result.stderr  # fmt: skip
    assert "supply.2027" in result.stderr
    sets = run("solve", REPO / "deals/portfolios/gulf-asia.yaml", "--set",
               "portfolio.supply.2027=100.000")  # fmt: skip
    assert sets.exit_code == 2 and "a point separates decimals" in sets.stderr


def test_a_share_with_three_decimals_is_a_decimal(tmp_path: Path) -> None:
    """No share is meant in thousands: a normal distribution's centre written `1.098`
    (beyond 0..1, as a truncated normal may be) is 1.098, not refused as 1,098."""
    assert parse_share("0.125") == 0.125
    assert parse_share("1.500") == 1.5  # the field's bound then refuses it as above 1
    pf = _folder(
        tmp_path,
        br=(
            "diversion_risk: 0.39",
            "diversion_risk: {dist: normal, mean: 1.098, sd: 0.500, low: 0, high: 1}",
        ),
    )
    risk = load_portfolio(pf).partner("BR").diversion_risk
    assert 0.5 < risk < 1


def test_a_space_inside_a_number_is_refused_not_closed_up() -> None:
    """`2 5m` (a slip) was 25m: the spaces were dropped wherever they stood."""
    with pytest.raises(ValueError, match="a space between digits separates thousands"):
        parse_money("2 5m")


def test_a_decimal_comma_in_a_file_names_file_line_and_field(run: Runner, tmp_path: Path) -> None:
    pf = _folder(tmp_path, br=("batna: 500m", "batna: 1,5bn"))
    result = run("validate", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: partners/br.yaml:7: batna: '1,5bn': a comma separates "
        "thousands (1,500,000); write decimals with a point (1.5bn, 0.1)\n"
    )
    assert not result.traceback


def test_a_share_with_a_decimal_comma_is_not_a_certainty(tmp_path: Path) -> None:
    """`diversion_risk: 0,1` loaded as 1.0: every H100e to Brazil counted as diverted."""
    pf = _folder(tmp_path, br=("diversion_risk: 0.39", "diversion_risk: 0,1"))
    with pytest.raises(InputError) as info:
        load_portfolio(pf)
    (issue,) = info.value.issues
    assert (issue.line, issue.field) == (4, "diversion_risk")
    assert "a comma separates thousands" in issue.message


def test_a_decimal_comma_in_set_is_refused(run: Runner, tmp_path: Path) -> None:
    pf = _folder(tmp_path)
    result = run("solve", pf, "--set", "partners.BR.batna=1,5bn")
    assert result.exit_code == 2
    assert "error: --set: partners.BR.batna: '1,5bn': a comma separates thousands" in (
        result.stderr
    )


# --- shares as percentages -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "share"), [("40%", 0.4), (" 32 % ", 0.32), ("100%", 1.0), (0.4, 0.4), (1, 1.0)]
)
def test_a_share_reads_as_a_fraction_or_a_percentage(text: object, share: float) -> None:
    assert parse_share(text) == pytest.approx(share)


def test_a_percentage_share_loads_as_its_fraction(tmp_path: Path) -> None:
    """`diversion_risk: 39%` was refused as "expected a number"; it is the share 0.39."""
    pf = _folder(
        tmp_path,
        br=("diversion_risk: 0.39", "diversion_risk: 39%"),
        house=("mitigation: 0.9", "mitigation: 90%"),
    )
    portfolio = load_portfolio(pf)
    assert portfolio.partners[0].diversion_risk == pytest.approx(0.39)
    assert portfolio.policy.security_levels[1].mitigation == pytest.approx(0.9)


def test_a_percentage_in_a_distribution_of_a_share(tmp_path: Path) -> None:
    pf = _folder(
        tmp_path,
        br=("diversion_risk: 0.39", "diversion_risk: {dist: uniform, low: 30%, high: 50%}"),
    )
    assert load_portfolio(pf).partners[0].diversion_risk == pytest.approx(0.4)


def test_a_normal_share_may_centre_beyond_its_range(tmp_path: Path) -> None:
    """A truncated normal's centre and spread are not shares: centred at 3 and cut to
    0.1..0.3, the risk leans to 0.3 (a mean a little above 0.2), not "3 percent"."""
    written = "diversion_risk: {dist: normal, mean: 3, sd: 2, low: 0.1, high: 0.3}"
    pf = _folder(tmp_path, br=("diversion_risk: 0.39", written))
    risk = load_portfolio(pf).partners[0].diversion_risk
    assert 0.2 < risk < 0.3


def test_a_percentage_written_as_a_number_says_how_to_write_it(run: Runner, tmp_path: Path) -> None:
    """`diversion_risk: 39` meant 39%: the message says so, not only "at most 1"."""
    pf = _folder(tmp_path, br=("diversion_risk: 0.39", "diversion_risk: 39"))
    result = run("validate", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: partners/br.yaml:4: diversion_risk: must be at most 1, got 39; "
        "for 39 percent write 0.39 or 39%\n"
    )


def test_a_percentage_in_set_is_a_share(run: Runner, tmp_path: Path) -> None:
    pf = _folder(tmp_path)
    percent = run("solve", pf, "--set", "partners.BR.diversion_risk=20%", "--json")
    fraction = run("solve", pf, "--set", "partners.BR.diversion_risk=0.2", "--json")
    assert percent.exit_code == fraction.exit_code == 0, percent.output
    assert json.loads(percent.stdout)["objective"] == json.loads(fraction.stdout)["objective"]


# --- a partner's walk-away value is required -------------------------------------------


def test_a_partner_without_a_batna_is_refused(run: Runner, tmp_path: Path) -> None:
    """A forgotten `batna` was read as 0: a partner that accepts any deal worth the margin."""
    pf = _folder(tmp_path, ke=("batna: 50m\n", ""))
    result = run("validate", pf)
    assert result.exit_code == 2
    assert result.stderr == "error: partners/ke.yaml:1: batna: missing required field\n"
    with pytest.raises(InputError):
        load_partner("partners/ke.yaml")


@pytest.mark.parametrize(
    ("edit", "where", "said"),
    [
        (
            ("ke", ("ask: {2026: 5_000, 2027: 10_000}", "ask: 40_000")),
            "partners/ke.yaml:5: ask",
            "expected H100e per period, e.g. {2026: 40_000, 2027: 40_000}, got 40_000",
        ),
        (
            ("ke", ("security_costs: {baseline: 0}", "security_costs: 400m")),
            "partners/ke.yaml:8: security_costs",
            "expected a cost per security level, e.g. {baseline: 0, kyc: 400m}, got '400m'",
        ),
    ],
)
def test_one_figure_where_one_per_period_or_level_goes_says_how_to_write_them(
    run: Runner, tmp_path: Path, edit: tuple[str, tuple[str, str]], where: str, said: str
) -> None:
    """`ask: 40_000` was told "expected a mapping of fields": no hint of periods."""
    name, change = edit
    result = run("validate", _folder(tmp_path, **{name: change}))
    assert result.exit_code == 2
    assert result.stderr == f"error: {where}: {said}\n"


# --- periods: in time order, and a partner asking inside them ---------------------------


def test_periods_out_of_time_order_are_refused(run: Runner, tmp_path: Path) -> None:
    """`periods: [2027, 2026]` solved, and every table and document ran backwards in time."""
    pf = _folder(tmp_path, two=("periods: [2026, 2027]", "periods: [2027, 2026]"))
    result = run("solve", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {pf}:4: periods[1]: period '2026' is listed after '2027'; list the periods "
        "in time order (schedules, tables and documents follow this order)\n"
    )


def test_years_in_order_with_a_gap_between_them_still_load(tmp_path: Path) -> None:
    pf = _folder(
        tmp_path,
        two=("periods: [2026, 2027]\nsupply: {2026: 200_000, 2027: 220_000}",
             "periods: [2026, 2028]\nsupply: {2026: 200_000, 2028: 220_000}"),
        br=("2027: 40_000", "2028: 40_000"),
        ke=("2027: 10_000", "2028: 10_000"),
    )  # fmt: skip
    assert load_portfolio(pf).periods == ["2026", "2028"]


def test_a_partner_asking_only_outside_the_horizon_loads_and_its_no_deal_says_why(
    run: Runner, tmp_path: Path
) -> None:
    """Kenya's file asks for 2025 only (one partner file serves portfolios of several
    horizons): the portfolio loads, and the solve says why Kenya has no deal."""
    pf = _folder(tmp_path, ke=("ask: {2026: 5_000, 2027: 10_000}", "ask: {2025: 5_000}"))
    assert run("validate", pf).exit_code == 0
    result = run("solve", pf, "--json")
    assert result.exit_code == 0
    reasons = {r["partner"]: r["message"] for r in json.loads(result.stdout)["no_deal_reasons"]}
    assert "KE asks for no compute in this portfolio's periods (2026, 2027)" in reasons["KE"]


def test_a_partner_asking_beyond_the_horizon_too_still_loads(tmp_path: Path) -> None:
    pf = _folder(tmp_path, ke=("ask: {2026: 5_000, 2027: 10_000}", "ask: {2027: 1, 2030: 9}"))
    kenya = load_portfolio(pf).partners[1]
    assert kenya.ask == {"2027": 1.0}


# --- a comma inside braces ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "written"),
    [
        ("ask: {2026: 40_000,", "ask: {2026: 40,000,", 5, "'40,000' is read as two entries, '40' and '000'"),
        ("batna: 500m", "batna: {dist: uniform, low: 1,5bn, high: 2bn}", 7,
         "'1,5bn' is read as two entries, '1' and '5bn'"),
    ],
)  # fmt: skip
def test_a_comma_in_a_number_inside_braces_is_named(
    run: Runner, tmp_path: Path, old: str, new: str, line: int, written: str
) -> None:
    """`ask: {2026: 40,000}` is YAML for `2026: 40` and a key `000`: the user was told
    "ask.0: expected a number, got None" (and 2026 held 40 H100e)."""
    pf = _folder(tmp_path, br=(old, new))
    result = run("validate", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: partners/br.yaml:{line}: invalid YAML: {written}: inside {{ }} a comma "
        "separates entries; write thousands with '_' (100_000) and decimals with a point "
        "(1.5bn)\n"
    )


def test_a_comma_and_a_space_inside_braces_still_separates_entries(tmp_path: Path) -> None:
    pf = _folder(tmp_path, br=("ask: {2026: 40_000, 2027: 40_000}", "ask: {2026: 40, 2027: 7}"))
    assert load_portfolio(pf).partners[0].ask == {"2026": 40.0, "2027": 7.0}


# --- a solve stopped by its time limit -------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "words"),
    [
        (None, "at an unknown distance from the best"),
        (1.234e-4, "within 0.0123% of the best"),
        (9.6e9, "with no useful bound on the distance to the best (a relative gap above 100%)"),
    ],
)
def test_the_distance_to_the_best_is_said_in_words(gap: float | None, words: str) -> None:
    assert distance_to_best(gap, 4) == words


def test_a_time_limit_before_any_bound_prints_no_absurd_percentage(
    run: Runner, tmp_path: Path
) -> None:
    """`--time-limit 0.001` said "within 964844000000.0000% (relative) of the best": the
    relative gap of V = 0 against a bound of 9.6bn."""
    pf = _folder(tmp_path)
    result = run("solve", pf, "--time-limit", "1e-9", "--out", "out", "--render", "md")
    if result.exit_code == 0:
        pytest.skip("the solve finished within a nanosecond")
    assert result.exit_code == 4, result.output
    warning = result.stderr.splitlines()[-1]
    assert warning.startswith("warning: the time limit stopped the solver with the packages ")
    assert "00000" not in warning
    memo = (tmp_path / "out/memos/portfolio-two.md").read_text()
    assert "The solver stopped at its time limit, " in memo
    assert "00000" not in memo.split("The solver stopped at its time limit, ")[1].split(".")[0]


# --- dates --------------------------------------------------------------------------


def test_a_date_that_does_not_exist_is_named_as_a_date(run: Runner, tmp_path: Path) -> None:
    """`date: 2026-02-30` in a package said "cannot read '2026-02-30' as !!timestamp"."""
    pf = _folder(tmp_path)
    Path("offer.yaml").write_text(
        "partner: BR\nsecurity: veu\ndate: 2026-02-30\ncompute: {2026: 1_000}\n"
    )
    result = run("evaluate", "offer.yaml", "--portfolio", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: offer.yaml:3: date: cannot read '2026-02-30' as a date "
        "(no such date; write YYYY-MM-DD)\n"
    )


# --- suffixes where H100e are expected ----------------------------------------------


def test_a_suffix_on_compute_says_how_to_write_the_number(run: Runner, tmp_path: Path) -> None:
    """`supply: {2026: 200k}` said only "expected a number, got '200k'", beside money
    fields that take `8k`."""
    pf = _folder(tmp_path, two=("supply: {2026: 200_000,", "supply: {2026: 200k,"))
    result = run("validate", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: portfolios/two.yaml:5: supply.2026: expected a number, got '200k'; suffixes "
        "such as k and m are for amounts of USD: write 200_000\n"
    )


# --- a portfolio naming the wrong file -------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "policy: ../policy/house.yaml",
            "policy: ../partners/br.yaml",
            "portfolios/two.yaml:3: policy: ../partners/br.yaml: this is a partner file, "
            "expected a policy file here",
        ),
        (
            "policy: ../policy/house.yaml",
            "policy: house",
            "portfolios/two.yaml:3: policy: file not found: house (looked for portfolios/house); "
            "a portfolio names its policy by the file's path from the portfolio: did you mean "
            "../policy/house.yaml?",
        ),
        (
            "../partners/ke.yaml]",
            "KE]",
            "portfolios/two.yaml:6: partners[1]: file not found: KE (looked for portfolios/KE); "
            "a portfolio names each partner by the file's path from the portfolio: did you mean "
            "../partners/ke.yaml?",
        ),
    ],
)
def test_a_portfolio_naming_the_wrong_file_is_told_where_it_names_it(
    run: Runner, tmp_path: Path, old: str, new: str, message: str
) -> None:
    """`policy: ../partners/br.yaml` was reported at partners/br.yaml:1, a file with nothing
    wrong in it; `policy: house` (a regime's name, as --policy takes) only as not found."""
    pf = _folder(tmp_path, two=(old, new))
    result = run("validate", pf)
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"


def test_a_negative_granularity_is_told_the_range(run: Runner, tmp_path: Path) -> None:
    """`granularity: -5` was told "a granularity in H100e is a whole number": it is one."""
    pf = _folder(tmp_path, two=("partners:", "granularity: -5\npartners:"))
    result = run("validate", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: portfolios/two.yaml:6: granularity: a granularity in H100e is a whole number "
        "of 0 or more (0 for continuous amounts), got -5\n"
    )


def test_validate_finds_a_scenario_id_given_twice(run: Runner, tmp_path: Path) -> None:
    """`validate` said "ok" to a scenarios file whose id `a` was given twice; `sweep` refused it."""
    _folder(tmp_path)
    Path("s.yaml").write_text(
        "scenarios:\n"
        "  - {id: a, title: One, set: {partners.BR.batna: 1bn}}\n"
        "  - {id: a, title: Two, set: {partners.BR.batna: 2bn}}\n"
    )
    result = run("validate", "s.yaml")
    assert result.exit_code == 2
    assert result.stderr == "error: s.yaml:3: scenarios[1].id: scenario 'a' is listed twice\n"


def test_asks_in_periods_of_another_kind_are_reported_once(tmp_path: Path) -> None:
    """Asks for 2026 and 2027 in a portfolio of `FY2026, FY2027`: each ask is named; the
    partner is not also told, a third time, that it asks for nothing in the horizon."""
    pf = _folder(
        tmp_path,
        two=("periods: [2026, 2027]\nsupply: {2026: 200_000, 2027: 220_000}",
             "periods: [FY2026, FY2027]\nsupply: {FY2026: 200_000, FY2027: 220_000}"),
        house=("acceptance_margin: 50m", "acceptance_margin: 50m\ncaps_per: period"),
    )  # fmt: skip
    with pytest.raises(InputError) as info:
        load_portfolio(pf)
    fields = [(issue.file, issue.field) for issue in info.value.issues]
    assert fields == [
        ("partners/br.yaml", "ask.2026"),
        ("partners/br.yaml", "ask.2027"),
        ("partners/ke.yaml", "ask.2026"),
        ("partners/ke.yaml", "ask.2027"),
    ]


# --- a negative cost of risk -----------------------------------------------------------


def test_a_negative_risk_penalty_is_refused(run: Runner, tmp_path: Path) -> None:
    """`risk_penalty_per_h100e: -120k` solved "optimal", filling the risk budget: each
    risk-weighted H100e reaching an adversary earned the US 120k."""
    pf = _folder(tmp_path, house=("risk_penalty_per_h100e: 120k", "risk_penalty_per_h100e: -120k"))
    result = run("solve", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: policy/house.yaml:11: risk_penalty_per_h100e: must be at least 0, got '-120k'\n"
    )
    result = run("solve", _folder(tmp_path), "--set", "policy.risk_penalty_per_h100e=-1k")
    assert result.exit_code == 2
    assert "must be at least 0" in result.stderr


def test_security_levels_out_of_order_are_refused(run: Runner, tmp_path: Path) -> None:
    """Levels are listed weakest first, and `{security: kyc}` means kyc or a level after
    it: listed strongest first, a partner's baseline would have met a VEU requirement."""
    pf = _folder(
        tmp_path,
        house=(
            "  - {id: baseline, title: Standard licence conditions, mitigation: 0.0}\n"
            "  - {id: veu, title: VEU-grade data centres, mitigation: 0.9}\n",
            "  - {id: veu, title: VEU-grade data centres, mitigation: 0.9}\n"
            "  - {id: baseline, title: Standard licence conditions, mitigation: 0.0}\n",
        ),
    )
    result = run("solve", pf)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: policy/house.yaml:5: security_levels[1].mitigation: security levels are "
        "listed weakest first, but 'baseline' (mitigation 0) comes after 'veu' (0.9); "
        "list them by rising mitigation\n"
    )
    result = run("solve", _folder(tmp_path), "--set", "policy.security_levels.0.mitigation=0.95")
    assert result.exit_code == 2
    assert "listed weakest first" in result.stderr
