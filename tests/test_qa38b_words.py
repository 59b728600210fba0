"""What the negotiation and comparison outputs tell a negotiator, session 38 (qa38b-words):
a partner's counter in its own term sheet and redline, `counter` and the web's recorded
round beside our next offer, and `compare`'s and the web's "Who gets what" totals.
Each test failed before its fix (docs/decisions.md)."""

from __future__ import annotations

import io
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import docx

from dealbench.analyze.compare import compare
from dealbench.analyze.memo import options_facts
from dealbench.checker import evaluate
from dealbench.figures import shown, usd_changes
from dealbench.model import load_package, load_portfolio
from dealbench.model.regimes import REGIMES, find_regime
from dealbench.render.filters import h100e, money
from helpers import DATA, REPO, WEB_TOKEN, invoke, web_client, words

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
AE_COUNTER = REPO / "deals/packages/ae-counter.yaml"


def _rounds(tmp_path: Path, name: str = "rounds") -> Path:
    """A copy of the shipped gulf-asia rounds, as README's tour makes one."""
    return Path(shutil.copytree(REPO / "deals/rounds/gulf-asia", tmp_path / name))


def _counter(tmp_path: Path, *extra: str) -> str:
    """`dealbench counter` with AE's shipped counter on a copy of the rounds: its stdout."""
    done = invoke(
        [
            "counter", GULF, "--partner", "AE", AE_COUNTER, "--rounds", _rounds(tmp_path),
            "--out", tmp_path / "docs", "--date", "2026-03-27", *extra,
        ]
    )  # fmt: skip
    assert done.exit_code == 0 and not done.traceback, done.output
    return done.stdout


def test_a_partners_counter_is_not_told_it_should_accept_itself(tmp_path: Path) -> None:
    """`counter ... ae-counter.yaml -f md,html,docx`: the counter's internal term sheet,
    and the redline from our offer to it, said "The United Arab Emirates should accept
    ($38.45bn over its walk-away value and the required margin)" of the UAE's own
    proposal. They now say what the counter gives each side against its walk-away value;
    our offer's line in the redline still says whether the partner should accept it."""
    _counter(tmp_path, "-f", "md,html,docx")
    pf = load_portfolio(GULF)
    deal = evaluate(pf, load_package(AE_COUNTER, pf))
    said = (
        f"The counter gives the United Arab Emirates {money(deal.partner_margin)} over its "
        "walk-away value and the required margin, and the United States "
        f"{money(deal.us_margin)} over its walk-away value."
    )
    docs = tmp_path / "docs"
    sheet, redline = (
        "term-sheets/AE-counter-005-internal",
        "redlines/AE-offer-003-to-counter-005-internal",
    )
    for stem in (sheet, redline):
        md = (docs / f"{stem}.md").read_text("utf-8")
        html = words((docs / f"{stem}.html").read_text("utf-8"))
        paras = [
            p.text
            for p in docx.Document(io.BytesIO((docs / f"{stem}.docx").read_bytes())).paragraphs
        ]
        for text in (md, html, "\n".join(paras)):
            assert said in text, stem
            assert "United Arab Emirates should accept ($38.45bn" not in text
    md = (docs / f"{redline}.md").read_text("utf-8")
    assert "- US offer, round 3 (003-us.yaml): The United Arab Emirates should accept" in md
    assert f"- The Partner's counter, round 5 (005-partner.yaml): {said}" in md


def test_counter_prints_our_next_offer_beside_the_counter(tmp_path: Path) -> None:
    """`counter ... ae-counter.yaml` printed the verdict and the recommendation to counter,
    never what our next offer gives each side (its --json had `next_offer_us` and
    `next_offer_partner`). It now prints the status memo's table: their counter, our next
    offer and the change, for each side, the change as printed the difference as printed
    (`usd_change`)."""
    v = json.loads(_counter(tmp_path / "json", "--json", "--no-documents"))
    text = _counter(tmp_path / "text", "--no-documents")
    us, partner = usd_changes(  # both rows to one precision (qa49-consist)
        [(v["us_utility"], v["next_offer_us"]), (v["partner_utility"], v["next_offer_partner"])]
    )
    lines = text.splitlines()
    head = lines.index("  Beside our next offer (as `offer` would record it now):")
    assert [c.strip() for c in lines[head + 1].split("  ") if c.strip()] == [
        "Their counter",
        "Our next offer",
        "Next offer less counter",
    ]
    assert lines[head + 2].split() == ["US", "utility", *us]
    assert lines[head + 3].split() == ["Partner", "utility", *partner]
    assert lines[head + 4].startswith("Recommendation: COUNTER")


