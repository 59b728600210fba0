"""The analysis commands on inputs the shipped data never shows (a QA pass of issue 11).

Each test is one fault a new user met, written as what they rely on: a partner file
written for one regime's security levels, compared under another regime, is refused
with the file, line and field (not a traceback); a shadow price is tested one whole
step of compute away; a sweep's change point is printed with digits that tell its two
ends apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dealbench.analyze.prices import LimitPrice, Prices, shadow_prices
from dealbench.analyze.scenarios import apply_overrides
from dealbench.checker import check
from dealbench.errors import InputError
from dealbench.model import load_portfolio
from dealbench.model.regimes import find_regime, under_regime
from dealbench.optimize import solve
from dealbench.optimize.result import Status
from dealbench.render.charts import Chart, svg
from helpers import Runner

POLICY = """\
id: house
title: A house regime with its own security levels
security_levels:
  - {id: low, title: Low, mitigation: 0.0}
  - {id: high, title: High, mitigation: 0.9}
caps:
  tier1: {}
  tier2: {low: 10_000, high: 90_000}
  tier3: 0
export_value_per_h100e: 10k
risk_penalty_per_h100e: 100k
acceptance_margin: 0
"""

PARTNER = """\
code: XA
name: Xanadu
tier: 2
diversion_risk: 0.2
ask: {2030: 70_000, 2031: 80_000}
value_per_h100e: 40k
batna: 1bn
security_costs: {low: 0, high: 700m}
concessions:
  - id: inv
    title: Investment
    category: investment
    us_value: 3bn
    partner_cost: 2.5bn
    requires: [{security: high}]
"""

PORTFOLIO = """\
id: house
title: House portfolio
policy: house.yaml
periods: [2030, 2031]
supply: {2030: 150_000, 2031: 100_000}
partners: [xa.yaml]
"""


@pytest.fixture
def house(tmp_path: Path) -> Path:
    """A portfolio whose regime names its security levels `low` and `high`."""
    (tmp_path / "house.yaml").write_text(POLICY)
    (tmp_path / "xa.yaml").write_text(PARTNER)
    (tmp_path / "portfolio.yaml").write_text(PORTFOLIO)
    return tmp_path / "portfolio.yaml"


# --- a partner's security levels under another regime ----------------------------------


def test_another_regime_without_the_partners_levels_is_bad_input(house: Path) -> None:
    """Under `tiered` (baseline, kyc, veu) the partner's `low` and `high` name nothing:
    every such level is reported at its file and line, before any solve."""
    pf = load_portfolio(house)
    with pytest.raises(InputError) as caught:
        under_regime(pf, find_regime("tiered"))
    text = str(caught.value)
    assert "xa.yaml:8: security_costs.low: unknown security level 'low' in regime tiered" in text
    assert "security_costs.high" in text
    assert "concessions[0].requires[0].security" in text


@pytest.mark.parametrize("command", ["solve", "compare"])
def test_cli_another_regime_without_the_partners_levels(
    run: Runner, house: Path, command: str
) -> None:
    option = ["--policy", "tiered"] if command == "solve" else ["--regimes", "tiered", "-j", "1"]
    result = run(command, house, *option)
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert "unknown security level 'low' in regime tiered" in result.stderr
    assert result.stdout == ""


# --- shadow prices against finite differences ------------------------------------------

SHARED_POLICY = """\
id: shared
title: Three security levels
security_levels:
  - {id: low, title: Low, mitigation: 0.0}
  - {id: mid, title: Mid, mitigation: 0.6}
  - {id: high, title: High, mitigation: 0.95}
caps:
  tier1: {}
  tier2: {low: 10_000, mid: 40_000, high: 90_000}
  tier3: 0
export_value_per_h100e: 10k
risk_penalty_per_h100e: 100k
acceptance_margin: 0
"""

HELD = """\
code: XA
name: Xanadu
tier: 2
diversion_risk: 0.2
ask: {2030: 70_000, 2031: 80_000, 2032: 50_000}
value_per_h100e: [{upto: 30_000, value: 50k}, {upto: 80_000, value: 20k}]
batna: 1bn
us_batna: -2bn
security_costs: {low: 0, mid: 100m, high: 700m}
concessions:
  - id: inv
    title: Investment
    category: investment
    levels:
      - {id: small, title: Small, us_value: 1bn, partner_cost: 800m}
      - {id: big, title: Big, us_value: 3bn, partner_cost: 2.5bn}
  - id: sec
    title: Security pledge
    category: security
    us_value: 300m
    partner_cost: 200m
    requires: [{security: mid}]
