"""Session 45 (qa45-polish): small faults colleagues noticed and left, each met as a user
meets it (docs/decisions.md, "Session 45 (qa45-polish)")."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dealbench.model import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult, solve
from helpers import REPO, Runner

SHIPPED = REPO / "deals"
GULF = SHIPPED / "portfolios" / "gulf-asia.yaml"


@cache
def _tiny() -> tuple[Portfolio, SolveResult]:
    pf = load_portfolio(REPO / "tests" / "data" / "tiny" / "portfolio.yaml")
    return pf, solve(pf).raise_for_status()


def _with_compute(result: SolveResult, code: str, amount: float) -> SolveResult:
    deals = [
        d.model_copy(update={"compute": dict.fromkeys(d.compute, amount)})
        if d.partner == code
        else d
        for d in result.deals
    ]
    return result.model_copy(update={"deals": deals})


def test_diff_says_a_change_of_compute_below_100_h100e_as_it_prints() -> None:
    """`diff` said a compute below 100 H100e (printed to the hundredth) changing from 0.1 to
    0.3 H100e "(+0)", a real change as none, in whole units; it says "(+0.2)"."""
    from dealbench.analyze import diff_results

    result = _tiny()[1]
    a, b = _with_compute(result, "AA", 0.1), _with_compute(result, "AA", 0.3)
    [row] = [p for p in diff_results(a, b).partners if p.partner == "AA"]
    [said] = [c for c in row.changes if "compute" in c]
    assert said == "2026 compute 0.1 -> 0.3 H100e (+0.2)", said
    a, b = _with_compute(result, "AA", 40_000), _with_compute(result, "AA", 30_000)
    [row] = [p for p in diff_results(a, b).partners if p.partner == "AA"]
    assert "2026 compute 40,000 -> 30,000 H100e (-10,000)" in row.changes


def _redline(tmp_path: Path, run: Runner, new: Path) -> str:
    out = tmp_path / "redline.md"
    done = run(
        "redline", SHIPPED / "packages" / "ae-offer.yaml", new, "--portfolio", GULF,
        "--audience", "internal", "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return " ".join(out.read_text("utf-8").split())


def test_the_redline_note_on_interacting_terms_fits_the_change(run: Runner, tmp_path: Path) -> None:
    """The internal redline of the UAE offer against its counter (both `security: veu`)
    explained that terms interact "(the security level changes the risk of every H100e)",
    a level that did not change. The example is given where the level changes; else the
    note says it generally."""
    same_level = _redline(tmp_path, run, SHIPPED / "packages" / "ae-counter.yaml")
    assert "security level changes" not in same_level
    assert "terms can interact, so they need not add up to the whole" in same_level
    text = (SHIPPED / "packages" / "ae-counter.yaml").read_text("utf-8")
    kyc = tmp_path / "ae-kyc.yaml"
    kyc.write_text(text.replace("security: veu", "security: kyc", 1))
    other_level = _redline(tmp_path, run, kyc)
    assert (
        "terms interact (the security level changes the risk of every H100e), so they need "
        "not add up to the whole" in other_level
    )


def test_an_amount_between_fixed_levels_says_a_range_is_needed_and_where(
    run: Runner, tmp_path: Path
) -> None:
    """`invest-us: 800bn` for AE's invest-us (levels 200bn and 1400bn, no `amount:`) was
    refused as an unknown level with the two ids only, leaving the user to learn that an
    amount between levels needs the concession to be a range. The refusal says so, with
    the concession's file and line and the docs to read."""
    package = tmp_path / "ae.yaml"
    text = (SHIPPED / "packages" / "ae-offer.yaml").read_text("utf-8")
    package.write_text(text.replace("invest-us: 1400bn", "invest-us: 800bn"), "utf-8")
    done = run("evaluate", package, "--portfolio", GULF)
    assert done.exit_code == 2 and not done.traceback, done.output
    from dealbench.model.yamlio import display_path

    partner = display_path(SHIPPED / "partners" / "ae.yaml")  # as the portfolio names it
    line = Path(partner).read_text("utf-8").splitlines().index("  - id: invest-us") + 1
    assert done.stderr.rstrip().endswith(
        "concessions.invest-us: unknown level '800bn' of 'invest-us'; expected one of: 200bn, "
        f"1400bn; 'invest-us' ({partner}:{line}) has fixed levels: an amount between them "
        "needs the concession to declare a range, `amount:` with an amount on each level "
        "(docs/amounts.md, docs/formats.md)"
    ), done.stderr
    # a level misspelt is no amount: nothing said of ranges
    package.write_text(text.replace("invest-us: 1400bn", "invest-us: large"), "utf-8")
    done = run("evaluate", package, "--portfolio", GULF)
    assert done.exit_code == 2 and "range" not in done.stderr, done.stderr