def test_the_webs_recorded_counter_sets_it_beside_our_next_offer(tmp_path: Path) -> None:
    """The web's page for a recorded counter gave the verdict and no next offer. It now
    has the same table as `counter`, from the same figures (`counter --json` on a copy
    of the same rounds)."""
    from dealbench.web.security import CSRF_FIELD, csrf_for

    v = json.loads(_counter(tmp_path / "cli", "--json", "--no-documents"))
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get("/p/gulf-asia/n/AE").text
        expect = re.search(r'name="expect" value="(\d+)"', page)
        assert expect is not None
        form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1], "date": "2026-03-27"}
        files = {"file": ("ae-counter.yaml", AE_COUNTER.read_bytes(), "application/x-yaml")}
        answer = client.post("/p/gulf-asia/n/AE/counter", data=form, files=files)
    assert answer.status_code == 200, answer.text
    table = answer.text.split('id="beside-next"', 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", r) for r in table.split("<tr>")[1:]]
    assert rows[0] == ["Utility", "Their counter", "Our next offer", "Next offer less counter"]
    us, partner = usd_changes(
        [(v["us_utility"], v["next_offer_us"]), (v["partner_utility"], v["next_offer_partner"])]
    )
    assert rows[1] == ["US utility", *us]
    assert rows[2] == ["Partner utility", *partner]


def _facts_totals(path: Path, regimes: list[str]) -> list[float | None]:
    pf = load_portfolio(path)
    comparison, _ = compare(pf, [find_regime(r, path) for r in regimes])
    return [r["compute_total"] if r["ok"] else None for r in options_facts(comparison)["regimes"]]


def test_compare_ends_who_gets_what_in_the_options_memos_total(tmp_path: Path) -> None:
    """`compare deals/portfolios/gulf-asia.yaml`: "Who gets what" listed each partner
    under each regime and no total (the options memo has had one since qa38-docs). It now
    ends in a Total row: each regime's horizon total, the options memo's figure, in the
    table's thousands."""
    done = invoke(["compare", GULF])
    assert done.exit_code == 0, done.output
    table = done.stdout.split("Who gets what", 1)[1]
    (total,) = [line for line in table.splitlines() if line.startswith("│ Total")]
    cells = [c.strip() for c in total.strip("│").split("│")]
    expected = _facts_totals(GULF, list(REGIMES))
    in_thousands = [Decimal(c.removesuffix("k").replace(",", "")) * 1000 for c in cells[1:]]
    assert in_thousands == [shown(t) for t in expected if t is not None]
    assert cells[1:] == ["2,341.0k", "0", "3,600.0k", "3,600.0k"]


def test_compare_says_what_the_rows_add_up_to_where_the_total_differs() -> None:
    """ridge under its own regime (B200 chips, 2.27 H100e each): its partners' rows add
    up to 818,596 over a total of 818,595. The options memo says so under its table;
    `compare` now prints the same total and the same sentence."""
    path = DATA / "qa31analyst" / "ridge.yaml"
    done = invoke(["compare", path, "--regimes", DATA / "qa31analyst" / "policy" / "ridge.yaml"])
    assert done.exit_code == 0, done.output
    table = done.stdout.split("Who gets what", 1)[1]
    (total,) = [line for line in table.splitlines() if line.startswith("│ Total")]
    assert "818,595" in total
    assert "as printed the rows add up to 818,596 H100e under ridge." in " ".join(table.split())


def test_the_web_compare_page_ends_who_gets_what_in_its_total(tmp_path: Path) -> None:
    """The web's compare page: "Who gets what" had no total row. It now ends in the
    options memo's totals, one per regime."""
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get("/p/gulf-asia/compare").text
    foot = page.split('id="partners-total"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<strong>([^<]*)</strong>", foot)
    regimes = re.findall(
        r'<th scope="col">([^<]*)</th>', page.split('id="partners"', 1)[1].split("</thead>")[0]
    )
    expected = _facts_totals(GULF, regimes[1:])
    assert cells == [h100e(t) if t is not None else "-" for t in expected]
    assert "Total (H100e)" in foot


def test_a_counter_below_the_partners_walk_away_value_says_so_of_both_sides() -> None:
    """A counter our figures value below the partner's own walk-away value, and one over a
    cap: the verdict names the limits, then what the counter gives each side, and never
    "would refuse" or "should accept" of the partner's own proposal."""
    from dealbench.render.limits import verdict

    pf = load_portfolio(GULF)
    package = load_package(AE_COUNTER, pf)
    small = evaluate(
        pf, package.model_copy(update={"compute": dict.fromkeys(package.compute, 1_000)})
    )
    assert not small.accepts
    text = verdict(small, side="counter")
    short = money(small.acceptance_threshold - small.partner_utility)
    assert text.startswith(
        f"The counter gives the United Arab Emirates {short} less than its walk-away value "
        "plus the required margin, as our figures for it value the terms, and the United States "
    )
    over = evaluate(
        pf, package.model_copy(update={"compute": dict.fromkeys(package.compute, 900_000)})
    )
    text = verdict(over, side="counter")
    assert text.startswith("The package breaks ") and "The counter gives" in text
    for said in (verdict(small, side="counter"), text):
        assert "refuse" not in said and "should accept" not in said
