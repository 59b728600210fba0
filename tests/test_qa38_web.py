"""The web workbench on a phone (390 px) and on paper, and its forms' wrong choices (qa38-web).

qa37-web's Left: a solve's deals table scrolled with no sign of it; the frontier chart
scrolled in its box, Kalai–Smorodinsky's label cut; a fold closed at a phone's width printed
closed. qa37-words' Left: a form's wrong choice said "expected one of" without the value.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import REPO, WEB_TOKEN, Runner, web_client, words

server = e2e.server  # `dealbench serve` on a copy of deals/, and headless Chromium
browser = e2e.browser

CSRF = {CSRF_FIELD: csrf_for(WEB_TOKEN)}
GULF = "deals/portfolios/gulf-asia.yaml"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as c:
        yield c


def _cli_says(run: Runner, *args: str) -> str:
    """What the CLI says of a wrong option, without its "error: --option: "."""
    done = run(*args)
    assert done.exit_code == 2, done.output
    return done.stderr.strip().split(": ", 2)[2]


def test_a_wrong_choice_in_a_form_is_named_as_the_cli_names_it(
    client: TestClient, run: Runner, tmp_path: Path
) -> None:
    """The solve form sent with mode `nsh`, solver `hihgs`, regime `bilaterall` said
    "mode: expected one of: us-best, partner-best, nash, kalai": not what was given, nor the
    one meant. Each says it as `solve --mode nsh` does ("unknown mode 'nsh'; expected one
    of: ...; did you mean 'nash'?"), beside its field and at the top; the offer's strategy,
    a sweep's regime and a redline's audience likewise."""
    sent = {**CSRF, "mode": "nsh", "solver": "hihgs", "policy": "bilaterall"}
    page = words(client.post("/p/gulf-asia/solve", data=sent).text)
    out = str(tmp_path / "out")
    for field, option, value in (
        ("mode", "--mode", "nsh"),
        ("solver", "--solver", "hihgs"),
    ):
        said = _cli_says(run, "solve", GULF, option, value, "--out", out)
        assert said.startswith(f"unknown {field} '{value}'; expected one of: ")
        assert f"error: {field}: {said}" in page
        assert page.count(said) == 2, said  # at the top and beside the field
    regime = (
        "unknown regime 'bilaterall'; expected one of: tiered, monopoly, repeal, bilateral; "
        "did you mean 'bilateral'?"
    )
    assert f"error: policy: {regime}" in page
    sweep = client.post(
        "/p/gulf-asia/sweep", data={**CSRF, "kind": "param", "policy": "bilaterall"}
    )
    assert f"error: policy: {regime}" in words(sweep.text)
    offer = client.post(
        "/p/gulf-asia/n/AE/offer", data={**CSRF, "expect": "5", "strategy": "bulware"}
    )
    assert offer.status_code == 422
    assert (
        "error: strategy: unknown strategy 'bulware'; expected one of: boulware, conceder, "
        "linear, zeuthen, us-best, nash, kalai; did you mean 'boulware'?"
    ) in words(offer.text)
    redline = client.get("/p/gulf-asia/documents?package=x.yaml&audience=externl")
    assert "expected external or internal, got 'externl'; did you mean 'external'?" in words(
        redline.text
    )
