"""A new user's first hour, from a fresh clone (qa31-fresh): what they met."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tracked_top_level() -> set[str]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return {name.split("/", 1)[0] for name in listed}


def test_every_file_at_the_top_of_a_clone_is_one_the_readme_or_manifest_names() -> None:
    """A fresh clone showed `i4`, a stray redline in HTML committed by mistake."""
    sources = ("README.md", "MANIFEST.in", "pyproject.toml")
    said = "\n".join((ROOT / name).read_text(encoding="utf-8") for name in sources)
    unnamed = sorted(
        name
        for name in _tracked_top_level()
        if not name.startswith(".")
        and name not in sources
        and not re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", said)
    )
    assert unnamed == []


def _rounds_axes(data: dict[str, Any]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from dealbench.negotiate.documents import draw_rounds
    from dealbench.render import charts

    fig = Figure(figsize=(charts.WIDTH_IN, charts.HEIGHT_IN), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_rounds(ax, data)
    fig.canvas.draw()
    return ax


def _history(rounds: list[tuple[int, str, float, float, str]]) -> dict[str, Any]:
    """A rounds chart's data as `history --out` gives it (USD): the shipped AE's, by shape."""
    frontier = [(92.2e9, 9.0e9), (86.2e9, 13.0e9), (44.2e9, 36.0e9), (4.2e9, 60.5e9)]
    return {
        "partner": "AE",
        "name": "the United Arab Emirates",
        "frontier": [list(p) for p in frontier],
        "no_deal": [-8.0e9, 8.0e9],
        "rounds": [
            {"round": n, "side": side, "us": us, "partner": partner, "status": status}
            for n, side, us, partner, status in rounds
        ],
    }


def test_the_rounds_chart_never_runs_two_rounds_labels_together() -> None:
    """`history --out` after the help's examples drew round 1 and round 8 side by side as "18"."""
    data = _history(
        [
            (1, "us", 88.98e9, 8.05e9, "open"),
            (2, "partner", 30.25e9, 46.50e9, "open"),
            (3, "us", 77.98e9, 14.05e9, "open"),
            (4, "partner", 78.25e9, 17.50e9, "open"),
            (5, "us", 73.97e9, 15.02e9, "open"),
            (8, "us", 89.01e9, 8.50e9, "open"),
            (11, "us", 78.25e9, 17.50e9, "concluded"),
        ]
    )
    ax = _rounds_axes(data)
    labels = [t for t in ax.texts if t.get_text()]
    boxes = [t.get_window_extent() for t in labels]
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())
    said = sorted(int(n) for t in labels for n in t.get_text().split(", "))
    assert said == [1, 2, 3, 4, 5, 8, 11]
    assert "1, 8" in [t.get_text() for t in labels]
    # every label is drawn above the markers (the agreed star beside "5" hid a digit)
    assert min(t.get_zorder() for t in labels) > max(c.get_zorder() for c in ax.collections)


def test_the_readme_says_what_the_demo_writes() -> None:
    """The README's demo section said "the documents of every concluded deal": the solve
    concludes nothing (`conclude` does), and it wrote packages, memos and a redline too."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### `dealbench demo`", 1)[1].split("\n### ", 1)[0]
    assert "concluded" not in section
    written = sorted(p.name for p in (ROOT / "tests" / "golden" / "expected").iterdir())
    assert written  # the demo's documents, as the golden test keeps them
    for folder in [*written, "packages"]:
        assert f"`{folder}/`" in section, folder
    for fmt in ("md", "html", "docx", "pdf", "json"):
        assert fmt in section
