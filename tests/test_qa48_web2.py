"""Session 48 (qa48-web2): error summaries naming each field by its label, the error page of
a negotiation's frame linking back to it, and a compared regime without figures shown
without any.

Each test failed before its fix.
"""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from dealbench.analyze.solves import SolveOptions
from dealbench.render.chart_words import value_risk
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, Runner, send_qa_counter, words

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def _summary(page: str, form: str) -> str:
    """The words of `form`'s refusal summary at the page's top."""
    box = re.search(rf'(?s)<div class="error"[^>]*id="{form}-problems".*?</div>', page)
    assert box is not None, words(page)[-1500:]
    return words(box[0])


def _round_form(client: Any, code: str, kind: str, fields: dict[str, str]) -> Any:
    """Gulf-asia's negotiation with `code`'s round form `kind`, sent with `fields`."""
    page = client.get(f"/p/gulf-asia/n/{code}").text
    expect = re.search(r'name="expect" value="(\d+)"', page)
    assert expect is not None
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1], **fields}
    return client.post(f"/p/gulf-asia/n/{code}/{kind}", data=form)


def _solve(client: Any, fields: dict[str, str]) -> Any:
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best", **fields}
    return client.post("/p/gulf-asia/solve", data=form, follow_redirects=False)


# --- 1. each field by the label the user sees ---------------------------------------------


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"gap": "tight"}, "error: Gap: expected a number"),
        ({"robust": "most"}, "error: Robust to a share of samples: expected a number"),
    ],
)
def test_the_solve_forms_summary_names_a_field_by_its_label(
    client: Any, fields: dict[str, str], said: str
) -> None:
    """The solve form's summary said "error: gap: ..." above "Gap" and "error: robust: ..."
    above "Robust to a share of samples"; it names each field as the page labels it."""
    answer = _solve(client, fields)
    assert answer.status_code == 422
    assert said in _summary(answer.text, "solve")


def test_the_round_forms_summaries_name_each_field_by_its_label(client: Any) -> None:
    """The offer form's summary said "error: deadline: ...", the counter form's "error:
    strategy: ..." above "Weighed against", and the conclude form's "error: confirm: tick
    'Agree' ..."; each now names the field as its label says it."""
    offer = _round_form(client, "QA", "offer", {"strategy": "linear", "deadline": "0"})
    assert offer.status_code == 422
    assert "error: Deadline: expected a whole number" in _summary(offer.text, "offer")
    counter = send_qa_counter(client, {"strategy": "nash"})
    assert counter.status_code == 422
    assert "error: Weighed against: unknown strategy 'nash'" in _summary(counter.text, "counter")
    conclude = _round_form(client, "QA", "conclude", {"round": "1"})
    assert conclude.status_code == 422
    said = _summary(conclude.text, "conclude")
    assert "error: Agree: not ticked; tick it to conclude the deal" in said
    assert "confirm" not in said
    walk = _round_form(client, "QA", "walk-away", {"by": "us"})
    assert "error: End the talks: not ticked; tick it" in _summary(walk.text, "walk-away")


# --- 2. the error page of a negotiation's frame links back to it ----------------------------


def test_the_rounds_frame_of_a_concluded_partner_links_back_to_the_negotiation(
    client: Any,
) -> None:
    """The re-plan from the rounds of SA, whose deal is concluded, is reached only by its
    address; its error page said why it has no frontier, with no link to the negotiation
    (only "Portfolios", and "Back" when the browser sent where it came from)."""
    answer = client.get("/p/gulf-asia/n/SA/frontier?frame=rounds")
    assert answer.status_code == 400
    assert "concluded" in words(answer.text)
    assert '<a href="/p/gulf-asia/n/SA">Back to the negotiation</a>' in answer.text
    # the negotiation's own page never links to itself; an unknown partner has no negotiation
    missing = client.get("/p/gulf-asia/n/ZZ/frontier?frame=rounds")
    assert missing.status_code == 404 and "Back to the negotiation" not in missing.text


# --- 3. a regime with no figures shows none ------------------------------------------------


def test_a_compared_regime_stopped_before_any_deal_shows_no_figures(
    run: Runner, tmp_path: Path
) -> None:
    """`compare --time-limit 0.001` stopped both regimes before any deal: the table printed
    n/a for their utility but $0 for its parts, the partner surplus and risk, as did the
    JSON (0.0) and the options memo, whose two charts were drawn empty, one described as
    "... its area the compute. ." Now no figure is shown where there is none, in each."""
    out = tmp_path / "out"
    args = ("compare", GULF, "--regimes", "tiered,bilateral", "--time-limit", "0.001", "-j", "1")
    shown = run(*args, "--out", out, "--render", "md,html")
    assert shown.exit_code == 4, shown.output
    for label in ("concessions", "export value", "risk penalty", "no-deal losses",
                  "Partner surplus", "Risk (weighted H100e)"):  # fmt: skip
        line = next(x for x in shown.stdout.splitlines() if label in x)
        assert "$0" not in line and re.findall(r"n/a", line) == ["n/a", "n/a"], line
    printed = json.loads(run(*args, "--json").stdout)
    for r in printed["regimes"]:
        assert r["status"] == "time-limit"
        assert [r[k] for k in ("concessions", "export_value", "risk_cost", "no_deal_losses",
                               "partner_surplus", "risk_total")] == [None] * 6  # fmt: skip
    memo = (out / "memos/options-gulf-asia.md").read_text("utf-8")
    table = memo.split("## The options side by side")[1].split("## Each partner")[0]
    assert "$0" not in table and "| of which concessions | n/a | n/a |" in table
    assert "| H100e exported in 2026 | n/a | n/a |" in table
    assert "![" not in memo and "Figure 1" not in memo  # no chart of nothing
    assert "No option was solved: there is nothing to compare." in memo
    assert not (out / "charts").exists()
    page = (out / "memos/options-gulf-asia.html").read_text("utf-8")
    assert "<img" not in page and "$0<" not in page


def test_a_chart_of_no_markers_is_described_in_a_sentence() -> None:
    said = value_risk({"points": []})
    assert said.endswith("its area the compute: none.") and ". ." not in said


def test_the_web_compare_page_shows_no_figures_for_a_regime_without_any(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compare page printed $0 concessions, surplus and 0 deals and risk for a regime
    whose solve found no deal in its time limit, beside its status as its US utility."""
    from dealbench.web.views import comparison

    stopped = partial(comparison.compare, options=SolveOptions(time_limit=0.001))
    monkeypatch.setattr(comparison, "compare", stopped)
    answer = client.get("/p/gulf-asia/compare?regime=tiered&regime=bilateral")
    assert answer.status_code == 200
    rows = re.findall(r'(?s)<tr data-regime="[^"]+">.*?</tr>', answer.text)
    assert len(rows) == 2
    for row in rows:
        cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row)
        assert cells[0] == "n/a" and "$0" not in cells and "0" not in cells, cells
        assert "time-limit" in cells
