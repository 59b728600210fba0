"""qa44-polish: the documents and charts a principal reads.

The frontier chart of `frontier --out` frames a named point a round lies on (round 1, the
US-best package, hid the US-best square) and writes each round's number clear of every
marker. A glossary defines the terms its document uses, no other, and its last entry does
not stand alone on the last page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dealbench import load_portfolio
from dealbench.negotiate import frontier
from dealbench.negotiate.chart import FRAMED, NAMED_SIZE, Round, _draw, frontier_png
from dealbench.render.glossary import GLOSSARY, glossary, used
from helpers import DATA, REPO, Runner

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


@pytest.fixture(scope="module")
def tiny_curve() -> Any:
    return frontier(
        load_portfolio(Path(__file__).parent / "data/qa9neg/hyrule.yaml"), "XH", points=4
    )


def _scatters(ax: Any) -> list[tuple[tuple[float, float], float, str]]:
    return [
        (tuple(c.get_offsets()[0]), float(c.get_sizes()[0]), c.get_label()) for c in ax.collections
    ]


def test_a_round_on_the_us_best_point_leaves_the_us_best_square_framed_around_it(
    tiny_curve: Any,
) -> None:
    """`frontier gulf-asia.yaml --partner AE --out DIR`: round 1 is the US-best package, and
    its white square, drawn over the US-best square of the same size, hid it whole; the
    chart showed no US-best. The US-best square is drawn again, larger, beneath the round:
    a frame of its colour around it; the legend keeps its own size."""
    best = tiny_curve.us_best
    at = (best.partner_utility / 1e9, best.us_utility / 1e9)
    rounds = [Round(1, "us", best.us_utility, best.partner_utility, fitted=True)]
    ax = _draw(tiny_curve, rounds).axes[0]
    here = [(size, label) for xy, size, label in _scatters(ax) if xy == pytest.approx(at)]
    assert ("US-best" in [label for _, label in here]) and (NAMED_SIZE, "US-best") in here
    assert (NAMED_SIZE * FRAMED, "_nolegend_") in here  # the frame, under the round
    handles, labels = ax.get_legend_handles_labels()
    assert handles[labels.index("US-best")].get_sizes()[0] == NAMED_SIZE
    # Without a round on it, the US-best square is drawn once, at its size.
    ax = _draw(tiny_curve, []).axes[0]
    assert [s for xy, s, _ in _scatters(ax) if xy == pytest.approx(at)] == [NAMED_SIZE]


def test_a_rounds_number_covers_no_marker_and_the_chart_is_the_same_bytes(
    tiny_curve: Any,
) -> None:
    """A round's number was always written 4 pt right and above its marker: on the framed
    US-best square, or on a Nash star beside the round. It goes where it covers no marker."""
    best, nash = tiny_curve.us_best, tiny_curve.nash
    rounds = [
        Round(1, "us", best.us_utility, best.partner_utility, fitted=True),
        Round(2, "partner", nash.us_utility, nash.partner_utility),
    ]
    fig = _draw(tiny_curve, rounds)
    ax = fig.axes[0]
    fig.draw_without_rendering()
    numbers = [t for t in ax.texts if t.get_text() in ("1", "2")]
    assert sorted(t.get_text() for t in numbers) == ["1", "2"]
    to_px = fig.dpi / 72
    for text in numbers:
        box = text.get_window_extent()
        for c in ax.collections:
            half = float(c.get_sizes()[0]) ** 0.5 / 2 * to_px
            x, y = ax.transData.transform(c.get_offsets()[0])
            inside = box.x0 < x + half and x - half < box.x1
            assert not (inside and box.y0 < y + half and y - half < box.y1), text.get_text()
    assert frontier_png(tiny_curve, rounds) == frontier_png(tiny_curve, rounds)


# --- a glossary defines the terms its document uses ----------------------------------------


def test_a_memo_of_a_portfolio_with_no_deal_defines_only_the_terms_it_uses(
    run: Runner, tmp_path: Path
) -> None:
    """`solve gulf-asia.yaml --set portfolio.risk_budget=0`, then `render --doc
    portfolio-memo`: the memo says why no partner gets a deal, and its glossary defined the
    export value, the risk penalty, the partner margin and the security levels, which it
    never names. Every format (JSON too) has the glossary of the terms the memo uses."""
    solved = run(
        "solve", GULF, "--set", "portfolio.risk_budget=0", "--out", tmp_path / "s",
        "--date", "2026-03-01",
    )  # fmt: skip
    assert solved.exit_code == 0, solved.stderr
    out = tmp_path / "memo"
    r = run(
        "render", tmp_path / "s/result.json", "--doc", "portfolio-memo", "-f", "md,html,json",
        "--out", out,
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    md = (out / "memos/portfolio-gulf-asia.md").read_text("utf-8")
    body, glossary = md.split("\n## Glossary\n")
    defined = re.findall(r"^- \*\*(.+?)\*\*: ", glossary, flags=re.M)
    assert defined == [
        "H100e",
        "US utility",
        "Risk-weighted H100e",
        "Walk-away value",
        "Required margin",
    ]
    assert "export value" not in body.lower() and "partner margin" not in body.lower()
    html = (out / "memos/portfolio-gulf-asia.html").read_text("utf-8")
    assert re.findall(r"<dt>(.+?)</dt>", html) == defined
    data = json.loads((out / "memos/portfolio-gulf-asia.json").read_text("utf-8"))
    assert [t["term"] for t in data["glossary"]] == defined
    assert all(set(t) == {"term", "meaning"} for t in data["glossary"])


def test_a_glossary_counts_a_term_in_any_case_and_number_and_a_level_by_its_id() -> None:
    terms = glossary(load_portfolio(GULF).policy)
    said = "Their walk-away values; the US utilities. | AE | veu | 400,000 H100e |"
    assert [t["term"] for t in used(terms, said)] == [
        "H100e", "US utility", "Walk-away value", "Security levels",
    ]  # fmt: skip
    # "risk-weighted" is not the risk penalty, nor "high-baseline" a level's id.
    assert used(terms, "risk-penalty-free, high-baseline") == []


# --- a glossary's last entry is not alone on the last page ---------------------------------


def _page_texts(pdf: bytes) -> list[str]:
    import io

    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_a_glossarys_last_entry_does_not_stand_alone_on_the_last_pdf_page() -> None:
    """The portfolio and room memos' PDFs ended on a page holding the glossary's last entry,
    "Security levels", alone. Wherever a page ends in a glossary, the last entry goes over
    with the one before it."""
    from dealbench.render.environment import render_template
    from dealbench.render.pdf import html_to_pdf

    style = render_template("_style.css.j2", {"doc": {"kind": "portfolio-memo"}})
    entries = GLOSSARY[:4]
    dl = "".join(f"<dt>{term}</dt><dd>{meaning}</dd>" for term, meaning in entries)
    split = 0
    for mm in range(163, 223, 6):  # the space above the glossary: its end crosses the page
        html = (
            f'<html lang="en"><head><title>t</title><style>{style}</style></head><body>'
            f'<div style="height:{mm}mm"></div><section class="glossary"><h2>Glossary</h2>'
            f"<dl>{dl}</dl></section></body></html>"
        )
        pages = _page_texts(html_to_pdf(html, None))
        lines = pages[-1].splitlines()  # a term is a line of its own
        on_last = [term for term, _ in entries if term in lines]
        if len(pages) > 1 and len(on_last) < len(entries):
            split += 1
            assert len(on_last) >= 2, (mm, on_last)
    assert split  # the sweep did cross a page's end inside the glossary


def test_the_docx_keeps_a_glossarys_and_a_lists_last_entry_with_the_one_before() -> None:
    import io

    import docx

    from dealbench.render.word import html_to_docx

    html = (
        '<html lang="en"><head><title>t</title></head><body>'
        "<ul><li>one</li><li>two</li><li>three</li></ul>"
        "<dl><dt>A</dt><dd>a</dd><dt>B</dt><dd>b</dd><dt>C</dt><dd>c</dd></dl></body></html>"
    )
    paragraphs = docx.Document(io.BytesIO(html_to_docx(html, None, None))).paragraphs
    kept = {p.text: bool(p.paragraph_format.keep_with_next) for p in paragraphs if p.text}
    assert kept == {
        "one": False, "two": True, "three": False,
        "A": True, "a": False, "B": True, "b": True, "C": True, "c": False,
    }  # fmt: skip


# --- no parentheses in a row, nor in parentheses; no line opening with an id -------------


def test_the_options_memo_names_each_option_once_in_brackets_and_opens_its_lines_in_capitals(
    run: Runner, tmp_path: Path
) -> None:
    """`compare ... --render md`: the options memo wrote "a tier framework (the 2025
    diffusion rule's shape) (`tiered`)", two parentheses in a row, and "What would change
    it" opened with a regime's id in lower case: "bilateral ties with repeal: any change
    separating them decides." `compare` printed "Highest US utility: repeal (Rule repealed
    (no caps; risk penalty only))" and a partner's limit "cap (veu) (2028)": parentheses
    in parentheses, and in a row."""
    out = tmp_path / "out"
    r = run(
        "compare", DATA / "qa9docs/portfolios/allies.yaml", "--regimes", "tiered,repeal,bilateral",
        "-j", "1", "--out", out, "--render", "md", "--date", "2026-03-01",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    memo = (out / "memos/options-allies.md").read_text("utf-8")
    assert "a tier framework shaped like the 2025 diffusion rule (`tiered`)" in memo
    assert not re.search(r"\) \(", memo)  # no two brackets in a row
    changes = memo.split("## What would change it\n")[1].split("\n## ")[0]
    lines = re.findall(r"^- (.)", changes, flags=re.M)
    assert lines and all(first.isupper() for first in lines), changes
    assert "It is a tie between repeal and bilateral: any change separating them decides." in (
        changes
    )
    said = " ".join(r.stdout.split())
    assert "Highest US utility: repeal (Rule repealed [no caps; risk penalty only])" in said
    assert not re.search(r"\([^()]*\(", said)  # no parentheses in parentheses


def test_a_cap_that_decides_a_deal_is_named_under_its_level() -> None:
    """The "who gets what" cell "cap (veu) (2028)" reads "cap under veu (2028)", as `solve`
    and the recommendation name a cap ("the tier 2 cap under veu")."""
    from dealbench.analyze.limits import decided_by
    from dealbench.optimize import solve

    pf = load_portfolio(GULF)
    assert decided_by(pf, solve(pf), "AE") == "supply (2026–2027), cap under veu (2028)"
