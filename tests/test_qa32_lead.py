"""The lead's checks of session 32: a sweep under another regime, in the terminal and the
browser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, Runner, deals_copy, edit_first_line, job_done

ROOT = Path(__file__).resolve().parents[1]
GULF = ROOT / "deals" / "portfolios" / "gulf-asia.yaml"
PENALTY = "policy.risk_penalty_per_h100e"


def test_a_sweep_runs_under_the_regime_policy_names_as_solve_does(run: Runner) -> None:
    """The options memo sends its reader to "a sweep of the risk penalty under each regime",
    and `sweep` had no --policy: every row was solved under the portfolio's own regime. Each
    row is now `solve --policy REGIME --set PATH=VALUE`, and the sweep says its regime."""
    swept = run("sweep", GULF, "--policy", "tiered", "--param", PENALTY, "--from", "50k",
                "--to", "400k", "--steps", "2", "--refine", "0", "--json")  # fmt: skip
    assert swept.exit_code == 0, swept.output
    sweep = json.loads(swept.stdout)
    assert sweep["policy"] == "tiered"
    for row, value in zip(sweep["rows"], ("50k", "400k"), strict=True):
        solved = run("solve", GULF, "--policy", "tiered", "--set", f"{PENALTY}={value}", "--json")
        assert solved.exit_code == 0, solved.output
        assert row["us_value"] == json.loads(solved.stdout)["us_value"]
    own = json.loads(run("sweep", GULF, "--param", PENALTY, "--from", "50k", "--to", "50k",
                         "--steps", "1", "--json").stdout)  # fmt: skip
    assert own["policy"] == "bilateral"  # the portfolio's own
    assert own["rows"][0]["us_value"] != sweep["rows"][0]["us_value"]
    table = run("sweep", GULF, "--policy", "tiered", "--param", PENALTY, "--from", "50k",
                "--to", "50k", "--steps", "1")  # fmt: skip
    assert "Gulf and Asia, 2026–2028 (tiered regime): sweep of" in " ".join(table.stdout.split())


def test_the_web_sweep_runs_under_the_regime_its_form_names(
    client: Any, deals: Path, run: Runner
) -> None:
    """The sweep forms had no regime: the page swept the portfolio's own only. Both forms
    now offer the solve form's regimes; the sweep's JSON is `sweep --policy`'s, and a
    regime not offered is refused in its field, nothing started."""
    form = {
        CSRF_FIELD: csrf_for(WEB_TOKEN),
        "kind": "param",
        "param": PENALTY,
        "from": "50k",
        "to": "400k",
        "steps": "2",
        "refine": "0",
        "policy": "tiered",
    }
    page = client.get("/p/gulf-asia/sweep").text
    assert 'id="sweep-param-policy"' in page and 'id="sweep-scenarios-policy"' in page
    url = job_done(client, client.post("/p/gulf-asia/sweep", data=form, follow_redirects=False))
    assert "under tiered" in client.get(url).text
    swept = client.get(f"{url}/sweep.json").json()
    cli = run("sweep", deals / "portfolios" / "gulf-asia.yaml", "--policy", "tiered",
              "--param", PENALTY, "--from", "50k", "--to", "400k", "--steps", "2",
              "--refine", "0", "--json")  # fmt: skip
    assert swept["policy"] == "tiered"
    assert [r["us_value"] for r in swept["rows"]] == [
        r["us_value"] for r in json.loads(cli.stdout)["rows"]
    ]
    refused = client.post("/p/gulf-asia/sweep", data={**form, "policy": "nowhere"})
    assert refused.status_code == 422
    assert 'id="sweep-param-policy" aria-invalid="true"' in refused.text


def test_a_point_of_higher_v_within_the_tolerance_that_gives_the_partner_less_is_cleaned() -> None:
    """Hypothesis found a held frontier whose points kept a Kalai point USD 5,432 above the
    partner-best end in V and USD 108,639 below it in U: within the frontier's tolerance of
    USD 10,000 the two are one V, so the end dominates it. The cleanup only asked whether a
    point of higher V dominated one of lower V; it now asks it both ways."""
    from dealbench.negotiate.frontier import FrontierPoint, clean

    def point(v: float, u: float, label: str) -> FrontierPoint:
        return FrontierPoint(
            us_utility=v, partner_utility=u, risk=1000.0, package=None, label=label
        )

    end = point(-33_333_333.28, 566_666_665.65, "partner-best")
    kalai = point(-33_327_901.34, 566_558_026.8, "kalai")
    middle = point(-20_000_000.0, 400_000_000.0, "")
    assert [p.label for p in clean([middle, kalai, end], "partner", False)] == [
        "",
        "partner-best",
    ]
    twin = point(-33_333_333.0, 566_666_665.0, "twin")  # within both tolerances: one point
    assert len(clean([end, twin], "partner", False)) == 1


def test_a_round_edited_by_hand_names_a_strategy_that_is_none_at_its_line(
    run: Runner, tmp_path: Path
) -> None:
    """`strategy: {name: bolware}` in a US offer was read as no strategy at all: the next
    offer ran Boulware whatever the file said, and nothing was reported (qa32-input's Left).
    A name that is no strategy or mode is refused where it is written, with the names."""
    deals = deals_copy(tmp_path)
    name = "rounds/gulf-asia/AE/001-us.yaml"
    line = edit_first_line(deals, name, r"^  name: boulware$", "  name: Bolware")
    said = run("history", deals / "portfolios" / "gulf-asia.yaml", "--partner", "AE")
    assert said.exit_code == 2 and not said.traceback, said.output
    assert f"001-us.yaml:{line}: strategy.name: unknown strategy 'Bolware'" in said.stderr
    assert "boulware, linear, conceder, zeuthen, us-best, nash, kalai" in said.stderr


def test_a_rounds_note_or_author_edited_by_hand_holds_text(run: Runner, tmp_path: Path) -> None:
    """`offer --note` refuses a control character (an escape typed with the text); a note
    or author edited into the file by hand was read and printed as it was (qa32-input's
    Left). Both are held to what `offer` records, at their line."""
    for field, value, words in (
        ("note", '"Opening \\e[31moffer"', "a note holds text, line breaks and tabs"),
        ("author", '"US delegation\\nState"', "an author is one line of text"),
    ):
        deals = deals_copy(tmp_path / field)
        name = "rounds/gulf-asia/AE/001-us.yaml"
        line = edit_first_line(deals, name, rf"^{field}: .*$", f"{field}: {value}")
        said = run("history", deals / "portfolios" / "gulf-asia.yaml", "--partner", "AE")
        assert said.exit_code == 2 and not said.traceback, said.output
        assert f"001-us.yaml:{line}: {field}: contains the control character" in said.stderr
        assert words in said.stderr
    fine = deals_copy(tmp_path / "fine")  # line breaks and tabs are a note's own
    edit_first_line(fine, "rounds/gulf-asia/AE/001-us.yaml", r"^note: .*$",
                    'note: "Opening offer\\n\\tafter the Washington session."')  # fmt: skip
    assert run("history", fine / "portfolios" / "gulf-asia.yaml", "--partner", "AE").exit_code == 0