def test_redline_into_a_folder_writes_under_redlines_as_the_demo_does(
    run: Runner, tmp_path: Path
) -> None:
    """`redline A B --out out/` wrote out/redline-*.md where the demo (and a negotiation's
    rounds) write redlines under redlines/, as term sheets go under term-sheets/. One
    layout: redlines/. A file named by `--out x.md` is still that file."""
    packages = SHIPPED / "packages"
    out = tmp_path / "out"
    done = run(
        "redline", packages / "ae-offer.yaml", packages / "ae-counter.yaml",
        "--portfolio", GULF, "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    written = out / "redlines" / "redline-AE-offer-001-to-counter-002.md"
    assert done.stdout.split() == [str(written)] and written.is_file()
    demo = tmp_path / "demo"
    assert run("demo", "--out", demo).exit_code == 0
    assert (demo / "redlines" / "redline-AE-offer-001-to-counter-002-internal.md").is_file()
    named = tmp_path / "mine.md"
    done = run(
        "redline", packages / "ae-offer.yaml", packages / "ae-counter.yaml",
        "--portfolio", GULF, "--out", named,
    )  # fmt: skip
    assert done.exit_code == 0 and named.is_file(), done.output


def test_a_missing_portfolio_option_says_what_to_give(run: Runner) -> None:
    """`evaluate PACKAGE` without `--portfolio` said only click's "Missing option
    '--portfolio'". It says which portfolio, with the shipped example of the command's help
    and the line to run."""
    package = SHIPPED / "packages" / "ae-offer.yaml"
    done = run("evaluate", package)
    assert done.exit_code == 2 and not done.traceback, done.output
    said = " ".join(done.stderr.split())
    assert said.endswith(
        "Error: Missing option '--portfolio'. Give the portfolio the package belongs to, such "
        "as the shipped example deals/portfolios/gulf-asia.yaml: dealbench evaluate "
        f"{package} --portfolio deals/portfolios/gulf-asia.yaml"
    ), said
    done = run("redline", package, package, "--out", "x.md")
    said = " ".join(done.stderr.split())
    assert "Give the portfolio both packages belong to, such as the shipped example" in said


def test_a_partner_of_another_portfolio_of_the_same_data_is_said_to_be_there(
    run: Runner,
) -> None:
    """KR's counter checked against gulf-asia listed gulf-asia's codes only; KR is in
    global.yaml, beside it in deals/portfolios. The refusal says so."""
    done = run("evaluate", SHIPPED / "packages" / "kr-counter.yaml", "--portfolio", GULF)
    assert done.exit_code == 2, done.output
    assert done.stderr.rstrip().endswith(
        "partner 'KR' is not in portfolio gulf-asia; expected one of: AE, SA, QA, BH, IN, SG, "
        "MY, KZ, AM; KR is in global.yaml, not in gulf-asia.yaml"
    ), done.stderr
    done = run("frontier", GULF, "--partner", "XX")
    assert done.stderr.rstrip().endswith("expected one of: AE, SA, QA, BH, IN, SG, MY, KZ, AM")


def _portfolio_with(tmp_path: Path, periods: str, supply: str) -> Path:
    path = tmp_path / "quarters.yaml"
    path.write_text(
        f"id: quarters\ntitle: Quarters\npolicy: {SHIPPED / 'policy' / 'bilateral.yaml'}\n"
        f"periods: [{periods}]\nsupply: {{{supply}}}\n"
        f"partners: [{SHIPPED / 'partners' / 'ae.yaml'}]\n",
        "utf-8",
    )
    return path


def test_a_repeated_period_is_said_once_with_the_periods_it_left_out(
    run: Runner, tmp_path: Path
) -> None:
    """`periods: [2026Q1, 2026Q1, 2026Q1, 2026Q1]` (a label copied, not edited) said "listed
    twice" three times, then, for each later supply period, "not one of the portfolio's
    periods (2026Q1, 2026Q1, 2026Q1, 2026Q1)". The repeat is said once, with the supply's
    periods it left out and the list meant."""
    supply = "2026Q1: 1_000, 2026Q2: 1_000, 2026Q3: 1_000, 2026Q4: 1_000"
    path = _portfolio_with(tmp_path, "2026Q1, 2026Q1, 2026Q1, 2026Q1", supply)
    done = run("validate", path)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {path}:4: periods[1]: period '2026Q1' is listed 4 times; the supply names "
        "2026Q2, 2026Q3 and 2026Q4, which `periods` does not list: list each period once, "
        "such as periods: [2026Q1, 2026Q2, 2026Q3, 2026Q4]\n"
    )


def test_a_label_that_cannot_be_a_period_is_refused_in_a_partner_file_alone(
    run: Runner, tmp_path: Path
) -> None:
    """`dealbench validate deals/partners/ae.yaml` with `ask: {2026Q5: ...}` passed: the
    label was refused only once the partner was in a portfolio (as not one of its
    periods). A quarter or half beyond the year's is refused at its line wherever it is
    written."""
    partner = tmp_path / "ae.yaml"
    text = (SHIPPED / "partners" / "ae.yaml").read_text("utf-8")
    partner.write_text(text.replace("  2028: 1_250_000 ", "  2026Q5: 1_250_000 "), "utf-8")
    line = (
        partner.read_text("utf-8")
        .splitlines()
        .index(
            next(x for x in partner.read_text("utf-8").splitlines() if x.startswith("  2026Q5:"))
        )
        + 1
    )
    done = run("validate", partner)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        f"error: {partner}:{line}: ask.2026Q5: '2026Q5' cannot be a period: a year has four "
        "quarters, 2026Q1 to 2026Q4\n"
    )
    path = _portfolio_with(tmp_path, "2026H1, 2026H3", "2026H1: 1_000, 2026H3: 1_000")
    done = run("validate", path)
    assert "periods[1]: '2026H3' cannot be a period: a year has two halves, 2026H1 and " in (
        done.stderr
    )