"""

FREE = """\
code: ZC
name: Zed
tier: 1
diversion_risk: 0.05
ask: {2030: 100_000, 2031: 100_000, 2032: 100_000}
value_per_h100e: 25k
batna: 500m
security_costs: {low: 0, mid: 20m, high: 200m}
concessions:
  - {id: buy, title: Purchase, category: purchase, us_value: 2bn, partner_cost: 1bn}
"""

SHARED = """\
id: shared
title: Two partners sharing supply; none in 2032
policy: shared.yaml
periods: [2030, 2031, 2032]
supply: {2030: 150_000, 2031: 100_000, 2032: 0}
partners: [xa.yaml, zc.yaml]
"""


@pytest.fixture(scope="module")
def shared_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shared")
    for name, text in [
        ("shared.yaml", SHARED_POLICY),
        ("xa.yaml", HELD),
        ("zc.yaml", FREE),
        ("portfolio.yaml", SHARED),
    ]:
        (folder / name).write_text(text)
    return folder / "portfolio.yaml"


@pytest.fixture(scope="module")
def shared(shared_file: Path):  # type: ignore[no-untyped-def]
    """XA is held to its BATNA, at its 2030 ask; ZC (9,750 USD net per H100e under
    `high`: 10k - 100k x 0.05 x 0.05) takes the rest of 2030 and 2031 supply.

    Optimum (compute in steps of 1,000 H100e): XA high with inv=big and sec,
    70,000 + 60,000 H100e (its value 2.3bn + 2.1bn - 2.5bn - 0.2bn - 0.7bn = 1bn, its
    BATNA); ZC high with buy, 80,000 + 40,000; V = 4.47bn + 3.17bn = 7.64bn.
    """
    pf = load_portfolio(shared_file)
    result = solve(pf)
    assert result.status == Status.OPTIMAL
    assert check(pf, [d.package() for d in result.deals]).ok
    assert result.us_value == pytest.approx(7.64e9, rel=1e-9)
    return pf, result, shadow_prices(pf, result)


def _limit(prices: Prices, period: str) -> LimitPrice:
    return next(lim for lim in prices.limits if lim.kind == "supply" and lim.period == period)


def test_supply_price_agrees_with_a_resolve_one_whole_step_away(shared) -> None:  # type: ignore[no-untyped-def]
    """The 1% step of 150,000 H100e (1,500) is not a whole number of the portfolio's
    1,000-H100e steps: it is tested over 2,000 instead, where ZC takes every H100e, and
    the price of 9,750 USD agrees with the re-solve (no warning)."""
    pf, result, prices = shared
    lim = _limit(prices, "2030")
    assert lim.usd_per_unit == pytest.approx(9_750)
    assert lim.step == 2_000
    assert lim.mip_up == pytest.approx(9_750) and lim.mip_down == pytest.approx(9_750)
    assert lim.warning is None
    assert not any(w.startswith("Supply in 2030") for w in prices.warnings)
    # the same finite difference by hand, as `solve --set portfolio.supply.2030=...` does
    moved = solve(apply_overrides(pf, {"portfolio.supply.2030": 152_000}))
    assert moved.us_value is not None and result.us_value is not None
    assert (moved.us_value - result.us_value) / 2_000 == pytest.approx(9_750)


def test_a_cut_priced_the_same_is_not_said_to_cost_more(shared) -> None:  # type: ignore[no-untyped-def]
    """HiGHS ranges no decrease of 2030 supply at this (degenerate) optimum, yet each
    H100e cut costs ZC's 9,750 USD as well: the text says so, not 'a cut costs more'."""
    _pf, _result, prices = shared
    lim = _limit(prices, "2030")
    assert lim.lp_down == pytest.approx(lim.usd_per_unit)
    assert lim.holds_from is not None and lim.step is not None
    assert lim.holds_from < lim.limit - lim.step
    assert "a cut costs more" not in lim.text
    assert "each one cut costs as much" in lim.text
    for each in prices.limits:  # wherever the text says a cut costs more, it does
        if "a cut costs more" in each.text and each.lp_down is not None:
            assert each.lp_down > each.usd_per_unit + 1


