"""Documents tried as a new user tries them: inputs no shipped file has, and what they give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dealbench.render.charts import Chart, svg
from helpers import Runner


@pytest.fixture
def result_file(run: Runner, tiny: Path, tmp_path: Path) -> Path:
    """A result.json of the tiny portfolio (one deal, AA), as `solve --out` writes it."""
    r = run("solve", tiny, "--out", tmp_path / "solved", "--date", "2026-03-01")
    assert r.exit_code == 0, r.output + r.traceback
    return tmp_path / "solved" / "result.json"


def _edited(path: Path, edit: object) -> Path:
    data = json.loads(path.read_text())
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    return path


# --- a result.json edited by hand ---------------------------------------------------------


def test_a_hand_edited_negative_compute_is_refused_with_the_field(
    run: Runner, result_file: Path, tmp_path: Path
) -> None:
    """It ended in a pydantic traceback (exit 1) when the package was rebuilt from the deal."""
    _edited(result_file, lambda d: d["deals"][0]["compute"].update({"2026": -5}))
    r = run("render", result_file, "--out", tmp_path / "docs")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.traceback == ""
    assert r.stderr.strip() == (
        f"error: {result_file}:1: deals.0.compute.2026: not a dealbench result.json: "
        "Input should be greater than or equal to 0"
    )
    assert not (tmp_path / "docs").exists()


def test_a_hand_edited_date_is_refused_not_dropped(
    run: Runner, result_file: Path, tmp_path: Path
) -> None:
    """`"date": "yesterday"` used to give undated documents without a word."""
    _edited(result_file, lambda d: d.update({"date": "yesterday"}))
    r = run("render", result_file, "--out", tmp_path / "docs")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.strip() == f"error: {result_file}: date: expected YYYY-MM-DD, got 'yesterday'"


def test_term_sheets_of_a_result_without_deals_say_there_are_none(
    run: Runner, result_file: Path, tmp_path: Path
) -> None:
    """It exited 0, printed nothing and left an empty folder."""
    _edited(result_file, lambda d: d.update({"deals": []}))
    r = run("render", result_file, "--out", tmp_path / "docs")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.strip() == (
        f"error: {result_file}: the result concludes no deal, so there is no term sheet to "
        "render; --doc portfolio-memo says what prevents a deal"
    )
    assert not (tmp_path / "docs").exists()
    memo = run("render", result_file, "--doc", "portfolio-memo", "--out", tmp_path / "docs")
    assert memo.exit_code == 0, memo.output + memo.traceback


# --- memos say only what is true ----------------------------------------------------------


def _tiny_copy(tmp_path: Path, tiny: Path, supply: int) -> Path:
    """The tiny portfolio (AA alone) with another supply."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    for f in tiny.parent.glob("*.yaml"):
        (folder / f.name).write_text(f.read_text())
    pf = folder / "portfolio.yaml"
    pf.write_text(pf.read_text().replace("1_000_000", f"{supply:_}"))
    return pf


def _memo(run: Runner, pf: Path, package: str, tmp_path: Path) -> str:
    path = tmp_path / "aa-draft.yaml"
    path.write_text(package)
    r = run("render", path, "--portfolio", pf, "--doc", "deal-memo", "--out", tmp_path / "docs")
    assert r.exit_code == 0, r.output + r.traceback
    return (tmp_path / "docs" / "memos" / "AA-draft.md").read_text()


