"""A policy staffer's first week, session 36 (qa36-newuser): a portfolio written by hand
from the reference (Türkiye, Poland, the Philippines with no concession at all, a
Switzerland whose walk-away value no package reaches, México; 2027-2029 with no supply in
2028, and the same partners in 2027 alone), two regimes of its own, and every memo and
term sheet read against the JSON and the YAML. Each test failed before its fix."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
import typer.main

from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.cli import app
from dealbench.render.limits import shared_limits
from helpers import REPO, invoke, words

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]
DATA = REPO / "tests/data/qa36newuser"
NORTE = DATA / "portfolios/norte.yaml"
NO_SUPPLY = (
    "There is no supply in 2028: no compute can be delivered then, though a partner with a "
    "deal asks for some."
)


def test_a_period_without_supply_is_not_said_to_be_fully_allocated(tmp_path: Path) -> None:
    """norte.yaml has `supply: {2027: 100_000, 2028: 0, 2029: 80_000}`; PL and MX ask 30,000
    H100e in 2028. `solve` said "Binding: Supply is fully allocated in 2028.", the JSON
    "Supply in 2028 is fully allocated (0 H100e).", and the portfolio memo "Supply is fully
    allocated in 2028 (0 H100e).": a principal reads that some compute was given out in
    2028, where there was none to give. Each now says there is no supply that year."""
    run = invoke(["solve", NORTE, "--out", tmp_path, "--render", "md", "--date", "2026-12-06"])
    assert run.exit_code == 0, run.output
    out = words(run.stdout)
    assert f"Binding: {NO_SUPPLY}" in out
    assert "fully allocated" not in out
    result = json.loads((tmp_path / "result.json").read_text())
    assert [b["message"] for b in result["binding"] if b["kind"] == "supply"] == [NO_SUPPLY]
    memo = (tmp_path / "memos/portfolio-norte-este.md").read_text()
    assert f"## Limits that bind\n\n- {NO_SUPPLY}\n" in memo
    assert "fully allocated" not in memo


def test_the_options_memo_says_a_period_without_supply_beside_one_used_in_full(
    tmp_path: Path,
) -> None:
    """Under repeal (no caps), the deals take all of 2029's 80,000 H100e: the options memo
    said "Binding: Supply is fully allocated in 2028 and 2029.", one sentence for a supply
    used in full and a supply of 0. The two are now said apart. (2029 cut to 60,000 H100e,
    which holds deals below their asks: at 80,000 every deal's full ask takes it and it
    binds no one, qa36-true.)"""
    args = ["--regimes", "repeal", "--out", tmp_path, "--render", "md", "--date", "2026-12-06"]
    args += ["--set", "portfolio.supply.2029=60_000"]
    run = invoke(["compare", NORTE, *args])
    assert run.exit_code == 0, run.output
    memo = (tmp_path / "memos/options-norte-este.md").read_text()
    assert f"Binding: Supply is fully allocated in 2029. {NO_SUPPLY}" in memo


def test_a_deal_memo_says_why_a_partner_gets_nothing_in_a_period_without_supply() -> None:
    """PL's deal memo and internal term sheet show "2028: 0 in the package of 30,000 asked"
    and, under "Limits that bind", only "PL receives its full ask in 2027 and 2029": nothing
    said why PL gets none of its 2028 ask. The limit is there being no supply in 2028; TR,
    which asks nothing in 2028, is not held by it."""
    pf = load_portfolio(NORTE)
    result = solve(pf)
    checked = check(pf, [d.package() for d in result.deals])
    assert shared_limits(pf, checked, "PL") == [
        "There is no supply in 2028: PL receives nothing then, though it asks for some."
    ]
    assert shared_limits(pf, checked, "TR") == []


def test_a_partner_named_by_its_name_is_told_its_code(tmp_path: Path) -> None:
    """The documents say "Türkiye", "México", "Poland"; a staffer who wrote `--set
    partners.Turkiye.batna=1bn`, `--partner México` or `partner: poland` in a package was
    told only "no partner 'Turkiye' in portfolio uno; expected one of: TR, PL, PH, CH, MX"
    (a code in the wrong case got "codes are upper case: write PH"). The name, in any case
    and with or without its accents, now points to its code."""
    uno = DATA / "portfolios/uno.yaml"
    run = invoke(["solve", uno, "--set", "partners.Turkiye.batna=1bn"])
    assert run.exit_code == 2
    assert run.stderr.endswith(
        "error: --set: partners.Turkiye.batna: no partner 'Turkiye' in portfolio uno; expected "
        "one of: TR, PL, PH, CH, MX (Türkiye is TR's name; write its code, TR)\n"
    )
    run = invoke(["frontier", uno, "--partner", "México"])
    assert run.exit_code == 2
    assert "(México is MX's name; write its code, MX)" in run.stderr
    package = tmp_path / "pl.yaml"
    package.write_text("partner: poland\nsecurity: veu\ncompute: {2027: 1000}\nconcessions: {}\n")
    run = invoke(["evaluate", package, "--portfolio", uno])
    assert run.exit_code == 2
    assert run.stderr.endswith(
        f"error: {package}:1: partner: partner 'poland' is not in portfolio uno; expected one "
        "of: TR, PL, PH, CH, MX (Poland is PL's name; write its code, PL)\n"
    )
    run = invoke(["solve", uno, "--set", "partners.ph.batna=1bn"])  # as before
    assert "(codes are upper case: write PH)" in run.stderr


def test_every_counter_example_of_its_help_runs_on_the_shipped_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dealbench counter --help` showed `counter deals/portfolios/gulf-asia.yaml --partner AE
    deals/packages/ae-counter-2.yaml --json`; on the shipped rounds it is refused (exit 2):
    "round 4 is already this counter from AE (the same terms), with no US offer since". Each
    example now runs, alone, on a fresh copy of the shipped data."""
    epilog = COMMANDS["counter"].epilog or ""
    examples = [line.split("$ ", 1)[1] for line in epilog.splitlines() if "$ dealbench" in line]
    assert examples
    for i, example in enumerate(examples):
        here = tmp_path / str(i)
        shutil.copytree(REPO / "deals", here / "deals")
        monkeypatch.chdir(here)
        run = invoke(shlex.split(example)[1:])
        assert run.exit_code == 0, (example, run.output)


