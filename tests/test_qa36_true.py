"""Outputs that say only what is true, session 36 (qa36-true): four faults a new user met
on a portfolio of their own (tests/data/qa36newuser, see qa36-newuser's section of
docs/decisions.md). Each test failed before its fix."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from dealbench import load_portfolio, solve
from dealbench.analyze import find_regime, under_regime
from dealbench.analyze.limits import decided_by_each
from dealbench.render.charts import Chart, svg
from dealbench.render.documents import deal_memo_document, term_sheet_document
from dealbench.render.sources import load_source
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, invoke, job_done, web_client, words

DATA = REPO / "tests/data/qa36newuser"
UNO = DATA / "portfolios/uno.yaml"
NORTE = DATA / "portfolios/norte.yaml"
CAPS_NOTE = (
    "The portfolio's own caps for MX belong to its regime (strict); under open each "
    "regime's own caps apply instead (an override of portfolio.caps.CODE.LEVEL, --set on "
    "the command line, sets a cap under every regime)."
)
NO_SUPPLY = (
    "There is no supply in 2028: no compute can be delivered then, though a partner with a "
    "deal asks for some."
)


def _json(args: list[str | Path]) -> dict[str, object]:
    run = invoke([*args, "--json"])
    assert run.exit_code in (0, 3), run.output
    data = json.loads(run.stdout)
    assert isinstance(data, dict)
    return data


def test_a_regime_that_replaces_the_portfolios_caps_says_so(tmp_path: Path) -> None:
    """uno.yaml writes `caps: {MX: {kyc: 0}}`; `solve --policy open` drops them (they belong
    to the portfolio's own regime, strict) and said "the best package MX accepts (kyc,
    19,000 H100e)" without a word of it, where `compare` notes it. Every command taking
    --policy now says it in compare's words, in its --json as `notes`, and the memos too;
    not when the caps are set again, nor under the portfolio's own regime."""
    open_ = ["--policy", "open"]
    run = invoke(["solve", UNO, *open_, "--out", tmp_path, "--render", "md,html"])
    assert run.exit_code == 0, run.output
    assert f"Note: {CAPS_NOTE}" in words(run.stdout)
    assert json.loads((tmp_path / "result.json").read_text())["notes"] == [CAPS_NOTE]
    for memo in ("portfolio-uno.md", "portfolio-uno.html"):
        assert CAPS_NOTE in words((tmp_path / "memos" / memo).read_text())
    assert _json(["solve", UNO, *open_])["notes"] == [CAPS_NOTE]
    package = tmp_path / "mx.yaml"
    package.write_text("partner: MX\nsecurity: kyc\ncompute: {2027: 1000}\nconcessions: {}\n")
    evaluate = ["evaluate", package, "--portfolio", UNO, *open_]
    assert _json(evaluate)["notes"] == [CAPS_NOTE]
    assert f"Note: {CAPS_NOTE}" in words(invoke(evaluate).stdout)
    frontier = ["frontier", UNO, "--partner", "TR", "--points", "3", *open_]
    assert _json(frontier)["notes"] == [CAPS_NOTE]
    assert f"Note: {CAPS_NOTE}" in words(invoke(frontier).stdout)
    sweep = ["sweep", UNO, *open_, "--param", "partners.TR.batna", "--from", "100m"]
    sweep += ["--to", "200m", "--steps", "2"]
    assert _json(sweep)["notes"] == [CAPS_NOTE]
    assert f"Note: {CAPS_NOTE}" in words(invoke(sweep).stdout)
    # compare's note is the same sentence
    compare = _json(["compare", UNO, "--regimes", f"{DATA}/policy/open.yaml"])
    assert compare["notes"][0] == CAPS_NOTE  # type: ignore[index]
    # No note where nothing was replaced: the portfolio's own regime, or caps set again.
    assert _json(["solve", UNO])["notes"] == []
    again = _json(["solve", UNO, *open_, "--set", "portfolio.caps.MX.kyc=0"])
    assert again["notes"] == []
    assert (
        "own caps" not in invoke(["solve", UNO, *open_, "--set", "portfolio.caps.MX.kyc=0"]).stdout
    )