def test_a_rounding_loss_is_not_blamed_on_the_discrete_choices(shared) -> None:  # type: ignore[no-untyped-def]
    """One H100e of 2032 supply to XA lets XA give up 2.5 H100e of 2030 (at 20k) to ZC:
    9,000 + 2.5 x 750 = 10,875 USD. In whole steps XA gives up 2,000, not 2,500: 10,500
    per H100e. Nothing discrete changes, so the warning names the steps of compute."""
    _pf, _result, prices = shared
    lim = _limit(prices, "2032")
    assert lim.usd_per_unit == pytest.approx(10_875)
    assert lim.mip_up == pytest.approx(10_500)
    assert lim.changes_up == []
    assert lim.warning is not None
    assert "decided in steps of 1,000 H100e" in lim.warning
    assert "holds only while today's deals" not in lim.warning
    assert lim.text.startswith(  # there is no 2032 supply to cut; past the range, its rate
        "One more H100e of 2032 supply is worth $10,875 to the US, over the next 20,000 H100e."
    )


# --- sweeps ------------------------------------------------------------------------------


def test_a_narrowed_change_point_prints_two_different_values(
    run: Runner, shared_file: Path
) -> None:
    """XA keeps `sec` up to a BATNA of exactly 1.4bn (its surplus with inv=big, sec and
    `high` at full compute: 4.8bn - 3.4bn). Six bisections of 1.4bn..1.6bn narrow that
    to 3.1m, which three figures print as "$1.40bn and $1.40bn"."""
    result = run(
        "sweep", shared_file, "--param", "partners.XA.batna", "--from", "1bn", "--to", "3bn",
        "--steps", "11", "-j", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Between $1.400bn and $1.403bn the optimal package changes: XA: drops sec" in " ".join(
        result.stdout.split()
    )


def test_grid_values_closer_than_three_figures_are_told_apart(
    run: Runner, shared_file: Path
) -> None:
    result = run(
        "sweep", shared_file, "--param", "partners.XA.batna", "--from", "1.40bn", "--to",
        "1.41bn", "--steps", "3", "--refine", "0", "-j", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for label in ("$1.400bn", "$1.405bn", "$1.410bn"):
        assert f"│ {label} " in result.stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--steps", "1"],
            "error: --steps: one value cannot include both ends of the range; "
            "give 2 steps or more (or the same value at both ends)",
        ),
        (["--refine", "-1"], "error: --refine: expected 0 or more bisections, got -1"),
        (
            ["--steps", "100000"],  # 100,000 solves: hours, with nothing said
            "error: --steps: expected at most 1,000 values (each is a full solve), got "
            "100,000; each change of package is narrowed by bisection between two values anyway",
        ),
        (
            ["--refine", "1000"],
            "error: --refine: expected at most 30 bisections (each halves the interval; 30 "
            "narrow it a billion times), got 1,000",
        ),
    ],
)
def test_a_sweep_that_cannot_do_what_it_says_is_bad_input(
    run: Runner, shared_file: Path, options: list[str], message: str
) -> None:
    result = run(
        "sweep", shared_file, "--param", "partners.XA.batna", "--from", "1bn", "--to", "3bn",
        "-j", "1", *options,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert not result.traceback
    assert result.stderr.strip() == message
    assert result.stdout == ""


def test_a_scenario_that_moves_only_compute_says_so(run: Runner, shared_file: Path) -> None:
    """With 60,000 H100e of 2032 supply the terms stay (XA high, inv=big, sec; ZC high,
    buy) but the compute moves (ZC 120,000 -> 210,000 H100e, XA 130,000 -> 100,000): the
    row said "-", as if nothing had changed."""
    scenarios = shared_file.parent / "scenarios.yaml"
    scenarios.write_text(
        "scenarios:\n  - id: more-2032\n    title: Supply in 2032\n"
        "    set: {portfolio.supply.2032: 60_000}\n"
    )
    result = run("sweep", shared_file, scenarios, "--json", "-j", "1")
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)["rows"]}
    assert rows["more-2032"]["packages"] == rows["base"]["packages"]
    assert rows["more-2032"]["changes"] == [
        "XA: compute 130,000 -> 100,000 H100e",
        "ZC: compute 120,000 -> 210,000 H100e",
    ]
    assert rows["base"]["changes"] == []


