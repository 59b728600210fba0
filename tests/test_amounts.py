"""Range concessions: amounts named in packages, valued between levels, offered by the optimizer.

The hand-worked fixture: partner AA values compute at 30k per H100e and asks
100,000 H100e in 2026 (USD 3bn of value), walks away at USD 1bn, and can meet
only `veu` (mitigation 1, no cost). Its one concession is an investment from 0
to USD 100bn, worth 10% of the amount to the US and costing the partner 4%
(one level at USD 100bn, `min: 0`). The partner accepts while 3bn − 0.04·A ≥
1bn, so A ≤ USD 50bn: with only the level the US could not get the investment
(USD 4bn cost), with the range it gets USD 50bn, worth USD 5bn.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import DrawPicker, RandomPicker, concession, generate, partner, policy, portfolio
from dealbench import check, evaluate, solve
from dealbench.errors import InputError
from dealbench.model import Package, Portfolio, load_package, load_partner, load_portfolio
from dealbench.model.amounts import DEFAULT_SPLITS, amount_text, grid
from dealbench.render.termsheet import render_term_sheet
from helpers import REPO, Runner

INVEST: dict[str, Any] = {
    "id": "invest",
    "title": "Investment in the United States",
    "category": "investment",
    "amount": {"unit": "USD", "min": 0, "step": "10bn"},
    "levels": [
        {
            "id": "100bn",
            "title": "USD 100bn",
            "amount": "100bn",
            "us_value": "10bn",
            "partner_cost": "4bn",
        }
    ],
    "clause": "The Partner will invest {{ level.amount }} in the United States.",
}


def fixture(invest: dict[str, Any] | None = None) -> Portfolio:
    aa = partner(
        "AA",
        ask={"2026": 100_000},
        value="30k",
        batna="1bn",
        security_costs={"veu": 0},
        concessions=[invest or INVEST],
    )
    the_policy = policy(levels=(("baseline", 0.0), ("veu", 1.0)), export_value=0, risk_penalty=0)
    return portfolio(the_policy, [aa], supply={"2026": 100_000})


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


# --- valuing an amount ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "us", "cost"),
    [
        ("75bn", 7.5e9, 3e9),  # between 0 (min) and the level: 10% and 4% of the amount
        ("100bn", 10e9, 4e9),  # the level itself
        ("0", 0.0, 0.0),  # the start of the range: nothing
        ("USD 25bn", 2.5e9, 1e9),
        ("$12.5bn", 1.25e9, 0.5e9),
    ],
)
def test_an_amount_is_valued_by_interpolation(text: str, us: float, cost: float) -> None:
    pf = fixture()
    package = Package(partner="AA", security="veu", concessions={"invest": text})
    deal = evaluate(pf, package)
    assert deal.us_concession_value == pytest.approx(us)
    assert deal.concession_cost == pytest.approx(cost)
    assert not deal.violations


def test_interpolation_runs_between_neighbouring_levels() -> None:
    """Two levels, 200bn (10bn, 6bn) and 1.4tn (70bn, 42bn): 500bn is a quarter of the way."""
    invest = {
        **INVEST,
        "amount": {"unit": "USD"},
        "levels": [
            {
                "id": "200bn",
                "title": "a",
                "amount": "200bn",
                "us_value": "10bn",
                "partner_cost": "6bn",
            },
            {
                "id": "1400bn",
                "title": "b",
                "amount": "1.4tn",
                "us_value": "70bn",
                "partner_cost": "42bn",
            },
        ],
    }
    c = fixture(invest).partners[0].concessions[0]
    option = c.option("500bn")
    assert option is not None
    assert (option.us_value, option.partner_cost) == pytest.approx((25e9, 15e9))
    assert c.option("1.4tn") is c.options[1]  # an amount at a level is that level
    assert c.option("100bn") is None  # below the range: it starts at 200bn without `min`
    assert c.option("1.5tn") is None
    # without `step` each gap is cut into DEFAULT_SPLITS parts for the optimizer
    assert [o.id for o in c.choices] == ["200bn", "500bn", "800bn", "1.1tn", "1400bn"]
    assert DEFAULT_SPLITS == 4


def test_numbers_and_currency_forms_name_the_same_amount() -> None:
    forms = ["75bn", "USD 75bn", "$75bn", 7.5e10, "75_000_000_000", 75_000_000_000]
    values = []
    for form in forms:
        package = Package(partner="AA", security="veu", concessions={"invest": form})
        values.append(evaluate(fixture(), package).concession_cost)
    assert values == pytest.approx([3e9] * len(forms))


@pytest.mark.parametrize(
    ("written", "said", "example"),
    [
        ("75", "75 is USD 75", "75bn"),
        ("75_000", "75000 is USD 75k", "350bn"),
        ("350000", "", "350bn"),
    ],
)
def test_a_bare_number_of_dollars_far_below_the_range_is_refused(
    run: Runner, tmp_path: Path, written: str, said: str, example: str
) -> None:
    """`invest-us: 75` for USD 75bn (the levels are written 100bn, 350bn) was valued as USD 75,
    worth nothing, and the counter passed as if Korea had offered no investment."""
    counter = write(
        tmp_path,
        "kr.yaml",
        f"""
        partner: KR
        security: kyc
        compute: {{2026: 220_000, 2027: 220_000, 2028: 220_000}}
        concessions: {{invest-us: {written}, hbm-priority: true}}
        """,
    )
    result = run("evaluate", counter, "--portfolio", REPO / "deals/portfolios/global.yaml")
    assert result.exit_code == 2, result.output
    assert (
        "a millionth or less of the range of 'invest-us' (0 to 350bn); write the amount with "
        f"its unit, such as {example}"
    ) in result.stderr
    assert f"kr.yaml:4: concessions.invest-us: {said}" in result.stderr


def test_a_bare_number_above_a_millionth_of_the_range_passes(run: Runner, tmp_path: Path) -> None:
    counter = write(
        tmp_path,
        "kr.yaml",
        """
        partner: KR
        security: kyc
        compute: {2026: 220_000, 2027: 220_000, 2028: 220_000}
        concessions: {invest-us: 350001, hbm-priority: true}
        """,
    )
    result = run("evaluate", counter, "--portfolio", REPO / "deals/portfolios/global.yaml")
    assert result.exit_code == 0, result.output


def test_amount_text_reads_back() -> None:
    for amount in (0.0, 5e3, 75e9, 1.1e12, 1.25e9, 123_456_789.0, 1.4e12):
        assert grid([(0.0, 0.0, 0.0), (amount + 1, 0.0, 0.0)], None)  # a range exists
        text = amount_text(amount)
        assert Package(partner="AA", security="veu", concessions={"c": text}).concessions == {
            "c": text
        }
    assert amount_text(75e9) == "75bn"
    assert amount_text(1.1e12) == "1.1tn"


# --- files: the syntax and its errors -------------------------------------------------


PARTNER = """
    code: AA
    name: Alphaland
    tier: 2
    diversion_risk: 0.3
    ask: {2026: 100_000}
    value_per_h100e: 30k
    security_costs: {veu: 0}
    concessions:
      - id: invest
        title: Investment
        amount: {unit: USD, min: 0}
        levels:
          - {id: 200bn, title: USD 200bn, amount: 200bn, us_value: 10bn, partner_cost: 6bn}
          - {id: 1400bn, title: USD 1.4tn, amount: 1.4tn, us_value: 70bn, partner_cost: 42bn}
    batna: 0
