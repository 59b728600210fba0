"""One answer to "why no deal" across every output (nodeal-one): the reason is computed
once (`optimize.explain.no_deal`), carried in the result (`SolveResult.no_deal_reasons`,
result.json's `no_deal_reasons`) and said from there by the terminal, the portfolio memo
(md, html, docx), `offer`, `room` and its memo, `frontier` and the web's pages. Each test
failed before its fix."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, Runner, job_done, web_client, words
from test_qa33_input import POLICY, VN

#: Vietnam under the gates regime with no supply in 2027 (qa33-input's Left 1): `solve` says
#: the supply in 2027 keeps it out; the portfolio memo said "the tier 2 cap (20,000 H100e a
#: year under open) prevents a deal", `room` "the plan gives this partner no deal".
PORTFOLIO = """\
id: mine
title: Vietnam, no supply in 2027
policy: ../policy/gates.yaml
periods: [2026, 2027]
supply: {2026: 150_000, 2027: 0}
partners: [../partners/vn.yaml]
caps: {VN: {audited: 500}}
"""

#: solve's remedy for VN: the change that opens a deal worth having (by hand in
#: test_qa33_input: sovereign-vault, 2026's ask of 50,000 and 7,000 in 2027).
REMEDY = (
    "to open one worth having, raise supply in 2027 from 0 to 7,000 H100e: sovereign-vault "
    "with 57,000 H100e, worth $427.5m to the US"
)


def _deals(root: Path) -> Path:
    """A deals/ folder with the VN portfolio, as `dealbench init` lays one out."""
    for sub, name, text in (
        ("policy", "gates.yaml", POLICY),
        ("partners", "vn.yaml", VN),
        ("portfolios", "mine.yaml", PORTFOLIO),
    ):
        (root / sub).mkdir(parents=True, exist_ok=True)
        (root / sub / name).write_text(text, encoding="utf-8")
    return root


def _flat(text: str) -> str:
    return " ".join(text.split())


def _solve_says(run: Runner, portfolio: Path, *more: str | Path) -> tuple[str, Any]:
    """solve's reason for VN as the terminal prints it, and the run."""
    done = run("solve", portfolio, *more)
    assert done.exit_code == 0, done.output
    said = _flat(done.stdout)
    found = re.search(r"Why no deal with VN: (.*?)(?: Wrote \d+ files|$)", said)
    assert found, said
    return found.group(1), done


