"""The web workbench read at a desk and on a phone, and checked against the CLI
(qa44-web2): the frontier chart's named points keep their labels apart and their squares
in sight at every width (each test of it failed before its fix), and every figure of the
portfolio, solve, frontier, room and history pages is the CLI's `--json` (a guard: they
agreed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import test_web_browser as e2e
from helpers import phone_screen

browser = e2e.browser


# --- 1. The frontier chart's named points: labels apart, squares seen ---------------------


def _named(label: str, kind: str, x: float, y: float) -> Any:
    from dealbench.web.chart import Mark

    return Mark(x, y, label, f"{label}: ...", kind)


def test_named_points_labels_are_placed_clear_of_each_other_at_every_width() -> None:
    """AE's frontier with the other deals held: Nash and Kalai–Smorodinsky 40 units apart,
    each label written above after its square. On a phone (lettering 1.75 times larger)
    "Kalai–Smorodinsky" ran over "Nash"; at 1280 px they touched. Now a label goes to the
    first place where it meets no other label nor mark at any width."""
    from dealbench.web.chart import Mark
    from dealbench.web.chart_labels import SCALES, place_named, text_box

    named = [
        _named("Nash", "nash", 465.4, 204.4),
        _named("Kalai–Smorodinsky", "kalai", 426.5, 188.4),
    ]
    points = [
        Mark(424.5, 188.0, "Point 5", "", "point"),
        Mark(464.9, 204.5, "Point 6", "", "point"),
    ]
    place_named(named, [], points)
    nash, kalai = named
    assert (nash.anchor, nash.extra["dx"], nash.extra["dy"]) == ("start", 0.75, -0.67)
    assert kalai.extra["dx"] < 0 and kalai.anchor == "end"  # written before its square

    def box(m: Mark, k: float) -> Any:
        return text_box(m.x, m.y, m.label, m.extra["dx"], m.extra["dy"], m.anchor, k)

    for k in SCALES:
        assert not box(nash, k).meets(box(kalai, k)), k


def test_a_named_point_a_round_is_drawn_on_is_framed_around_it() -> None:
    """AE's round 1 is the US-best package: its circle (radius 9) hid US-best's square (12
    wide) entirely. Now that square is drawn 24 wide behind the round, its label beyond."""
    from dealbench.web.chart import Mark
    from dealbench.web.chart_labels import place_named

    us_best, nash = _named("US-best", "us-best", 164.3, 35.5), _named("Nash", "nash", 400, 200)
    place_named([us_best, nash], [Mark(164.2, 35.5, "1", "Round 1", "us")], [])
    assert us_best.extra["half"] == 12.0 and nash.extra["half"] == 6.0
    assert us_best.extra["dx"] == 1.25  # past the frame


#: Each named point's label and every mark of the chart, as drawn (px).
DRAWN = """
const svg = document.querySelector('svg.frontier-svg');
const box = (e) => { const q = e.getBoundingClientRect(); return [q.left, q.top, q.right, q.bottom]; };
const named = [...svg.querySelectorAll('g.named text')].map(t => [t.textContent, box(t)]);
const marks = [...svg.querySelectorAll('.mark, .pt')].map(
  m => [(m.closest('g') || m).getAttribute('class'), box(m)]);
return [named, marks, box(svg.querySelector('g.named.us-best rect')),
        box(svg.querySelector('g.round.us circle'))];
"""


def _meets(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


@pytest.mark.browser
def test_in_chromium_no_named_label_meets_another_or_a_mark_and_us_best_shows(
    server: tuple[str, Path], browser: object
) -> None:
    """In Chromium at 1280, 600 and 390 px, AE's frontier with the other deals held: no
    named point's label meets another's or any mark (at 600 and 390 px "Nash" ran into
    "Kalai–Smorodinsky" and "Partner-best" into a frontier point), and US-best's square
    shows around round 1's circle (it lay under it)."""
    from selenium.webdriver.common.by import By

    driver: Any = browser
    url, _ = server
    driver.get(url)
    page = url.split("?")[0] + "p/gulf-asia/n/AE/frontier?frame=held"

    def look(width: int) -> None:
        driver.get(page)
        e2e.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "g.named.kalai"), driver)
        named, marks, square, circle = driver.execute_script(DRAWN)
        met = [
            (text, other)
            for i, (text, at) in enumerate(named)
            for other, where in [*named[i + 1 :], *marks]
            if _meets(at, where)
        ]
        assert met == [], width
        assert square[0] < circle[0] - 1 and square[2] > circle[2] + 1, (width, square, circle)
        assert square[1] < circle[1] - 1 and square[3] > circle[3] + 1, (width, square, circle)

    look(1280)
    for width in (600, 390):
        with phone_screen(driver, width):
            look(width)
            e2e.shot(driver, f"qa44w2-held-frontier-{width}")