@pytest.mark.parametrize(
    ("path", "money"),
    [
        ("partners.XA.batna", True),
        ("partners.XA.security_costs.high", True),
        ("partners.XA.value_per_h100e.0.value", True),
        ("partners.XA.concessions.inv.levels.big.us_value", True),
        ("policy.risk_penalty_per_h100e", True),
        ("portfolio.supply.2030", False),
        ("partners.XA.ask.2030", False),
        ("partners.XA.diversion_risk", False),
        ("policy.security_levels.mid.mitigation", False),
    ],
)
def test_a_swept_figure_knows_whether_it_is_money(shared, path: str, money: bool) -> None:  # type: ignore[no-untyped-def]
    from dealbench.analyze.sweep import is_money

    pf, _result, _prices = shared
    assert is_money(pf, path) is money


def test_a_money_sweep_prints_every_value_as_usd(run: Runner, shared_file: Path) -> None:
    """A BATNA swept from 500m printed "500,000,000" beside "$1.00bn" in one column."""
    result = run(
        "sweep", shared_file, "--param", "partners.XA.batna", "--from", "500m", "--to",
        "1bn", "--steps", "2", "--refine", "0", "-j", "1", "--json",
    )  # fmt: skip
    assert json.loads(result.stdout)["unit"] == "USD"
    table = run(
        "sweep", shared_file, "--param", "partners.XA.batna", "--from", "500m", "--to",
        "1bn", "--steps", "2", "--refine", "0", "-j", "1",
    )  # fmt: skip
    assert "│ $500.0m │" in table.stdout and "│ $1.00bn │" in table.stdout


def test_two_regimes_that_do_exactly_as_well_are_not_ranked(
    run: Runner, shared_file: Path, tmp_path: Path
) -> None:
    """The same regime under two ids: the memo said "Adopt Three security levels (shared):
    it gives the United States the highest utility", picking the first of a tie."""
    twin = shared_file.parent / "twin.yaml"
    twin.write_text(SHARED_POLICY.replace("id: shared", "id: twin"))
    regimes = f"{shared_file.parent / 'shared.yaml'},{twin}"
    out = tmp_path / "out"
    result = run(
        "compare", shared_file, "--regimes", regimes, "-j", "1", "--out", out, "--render", "md",
        "--date", "2026-12-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "* Highest US utility: shared (Three security levels), tied with twin" in (
        " ".join(result.stdout.split())
    )
    memo = (out / "memos" / "options-shared.md").read_text()
    assert "Adopt" not in memo
    assert (
        "Three security levels (shared) and Three security levels (twin) give the United "
        "States the same utility, $7.64bn" in memo
    )
    comparison = json.loads((out / "comparison.json").read_text())
    assert comparison["best"] == "shared" and comparison["tied"] == ["twin"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["compare", "--regimes", "tiered", "--time-limit", "-1"],
            "error: --time-limit: expected a positive number of seconds, such as 30, got -1",
        ),
        (
            ["sweep", "--param", "partners.XA.batna", "--from", "1bn", "--to", "2bn",
             "--time-limit", "0"],
            "error: --time-limit: expected a positive number of seconds, such as 30, got 0",
        ),
        (
            ["compare", "--regimes", "tiered", "--render", "xls", "--out", "x"],
            "error: --render: unknown format 'xls'; expected one or more of: md, html, docx, pdf, json",
        ),
        (
            ["solve", "--render", "xls", "--out", "x"],
            "error: --render: unknown format 'xls'; expected one or more of: md, html, docx, pdf, json",
        ),
    ],
)  # fmt: skip
def test_bad_options_of_the_analysis_commands_name_themselves(
    run: Runner, house: Path, args: list[str], message: str
) -> None:
    """compare and sweep took a negative --time-limit (solve refused it); an unknown
    --render format was reported as --format's."""
    command, *options = args
    result = run(command, house, *options)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == message
    assert not result.traceback


