"""What the staff analyst's pass left (qa29b): money written without its unit, every
error of a scenarios file in one pass, the options memo's chart labels, the web's solve
page's notes. Each test failed first."""

from __future__ import annotations

import shutil
from html import unescape
from pathlib import Path

from helpers import DATA, Runner

HERE = DATA / "qa29staff"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "qa29staff"
    shutil.copytree(HERE, folder)
    return folder


def test_money_written_without_its_unit_is_noted_at_its_line(run: Runner, tmp_path: Path) -> None:
    """`batna: 300` (USD 300 where 300m was meant) and `value_per_h100e: 25000k` (USD 25m
    an H100e: a partner utility of trillions) passed `validate` with "ok" and solved
    without a word. Both files are valid, so both now pass with a note at the field's line
    giving the value as read and the figure likely meant, from `validate` (of the partner
    file alone, or through its portfolio, said once) and `solve`."""
    folder = _copy(tmp_path)
    ph = folder / "partners" / "ph.yaml"
    text = ph.read_text()
    ph.write_text(text.replace("batna: 100m", "batna: 300").replace("20k", "25000k"))
    portfolio = folder / "portfolios" / "eu-sea.yaml"
    batna = (
        "ph.yaml:8: batna: read as $300 (written without a unit), where a walk-away value is "
        "USD 1m or more in a deal between governments; if 300m was meant, write 300m"
    )
    value = (
        "ph.yaml:7: value_per_h100e: read as $25.0m an H100e from 25000k, where a value per "
        "H100e is USD 1k to 1m; if 25k was meant, write 25k"
    )
    for args in (("validate", ph), ("validate", folder), ("solve", portfolio)):
        done = run(*args)
        assert done.exit_code == 0, done.output
        notes = [line for line in done.stderr.splitlines() if "read as" in line]
        assert len(notes) == 2, done.stderr
        assert notes[0].startswith("note: ") and notes[0].endswith(value), notes
        assert notes[1].endswith(batna), notes
    # The shipped regimes' and partners' figures, and the file as it was, say nothing.
    ph.write_text(text)
    done = run("validate", folder, "deals")
    assert done.exit_code == 0, done.output
    assert "read as" not in done.stderr


def test_validate_says_a_scenarios_files_every_error_with_a_scenario_listed_twice(
    run: Runner, tmp_path: Path
) -> None:
    """A scenarios file with a scenario listed twice and another naming a partner the
    portfolio has not: `validate --portfolio` said the first only (exit 2), and the user
    met the second after fixing it. `load_file` stops at the file's own check; the
    overrides are checked by `load_scenarios`, which now says both in one pass."""
    folder = _copy(tmp_path)
    scenarios = folder / "scenarios" / "eu-sea.yaml"
    text = scenarios.read_text()
    text = text.replace("id: tighter-budget", "id: tr-out").replace("partners.NL.", "partners.XX.")
    scenarios.write_text(text)
    done = run("validate", scenarios, "--portfolio", folder / "portfolios" / "eu-sea.yaml")
    assert done.exit_code == 2, done.output
    errors = [line.split(": ", 3)[2:] for line in done.stderr.splitlines() if "error" in line]
    assert [e[0] for e in errors] == ["scenarios[1].id", "scenarios[3].set.partners.XX.batna"]
    assert "'tr-out' is listed twice" in errors[0][1]
    assert "no partner 'XX'" in errors[1][1]


def test_the_value_against_risk_charts_labels_overlap_nothing() -> None:
    """The options memo of eu-sea under tiered, monopoly, repeal, bilateral and corridor:
    "repeal, bilateral" (one marker, the two tie) was written into "corridor", their
    markers close on the chart (risk 10,130 and 11,977). Each label now goes where it
    overlaps no other label nor marker, and stays inside the chart."""
    from dealbench.render.charts import Chart, _draw

    figures = [  # regime, risk, US utility (USD bn), compute (H100e): `compare --out`'s
        ("tiered", 14720.75, 9.98351, 325_000),
        ("monopoly", 1950.0, 5.066, 150_000),
        ("repeal", 10130.1, 10.534388, 325_000),
        ("bilateral", 10130.1, 10.534388, 325_000),
        ("corridor", 11976.5, 9.92735, 325_000),
    ]
    points = [
        {"label": name, "risk": risk, "value_bn": value, "h100e": h100e}
        for name, risk, value, h100e in figures
    ]
    fig = _draw(Chart(id="value-risk", kind="value-risk", caption="", data={"points": points}))
    fig.draw_without_rendering()
    (ax,) = fig.axes
    labels = {t.get_text(): t.get_window_extent() for t in ax.texts}
    assert sorted(labels) == ["corridor", "monopoly", "repeal, bilateral", "tiered"]
    frame = ax.get_window_extent()
    for name, box in labels.items():
        others = [b for n, b in labels.items() if n != name]
        assert not any(box.overlaps(b) for b in others), name
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, name
    markers = [c.get_offsets()[0] for c in ax.collections]
    for name, box in labels.items():
        for x, y in markers:
            px, py = ax.transData.transform((x, y))
            assert not box.contains(px, py), name


def test_the_web_solve_pages_show_the_notes_solve_prints(tmp_path: Path, run: Runner) -> None:
    """PH's ask without a figure for 2029 (and, here, its walk-away written without a
    unit): `solve` notes both, the web's validate page too, but the portfolio's page
    and its solve's page said nothing, and `solve --robust` printed neither. Both pages
    now show the notes `solve` prints, robust or not, the files named from DEALS_DIR."""
    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import job_done, web_client

    deals = _copy(tmp_path)
    ph = deals / "partners" / "ph.yaml"
    ph.write_text(ph.read_text().replace("batna: 100m", "batna: 300"))
    ask = (
        "partners/ph.yaml:6: ask: no figure for 2029, one of portfolio eu-sea's periods: "
        "PH gets no compute then; write 2029: 0 if that is meant, else its ask"
    )
    batna = "partners/ph.yaml:8: batna: read as $300 (written without a unit)"
    done = run("solve", deals / "portfolios" / "eu-sea.yaml", "--robust", "0.1", "--samples", "20")
    assert ask in done.stderr and batna in done.stderr, done.stderr
    with web_client(deals, "t") as client:
        form = client.get("/p/eu-sea").text
        answer = client.post(
            "/p/eu-sea/solve",
            data={CSRF_FIELD: csrf_for("t"), "mode": "us-best"},
            follow_redirects=False,
        )
        job = client.get(job_done(client, answer)).text
    for html in (form, job):
        notes = unescape(html.split('id="input-notes"')[1].split("</div>")[0])
        assert f"note: {ask}" in notes
        assert f"note: {batna}" in notes