# --- 2. Every figure of the pages is the CLI's `--json` -----------------------------------


def _bn(value: float) -> str:
    """A figure as the frontier's table writes it: USD bn, two decimals."""
    return f"{value / 1e9:.2f}"


def _h100e(value: float) -> str:
    return f"{value:,.0f}"


@pytest.fixture
def shipped_client(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """A web client serving a copy of the shipped deals/ as it is (`client`'s has its SG
    changed), and the copy."""
    import shutil

    from helpers import REPO, WEB_TOKEN, web_client

    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as client:
        yield client, deals


def test_every_figure_of_the_pages_is_the_clis_json_for_the_shipped_portfolio(
    shipped_client: Any, run: Any
) -> None:
    """The portfolio, solve, frontier, room and history pages of the shipped gulf-asia
    each say the figures `dealbench solve|frontier|room|history --json` give for it, as
    the pages write money (`money`) and compute."""
    import json

    from dealbench.figures import usd_change
    from dealbench.render.filters import money
    from dealbench.units import parse_money
    from helpers import csrf, job_done, words

    client, deals = shipped_client
    portfolio = deals / "portfolios/gulf-asia.yaml"

    def cli(*args: str) -> Any:
        done = run(*args, "--json")
        assert done.exit_code == 0, done.output
        return json.loads(done.stdout)

    def missing(page: str, figures: list[str]) -> list[str]:
        said = words(client.get(page).text) if page.startswith("/") else page
        return [f for f in figures if f not in said]

    solved = cli("solve", str(portfolio))
    # the portfolio's page: supply, risk budget, each partner's walk-away value
    figures = [f"{t} {_h100e(v)} H100e" for t, v in solved["supply"].items()]
    figures += [f"risk budget {_h100e(solved['risk_budget'])}"]
    figures += [money(d["batna"]) for d in solved["deals"]]
    assert missing("/p/gulf-asia", figures) == []
    # the solve's page
    form = {**csrf(), "mode": "us-best", "solver": "highs"}
    job = job_done(client, client.post("/p/gulf-asia/solve", data=form, follow_redirects=False))
    figures = [money(solved["objective"]), money(solved["partner_total"])]
    for d in solved["deals"]:
        figures += [money(d["us_value"]), money(d["partner_margin"])]
        figures += [_h100e(v) for v in d["compute"].values()]
    assert missing(job, figures) == []
    # the frontier with the other deals held (`frontier --points 15`)
    curve = cli("frontier", str(portfolio), "--partner", "AE", "--points", "15")
    figures = [f"{_bn(p['us_utility'])} {_bn(p['partner_utility'])}" for p in curve["points"]]
    for name in ("us_best", "partner_best", "nash", "kalai", "no_deal"):
        p = curve[name]
        figures.append(f"V {_bn(p['us_utility'])}bn, U {_bn(p['partner_utility'])}bn")
    figures.append(money(curve["zopa"]["largest_joint_gain"]))
    assert missing("/p/gulf-asia/n/AE/frontier?frame=held", figures) == []
    # the deal room
    room = cli("room", str(portfolio))
    figures = [money(room["objective"]), f"risk budget left {_h100e(room['risk_left'])}"]
    figures += [f"{t} {_h100e(v)} of" for t, v in room["supply_left"].items()]
    for row in room["rows"]:
        # a concluded row shows the round signed, not the last exchanged (qa46-negotiate2)
        shown = (
            ("agreed_on", "agreed")
            if row["stage"] == "concluded"
            else ("last_offer", "last_counter", "agreed")
        )
        for said in shown:
            if row[said]:
                figures += [money(row[said]["us_utility"]), money(row[said]["partner_utility"])]
        if row["us_gap"] is not None:  # the difference of the two as printed (`usd_change`)
            gap = usd_change(row["last_counter"]["us_utility"], row["last_offer"]["us_utility"])
            assert abs(parse_money(gap[2]) - row["us_gap"]) <= 5e6
            figures.append(gap[2])
        if row["frontier_gain"] is not None:
            figures.append(money(row["frontier_gain"]))
    assert missing("/p/gulf-asia/room", figures) == []
    # each negotiation's history
    for code in ("AE", "SA"):
        told = cli("history", str(portfolio), "--partner", code)
        figures = []
        for r in told["rounds"]:
            figures += [money(r["us_utility"]), money(r["partner_utility"])]
            if r["strategy"]:
                figures.append(money(r["strategy"]["target_us_utility"]))
        assert missing(f"/p/gulf-asia/n/{code}/history", figures) == [], code