@pytest.mark.parametrize("mode", ["us-best", "nash"])
def test_a_us_floor_outside_partner_best_is_refused_not_ignored(
    run: Runner, shared_file: Path, mode: str
) -> None:
    """`solve --v-floor 100bn` (us-best) printed V = 7.64bn, exit 0, as if the floor held."""
    result = run("solve", shared_file, "--mode", mode, "--v-floor", "100bn")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        "error: --v-floor: a floor on US utility is for the partner-best mode; "
        f"the {mode} mode does not use it"
    )
    assert result.stdout == ""


# --- charts in the memos ----------------------------------------------------------------


def test_value_risk_ticks_read_differently_and_every_marker_shows() -> None:
    """Two options with 1,128 and 1,600 risk-weighted H100e and US utilities of 5.69bn and
    7.64bn (as an options memo of two house regimes has them): ticks 200 apart printed as
    thousands read "1k 1k 1k 2k", ticks 0.25bn apart as "$7.2bn" for 7.25bn."""
    import re

    chart = Chart(
        id="t",
        kind="value-risk",
        caption="",
        data={
            "points": [
                {"label": "p1", "risk": 1_600.0, "value_bn": 7.64, "h100e": 250_000.0},
                {"label": "p2", "risk": 1_128.0, "value_bn": 5.69, "h100e": 250_000.0},
            ],
            "ylabel": "US utility",
        },
    )
    text = svg(chart)
    for axis in ("xtick", "ytick"):
        labels = re.findall(rf'<g id="{axis}_\d+">.*?<text[^>]*>([^<]*)</text>', text, re.S)
        assert len(labels) >= 3
        assert len(set(labels)) == len(labels), labels
    xs = re.findall(r'<g id="xtick_\d+">.*?<text[^>]*>([^<]*)</text>', text, re.S)
    assert float(xs[-1].replace(",", "")) > 1_600  # the riskiest marker is inside the axes


# --- a robust solve's prices --------------------------------------------------------------

UNSURE = """\
code: UA
name: Unsure A
tier: 2
diversion_risk: {dist: triangular, low: 0.1, mode: 0.2, high: 0.4}
ask: {2030: 100_000}
value_per_h100e: 30k
batna: {dist: uniform, low: 1bn, high: 3bn}
security_costs: {low: 0, high: 0}
concessions:
  - id: c1
    title: C one
    category: other
    us_value: 1bn
    partner_cost: {dist: uniform, low: 0, high: 400m}
"""

NORMAL = """\
code: UB
name: Unsure B
tier: 2
diversion_risk: 0.1
ask: {2030: 100_000}
value_per_h100e: {dist: normal, mean: 30k, sd: 5k, low: 20k, high: 40k}
batna: 1.8bn
security_costs: {low: 0, high: 0}
concessions: []
"""

UNSURE_PORTFOLIO = """\
id: unsure
title: Two uncertain partners, one period
policy: house.yaml
periods: [2030]
supply: {2030: 150_000}
partners: [ua.yaml, ub.yaml]
caps: {UA: {high: 100_000}, UB: {high: 100_000}}
"""


@pytest.fixture
def unsure(tmp_path: Path) -> Path:
    """At the means UA (BATNA 2bn) and UB share 150,000 H100e. Accepted in 90% of samples:
    UA at its full 100,000 with c1 (P[BATNA + cost <= 3bn] = E[(2bn - cost)/2bn] = 0.9),
    and UB, which would need 77,000 more, gets none (UA is worth 1.88bn, UB 0.95bn)."""
    (tmp_path / "house.yaml").write_text(POLICY)
    (tmp_path / "ua.yaml").write_text(UNSURE)
    (tmp_path / "ub.yaml").write_text(NORMAL)
    (tmp_path / "portfolio.yaml").write_text(UNSURE_PORTFOLIO)
    return tmp_path / "portfolio.yaml"


def test_robust_prices_are_the_robust_optimums(run: Runner, unsure: Path) -> None:
    """The robust optimum leaves 50,000 H100e unused, so supply is worth 0, and the
    re-solves one step away are of the same robust problem: they do not report UB
    gaining a deal (which only the mean-value problem gives it)."""
    result = run("solve", unsure, "--robust", "0.9", "--samples", "2000", "--prices", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["partner"] for d in data["deals"]] == ["UA"]
    assert data["robustness"]["reached"] is True
    assert data["prices"]["supply"] == {"2030": 0.0}
    assert data["prices"]["warnings"] == []


