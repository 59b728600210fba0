"""Session 35's lead pass: what the helpers noticed and left, fixed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dealbench import load_portfolio, walk_away
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, invoke, words

PORTFOLIO = REPO / "tests/data/qa35newuser/portfolios/americas-alps.yaml"


def post(client: TestClient, url: str, **fields: str) -> object:
    return client.post(url, data={CSRF_FIELD: csrf_for(WEB_TOKEN), **fields})


@pytest.mark.parametrize(
    ("by", "said"),
    [
        ("us", "The United States walked away from QA: no counter can be recorded."),
        ("partner", "QA walked away: no counter can be recorded."),
    ],
)
def test_the_editor_says_how_a_closed_negotiation_ended(
    client: TestClient, deals: Path, by: str, said: str
) -> None:
    """qa35-newuser: the package editor said "closed (concluded or walked away)" of talks it
    knew the end of; it now says who walked away, as the room and the refusals do."""
    done = post(client, "/p/gulf-asia/n/QA/walk-away", expect="1", by=by, confirm="yes")
    assert done.status_code == 200, words(done.text)  # type: ignore[attr-defined]
    page = words(client.get("/p/gulf-asia/editor?partner=QA").text)
    assert said in page
    assert "concluded or walked away" not in page


def test_a_replan_says_why_we_walked_away(tmp_path: Path) -> None:
    """qa35-newuser left: `solve --rounds` said "Why no deal with MX: the United States
    walked away from MX (round 1, 001-us.yaml)." without the note the negotiator recorded as
    the reason, which `room` and its memo now say; the re-plan says it too, and its result
    file records it with the reason."""
    pf = load_portfolio(PORTFOLIO)
    rounds = tmp_path / "rounds"
    walk_away(pf, rounds, "MX", note="Risk budget cannot carry\nMX's KYC counter.")
    out = tmp_path / "plan"
    run = invoke(["solve", PORTFOLIO, "--rounds", rounds, "--out", out])
    assert run.exit_code == 0, run.output
    said = (
        "Why no deal with MX: the United States walked away from MX (round 1, 001-us.yaml, "
        "note: Risk budget cannot carry MX's KYC counter)."
    )
    assert said in words(run.stdout)
    recorded = json.loads((out / "result.json").read_text())
    assert said.removeprefix("Why no deal with MX: ") in json.dumps(recorded)


def test_an_amount_at_its_ask_in_whole_chips_is_said_as_such() -> None:
    """qa35-newuser left: in a portfolio of B200 chips MX's full ask of 30,000 H100e printed
    as 29,999 with nothing to say why, and a new user took it for a rounding slip. The
    schedule's note now says which amounts are a limit in whole chips."""
    run = invoke(["solve", PORTFOLIO])
    assert run.exit_code == 0, run.output
    assert (
        "An amount at its partner's ask or cap is that limit in whole B200 chips, a little "
        "under it in H100e (MX in 2027 and 2028, 13,193 chips: 29,999 of 30,000 H100e; MX in "
        "2029, 15,392 chips: 34,999 of 35,000 H100e)."
    ) in words(run.stdout)


def test_the_error_pages_back_link_works_without_scripts(client: TestClient) -> None:
    """qa35-a11y left: the error page's "Back" was `javascript:history.back()`, which does
    nothing in a browser without scripts. It now links the page the request came from
    (this app's, by its Referer); with none, only "Portfolios"."""
    came_from = "http://testserver/p/gulf-asia/n/QA"
    bad = client.get("/p/gulf-asia/n/QA/walk-away", headers={"referer": came_from})
    assert bad.status_code == 405  # a form's address followed as a link: the error page
    assert 'href="/p/gulf-asia/n/QA">Back</a>' in bad.text
    assert "javascript:" not in bad.text
    elsewhere = client.get("/no/such/page", headers={"referer": "https://example.org/x"})
    assert elsewhere.status_code == 404
    assert ">Back</a>" not in elsewhere.text and "javascript:" not in elsewhere.text


def test_a_risk_histogram_says_what_it_shows(client: TestClient) -> None:
    """qa35-a11y left: the risk page's histograms were labelled "Histogram: US value when it
    accepts", nothing a screen reader's user could read off. The label now says the samples,
    the range, the bars and the tallest one."""
    page = client.get(
        "/p/gulf-asia-uncertain/risk",
        params={"package": "packages/ae-offer.yaml", "samples": "2000", "seed": "3"},
    ).text
    labels = re.findall(r'<svg [^>]*role="img" aria-label="([^"]*)"', page)
    histograms = [label for label in labels if label.startswith("Histogram of ")]
    assert len(histograms) == 2, labels
    for label in histograms:
        assert re.search(
            r" samples from .+ to .+ in \d+ bars, the most \([\d,]+\) from .+ to .+; the table "
            r"under it lists every bar$",
            label,
        ), label


def test_the_frontiers_nash_bound_says_what_whole_steps_cost() -> None:
    """bargain-steps left: `solve --mode nash` splits its bound into the tangent cuts' part
    and whole steps', but the frontier's line said "Nash bound: product of gains >= 0.633982
    x the best (tangent cuts on log)" of a bound that is all whole steps' (cuts 0)."""
    run = invoke(
        ["frontier", REPO / "tests/data/bargainsteps/nashfloor/portfolio.yaml", "-p", "PA",
         "--points", "5"]
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    # Session 44: the point shown was the solve's package lifted to the frontier's curves;
    # since qa48-frontier it is the best on the curves (exact, no cuts, no whole steps), and
    # the line says so.
    assert (
        "Nash bound: product of gains >= 1.000000 x the best (exact over every deal of the "
        "partner, others held)."
    ) in words(run.stdout)
    shown = invoke(
        ["frontier", REPO / "tests/data/bargainsteps/nashfloor/portfolio.yaml", "-p", "PA",
         "--points", "5", "--json"]
    )  # fmt: skip
    nash = json.loads(shown.stdout)["nash"]
    assert nash["method"] == "exact over every deal of the partner, others held"
    assert (nash["log_error_bound"], nash["log_error_steps"]) == (0.0, 0.0)
