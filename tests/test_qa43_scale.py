"""Session 43 (qa43-scale): what a negotiator runs between two sentences, without work
done twice (docs/decisions.md, "## Session 43 (qa43-scale)")."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import dealbench.negotiate.plan as plan_module
from dealbench.model import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate import load_negotiations, room
from dealbench.negotiate.plan import replan, shared_replans
from dealbench.negotiate.verdict import _verdict, verdict

GULF_ASIA = Path(__file__).resolve().parents[1] / "deals/portfolios/gulf-asia.yaml"


def _counting(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Each portfolio `replan` solves, counted by its content."""
    seen: Counter[str] = Counter()
    solve = plan_module.solve

    def counted(rest: Portfolio, **options: object) -> object:
        seen[rest.model_dump_json()] += 1
        return solve(rest, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_module, "solve", counted)
    return seen


def test_a_verdict_re_plans_the_counter_accepted_once_with_the_same_answer(
    rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verdict on AE's counter of round 4 re-plans the portfolio with it accepted, and
    the next offer it is weighed against asked the same re-plan again (`counter_worth`:
    the counter does not fit beside the others held at the plan): four solves, one of them
    twice. Now three, each once, and the verdict the same as without sharing them."""
    pf = load_portfolio(GULF_ASIA)
    negotiations = load_negotiations(pf, rounds)
    counter = negotiations["AE"].last_counter
    assert counter is not None and counter.package is not None
    seen = _counting(monkeypatch)
    unshared = _verdict(
        pf,
        negotiations,
        counter.package,
        round_number=counter.number,
        strategy=None,
        deadline=None,
        plan=None,
        against=None,
    )
    assert sum(seen.values()) == 4 and max(seen.values()) == 2  # the case this is about
    seen.clear()
    shared = verdict(pf, negotiations, counter.package, round_number=counter.number)
    assert sum(seen.values()) == 3 and max(seen.values()) == 1
    assert shared.model_dump(mode="json") == unshared.model_dump(mode="json")


def test_shared_re_plans_answer_only_the_same_question_and_only_inside(
    rounds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another partner out, or another portfolio object, is another re-plan; outside
    `shared_replans` nothing is kept."""
    pf = load_portfolio(GULF_ASIA)
    negotiations = load_negotiations(pf, rounds)
    seen = _counting(monkeypatch)
    with shared_replans():
        first = replan(pf, negotiations)
        assert replan(pf, negotiations) is first
        assert replan(pf, negotiations, excluded=["AE"]) is not first
        again = load_portfolio(GULF_ASIA)
        other = replan(again, negotiations)
        assert other is not first and other.objective == first.objective
    assert sum(seen.values()) == 3
    replan(pf, negotiations)
    assert sum(seen.values()) == 4


def test_the_room_page_is_drawn_once_for_the_files_as_they_stand(
    client: Any, deals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deal room re-planned every open negotiation and weighed every counter at each
    view (at M with eight counters, 26 s of CPU): Back from a negotiation page, or the memo
    after `?why=1`, drew the same room again. Now once per state of the files it reads; a
    round file changed draws it again."""
    import dealbench.web.views.negotiation as views
    import dealbench.web.views.negotiation_records as records

    calls: list[bool] = []

    def counted(*args: Any, why: bool = False, **kw: Any) -> Any:
        calls.append(why)
        return room(*args, why=why, **kw)

    monkeypatch.setattr(views, "room", counted)
    monkeypatch.setattr(records, "room", counted)
    first = client.get("/p/gulf-asia/room")
    assert first.status_code == 200 and client.get("/p/gulf-asia/room").text == first.text
    assert calls == [False]
    why = client.get("/p/gulf-asia/room?why=1")
    assert why.status_code == 200 and client.get("/p/gulf-asia/room/memo").status_code == 200
    assert calls == [False, True]
    counter = deals / "rounds/gulf-asia/AE/004-partner.yaml"
    os.utime(counter, ns=(counter.stat().st_atime_ns, counter.stat().st_mtime_ns + 10**9))
    assert client.get("/p/gulf-asia/room").text == first.text
    assert calls == [False, True, False]