def test_the_web_solve_under_another_regime_says_so(tmp_path: Path) -> None:
    """The web workbench's solve form under regime `open` showed uno's packages and why MX
    has none with nothing of its caps: the job's page now says it, as `solve` does."""
    deals = tmp_path / "deals"
    shutil.copytree(DATA, deals)
    with web_client(deals, WEB_TOKEN) as client:
        data = {CSRF_FIELD: csrf_for(WEB_TOKEN), "policy": "open", "sets": ""}
        sent = client.post("/p/uno/solve", data=data, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        page = words(client.get(job_done(client, sent)).text)
        assert f"Note: {CAPS_NOTE}" in page
        sent = client.post("/p/uno/solve", data={**data, "policy": ""}, follow_redirects=False)
        assert "own caps" not in words(client.get(job_done(client, sent)).text)


def test_the_least_whole_step_a_partner_accepts_is_decided_by_acceptance() -> None:
    """`compare norte strict,open`: TR gets 21,000 H100e under strict ($35m over its
    walk-away value and the $10m margin) and 20,000 under open ($0 over): in steps of 1,000
    H100e worth $45m each to TR, each is the least it accepts. The "limit that decides"
    said "risk penalty" under strict and "acceptance" under open (MX, $10m over under
    open, "risk penalty" too): acceptance was read within $1m only. Both say acceptance."""
    pf = load_portfolio(NORTE)
    for regime in ("strict", "open"):
        moved = under_regime(pf, find_regime(regime, NORTE))
        result = solve(moved)
        decided = decided_by_each(moved, result)
        assert decided["TR"] == "acceptance (2027, 2029), asks nothing (2028)", regime
    moved = under_regime(pf, find_regime("open", NORTE))
    result = solve(moved)
    assert decided_by_each(moved, result)["MX"] == "acceptance (2027, 2029), supply (2028)"
    from dealbench.checker.tolerance import least_accepted  # the rule, for scripts

    tr = result.deal("TR")
    assert tr is not None and least_accepted(moved, tr, result.compute_step)
    mx = result.deal("MX")
    assert mx is not None and round(mx.partner_margin) == 10_000_000
    # A margin of more than one step's worth is not the least the partner accepts.
    richer = mx.model_copy(update={"partner_margin": 60e6})
    assert not least_accepted(moved, richer, result.compute_step)


def test_a_supply_no_one_wants_more_of_does_not_bind(tmp_path: Path) -> None:
    """Under repeal TR, PL and MX each take their full ask of 2029's 80,000 H100e, and PH
    and CH have no deal for reasons more supply does not touch: `solve` said "Binding:
    Supply in 2029 is fully allocated", result.json and the portfolio memo's "Limits that
    bind" listed it, PL's deal memo said "more for PL means less for another partner",
    where more of it is worth $0. A limit binds only if someone wants more of it, the rule
    of the memo's trade-offs (`used_up.supply_wanted`)."""
    args = ["--policy", "repeal", "--out", tmp_path, "--render", "md", "--date", "2026-12-06"]
    run = invoke(["solve", NORTE, *args])
    assert run.exit_code == 0, run.output
    assert f"Binding: {NO_SUPPLY}" in words(run.stdout)
    binding, unbound = (
        words(run.stdout)
        .split("Binding:", 1)[1]
        .split("Solver:")[0]
        .split("Supply is used in full", 1)
    )  # used in full, but said apart as binding no one (qa45-input)
    assert "2029" not in binding
    assert unbound.startswith(" in 2029 too, but binds no one there")
    result = json.loads((tmp_path / "result.json").read_text())
    assert [b["period"] for b in result["binding"] if b["kind"] == "supply"] == ["2028"]
    memo = (tmp_path / "memos/portfolio-norte-este.md").read_text()
    limits = memo.split("## Limits that bind")[1].split("\n## ")[0]
    assert "2029" not in limits.replace("in 2027 and 2029", "")
    # PL's deal memo and internal term sheet, from the result solve wrote
    source = load_source(tmp_path / "result.json")
    said = [
        *deal_memo_document(source, "PL").context["limits"],
        *term_sheet_document(source, "PL", "internal").context["internal"]["limits"],
    ]
    assert said and not any("2029" in line and "Supply" in line for line in said), said
    run = invoke(["compare", NORTE, "--regimes", "repeal", *args[2:], "--force"])
    assert run.exit_code == 0, run.output
    options = (tmp_path / "memos/options-norte-este.md").read_text()
    assert f"Binding: {NO_SUPPLY}" in options and "fully allocated in 2029" not in options
    # Cut to 60,000 H100e, 2029's supply holds deals below their asks: it binds, said so.
    cut = ["--set", "portfolio.supply.2029=60_000", "--force"]
    run = invoke(["solve", NORTE, *args, *cut])
    assert "Binding: Supply is fully allocated in 2029." in words(run.stdout)
    memo = (tmp_path / "memos/portfolio-norte-este.md").read_text()
    assert "- Supply is fully allocated in 2029 (60,000 H100e).\n" in memo


def _tick_labels(chart: Chart, axis: str) -> list[str]:
    text = svg(chart)
    return re.findall(rf'<g id="{axis}_\d+">.*?<text[^>]*>([^<]*)</text>', text, re.S)


def test_the_value_risk_chart_writes_money_as_the_tables_do_from_zero() -> None:
    """uno's TR deal is worth $737.6m, PL's $938.8m: the value-risk scatter's axis read
    "$0.75bn ... $0.95bn" (every tick in the unit of the largest, one beyond the axis),
    from $0.72bn up, so TR looked worth a fraction of PL. Its ticks are now written as the
    tables write money, from $0."""
    points = [
        {"label": "TR", "risk": 936.0, "value_bn": 0.7376, "h100e": 16_000.0},
        {"label": "PL", "risk": 675.0, "value_bn": 0.938825, "h100e": 30_000.0},
    ]
    chart = Chart(id="vr", kind="value-risk", caption="", data={"points": points})
    labels = _tick_labels(chart, "ytick")
    assert labels == ["$0", "$200.0m", "$400.0m", "$600.0m", "$800.0m", "$1.00bn"], labels
