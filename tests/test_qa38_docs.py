"""The documents principals read, session 38 (qa38-docs): the options memo's totals, a
counter beside our next offer in the status memo, and the status memo's Markdown.
Each test failed before its fix (docs/decisions.md)."""

from __future__ import annotations

import io
import json
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pytest

from dealbench.analyze.compare import compare
from dealbench.analyze.memo import options_facts
from dealbench.figures import usd, usd_change, usd_changes
from dealbench.model import load_portfolio
from dealbench.model.regimes import REGIMES, find_regime
from dealbench.render import render_document
from dealbench.render.options_memo import options_memo_document
from helpers import DATA, REPO, invoke

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
ROUNDS = REPO / "deals/rounds/gulf-asia"
#: What each regime exports over 2026-2028 on the shipped data (`compare`'s table).
TOTALS = {"tiered": "2,341,000", "monopoly": "0", "repeal": "3,600,000", "bilateral": "3,600,000"}


def _section(md: str, head: str) -> str:
    return md.split(f"## {head}\n", 1)[1].split("\n## ", 1)[0]


def _table(text: str) -> list[list[str]]:
    """The rows of the first Markdown table in `text`, header and rule left out."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows[2:]]


@pytest.fixture(scope="module")
def options_memo() -> dict[str, bytes]:
    pf = load_portfolio(GULF)
    comparison, _ = compare(pf, [find_regime(r, GULF) for r in REGIMES])
    doc = options_memo_document(options_facts(comparison), pf, digest=comparison.fingerprint)
    return {f.path.rsplit(".", 1)[1]: f.data for f in render_document(doc, ["md", "html", "docx"])}


def test_the_options_memos_partner_table_ends_in_its_total(options_memo: dict[str, bytes]) -> None:
    """`compare deals/portfolios/gulf-asia.yaml --render md`: the options memo's table of
    each partner under each option gave each partner's H100e over the horizon, and the
    total only in a phrase of "The options" ("2,341,000 H100e exported, US utility ...").
    A reader adding up a column had no row to check it against. Each column's total is
    now the table's last row (md, html, docx; the PDF prints the HTML), the per-period
    exports end in their own total row, and the phrase is gone."""
    md = options_memo["md"].decode("utf-8")
    rows = _table(_section(md, "Each partner under each option"))
    assert rows[-1] == ["**Total**", *(f"**{TOTALS[r]}**" for r in REGIMES)]
    for i, regime in enumerate(REGIMES, start=1):  # the rows add up to it
        amounts = [re.match(r"([\d,]+) ", row[i]) for row in rows[:-1]]
        added = sum(int(m[1].replace(",", "")) for m in amounts if m)
        assert f"{added:,}" == TOTALS[regime], regime
    side = _table(_section(md, "The options side by side"))
    exported = ["**H100e exported, 2026–2028 total**", *(f"**{TOTALS[r]}**" for r in REGIMES)]
    assert exported in side
    assert "H100e exported" not in _section(md, "The options")  # said once, in the tables
    # In Markdown the limit follows its figure in the cell: it is not "below" it.
    assert "then the limit that decides it" in _section(md, "Each partner under each option")

    html = options_memo["html"].decode("utf-8")
    cells = "".join(f'<td class="num">{TOTALS[r]}</td>' for r in REGIMES)
    assert f'<tr class="total"><th scope="row">Total</th>{cells}</tr>' in html
    table = docx.Document(io.BytesIO(options_memo["docx"])).tables
    lasts = [[c.text for c in t.rows[-1].cells] for t in table]
    assert ["Total", *TOTALS.values()] in lasts


def test_the_partner_tables_rows_say_what_they_add_up_to() -> None:
    """ridge under its own regime: its partners' H100e, each rounded on its own, add up to
    818,596 over a total of 818,595 (B200 chips, 2.27 H100e each): the table's total row
    is the exact sum, rounded, and a sentence under it says what the rows add up to, as
    under the exports by period (qa31-totals)."""
    pf = load_portfolio(DATA / "qa31analyst" / "ridge.yaml")
    comparison, _ = compare(pf, [str(DATA / "qa31analyst" / "policy" / "ridge.yaml")])
    facts = options_facts(comparison)
    doc = options_memo_document(facts, pf, digest=comparison.fingerprint)
    (md,) = (f.data.decode("utf-8") for f in render_document(doc, ["md"]) if f.path.endswith(".md"))
    part = _section(md, "Each partner under each option")
    assert _table(part)[-1] == ["**Total**", "**818,595**"]
    assert "as printed the rows add up to 818,596 H100e under ridge." in part
    side = _section(md, "The options side by side")
    assert ["**H100e exported, 2027–2030 total**", "**818,595**"] in _table(side)


def _printed(text: str) -> Decimal:
    """A figure `usd` printed, back in dollars."""
    m = re.fullmatch(r"([+-]?)\$([\d,.]+)(tn|bn|m|k)?", text)
    assert m, text
    scale = {"tn": 10**12, "bn": 10**9, "m": 10**6, "k": 10**3, None: 1}[m[3]]
    return Decimal(f"{m[1]}{m[2].replace(',', '')}") * scale


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (78_248_000_000.0, 73_974_240_000.0),  # AE's counter and our next offer
        (17.5e9, 15.02e9),
        (950e6, 1.05e9),
        (-2e9, 3e6),
        (1e9, 1e9),
        (12_865_000_000.0, 12_655_004_999.0),
    ],
)
def test_a_change_as_printed_is_the_difference_as_printed(old: float, new: float) -> None:
    """$78.25bn beside $73.97bn over "-$4.27bn" (the exact change, -4.27376bn, rounded):
    a reader subtracting gets $4.28bn. Printed together, the three take the decimals that
    make the change the difference of the two as printed."""
    a, b, change = usd_change(old, new)
    # to the last digit of the coarser figure (session 41: $1.30bn beside $172.9m and
    # $1.47bn, not $1.298508bn beside $172.892m and $1.471400bn)
    digit = max(_last_digit(x) for x in (a, b) if _printed(x))
    difference = _printed(b) - _printed(a)
    rounded = (abs(difference) / digit).quantize(Decimal(1), ROUND_HALF_UP) * digit
    assert (rounded if difference >= 0 else -rounded) == _printed(change), (a, b, change)
    assert abs(_printed(change) - Decimal(str(new - old))) <= Decimal(str(abs(new - old))) / 100 + 1


def _last_digit(text: str) -> Decimal:
    """The value of the last digit of a figure `usd` printed ($10m for $78.25bn)."""
    m = re.fullmatch(r"[+-]?\$[\d,]+(?:\.(\d+))?(tn|bn|m|k)?", text)
    assert m, text
    scale = {"tn": 10**12, "bn": 10**9, "m": 10**6, "k": 10**3, None: 1}[m[2]]
    return Decimal(scale).scaleb(-len(m[1] or ""))


def test_the_status_memo_sets_a_counter_beside_our_next_offer(tmp_path: Path) -> None:
    """`room deals/portfolios/gulf-asia.yaml --render md`: AE's counter of round 4 (US
    $78.25bn, partner $17.50bn) got "accept ... at least the $150.25bn of our next offer's
    target ($72.43bn for this deal ...)", and nowhere what our next offer gives each side
    ($73.97bn and $15.02bn, as `offer` then records it): a negotiator could not see how
    far the next offer moves from the counter. The memo now sets them side by side, each
    side's utility and the change, in md, html, docx and json; the next offer is the one
    `offer` records."""
    out = tmp_path / "out"
    run = invoke(
        ["room", GULF, "--render", "md,html,docx,json", "--out", out, "--date", "2026-03-20"]
    )
    assert run.exit_code == 0, run.output
    rounds = tmp_path / "rounds"
    shutil.copytree(ROUNDS, rounds)
    offered = invoke(["offer", GULF, "-p", "AE", "--rounds", rounds, "--no-documents", "--json"])
    assert offered.exit_code == 0, offered.output
    figures = json.loads(offered.stdout)["figures"]
    # both rows to one precision (qa49-consist): the partner's $17.500bn beside the US's $78.248bn
    us, partner = usd_changes(
        [(78_248_000_000.0, figures["us_value"]), (17.5e9, figures["partner_utility"])]
    )
    assert us == ("$78.248bn", "$73.974bn", "-$4.274bn")
    assert partner == ("$17.500bn", "$15.020bn", "-$2.48bn")

    memo = out / "memos/negotiation-gulf-asia"
    md = memo.with_suffix(".md").read_text("utf-8")
    rows = _table(_section(md, "Recommended moves"))
    assert rows == [
        ["United Arab Emirates (AE), counter of round 4", "US utility", *us],
        ["United Arab Emirates (AE), counter of round 4", "Partner utility", *partner],
    ]
    head = "| Partner | Utility | Their counter | Our next offer | Next offer less counter |"
    assert head in md
    html = memo.with_suffix(".html").read_text("utf-8")
    assert (
        '<th scope="row">US utility</th>' + "".join(f'<td class="num">{x}</td>' for x in us) in html
    )
    tables = docx.Document(str(memo.with_suffix(".docx"))).tables
    seen = [[c.text for c in row.cells] for t in tables for row in t.rows]
    assert ["United Arab Emirates (AE), counter of round 4", "Partner utility", *partner] in seen
    data = json.loads(memo.with_suffix(".json").read_text("utf-8"))
    (answer,) = data["answers"]
    assert answer["next_us"] == figures["us_value"]
    assert answer["next_partner"] == figures["partner_utility"]


def test_the_status_memos_moves_are_a_heading_of_their_own(tmp_path: Path) -> None:
    """The status memo's Markdown ran "... so a counter worth accepting can show a
    gain.\\n## Recommended moves": no blank line before the heading, which pandoc and
    other readers needing one print as text of the paragraph above."""
    out = tmp_path / "out"
    run = invoke(["room", GULF, "--render", "md", "--out", out, "--date", "2026-03-20"])
    assert run.exit_code == 0, run.output
    md = (out / "memos/negotiation-gulf-asia.md").read_text("utf-8")
    assert all(f"\n\n## {h}\n" in md for h in re.findall(r"^## (.+)$", md, flags=re.M))


def test_the_portfolio_memos_us_utility_adds_up_to_its_total(tmp_path: Path) -> None:
    """`solve deals/portfolios/gulf-asia.yaml --render md`: the packages' US utilities
    ($88.98bn ... $992.9m) add up to $176.04bn over a Total row of $174.04bn; the
    difference, MY's and KZ's walk-away values, was said in a sentence and in the bullets
    below ("Malaysia (MY): the US walk-away value is -$1.50bn."). Each partner without a
    deal is now a row of the table, at its walk-away value (md, html, docx; the PDF prints
    the HTML; the principals memo includes the same table), and said there only."""
    out = tmp_path / "out"
    run = invoke(["solve", GULF, "--render", "md,html,docx", "--out", out])
    assert run.exit_code == 0, run.output
    memo = out / "memos/portfolio-gulf-asia"
    md = memo.with_suffix(".md").read_text("utf-8")
    rows = _table(_section(md, "The packages"))
    assert rows[-3:-1] == [
        ["Malaysia (MY)", "no deal", "", "", "-$1.50bn", "", "", ""],
        ["Kazakhstan (KZ)", "no deal", "", "", "-$500.0m", "", "", ""],
    ]
    added = sum(_printed(row[4]) for row in rows[:-1])
    assert rows[-1][4] == f"**{usd(float(added))}**" == "**$174.04bn**"
    assert "walk-away value is" not in _section(md, "The packages")
    html = memo.with_suffix(".html").read_text("utf-8")
    assert (
        '<tr><th scope="row">Malaysia (MY)</th><td>no deal</td><td></td><td></td>'
        '<td class="num">-$1.50bn</td>'
    ) in html
    tables = docx.Document(str(memo.with_suffix(".docx"))).tables
    seen = [[c.text for c in row.cells] for t in tables for row in t.rows]
    assert ["Kazakhstan (KZ)", "no deal", "", "", "-$500.0m", "", "", ""] in seen