# --- the --help examples ----------------------------------------------------------------


def test_every_result_an_example_reads_is_one_an_example_writes() -> None:
    """`dealbench diff out/bilateral/result.json ...` named a file no example writes (the
    compare example writes out/compare/bilateral/result.json): run in order, as a new user
    does, the examples must feed each other."""
    import re

    from dealbench.cli.app import app
    from dealbench.model.regimes import REGIMES

    commands = {
        c.name or (c.callback.__name__ if c.callback else ""): c for c in app.registered_commands
    }
    lines = [
        line.strip()[2:]
        for command in commands.values()
        for line in (command.epilog or "").splitlines()
        if line.strip().startswith("$ dealbench")
    ]
    written: set[str] = set()
    for line in lines:
        out = re.search(r"--out (\S+)", line)
        if out is None:
            continue
        folder = out.group(1).rstrip("/")
        if line.startswith("dealbench solve"):
            written.add(f"{folder}/result.json")
        if line.startswith("dealbench compare"):
            written |= {f"{folder}/{regime}/result.json" for regime in REGIMES}
    read = [
        path
        for line in lines
        for path in re.findall(r"(?<!--out )(?<!--against )\b(out/\S*result\.json)", line)
    ]
    assert read, "no example reads a result"
    missing = sorted({path for path in read if path not in written})
    assert not missing, f"examples read results no example writes: {missing}"


def test_risk_of_a_package_that_breaks_limits_says_so(run: Runner, unsure: Path) -> None:
    """200,000 H100e against UA's ask and cap of 100,000 and 150,000 of supply: `risk`
    printed "Accept probability: 100.0%" and nothing else, exit 0; `evaluate` refuses the
    same package (exit 3)."""
    package = unsure.parent / "over.yaml"
    package.write_text("partner: UA\nsecurity: high\ncompute: {2030: 200_000}\n")
    result = run("risk", package, "--portfolio", unsure, "--samples", "500", "--json")
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["violations"] == [
        "UA: 2030 compute 200,000 H100e exceeds its ask of 100,000 H100e",
        "UA: 2030 compute 200,000 H100e exceeds UA's own cap under high of 100,000 H100e",
        "supply in 2030: 200,000 H100e allocated, 150,000 available",
    ]
    table = run("risk", package, "--portfolio", unsure, "--samples", "500")
    assert table.exit_code == 3
    assert "Breaks limits, whatever the samples:" in table.stdout
    inside = unsure.parent / "inside.yaml"
    inside.write_text("partner: UA\nsecurity: high\ncompute: {2030: 60_000}\n")
    fine = run("risk", inside, "--portfolio", unsure, "--samples", "500", "--json")
    assert fine.exit_code == 0 and json.loads(fine.stdout)["violations"] == []


def test_a_memo_of_uncertain_figures_says_they_count_at_their_means(
    run: Runner, unsure: Path, tmp_path: Path
) -> None:
    """UA's BATNA is uniform 1bn..3bn: the memo showed UA's margin at the mean as if
    certain (DESIGN.md: deterministic commands use the mean, and say so)."""
    out = tmp_path / "out"
    solved = run("solve", unsure, "--out", out, "--render", "md", "--date", "2026-12-01")
    assert solved.exit_code == 0, solved.output
    memo = (out / "memos" / "portfolio-unsure.md").read_text()
    assert (
        "Uncertain figures count at their means in these packages: UA's walk-away value (uniform 1bn "
        "to 3bn; mean 2bn), diversion-risk index (triangular 0.1 to 0.4, mode 0.2; mean 0.233), "
        "cost of C one (uniform 0 to 400m; mean 200m); UB's value per H100e "
        "(normal, mean 30k, sd 5k, truncated to 20k..40k; mean 30k)."
    ) in " ".join(memo.split())


# --- a cap's step moves that cap only ----------------------------------------------------


