"""qa46-web: the workbench in a browser, as a negotiator and as staff use it, on a copy of
the shipped data (the `client` fixture's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import csrf


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each re-plan solved from now on (`plan._replan`), as a list that grows."""
    import dealbench.negotiate.plan as plan

    solved: list[object] = []
    real: Callable[..., Any] = plan._replan

    def counting(*args: Any, **kwargs: Any) -> Any:
        solved.append(args[2])  # the partners out
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "_replan", counting)
    return solved


# --- 1. The room re-weighed every counter after any round was recorded --------------------


def test_the_room_after_an_offer_to_another_partner_solves_no_re_plan_again(
    client: Any, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nine counters awaiting an answer at global, the room took 10 s to draw, and as
    long again after any round was recorded: each counter's verdict re-planned the
    portfolio (the plan, without the partner, with its counter accepted), though a re-plan
    reads only the concluded and walked-away negotiations. An offer to QA leaves AE's
    verdict's re-plans standing: the room after it solves none of them again, and says the
    same of AE."""
    first = client.get("/p/gulf-asia/room")
    assert first.status_code == 200
    ae_move = _row_text(first.text, "United Arab Emirates (AE)")
    offered = client.post(
        "/p/gulf-asia/n/QA/offer",
        data={**csrf(), "expect": "1", "date": "2026-03-08", "strategy": "us-best"},
    )
    assert offered.status_code == 200, offered.text[:2000]
    assert (deals / "rounds" / "gulf-asia" / "QA" / "001-us.yaml").is_file()
    solved = _counted(monkeypatch)
    again = client.get("/p/gulf-asia/room")
    assert again.status_code == 200
    assert solved == []
    assert _row_text(again.text, "United Arab Emirates (AE)") == ae_move
    assert "await counter" in _row_text(again.text, "Qatar (QA)")


def test_a_partner_file_edited_is_read_again_by_the_next_page(client: Any, deals: Path) -> None:
    """The portfolio is kept while its files stand (so that its re-plans answer the next
    page): a partner file edited since is read again, its name on the next page."""
    assert "Qatar (QA)" in client.get("/p/gulf-asia/room").text
    partner = deals / "partners" / "qa.yaml"
    partner.write_text(partner.read_text().replace("name: Qatar", "name: State of Qatar"))
    page = client.get("/p/gulf-asia/room").text
    assert "State of Qatar (QA)" in page


def _row_text(html: str, heading: str) -> str:
    """The room table's row headed `heading`, its tags dropped."""
    import re

    start = html.index(heading)
    row = html[start : html.index("</tr>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
