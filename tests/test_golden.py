"""Golden documents: the demo's term sheets, memos and redlines in Markdown and HTML.

The files under tests/golden/expected/ are discovered from disk and compared
byte for byte (inline SVG charts aside: their bytes depend on the matplotlib
version; test_render_formats checks that they are deterministic). To accept a
change in the documents, run

    make golden        # = pytest tests/test_golden.py --update-golden

and review the diff of tests/golden/ like code. Nothing else rewrites them.
"""

from __future__ import annotations

import re

import pytest

from dealbench.render import render_document
from golden.support import EXPECTED, all_documents, demo_source

_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
CHART = "<svg><!-- chart: see test_render_formats --></svg>"


def normalise(path: str, data: bytes) -> str:
    text = data.decode("utf-8")
    return _SVG.sub(CHART, text) if path.endswith(".html") else text


def golden_files() -> list[str]:
    return sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def rendered(request: pytest.FixtureRequest) -> dict[str, str]:
    """Every golden-able document of the demo, rendered now (and written, when updating)."""
    update = bool(request.config.getoption("--update-golden"))
    out = {}
    for doc in all_documents(demo_source(update)):
        for file in render_document(doc, ["md", "html"]):
            if file.path.endswith((".md", ".html")):
                out[file.path] = normalise(file.path, file.data)
    if update:
        for stale in set(golden_files()) - set(out):
            (EXPECTED / stale).unlink()
        for name, text in out.items():
            path = EXPECTED / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return out


@pytest.mark.parametrize("name", golden_files())
def test_document_matches_its_golden(name: str, rendered: dict[str, str]) -> None:
    assert name in rendered, f"{name} is no longer rendered: run `make golden` if that is intended"
    expected = (EXPECTED / name).read_text(encoding="utf-8")
    assert rendered[name] == expected, f"{name} differs from its golden: review, then `make golden`"


def test_every_document_has_a_golden(rendered: dict[str, str]) -> None:
    missing = sorted(set(rendered) - set(golden_files()))
    assert not missing, f"no golden file for {missing}: run `make golden` and review them"
