"""A trade negotiator's first day, session 35 (qa35-newuser): a portfolio written by hand
from the reference (Brazil, Mexico and Switzerland, 2027-2029, compute in steps of 512
B200 chips, a range concession), its mistakes, a whole negotiation with the three, and
the web workbench on it. Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

from dealbench import load_portfolio
from dealbench.negotiate import room, walk_away
from helpers import REPO, invoke, words

DATA = REPO / "tests/data/qa35newuser"
PORTFOLIO = DATA / "portfolios/americas-alps.yaml"
WHY = "Risk budget cannot carry MX's KYC counter."


def test_the_room_and_the_status_memo_say_why_we_walked_away(tmp_path: Path) -> None:
    """`walk-away -p MX --note "Risk budget cannot carry MX's KYC counter"`: `room` and its
    status memo said only "The United States walked away in round 1"; the reason the
    negotiator recorded was in `history` alone, and a principal reading the memo could not
    learn why the talks with Mexico ended. Both now say the note, on one line."""
    pf = load_portfolio(PORTFOLIO)
    rounds = tmp_path / "rounds"
    walk_away(pf, rounds, "MX", note="Risk budget cannot carry\nMX's KYC counter.")
    row = next(r for r in room(pf, rounds).rows if r.partner == "MX")
    assert row.reason == (
        "the United States walked away in round 1, note: Risk budget cannot carry MX's KYC counter"
    )
    out = tmp_path / "memo"
    run = invoke(["room", PORTFOLIO, "--rounds", rounds, "--render", "md", "--out", out])
    assert run.exit_code == 0, run.output
    assert f"MX: the United States walked away in round 1, note: {WHY[:-1]}" in words(run.stdout)
    memo = (out / "memos/negotiation-americas-alps.md").read_text()
    assert (
        "## Talks ended\n\n- **Mexico (MX):** The United States walked away in round 1, "
        f"note: {WHY}\n"
    ) in memo


def test_a_frontiers_step_note_says_the_declared_step_with_its_unit() -> None:
    """`frontier americas-alps.yaml -p BR` (steps of 512 B200 chips) said under its table
    "Every point: the portfolio's compute is not in whole B200 chips, not the declared 512:
    points of the exact curves are not rounded; for a solved one, no schedule in those was
    found that keeps their terms ...": 512 of what, and whose terms. It now names the
    declared step as `solve` does ("not the declared steps of 512 B200 chips") and says
    which points the schedule search concerns."""
    run = invoke(["frontier", PORTFOLIO, "-p", "BR", "--points", "8"])
    assert run.exit_code == 0, run.output
    assert (
        "Every point: the portfolio's compute is not in whole B200 chips, not the declared "
        "steps of 512 B200 chips: the points read off the partner's curves are not rounded, "
        "and for a "
        "solved point among them no schedule in those steps was found that keeps its terms "
        "within the limits and V within one step's value."
    ) in words(run.stdout)


def test_a_malformed_counters_errors_come_in_the_files_order(tmp_path: Path) -> None:
    """Switzerland's counter with four mistakes (`security: VEU`, `2028: 18k`, `yes` for a
    yes/no term, a level the menu lacks): `counter` said line 3 first, then line 2, then
    line 4, the errors pydantic found before those the portfolio found, so a negotiator
    fixing the file from the top read it twice. Each file's own errors come in line order;
    a package's checked against its portfolio now do too. Nothing is recorded, exit 2."""
    rounds = tmp_path / "rounds"
    counter = DATA / "packages/ch-malformed.yaml"
    run = invoke(["counter", PORTFOLIO, "-p", "CH", counter, "--rounds", rounds])
    assert run.exit_code == 2, run.output
    assert "Traceback" not in run.output
    lines = [line for line in run.stderr.splitlines() if not line.startswith("note: ")]
    assert [line.split(":")[2] for line in lines] == ["2", "3", "4", "4"]
    assert lines[0].endswith(
        "ch-malformed.yaml:2: security: unknown security level 'VEU' in regime bilateral; "
        "expected one of: baseline, kyc, veu; did you mean 'veu'?"
    )
    assert not (rounds / "CH").exists()


def test_a_walk_away_value_written_without_its_unit_is_said_as_written() -> None:
    """Switzerland's `batna: 1.5` (1.5bn meant): the note said "read as $2 (written without
    a unit)", a figure the file does not hold (`usd` prints whole dollars below $1,000), so
    the negotiator looked for a 2 that is not there. It says $1.50 now; whole dollars as
    before."""
    package = DATA / "packages/ch-counter.yaml"
    for written, read in (("1.5", "$1.50"), ("300", "$300")):
        run = invoke(
            ["evaluate", package, "--portfolio", PORTFOLIO, "--set", f"partners.CH.batna={written}"]
        )
        assert f"note: --set: partners.CH.batna: read as {read} (written without a unit), " in (
            run.stderr
        )


def test_a_typo_in_an_amount_of_chips_is_named() -> None:
    """Switzerland's ask `2027: {chip: 8_000, model: B200}` was refused with the four forms
    compute takes and "got keys ['chip', 'model']", where every other unknown key says
    which one was meant. It says "did you mean 'chips' for 'chip'?" now (exit 2)."""
    run = invoke(["validate", DATA / "bad/ch-chip.yaml"])
    assert run.exit_code == 2, run.output
    assert (
        words(run.stderr)
        .strip()
        .endswith(
            "bad/ch-chip.yaml:7: ask.2027: expected H100e as a number, "
            "{tpp: N}, {h100e: N} or {chips: N, model: NAME}, got keys ['chip', 'model']; "
            "did you mean 'chips' for 'chip'?"
        )
    )