def test_the_portfolio_memo_says_the_reason_and_remedy_solve_says(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --out --render`: the terminal named the supply in 2027 (raise it to 7,000
    H100e), the memo "the tier 2 cap (20,000 H100e a year under open) prevents a deal"
    (`render.no_deal`, from the figures alone). Now result.json carries solve's reason and
    every format of the memo says it."""
    portfolio = _deals(tmp_path / "deals") / "portfolios" / "mine.yaml"
    out = tmp_path / "out"
    reason, _ = _solve_says(run, portfolio, "--out", out, "--render", "md,html,docx")
    assert REMEDY in reason
    recorded = json.loads((out / "result.json").read_text(encoding="utf-8"))["no_deal_reasons"]
    assert [r["partner"] for r in recorded] == ["VN"]
    assert _flat(recorded[0]["message"]) == reason
    assert recorded[0]["relax"][0]["kind"] == "supply"
    memo = _flat((out / "memos" / "portfolio-mine.md").read_text(encoding="utf-8"))
    assert f"VN: {reason}." in memo
    assert "cap" not in memo.split("VN: ", 1)[1].split(".", 1)[0]  # no other limit named
    assert f"VN: {reason}." in words((out / "memos" / "portfolio-mine.html").read_text("utf-8"))
    from docx import Document

    docx = Document(str(out / "memos" / "portfolio-mine.docx"))
    assert any(reason in _flat(p.text) for p in docx.paragraphs)
    # `render` of the result.json says the same, solving nothing.
    again = run("render", out / "result.json", "--doc", "portfolio-memo", "--out", tmp_path / "r")
    assert again.exit_code == 0, again.output
    rendered = (tmp_path / "r" / "memos" / "portfolio-mine.md").read_text(encoding="utf-8")
    assert f"VN: {reason}." in _flat(rendered)


def test_offer_room_and_frontier_say_the_reason_solve_says(run: Runner, tmp_path: Path) -> None:
    """`room` said only "no offer — the plan gives this partner no deal" (its status memo
    too), `frontier` "ZOPA: none: no package beats both walk-away values"; `offer` said
    solve's reason. Each now says solve's reason, limit and remedy."""
    deals = _deals(tmp_path / "deals")
    portfolio = deals / "portfolios" / "mine.yaml"
    reason, _ = _solve_says(run, portfolio)
    rounds = tmp_path / "rounds"
    rounds.mkdir()
    offer = run("offer", portfolio, "--partner", "VN", "--rounds", rounds)
    assert offer.exit_code == 3, offer.output  # infeasible, with the explanation
    assert reason in _flat(offer.stderr)
    room = run("room", portfolio, "--rounds", rounds, "--out", tmp_path / "room", "--render", "md")
    assert room.exit_code == 0, room.output
    assert f"the plan gives this partner no deal: {reason}" in _flat(room.stdout)
    memo = next((tmp_path / "room" / "memos").glob("*.md")).read_text(encoding="utf-8")
    assert f"The plan gives this partner no deal: {reason}." in _flat(memo)
    frontier = run("frontier", portfolio, "--partner", "VN")
    assert frontier.exit_code == 0, frontier.output
    assert f"Why no deal with VN, as `solve` says it: {reason}." in _flat(frontier.stdout)


def test_a_result_json_without_reasons_renders_without_naming_a_limit(
    run: Runner, tmp_path: Path
) -> None:
    """A result.json written before results recorded reasons still renders; the memo does
    not guess a limit from the figures (it named the tier 2 cap where the supply keeps VN
    out), and solves nothing: it says the result does not record why."""
    portfolio = _deals(tmp_path / "deals") / "portfolios" / "mine.yaml"
    out = tmp_path / "out"
    assert run("solve", portfolio, "--out", out).exit_code == 0
    path = out / "result.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["no_deal_reasons"]
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    done = run("render", path, "--doc", "portfolio-memo", "--out", tmp_path / "r")
    assert done.exit_code == 0, done.output
    memo = _flat((tmp_path / "r" / "memos" / "portfolio-mine.md").read_text(encoding="utf-8"))
    assert (
        "VN: the result does not record why (a result.json written before dealbench recorded "
        "it, or a solve made without its explanation); a solve of the same inputs says why."
    ) in memo
    assert "cap (20,000 H100e a year under open) prevents a deal" not in memo


def test_the_web_solve_page_and_its_memo_say_the_reason_solve_says(
    run: Runner, tmp_path: Path
) -> None:
    """The web's solve page and the portfolio memo among its documents say solve's reason
    (the memo said the tier 2 cap)."""
    deals = _deals(tmp_path / "deals")
    reason, _ = _solve_says(run, deals / "portfolios" / "mine.yaml")
    with web_client(deals, WEB_TOKEN) as client:
        form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best", "solver": "highs"}
        response = client.post("/p/mine/solve", data=form, follow_redirects=False)
        assert response.status_code == 303, response.text
        job = job_done(client, response)
        page = client.get(job)
        assert reason in words(page.text)
        memo = client.get(f"{job}/documents/memos/portfolio-mine.md")
        assert memo.status_code == 200, memo.text
        assert f"VN: {reason}." in _flat(memo.text)


def test_compare_and_its_memos_name_the_limit_solve_names(run: Runner, tmp_path: Path) -> None:
    """`compare --out --render`: the table and the options memo said "no deal: cap below
    what it accepts" for VN, the principals memo beside it "the tier 2 cap ... prevents a
    deal", where `solve` raises the supply in 2027. The table names the limit solve's remedy
    changes; the principals memo and the regime's result.json carry solve's reason."""
    deals = _deals(tmp_path / "deals")
    portfolio = deals / "portfolios" / "mine.yaml"
    reason, _ = _solve_says(run, portfolio)
    out = tmp_path / "cmp"
    done = run("compare", portfolio, "--regimes", deals / "policy" / "gates.yaml",
               "--out", out, "--render", "md")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "supply below what it accepts" in _flat(done.stdout)
    assert "cap below what it accepts" not in _flat(done.stdout)
    options = _flat((out / "memos" / "options-mine.md").read_text(encoding="utf-8"))
    assert "no deal: supply below what it accepts" in options
    principals = _flat((out / "memos" / "principals-mine-gates.md").read_text(encoding="utf-8"))
    assert f"VN: {reason}." in principals
    recorded = json.loads((out / "gates" / "result.json").read_text(encoding="utf-8"))
    assert _flat(recorded["no_deal_reasons"][0]["message"]) == reason


def test_offer_to_a_partner_the_shared_limits_keep_out_says_what_solve_says(
    run: Runner, tmp_path: Path
) -> None:
    """gulf-asia: `solve` says MY's supply goes to deals worth more, and raising it by
    124,000 H100e does not open a deal; `offer --partner MY` said "raise supply in 2027
    from 1,200,000 to 1,344,643 H100e", a remedy solve says does not work (it explained MY
    alone beside the deals held). It now says the plan's reason, as `room` does."""
    portfolio = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
    done = run("solve", portfolio)
    said = _flat(done.stdout)
    # Less the terminal's pointer to `dealbench frontier`, which the reason leaves to each
    # shell (session 42).
    found = re.search(r"Why no deal with MY: (.*?for that reason) .*?Why no deal with KZ", said)
    assert found, said
    rounds = tmp_path / "rounds"
    rounds.mkdir()
    offer = run("offer", portfolio, "--partner", "MY", "--rounds", rounds)
    assert offer.exit_code == 3, offer.output
    assert found.group(1) in _flat(offer.stderr)
    assert "1,344,643" not in offer.stderr