"""


def test_a_range_concession_loads(tmp_path: Path) -> None:
    aa = load_partner(write(tmp_path, "aa.yaml", PARTNER))
    invest = aa.concession("invest")
    assert invest is not None and invest.is_range
    assert invest.range_text() == "0 to 1.4tn"
    assert invest.points[0] == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        (
            "amount: 1.4tn, us_value",
            "us_value",
            14,
            "concessions[0].levels[1].amount",
            "every level of a range concession needs an `amount`",
        ),
        (
            "amount: 1.4tn",
            "amount: 100bn",
            14,
            "concessions[0].levels[1].amount",
            "amounts must increase from level to level (100bn follows 200bn)",
        ),
        (
            "{id: 200bn, title: USD 200bn, amount: 200bn",
            "{id: 250bn, title: USD 200bn, amount: 200bn",
            13,
            "concessions[0].levels[0].id",
            "level id '250bn' reads as an amount but the level's amount is 200bn; "
            "rename the level or correct its amount",
        ),
        (
            "amount: {unit: USD, min: 0}",
            "amount: {unit: USD, min: 300bn}",
            11,
            "concessions[0].amount.min",
            "`min` (300bn) cannot exceed the first level's amount (200bn)",
        ),
        (
            "amount: {unit: USD, min: 0}",
            "amount: {unit: USD, step: 1bn}",
            11,
            "concessions[0].amount.step",
            "the range offers the optimizer 1,201 amounts; at most 50 are allowed: "
            "choose a larger `step`",
        ),
        (
            "amount: {unit: USD, min: 0}",
            "amount: {unit: USD, min: 0, max: 1.4tn}",
            11,
            "concessions[0].amount.max",
            "unknown field",
        ),
        (
            "amount: {unit: USD, min: 0}",
            "category: investment",
            13,
            "concessions[0].levels[0].amount",
            "a level's `amount` needs `amount: {unit: USD}` on its concession",
        ),
    ],
)
def test_range_errors_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, message: str
) -> None:
    assert old in PARTNER
    path = write(tmp_path, "aa.yaml", PARTNER.replace(old, new, 1))
    with pytest.raises(InputError) as caught:
        load_partner(path)
    issue = caught.value.issues[0]
    assert (issue.line, issue.field) == (line, field), issue
    assert message in issue.message


def test_a_package_names_an_amount_or_is_told_the_range(tmp_path: Path) -> None:
    pf = load_portfolio(REPO / "deals/portfolios/global.yaml")
    ok = write(
        tmp_path,
        "kr.yaml",
        """
        partner: KR
        security: kyc
        compute: {2026: 100_000}
        concessions: {invest-us: 75bn, hbm-priority: true}
        """,
    )
    package = load_package(ok, pf)
    deal = evaluate(pf, package)
    # KR: 0 to 100bn worth 5% to the US and costing 3%
    assert deal.concessions["invest-us"] == "75bn"
    assert deal.us_concession_value == pytest.approx(3.75e9 + 3e9)
    assert deal.concession_cost == pytest.approx(2.25e9 + 2e9)

    bad = write(tmp_path, "bad.yaml", ok.read_text().replace("75bn", "400bn"))
    with pytest.raises(InputError) as caught:
        load_package(bad, pf)
    issue = caught.value.issues[0]
    assert (issue.line, issue.field) == (4, "concessions.invest-us")
    assert issue.message == "400bn is outside the range of 'invest-us': 0 to 350bn"

    bad.write_text(ok.read_text().replace("75bn", "lots"))
    with pytest.raises(InputError) as caught:
        load_package(bad, pf)
    assert caught.value.issues[0].message == (
        "unknown level 'lots' of 'invest-us'; expected one of: 100bn, 350bn, "
        "or an amount from 0 to 350bn"
    )


def test_every_shipped_file_is_still_valid(run: Runner) -> None:
    for name in ("gulf-asia", "global"):
        load_portfolio(REPO / f"deals/portfolios/{name}.yaml")
    result = run("validate", *sorted((REPO / "deals/partners").glob("*.yaml")))
    assert result.exit_code == 0, result.output


def test_evaluate_prints_the_amount(run: Runner, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kr.yaml",
        "partner: KR\nsecurity: kyc\ncompute: {2026: 100_000}\nconcessions: {invest-us: USD 75bn}\n",
    )
    result = run("evaluate", path, "--portfolio", REPO / "deals/portfolios/global.yaml")
    assert result.exit_code == 3, result.output  # valued, and refused: 100,000 H100e is too little
    assert "invest-us=75bn" in result.stdout
    result = run("evaluate", path, "--portfolio", REPO / "deals/portfolios/global.yaml", "--json")
    assert '"invest-us": "75bn"' in result.stdout


# --- the optimizer --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["plain", "decompose"])
def test_the_optimizer_chooses_an_amount_inside_the_range(method: str) -> None:
    """A ≤ 50bn for the partner to accept; the US wants the most: 50bn, worth 5bn."""
    pf = fixture()
    result = solve(pf, method=method)
    assert result.objective == pytest.approx(5e9)
    (deal,) = result.deals
    assert deal.concessions == {"invest": "50bn"}
    assert check(pf, [deal.package()]).ok


def test_without_the_range_the_investment_is_out_of_reach() -> None:
    plain = {**INVEST, "amount": None, "levels": [{**INVEST["levels"][0], "amount": None}]}
    result = solve(fixture(plain))
    assert result.objective == pytest.approx(0.0)


def test_an_optimizer_amount_is_a_round_multiple_of_the_step() -> None:
    """With a step of 30bn the grid is 30bn, 60bn, 90bn: 30bn is the largest the partner
    accepts (60bn would cost 2.4bn > 2bn)."""
    pf = fixture({**INVEST, "amount": {"unit": "USD", "min": 0, "step": "30bn"}})
    (deal,) = solve(pf).deals
    assert deal.concessions == {"invest": "30bn"}


def test_the_term_sheet_prints_the_amount() -> None:
    pf = fixture()
    (deal,) = solve(pf).deals
    text = render_term_sheet(pf, deal)
    assert "The Partner will invest USD 50bn in the United States." in text


@st.composite
def ranged_portfolios(draw: st.DrawFn) -> Portfolio:
    """Generated portfolios whose levelled concessions become ranges (amounts 10bn, 50bn),
    sometimes starting at 0."""
    pf = generate(DrawPicker(draw), max_partners=3, max_periods=2, max_concessions=3)
    partners = []
    for p in pf.partners:
        menu = []
        for c in p.concessions:
            data = c.model_dump(exclude_none=True)
            if c.levels is not None and draw(st.booleans()):
                data["amount"] = {"unit": "USD", **({"min": 0} if draw(st.booleans()) else {})}
                for level, amount in zip(data["levels"], (10e9, 50e9), strict=True):
                    level["amount"] = amount
            menu.append(data)
        partners.append(p.model_validate({**p.model_dump(), "concessions": menu}))
    return pf.model_copy(update={"partners": partners})


@settings(max_examples=25)
@given(ranged_portfolios())
def test_both_methods_agree_on_ranges_and_pass_check(pf: Portfolio) -> None:
    """Both methods choose over the same grid, so their optima agree; each answer passes
    `check`; the grid only adds choices, so no optimum falls below the levels-only one."""
    plain = solve(pf, method="plain", gap=1e-7)
    fast = solve(pf, method="decompose", gap=1e-7)
    assert plain.objective is not None and fast.objective is not None
    assert math.isclose(plain.objective, fast.objective, rel_tol=1e-5, abs_tol=1e6)
    for result in (plain, fast):
        assert check(pf, [d.package() for d in result.deals]).ok
    levels_only = pf.model_copy(
        update={
            "partners": [
                p.model_validate(
                    {
                        **p.model_dump(),
                        "concessions": [
                            {
                                **c.model_dump(exclude_none=True, exclude={"amount"}),
                                "levels": [
                                    lv.model_dump(exclude={"amount"}) for lv in c.levels or []
                                ]
                                or None,
                            }
                            for c in p.concessions
                        ],
                    }
                )
                for p in pf.partners
            ]
        }
    )
    base = solve(levels_only, method="plain", gap=1e-7)
    assert base.objective is not None
    assert plain.objective >= base.objective - 1e-5 * abs(base.objective) - 1e6


def as_ranges(pf: Portfolio, with_min: bool) -> Portfolio:
    """Every levelled concession of `pf` as a range: its two levels at 10bn and 50bn
    (from 0 when `with_min`), the optimizer's default grid between them."""
    partners = []
    for p in pf.partners:
        menu = []
        for c in p.concessions:
            data = c.model_dump(exclude_none=True)
            if c.levels is not None:
                data["amount"] = {"unit": "USD", **({"min": 0} if with_min else {})}
                for level, amount in zip(data["levels"], (10e9, 50e9), strict=True):
                    level["amount"] = amount
            menu.append(data)
        partners.append(p.model_validate({**p.model_dump(), "concessions": menu}))
    return pf.model_copy(update={"partners": partners})


