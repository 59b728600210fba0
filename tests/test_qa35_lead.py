"""Session 35's lead pass: what the helpers noticed and left, fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, words


def post(client: TestClient, url: str, **fields: str) -> object:
    return client.post(url, data={CSRF_FIELD: csrf_for(WEB_TOKEN), **fields})


@pytest.mark.parametrize(
    ("by", "said"),
    [
        ("us", "The United States walked away from QA: no counter can be recorded."),
        ("partner", "QA walked away: no counter can be recorded."),
    ],
)
def test_the_editor_says_how_a_closed_negotiation_ended(
    client: TestClient, deals: Path, by: str, said: str
) -> None:
    """qa35-newuser: the package editor said "closed (concluded or walked away)" of talks it
    knew the end of; it now says who walked away, as the room and the refusals do."""
    done = post(client, "/p/gulf-asia/n/QA/walk-away", expect="1", by=by, confirm="yes")
    assert done.status_code == 200, words(done.text)  # type: ignore[attr-defined]
    page = words(client.get("/p/gulf-asia/editor?partner=QA").text)
    assert said in page
    assert "concluded or walked away" not in page