def test_a_caps_step_moves_that_partners_cap_in_that_period_only() -> None:
    """AA and BB (tier 2) both sit on the tier's cap under veu (50,000 H100e a year),
    each H100e worth 8,000 USD to the US (10k - 100k x 0.2 x 0.1). One more H100e of
    AA's 2026 cap is worth 8,000, and so is the full model's step: the re-solve used to
    raise the tier's cap, so all four caps moved at once (4 x 8,000 = 32,000 per H100e)
    and every cap was warned about."""
    from builders import partner, policy, portfolio
    from dealbench.analyze.fixed_lp import LimitRow
    from dealbench.analyze.steps import moved_limit

    regime = policy(caps={"tier2": {"baseline": 0, "kyc": 0, "veu": 50_000}, "tier3": 0})
    ask = {"2026": 100_000.0, "2027": 100_000.0}
    pf = portfolio(
        regime,
        [partner("AA", ask=ask), partner("BB", ask=ask)],
        supply={"2026": 500_000, "2027": 500_000},
        granularity=1_000,
    )
    aa, bb = pf.partners
    moved = moved_limit(
        pf,
        LimitRow(kind="cap", row=0, value=50_000, period="2026", partner="AA", level="veu"),
        51_000,
    )
    assert moved.cap(aa, "veu", "2026") == 51_000
    assert moved.cap(aa, "veu", "2027") == 50_000
    assert moved.cap(bb, "veu", "2026") == moved.cap(bb, "veu", "2027") == 50_000

    result = solve(pf)
    assert result.us_value == pytest.approx(4 * 50_000 * 8_000)
    assert check(pf, [d.package() for d in result.deals]).ok
    prices = shadow_prices(pf, result)
    assert len(prices.caps) == 4
    for lim in prices.limits:
        if lim.kind == "cap":
            assert lim.usd_per_unit == pytest.approx(8_000)
            assert lim.mip_up == pytest.approx(8_000)
            assert lim.warning is None
    assert prices.warnings == []


def test_a_required_deal_in_lower_case_is_the_partners_code(run: Runner) -> None:
    """Partner codes are upper case, and every --partner option reads `ae` as AE; only
    --require-deal refused it as a partner not in the portfolio."""
    result = run("solve", "deals/portfolios/gulf-asia.yaml", "--require-deal", "my", "--json")
    assert result.exit_code == 0, result.stderr
    assert "MY" in [d["partner"] for d in json.loads(result.stdout)["deals"]]


def test_an_options_memo_of_stopped_solves_recommends_nothing_it_has_not_proven() -> None:
    """A regime whose solve the time limit stopped has the best packages found, not the
    best there are: the memo said "Adopt repeal: it gives the United States the highest
    utility" (or called stopped regimes equivalent) as if each were proven optimal."""
    from dealbench.analyze.compare import RegimeRow
    from dealbench.analyze.memo import recommendation

    def row(regime: str, status: str, value: float) -> RegimeRow:
        return RegimeRow(regime=regime, title=regime, status=status, us_value=value)

    proven = recommendation([row("repeal", "optimal", 3e11), row("tiered", "optimal", 1e11)])
    assert proven.startswith("Adopt repeal without replacement (repeal): it gives")
    assert "time limit" not in proven
    stopped = recommendation([row("repeal", "time-limit", 3e11), row("tiered", "optimal", 1e11)])
    assert not stopped.startswith("Adopt") and "highest utility" in stopped
    assert stopped.endswith(
        "The solve under repeal stopped at the time limit: the figures are of the best "
        "packages found before it, not proven the best there are, so this ranking may change "
        "and recommends no option; solve again with a longer time limit before deciding."
    )
    tied = recommendation([row("repeal", "time-limit", 1e11), row("tiered", "time-limit", 1e11)])
    assert "The solves under repeal and tiered stopped at the time limit" in tied


def test_an_empty_list_of_segments_set_is_told_as_in_a_file() -> None:
    """`--set partners.AE.value_per_h100e=[]` gave two errors, "expected a number, got a
    list" (the single value's branch) and the segments' own; a file gives the second only."""
    pf = load_portfolio("deals/portfolios/gulf-asia.yaml")
    with pytest.raises(InputError) as caught:
        apply_overrides(pf, {"partners.AE.value_per_h100e": []})
    assert [i.message for i in caught.value.issues] == [
        "expected at least 1 segment ({upto, value}), got none"
    ]