def grid_as_levels(pf: Portfolio) -> Portfolio:
    """The same menu with every amount the optimizer may choose written as a plain level."""
    partners = []
    for p in pf.partners:
        menu = []
        for c in p.concessions:
            data = c.model_dump(exclude_none=True, exclude={"amount"})
            if c.levels is not None:
                data["levels"] = [
                    o.model_dump(exclude={"amount"}) | {"id": o.id.replace(".", "_")}
                    for o in c.choices
                ]
            menu.append(data)
        partners.append(p.model_validate({**p.model_dump(), "concessions": menu}))
    return pf.model_copy(update={"partners": partners})


def ranged_instance(seed: int) -> Portfolio:
    """One or two partners, each with one range concession (levels at 10bn and 50bn,
    sometimes from 0) and a yes/no term, values drawn so that acceptance often binds
    inside the range."""
    pick = RandomPicker(seed)
    partners = []
    for code in ("AA", "BB")[: pick.int(1, 2)]:
        low_cost, high_cost = pick.choice(("200m", "500m")), pick.choice(("1bn", "2bn", "3bn"))
        invest = {
            "id": "invest",
            "title": "Investment",
            "amount": {"unit": "USD", **({"min": 0} if pick.bool() else {})},
            "levels": [
                {
                    "id": "lo",
                    "title": "lo",
                    "amount": "10bn",
                    "us_value": pick.choice(("500m", "1bn")),
                    "partner_cost": low_cost,
                },
                {
                    "id": "hi",
                    "title": "hi",
                    "amount": "50bn",
                    "us_value": pick.choice(("2bn", "4bn")),
                    "partner_cost": high_cost,
                },
            ],
        }
        yes_no = concession("term", us_value=pick.choice(("500m", "1bn")), partner_cost="500m")
        partners.append(
            partner(
                code,
                ask={"2026": pick.choice((50_000, 100_000))},
                value=pick.choice(("20k", "30k", "50k")),
                batna=pick.choice((0, "500m", "1bn", "2bn")),
                security_costs={
                    lv: pick.choice((0, "200m")) for lv in ("baseline", "kyc", "veu") if pick.bool()
                }
                or {"veu": 0},
                concessions=[invest, yes_no],
            )
        )
    the_policy = policy(
        export_value=pick.choice(("5k", "10k")), risk_penalty=pick.choice((0, "20k"))
    )
    return portfolio(the_policy, partners, supply={"2026": pick.choice((60_000, 150_000))})


