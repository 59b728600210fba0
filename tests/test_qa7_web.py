"""A sixth pass on the web workbench (qa7-web): faults a new user met in a real browser,
each with the test that failed before its fix."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, words

CSRF = csrf_for(WEB_TOKEN)


def post(client: TestClient, url: str, **fields: str) -> object:
    return client.post(url, data={CSRF_FIELD: CSRF, **fields}, follow_redirects=False)


def field(html: str, name: str) -> str:
    """The value an input named `name` shows."""
    found = re.search(rf'<input name="{re.escape(name)}"[^>]*\svalue="([^"]*)"', html)
    assert found, f"no field {name}"
    return found.group(1)


def test_the_editor_shows_a_packages_compute_as_written_not_rounded(
    client: TestClient, deals: Path
) -> None:
    """A package of 10,500.4 H100e (a continuous portfolio's solve writes such) opened at
    "10500" beside a verdict on 10,500.4; the next edit or save wrote 10,500."""
    (deals / "packages/frac.yaml").write_text(
        "partner: BH\nsecurity: veu\ncompute: {2026: 10500.4, 2027: 10600, 2028: 0.5}\n"
        "concessions: {us-cloud-only: true}\n"
    )
    page = client.get("/p/gulf-asia/editor?package=packages/frac.yaml").text
    assert field(page, "compute.2026") == "10500.4"
    assert field(page, "compute.2027") == "10600"
    assert field(page, "compute.2028") == "0.5"
    assert re.search(r'<option value="yes" selected>yes</option>', page)  # us-cloud-only
    assert 'value="veu" selected' in page