def test_a_deal_alone_on_the_supply_takes_it_from_no_other_partner(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """AA alone in its portfolio, with all the supply: the memo said "more for AA means less
    for another partner"; there is none."""
    pf = _tiny_copy(tmp_path, tiny, 40_000)
    memo = _memo(run, pf, "partner: AA\nsecurity: kyc\ncompute: {2026: 40_000}\n", tmp_path)
    assert "another partner" not in memo
    assert "- Supply is fully allocated in 2026 (40,000 H100e), all of it to AA." in memo


def test_the_weakest_level_cuts_no_risk_and_no_commitments_are_none(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """Under baseline (mitigation 0) the memo said "cut the risk-weighted compute from 2,000
    to 2,000 H100e, avoiding $0 of risk penalty", and "against 0 commitments"."""
    memo = _memo(run, tiny, "partner: AA\nsecurity: baseline\ncompute: {2026: 10_000}\n", tmp_path)
    assert "from 2,000 to 2,000" not in memo
    assert (
        "- Security: baseline conditions cost the Partner nothing and mitigate none of the "
        "diversion risk: the 2,000 risk-weighted H100e count in full." in memo
    )
    assert "against no commitments" in memo
    assert "0 commitments" not in memo


def test_a_package_without_compute_has_no_risk_to_mitigate(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    memo = _memo(run, tiny, "partner: AA\nsecurity: kyc\ncompute: {}\n", tmp_path)
    assert "from 0 to 0" not in memo
    assert "the package delivers no compute, so there is no risk to mitigate." in memo


# --- charts -------------------------------------------------------------------------------


def _tick_labels(chart: Chart, axis: str) -> list[str]:
    import re

    text = svg(chart)
    return re.findall(rf'<g id="{axis}_\d+">.*?<text[^>]*>([^<]*)</text>', text, re.S)


def test_money_axes_of_small_and_large_deals_read_as_the_documents_write_money() -> None:
    """A deal worth $30.0m had its value chart ticked "-$0.01bn, $0.00bn, $0.01bn" under a
    caption "(USD bn)"; the documents write $10.0m, and $1.25tn for trillions."""
    rows = [("Commitments", 0.0), ("Exports", 0.04), ("Risk penalty", -0.01), ("US utility", 0.03)]
    small = Chart(
        id="v",
        kind="value-build",
        caption="",
        data={"rows": [{"label": k, "value_bn": v} for k, v in rows]},
    )
    labels = _tick_labels(small, "xtick")
    assert "$0" in labels and "$10.0m" in labels and "-$10.0m" in labels, labels
    assert not any("bn" in label for label in labels), labels
    large = Chart(
        id="w",
        kind="value-build",
        caption="",
        data={"rows": [{"label": "US utility", "value_bn": 2_500.0}]},
    )
    labels = _tick_labels(large, "xtick")
    # each tick as the tables write that amount (qa36-true: "$0.75bn" beside "$737.6m")
    assert labels == ["$0", "$500.00bn", "$1.00tn", "$1.50tn", "$2.00tn", "$2.50tn"], labels


def test_a_cap_far_above_the_ask_does_not_flatten_the_schedule() -> None:
    """CI asks 5,000 H100e under a cap of 2,000,000: the axis ran to 2,000k and the package's
    bar was a line on the floor. The axis now stops above the bars; the legend gives the cap."""
    chart = Chart(
        id="s",
        kind="schedule",
        caption="",
        data={"periods": ["2026"], "offered": [5_000.0], "ask": [5_000.0], "cap": 2_000_000.0},
    )
    ticks = _tick_labels(chart, "ytick")
    assert ticks[-1] in ("5k", "6k"), ticks
    assert "Cap: 2,000,000," in svg(chart) and "above the chart" in svg(chart)
    near = Chart(
        id="t",
        kind="schedule",
        caption="",
        data={"periods": ["2026"], "offered": [5_000.0], "ask": [8_000.0], "cap": 10_000.0},
    )
    assert ">Cap<" in svg(near)  # a cap near the bars is drawn as a line


# --- redlines -----------------------------------------------------------------------------


def _redline(run: Runner, tiny: Path, tmp_path: Path, old: str, new: str) -> str:
    a, b = tmp_path / "aa-old.yaml", tmp_path / "aa-new.yaml"
    a.write_text(old)
    b.write_text(new)
    out = tmp_path / "redline.md"
    r = run("redline", a, b, "--portfolio", tiny, "--out", out)
    assert r.exit_code == 0, r.output + r.traceback
    return out.read_text()


def test_a_redline_shows_a_changed_site_and_tranches_written_in_chips(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """Annex A names each tranche's site and its chips; a redline compared the H100e alone,
    so a new site, or a tranche now written in chips, read as 'same' or went unmentioned."""
    base = "partner: AA\nsecurity: kyc\ncompute: {2026: 40_000}\n"
    moved = _redline(
        run,
        tiny,
        tmp_path,
        base + "sites: {2026: Campus A; operated by X}\n",
        base + "sites: {2026: Campus B; operated by Y}\n",
    )
    assert "| Period (tranche) | H100e | Site and operator | Status |" in moved
    assert (
        "| 2026 | 40,000 | ~~Campus A; operated by X~~ **Campus B; operated by Y** | changed |"
        in moved
    )
    assert "1 term changed, 0 added, 0 removed." in moved
    chips = _redline(
        run,
        tiny,
        tmp_path,
        "partner: AA\nsecurity: kyc\ncompute: {2026: 9_096}\n",
        "partner: AA\nsecurity: kyc\ncompute: {2026: {chips: 4_000, model: B200}}\n",
    )
    assert "| 2026 | ~~9,096~~ **9,096 (4,000 B200)** | changed |" in chips
    same = _redline(run, tiny, tmp_path, base, base)
    assert "| 2026 | 40,000 | same |" in same and "Site and operator" not in same
    # Nothing changed is said so, not counted in noughts under a legend for absent marks
    # (qa6-docs).
    assert "No term changed: both versions state the same compute schedule" in same
    assert "0 terms changed" not in same


# --- solve's explanations ------------------------------------------------------------------


def test_a_shortfall_names_the_margin_with_the_walk_away_value() -> None:
    """AA (batna 4bn) under a margin of 50m: "its walk-away value is $4.05bn" was false; $4.05bn
    is the walk-away value plus the required margin."""
    import builders as b
    from dealbench.optimize import solve
    from dealbench.optimize.explain.infeasible import explain_infeasible

    pol = b.policy(caps={"tier2": {"kyc": 100_000}, "tier3": 0}, risk_penalty="10k", margin="50m")
    aa = b.partner("AA", ask={"2026": 200_000}, batna="4bn", security_costs={"kyc": 0})
    pf = b.portfolio(pol, [aa], supply={"2026": 1e6})
    assert solve(pf, require=["AA"]).status.name == "INFEASIBLE"
    message = explain_infeasible(pf, require=["AA"]).message
    assert "(its walk-away value plus the required margin is $4.05bn)" in message, message
    assert "walk-away value is $4.05bn" not in message


def test_a_term_of_one_period_is_not_from_2026_to_2026(
    run: Runner, result_file: Path, tmp_path: Path
) -> None:
    """The tiny portfolio has one period: the definition read "the period from 2026 to 2026
    inclusive"."""
    r = run("render", result_file, "--out", tmp_path / "docs")
    assert r.exit_code == 0, r.output + r.traceback
    text = (tmp_path / "docs" / "term-sheets" / "AA.md").read_text()
    assert '"The term" is the period 2026, over which compute is delivered' in text
    assert "from 2026 to 2026" not in text


def test_a_tiny_share_of_the_risk_budget_is_not_zero() -> None:
    """200 risk-weighted H100e of a budget of 5,000,000 read "0.0% of the risk budget"."""
    from dealbench.render.filters import percent

    assert percent(200 / 5_000_000) == "less than 0.1%"
    assert percent(0.0) == "0.0%" and percent(0.125) == "12.5%"
    assert percent(0.00004, 2) == "less than 0.01%" and percent(1e-9, 0) == "less than 1%"


def test_the_options_memo_counts_deals_in_words(run: Runner, tiny: Path, tmp_path: Path) -> None:
    """It read "1 deal(s) (AA)" and wrote its command in backticks that Markdown escaping
    turned into \\` marks."""
    other = tmp_path / "p2.yaml"
    other.write_text((tiny.parent / "policy.yaml").read_text().replace("id: tiny", "id: tiny2"))
    policies = f"{tiny.parent / 'policy.yaml'},{other}"
    r = run(
        "compare", tiny, "--regimes", policies, "-j", "1", "--out", tmp_path / "o", "--render", "md"
    )
    assert r.exit_code == 0, r.output + r.traceback
    memo = (tmp_path / "o" / "memos" / "options-tiny.md").read_text()
    assert "(tiny): 1 deal (AA);" in memo
    assert "(s)" not in memo and "\\`" not in memo


def test_a_wide_table_of_options_fits_the_pdf_page() -> None:
    """The options memo's partner table (H100e and, in small type, the limits that decide
    them, for four regimes) ran off the right edge of the PDF page: numeric cells do not
    wrap, and their small notes inherited that."""
    import weasyprint

    from dealbench.render.environment import TEMPLATES

    css = (TEMPLATES / "_style.css.j2").read_text()
    cell = (
        '<td class="num">100,000 veu<br><small>full ask (2026), supply (2027), '
        "cap under veu (2028)</small></td>"
    )
    html = (
        f"<html><head><style>{css}</style></head><body><table class='deals'><tr>"
        f"<td>Brazil (BR, tier 2)</td>{cell * 4}</tr></table></body></html>"
    )
    page = weasyprint.HTML(string=html).render().pages[0]
    box = page._page_box
    cells = [b for b in box.descendants() if type(b).__name__ == "TableCellBox"]
    assert len(cells) == 5
    edge = max(b.position_x + b.margin_width() for b in cells)
    assert edge <= page.width - box.margin_right + 0.5, (edge, page.width)


def test_a_room_without_concluded_deals_does_not_speak_of_their_packages(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """ "None yet." was followed by "Their packages are fixed: ..." """
    r = run(
        "room",
        tiny,
        "--rounds",
        tmp_path / "rounds",
        "--render",
        "md,html",
        "--out",
        tmp_path / "o",
    )
    assert r.exit_code == 0, r.output + r.traceback
    for suffix in ("md", "html"):
        memo = (tmp_path / "o" / "memos" / f"negotiation-tiny.{suffix}").read_text()
        assert "None yet." in memo
        assert "Their packages are fixed" not in memo


def test_evaluate_names_the_export_value_as_the_documents_do(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """evaluate printed "US export value"; the documents and their glossary say "Export
    value" (docs/documents.md: one name per term, in every document and in evaluate)."""
    from dealbench.render.glossary import glossary

    path = tmp_path / "aa.yaml"
    path.write_text("partner: AA\nsecurity: kyc\ncompute: {2026: 40_000}\n")
    r = run("evaluate", path, "--portfolio", tiny)
    assert r.exit_code == 0, r.output + r.traceback
    assert "│ Export value " in r.stdout and "US export value" not in r.stdout
    assert "Export value" in [term["term"] for term in glossary()]


def test_a_redline_to_a_file_of_another_format_is_refused(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """`--out redline.rtf` created a folder named redline.rtf and wrote Markdown into it."""
    path = tmp_path / "aa.yaml"
    path.write_text("partner: AA\nsecurity: kyc\ncompute: {2026: 40_000}\n")
    out = tmp_path / "redline.rtf"
    r = run("redline", path, path, "--portfolio", tiny, "--out", out)
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.strip() == (
        "error: --out: redline.rtf: .rtf is not a format dealbench writes; give a .md, .html, "
        ".docx, .pdf or .json file, or a folder"
    )
    assert not out.exists()


def test_a_site_for_a_period_outside_the_portfolio_is_refused(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """`sites: {2062: ...}` (a typo for 2026) passed, and the site vanished from Annex A;
    `compute: {2062: ...}` was refused."""
    path = tmp_path / "aa.yaml"
    path.write_text(
        "partner: AA\nsecurity: kyc\ncompute: {2026: 40_000}\nsites:\n  2062: Campus A\n"
    )
    r = run("render", path, "--portfolio", tiny, "--out", tmp_path / "docs")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.strip() == (
        f"error: {path}:5: sites.2062: period '2062' is not one of the portfolio's periods (2026)"
    )
    assert not (tmp_path / "docs").exists()


def test_an_uncapped_level_reads_no_cap_not_none(run: Runner, tiny: Path, tmp_path: Path) -> None:
    """The deal memo's 'Cap under veu' column read "none" for an uncapped level, which reads
    as a cap of nothing (the tiny regime does not cap veu)."""
    memo = _memo(run, tiny, "partner: AA\nsecurity: veu\ncompute: {2026: 40_000}\n", tmp_path)
    assert "| 2026 | 40,000 | 100,000 | no cap |" in memo


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x05\x06" + bytes(18)])
def test_a_broken_house_reference_docx_is_named_not_a_traceback(
    run: Runner, tiny: Path, tmp_path: Path, content: bytes
) -> None:
    """A reference.docx that is not a Word document ended in zipfile's BadZipFile traceback."""
    house = tmp_path / "house"
    house.mkdir()
    (house / "reference.docx").write_bytes(content)
    path = tmp_path / "aa.yaml"
    path.write_text("partner: AA\nsecurity: kyc\ncompute: {2026: 40_000}\n")
    out = tmp_path / "docs"
    r = run(
        "render",
        path,
        "--portfolio",
        tiny,
        "--format",
        "md,docx",
        "--templates",
        house,
        "--out",
        out,
    )
    assert r.exit_code == 2, r.output + r.traceback
    assert r.traceback == ""
    assert r.stderr.strip() == (
        f"error: {house / 'reference.docx'}: not a Word document (.docx); save it from Word as .docx"
    )
    assert not out.exists()


def test_a_counter_is_not_compared_with_another_partners_offer(run: Runner, tmp_path: Path) -> None:
    """`render BR-counter --against LLX-offer` compared Brazil's counter with an offer to
    another partner ("$259.35bn worse for the United States")."""
    from helpers import REPO

    pf = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
    sa = tmp_path / "sa-offer.yaml"
    sa.write_text("partner: SA\nsecurity: veu\ncompute: {2026: 100_000}\n")
    counter = REPO / "deals" / "packages" / "ae-counter.yaml"
    args = ("--portfolio", pf, "--doc", "deal-memo", "--out", tmp_path / "docs")
    r = run("render", counter, *args, "--against", sa)
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.strip() == f"error: {sa}: partner: is SA; the counter is for AE"
    assert not (tmp_path / "docs").exists()
    folder = run("render", tmp_path, *args)
    assert folder.exit_code == 2, folder.output + folder.traceback
    assert folder.stderr.strip() == (
        f"error: {tmp_path}: is a folder; expected a result.json or a package file"
    )


def test_a_house_template_not_in_utf8_is_named(run: Runner, tiny: Path, tmp_path: Path) -> None:
    """A clause saved as Latin-1 read "error: term_sheet.md.j2: UnicodeDecodeError: ..."
    (the document, not the house file at fault)."""
    house = tmp_path / "house"
    (house / "clauses").mkdir(parents=True)
    (house / "clauses" / "term.txt.j2").write_bytes("Dur\xe9e du m\xe9morandum.".encode("latin-1"))
    path = tmp_path / "aa.yaml"
    path.write_text("partner: AA\nsecurity: kyc\ncompute: {2026: 40_000}\n")
    r = run("render", path, "--portfolio", tiny, "--templates", house, "--out", tmp_path / "o")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.strip() == (
        f"error: {house / 'clauses' / 'term.txt.j2'}: not UTF-8 text (invalid continuation byte "
        "at byte 3); save the template as UTF-8"
    )


def test_a_house_template_including_a_missing_file_is_named_at_its_line(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """`{% include "nope.md.j2" %}` in a house term sheet read "template 'nope.md.j2' not
    found in ...", without the file and line that name it (qa16-fuzz, left; session 20)."""
    house = tmp_path / "house"
    house.mkdir()
    (house / "term_sheet.md.j2").write_text('Our terms\n{% include "nope.md.j2" %}\n')
    path = tmp_path / "aa.yaml"
    path.write_text("partner: AA\nsecurity: kyc\ncompute: {2026: 40_000}\n")
    r = run("render", path, "--portfolio", tiny, "--templates", house, "--out", tmp_path / "o")
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stderr.startswith(
        f"error: {house / 'term_sheet.md.j2'}:2: template 'nope.md.j2' not found in {house} or "
    ), r.stderr


def test_a_package_over_the_cap_does_not_receive_the_cap(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """50,000 H100e under baseline (capped at 10,000): "Limits that bind" said "AA receives
    the tier 2 cap under baseline (10,000 H100e) in 2026, less than it asks for"; it gets
    five times that, which breaks the cap (reported as a broken limit)."""
    memo = _memo(run, tiny, "partner: AA\nsecurity: baseline\ncompute: {2026: 50_000}\n", tmp_path)
    assert "receives the tier 2 cap" not in memo
    assert "- Broken limit: AA: 2026 compute 50,000 H100e exceeds the tier 2 cap" in memo
    over_ask = _memo(run, tiny, "partner: AA\nsecurity: veu\ncompute: {2026: 150_000}\n", tmp_path)
    assert "receives its full ask" not in over_ask


def test_a_portfolio_of_one_partner_has_no_sum_of_partners(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """The portfolio memo of AA alone read "The partners' summed utility ...; together they
    clear their walk-away values" and "every H100e given to one partner is taken from
    another"."""
    pf = _tiny_copy(tmp_path, tiny, 100_000)
    r = run("solve", pf, "--out", tmp_path / "o", "--render", "md")
    assert r.exit_code == 0, r.output + r.traceback
    memo = (tmp_path / "o" / "memos" / "portfolio-tiny.md").read_text()
    assert "summed" not in memo and "together" not in memo and "another" not in memo
    assert "- AA's utility is " in memo
    assert "- Supply is fully allocated in 2026, all of it to AA." in memo


def test_validating_a_portfolio_checks_its_partners_clauses(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """`validate portfolio.yaml` said "ok" for a portfolio whose partner's clause cannot
    render (validating the partner file itself caught it); render then failed."""
    pf = _tiny_copy(tmp_path, tiny, 1_000_000)
    aa = pf.parent / "aa.yaml"
    aa.write_text(aa.read_text().replace("{{ level.title }}", "{{ level.titel }}"))
    r = run("validate", pf)
    assert r.exit_code == 2, r.output + r.traceback
    assert r.stdout == ""
    line = next(i for i, t in enumerate(aa.read_text().splitlines(), 1) if "titel" in t)
    assert r.stderr.strip() == (
        f"error: {aa}:{line}: concessions[0].clause: clause uses an unknown variable "
        "('dict object' has no attribute 'titel')"
    )


def test_value_risk_labels_are_clear_of_their_markers() -> None:
    """The options memo's value-risk chart (global's four regimes): each label started 6
    points right of its marker's centre, inside a marker of 20 points across, so
    "bilateral" and "repeal" were written over their own markers."""
    from dealbench.render.charts import _draw

    points = [
        {"label": "tiered", "risk": 279_651.0, "value_bn": 174.2, "h100e": 5_163_420.0},
        {"label": "monopoly", "risk": 61_100.0, "value_bn": 71.5, "h100e": 2_267_000.0},
        {"label": "repeal", "risk": 306_084.0, "value_bn": 314.8, "h100e": 7_500_000.0},
        {"label": "bilateral", "risk": 250_000.0, "value_bn": 290.4, "h100e": 6_453_400.0},
    ]
    chart = Chart(id="vr", kind="value-risk", caption="", data={"points": points})
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _draw(chart)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)  # the constrained layout, as the saved chart has it
    ax = fig.axes[0]
    markers = {}
    for collection in ax.collections:  # one scatter a point: its centre and its radius
        (x, y), size = collection.get_offsets()[0], collection.get_sizes()[0]
        centre = ax.transData.transform((x, y))
        markers[(round(x), round(y, 1))] = (centre, (size**0.5) / 2 * fig.dpi / 72)
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        x, y = text.xy  # type: ignore[attr-defined]
        (cx, cy), radius = markers[(round(x), round(y, 1))]
        nearest_x = min(max(cx, box.x0), box.x1)
        nearest_y = min(max(cy, box.y0), box.y1)
        assert (nearest_x - cx) ** 2 + (nearest_y - cy) ** 2 > radius**2, text.get_text()


def test_two_regimes_at_one_point_share_one_marker_and_one_label() -> None:
    """Two regimes that tie (the same value and risk) were drawn as two markers at one
    place, their labels written over each other: a principal read neither name."""
    from dealbench.render.charts import _draw

    points = [
        {"label": "tiered", "risk": 279_651.0, "value_bn": 174.2, "h100e": 5_163_420.0},
        {"label": "monopoly", "risk": 61_100.0, "value_bn": 71.5, "h100e": 2_267_000.0},
        {"label": "repeal", "risk": 279_651.0, "value_bn": 174.2, "h100e": 5_163_420.0},
        {"label": "bilateral", "risk": 250_000.0, "value_bn": 290.4, "h100e": 6_453_400.0},
    ]
    fig = _draw(Chart(id="vr", kind="value-risk", caption="", data={"points": points}))
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["bilateral", "monopoly", "tiered, repeal"]
    assert len(ax.collections) == 3


def test_a_yes_no_commitment_points_annex_c_to_its_clause(run: Runner, tmp_path: Path) -> None:
    """Annex C gave Saudi Arabia's purchase commitment, a yes/no whose clause states "at
    least USD 15bn of AI systems", the level "yes", as if no amount were committed."""
    gulf = Path(__file__).parent.parent / "deals" / "portfolios" / "gulf-asia.yaml"
    r = run("solve", gulf, "--out", tmp_path / "out", "--render", "md,html")
    assert r.exit_code == 0, r.output + r.traceback
    md = (tmp_path / "out" / "term-sheets" / "SA.md").read_text()
    row = next(line for line in md.splitlines() if line.startswith("| 6.2 | Purchases"))
    assert row.endswith("| as in clause 6.2 |")
    html = (tmp_path / "out" / "term-sheets" / "SA.html").read_text()
    assert "<td>as in clause 6.2</td>" in html and "<td>yes</td>" not in html