@pytest.mark.parametrize("seed", range(20))
def test_a_range_optimum_equals_brute_force_over_its_grid(seed: int) -> None:
    """The optimizer over a range is exact over the grid: the same optimum as enumerating
    every discrete choice (tests/test_bruteforce.py) with each grid amount as a level."""
    from test_bruteforce import brute_force

    pf = ranged_instance(seed)
    for method in ("plain", "decompose"):
        result = solve(pf, method=method, gap=1e-9)
        assert result.status == "optimal", result.message
        assert result.objective == pytest.approx(brute_force(grid_as_levels(pf)), rel=1e-6, abs=1e3)
        assert check(pf, [d.package() for d in result.deals]).ok


def test_the_brute_force_instances_use_amounts_between_levels() -> None:
    chosen = [
        v
        for seed in range(20)
        for d in solve(ranged_instance(seed)).deals
        if isinstance(v := d.concessions.get("invest"), str)
    ]
    between = [v for v in chosen if v not in ("lo", "hi")]
    assert len(between) >= 5, chosen


def test_the_shipped_korean_counter_names_an_amount() -> None:
    """docs/amounts.md: 75bn on KR's range is 3.75bn to the US and 2.25bn to Korea."""
    pf = load_portfolio(REPO / "deals/portfolios/global.yaml")
    deal = evaluate(pf, load_package(REPO / "deals/packages/kr-counter.yaml", pf))
    assert deal.concessions == {"invest-us": "75bn", "hbm-priority": True}
    assert deal.us_concession_value == pytest.approx(6.75e9)
    assert deal.concession_cost == pytest.approx(4.25e9)
    assert deal.accepts and not deal.violations
