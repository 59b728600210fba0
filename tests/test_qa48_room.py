"""The deal room and a negotiation's history, session 48 (qa48-room): a negotiator managing
many deals at once. Each test failed before its fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from helpers import invoke, words


def test_a_concluded_deal_is_judged_as_concluded_in_the_room_as_in_its_history(
    rounds: Path,
) -> None:
    """SA concluded first (2026-03-19), AE a week later; the 2026 supply then cut below the
    two together. `room --json` listed SA's signed terms as over the supply beside AE's
    deal, concluded after them, where `history` judged SA's rounds as made: every limit
    kept. Now a closed negotiation's rounds are judged as made in both; what the
    concluded deals together break now is said once, by `overcommitted`."""
    from dealbench import load_portfolio
    from dealbench.negotiate import conclude
    from dealbench.negotiate.room import history, room

    shipped = load_portfolio(Path(__file__).parents[1] / "deals/portfolios/gulf-asia.yaml")
    conclude(shipped, rounds, "AE", round_number=4, date=dt.date(2026, 3, 30))
    cut = shipped.model_copy(update={"supply": {**shipped.supply, "2026": 900_000}})
    found = room(cut, rounds)
    for row in found.rows[:2]:
        said = {r.file: r for r in history(cut, rounds, row.partner).rounds}
        for summary in (row.last_offer, row.last_counter, row.agreed, row.agreed_on):
            assert summary is not None
            assert summary.violations == said[summary.file].breaks_now, (row.partner, summary)
    sa = found.rows[1]
    assert sa.partner == "SA" and sa.agreed is not None and sa.agreed_on is not None
    assert sa.agreed.violations == [] and sa.agreed_on.violations == []
    ae = found.rows[0]
    assert ae.agreed is not None and [v.kind for v in ae.agreed.violations] == ["supply"]
    assert found.overcommitted is not None and "AE and SA" in found.overcommitted


def test_room_why_names_the_command_that_draws_the_frontier_it_speaks_of(
    deals: Path, client: Any
) -> None:
    """`room --why`: "with those deals held, the frontier of MY has no zone of agreement"
    named no command, where `solve --rounds` says which draws it. The CLI names it, the JSON
    flags the row, the web links the frontier in the re-plan."""
    portfolio = deals / "portfolios/gulf-asia.yaml"
    said = invoke(["room", portfolio, "--why"])
    assert said.exit_code == 0, said.output
    text = words(said.stdout)
    assert f"(dealbench frontier {portfolio} --partner MY --rounds" in text
    assert "/rounds/gulf-asia draws it)" in text
    json_said = invoke(["room", portfolio, "--why", "--json"])
    import json

    rows = {r["partner"]: r for r in json.loads(json_said.stdout)["rows"]}
    assert rows["MY"]["frontier_drawn"] is True and rows["QA"]["frontier_drawn"] is False
    page = client.get("/p/gulf-asia/room?why=1")
    assert page.status_code == 200
    assert 'href="/p/gulf-asia/n/MY/frontier?frame=rounds"' in page.text


def test_a_sweep_or_comparison_row_stopped_before_any_deal_shows_no_utility(tiny: Path) -> None:
    """`compare --time-limit 0.001` on global: every regime "-$19.50bn" with 0 deals, all
    starred as the highest US utility; `sweep` the same. A solve the time limit stopped
    before it found any deal has no figures to compare: the row says its status."""
    from dealbench import load_portfolio, solve
    from dealbench.analyze.compare import regime_row
    from dealbench.analyze.solves import NONE_FOUND
    from dealbench.analyze.sweep import row_of
    from dealbench.optimize import Status

    pf = load_portfolio(tiny)
    solved = solve(pf)
    assert solved.deals and solved.status is Status.OPTIMAL
    stopped = solved.model_copy(update={"status": Status.TIME_LIMIT, "deals": []})
    row = row_of("base", stopped)
    assert row.us_value is None and row.status == "time-limit"
    regime = regime_row(pf, stopped)
    assert regime.us_value is None and regime.message == NONE_FOUND
    kept = solved.model_copy(update={"status": Status.TIME_LIMIT})  # with a deal found: kept
    assert row_of("base", kept).us_value == solved.us_value
    assert regime_row(pf, kept).us_value == solved.us_value
