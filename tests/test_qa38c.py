"""Numbers quoted as the user typed them where they were still said as Python says them
(qa38c): `--robust`, the web's solve, joint-frontier, robust and sweep fields, a round's
recorded strategy; and zero said alike in `compare`'s tables. Each test failed before
its fix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, Runner, edit_first_line, words

UNCERTAIN = "portfolios/gulf-asia-uncertain.yaml"
SHARE = "expected a share above 0 and below 1, got"
GAP = "expected a relative gap from 0 to below 1 (such as 0.01 for 1%), got"
SECONDS = "expected a positive number of seconds, such as 30, got"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1_0", f"{SHARE} 1_0; for 10 percent write 0.1 or 10%"),
        ("150%", f"{SHARE} 150%"),
        ("0.9e1", f"{SHARE} 0.9e1; for 9 percent write 0.09 or 9%"),
    ],
)
def test_a_robust_share_is_quoted_as_typed(run: Runner, deals: Path, typed: str, says: str) -> None:
    """`solve --robust 1_0` said "got 10" and `150%` "got 1.5": the check formatted the
    number (`:g`), as `--gap` did before qa38b-input gave it its typed text."""
    done = run("solve", deals / UNCERTAIN, "--robust", typed)
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr == f"error: --robust: {says}\n", done.stderr


def test_a_robust_share_typed_otherwise_still_solves(run: Runner, deals: Path) -> None:
    """Guard: `--robust 9_0%` is 0.9, and the solve says so."""
    done = run("solve", deals / UNCERTAIN, "--robust", "9_0%", "--samples", "200", "--json")
    assert done.exit_code == 0, done.output
    assert '"level": 0.9' in done.stdout


def _post(client: Any, url: str, fields: dict[str, str]) -> str:
    """The words of the page a form at `url` answers `fields` with (refused: 422)."""
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), **fields}
    answer = client.post(url, data=form, follow_redirects=False)
    assert answer.status_code == 422, answer.status_code
    return words(answer.text)


def _says(said: str, says: str) -> bool:
    """`said` holds `says` whole: "got 5" is not in "got 5.0"."""
    return re.search(re.escape(says) + r"(?![\w.%])", said) is not None


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"gap": "5"}, f"Gap: {GAP} 5"),
        ({"gap": "1_0"}, f"Gap: {GAP} 1_0"),
        ({"gap": "150%"}, f"Gap: {GAP} 150%"),
        ({"time_limit": "-5"}, f"Time limit: {SECONDS} -5"),
        ({"time_limit": "1e400"}, f"Time limit: {SECONDS} 1e400"),
        ({"time_limit": "soon"}, "Time limit: expected a number, got 'soon'"),
    ],
)
def test_the_web_solve_form_quotes_its_numbers_as_typed(
    client: Any, fields: dict[str, str], says: str
) -> None:
    """The solve form's gap `5` said "got 5.0" (`150%` "got 1.5"), its time limit `-5`
    "got -5.0" and `1e400` "got inf", where `solve --gap 5` says "got 5": the form parsed
    the field to a float before the library's check quoted it."""
    said = _post(client, "/p/gulf-asia/solve", {"mode": "us-best", "solver": "highs", **fields})
    assert _says(said, says), said


def test_the_web_robust_field_quotes_its_share_as_typed(client: Any) -> None:
    """The solve form's robust share `9_0` said "got 90" (`--robust 9_0` "got 9_0")."""
    said = _post(client, "/p/gulf-asia-uncertain/solve", {"mode": "us-best", "robust": "9_0"})
    assert _says(
        said, f"Robust to a share of samples: {SHARE} 9_0; for 90 percent write 0.9 or 90%"
    ), said


def test_the_web_joint_frontier_and_sweep_quote_their_numbers_as_typed(client: Any) -> None:
    """The joint frontier's gap `2` said "got 2.0"; a sweep's time limit `-5` "got -5.0"."""
    url = "/p/gulf-asia/n/KZ/frontier/jointly"
    said = _post(client, url, {"points": "6", "axis": "risk", "gap": "2"})
    assert _says(said, f"Gap: {GAP} 2"), said
    fields = {"kind": "param", "param": "partners.AE.batna", "from": "1bn", "to": "2bn"}
    said = _post(client, "/p/gulf-asia/sweep", {**fields, "steps": "3", "time_limit": "-5"})
    assert _says(said, f"Time limit: {SECONDS} -5"), said


ROUND = "rounds/gulf-asia/AE/003-us.yaml"
BETA = "strategy.params.beta: expected a positive number (boulware 0.2, linear 1, conceder 5)"


@pytest.mark.parametrize("written", [".nan", "-1_0", "-0.50"])
def test_a_recorded_strategys_number_is_quoted_as_the_round_writes_it(
    run: Runner, deals: Path, written: str
) -> None:
    """A round's recorded `beta: .nan` said "got nan" (`-1_0` "got -10"), in `validate`
    and in `offer`, which runs on it: the strategy is checked past the model
    (`round_problems`), whose messages were passed on as they wrote the number."""
    line = edit_first_line(deals, ROUND, r"^    beta: \S+$", f"    beta: {written}")
    says = f"{ROUND}:{line}: {BETA}, got {written}\n"
    done = run("validate", deals / ROUND, "--portfolio", deals / "portfolios/gulf-asia.yaml")
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr.endswith(says), done.stderr
    portfolio = deals / "portfolios/gulf-asia.yaml"
    done = run("offer", portfolio, "-p", "AE", "--rounds", deals / "rounds/gulf-asia")
    assert done.exit_code == 2 and done.traceback == "", done.output
    assert done.stderr.endswith(says), done.stderr


def test_compare_says_a_zero_total_as_the_options_memo_does(run: Runner, tmp_path: Path) -> None:
    """`compare deals/portfolios/gulf-asia.yaml`: the monopoly column of "Who gets what"
    (no deal with anyone) ended in "0.0k" where the options memo's Total says 0. The
    terminal's thousands (`figures.thousands`) now say zero as `quantity` does."""
    from helpers import REPO

    out = tmp_path / "compare"
    done = run("compare", REPO / "deals/portfolios/gulf-asia.yaml", "--out", out, "--render", "md")
    assert done.exit_code == 0, done.output
    table = done.stdout.split("Who gets what", 1)[1]
    (total,) = [line for line in table.splitlines() if line.startswith("│ Total")]
    cells = [c.strip() for c in total.strip("│").split("│")][1:]
    memo = (out / "memos/options-gulf-asia.md").read_text("utf-8")
    (row,) = [line for line in memo.splitlines() if line.startswith("| **Total** |")]
    said = [c.strip().strip("*") for c in row.strip().strip("|").split("|")][1:]
    assert said[1] == "0" and cells[1] == said[1], (cells, said)
    assert cells == ["2,341.0k", "0", "3,600.0k", "3,600.0k"]


def test_thousands_say_zero_as_quantity_does_beside_the_others() -> None:
    """Guard: zero is 0 beside figures in thousands, and alone; the others keep their form."""
    from dealbench.figures import quantity, thousands

    assert thousands([31_700, 0, 1_685_000]) == ["31.7k", quantity(0), "1,685.0k"]
    assert thousands([0.0, -0.0]) == ["0", "0"]