def test_a_supply_every_deals_full_ask_takes_is_no_trade_off(tmp_path: Path) -> None:
    """Under repeal, TR, PL and MX each receive their full ask in 2029 (20,000 + 30,000 +
    30,000 = its 80,000 H100e of supply), and PH and CH are without a deal for reasons more
    supply does not touch. The portfolio memo's trade-offs said "Supply is fully allocated in
    2029: every H100e given to one partner is taken from another, so compute goes where it
    buys the most value net of risk", where no partner wants one H100e more (`--prices`:
    "worth $0 to the US, however much is added"). That line is now said only where a deal
    or a partner kept out wants more of the supply."""
    args = ["--policy", "repeal", "--out", tmp_path, "--render", "md", "--date", "2026-12-06"]
    run = invoke(["solve", NORTE, *args])
    assert run.exit_code == 0, run.output
    memo = (tmp_path / "memos/portfolio-norte-este.md").read_text()
    trade_offs = memo.split("## Trade-offs")[1].split("## Limits that bind")[0]
    assert "taken from another" not in trade_offs
    # nor among the limits that bind (qa36-true: it holds no one)
    assert "- Supply is fully allocated in 2029 (80,000 H100e).\n" not in memo
    # Where a deal wants more of it (strict, 2029 cut to 60,000 H100e), it is said as before.
    run = invoke(["solve", NORTE, *args[2:], "--set", "portfolio.supply.2029=60_000", "--force"])
    assert run.exit_code == 0, run.output
    memo = (tmp_path / "memos/portfolio-norte-este.md").read_text()
    assert "- Supply is fully allocated in 2029: every H100e given to one partner" in memo
