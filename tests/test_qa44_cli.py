"""Session 44 (qa44-cli): the command line as a new user meets it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import REPO, Runner, solo_deals


@pytest.mark.parametrize(
    ("typed", "meant"), [("web", "serve"), ("UI", "serve"), ("check", "validate")]
)
def test_a_command_guessed_by_what_it_does_is_named(run: Runner, typed: str, meant: str) -> None:
    """`dealbench web` said only "No such command 'web'": no command is spelt near it, so
    the command that serves the web workbench is named (as `server` is answered `serve`)."""
    answer = run(typed)
    assert answer.exit_code == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'" in answer.stderr
    assert "Did you mean 'serve'?" in run("server").stderr  # a near spelling: as before


def test_keeping_terms_of_a_first_offer_says_what_to_do(run: Runner, tmp_path: Path) -> None:
    """`offer --fix security` before any US offer was refused ("there is no earlier US
    offer to SG to keep terms of") without saying what to do instead."""
    deals = solo_deals(tmp_path / "deals", rounds=False)
    answer = run("offer", deals / "portfolios/solo.yaml", "--partner", "SG", "--fix", "security")
    assert answer.exit_code == 2, answer.output
    assert "error: --fix: there is no earlier US offer to SG to keep terms of" in answer.stderr
    assert "make the first offer without keeping any term" in answer.stderr
    assert not answer.traceback


def _usd(text: str) -> float:
    """A figure as printed ($5.176bn, -$3.194bn, +$1.66bn, $350.0m) in USD."""
    sign = -1 if text.startswith("-") else 1
    number = text.lstrip("+-$")
    scale = next(
        s for suffix, s in (("bn", 1e9), ("tn", 1e12), ("m", 1e6)) if number.endswith(suffix)
    )
    return sign * float(number.rstrip("bntm")) * scale


def test_a_counters_change_is_the_difference_of_the_figures_printed(
    run: Runner, tmp_path: Path
) -> None:
    """The counter's "change from our round 1: US -$3.19bn" beside its $1.98bn and our
    offer's $5.18bn (`history`), each rounded apart: the two differ by $3.20bn as printed.
    The change is now printed with both figures, each with the decimals that make the
    change their difference (`figures.usd_change`)."""
    import re

    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    portfolio = deals / "portfolios/gulf-asia.yaml"
    assert run("offer", portfolio, "--partner", "SG", "--no-documents").exit_code == 0
    counter = tmp_path / "sg-counter.yaml"
    counter.write_text(
        "partner: SG\nside: counter\nsecurity: veu\n"
        "compute: {2026: 20_000, 2027: 20_000, 2028: 80_000}\n"
        "concessions: {enforcement-cooperation: true, pax-silica: true}\n"
    )
    answer = run("counter", portfolio, "--partner", "SG", counter, "--no-documents")
    assert answer.exit_code == 0, answer.output
    line = " ".join(answer.stdout.split())
    money = r"([+-]?\$[\d.,]+(?:bn|tn|m))"
    found = re.search(
        rf"Utilities: US {money}, partner {money} Change from our round 1 \(001-us.yaml\), "
        rf"which gave US {money}, partner {money}: US {money}, partner {money} ",
        line,
    )
    assert found, line
    us, partner, us_was, partner_was, us_change, partner_change = map(_usd, found.groups())
    assert us - us_was == pytest.approx(us_change, abs=1e3)
    assert partner - partner_was == pytest.approx(partner_change, abs=1e3)


@pytest.mark.parametrize("written", ["2026q1", "2026-Q1"])
def test_a_period_label_written_near_one_is_suggested(
    run: Runner, tmp_path: Path, written: str
) -> None:
    """`supply: {2026q1: ...}` beside `periods: [2026Q1, 2026Q2]` listed the periods but
    did not name the one meant, as an unknown security level or concession is answered."""
    deals = solo_deals(tmp_path / "deals", rounds=False)
    quarters = deals / "portfolios/quarters.yaml"
    quarters.write_text(
        "id: quarters\ntitle: Two quarters\npolicy: ../policy/bilateral.yaml\n"
        f"periods: [2026Q1, 2026Q2]\nsupply: {{{written}: 1000, 2026Q2: 1000}}\n"
        "partners: [../partners/sg.yaml]\n"
    )
    answer = run("validate", quarters)
    assert answer.exit_code == 2, answer.output
    assert (
        f"supply.{written}: period '{written}' is not one of the portfolio's periods "
        f"(2026Q1, 2026Q2); did you mean '2026Q1'?"
    ) in answer.stderr
    answer = run("solve", quarters.with_name("solo.yaml"), "--set", f"portfolio.supply.{written}=5")
    assert "is not one of the portfolio's periods (2026)" in answer.stderr  # no near one
    assert "did you mean" not in answer.stderr


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("{partners.SG.batna=6bn}", "set: {partners.SG.batna: 6bn}"),
        ("[partners.SG.batna=6bn]", "set: {partners.SG.batna: 6bn}"),
        (
            "[{partners.SG.batna: 6bn}, {portfolio.supply.2026: 5}]",
            "set: {partners.SG.batna: 6bn, portfolio.supply.2026: 5}",
        ),
    ],
)
def test_a_scenario_set_written_wrongly_is_shown_written_right(
    run: Runner, tmp_path: Path, written: str, said: str
) -> None:
    """`set: {partners.MX.batna=6bn}` was answered "partners.MX has no field 'batna=6bn'",
    `set: [X=1]` "expected a mapping of keys to values, got a list": neither said how a
    scenario writes it. `validate` (no portfolio) and `sweep` say it alike, once."""
    deals = solo_deals(tmp_path / "deals", rounds=False)
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(f"scenarios:\n  - id: a\n    set: {written}\n")
    for args in (["validate", scenarios], ["sweep", deals / "portfolios/solo.yaml", scenarios]):
        answer = run(*args)
        assert answer.exit_code == 2, answer.output
        assert said in answer.stderr, answer.stderr
        assert len(answer.stderr.strip().splitlines()) == 1, answer.stderr
        assert not answer.traceback


def test_an_amount_whose_number_the_shell_took_says_why(run: Runner, tmp_path: Path) -> None:
    """`--set partners.MX.batna=$2bn` typed unquoted reaches dealbench as `bn` (the shell
    reads `$2` as a variable): the refusal says so, and how to type it. A figure that is no
    amount of USD (`portfolio.supply.2026=k`), which none types with a $, is answered as
    before."""
    deals = solo_deals(tmp_path / "deals", rounds=False)
    solo = deals / "portfolios/solo.yaml"
    answer = run("solve", solo, "--set", "partners.SG.batna=bn")
    assert answer.exit_code == 2, answer.output
    assert "got 'bn' (a unit with no number: typed unquoted, a shell reads `$`" in answer.stderr
    assert "--set partners.SG.batna=2bn, or quote the option, --set 'partners.SG.batna=$2bn'" in (
        answer.stderr
    )
    answer = run("solve", solo, "--set", "portfolio.supply.2026=k")
    assert answer.stderr == "error: --set: portfolio.supply.2026: expected a number, got 'k'\n"
    assert run("solve", solo, "--set", "partners.SG.batna=$2bn", "--json").exit_code == 0
