"""A trade negotiator's week on a portfolio of their own (qa30-negotiator).

tests/data/qa30neg/ was written by hand from the README: a regime of its own
(`corridor`: two security levels, standard and screened, caps 16,000 / 60,000 H100e a
year for tier 2, an acceptance margin of 20m, a risk budget of 9,000), four quarters of
2027 with supply 9,000 / 9,000 / 11,000 / 11,000 H100e in steps of 500, and three
partners: VN with a range concession (invest-us, 0 to 6bn, step 1bn), a piecewise value
(40k an H100e up to 5,000 a quarter, 25k to 10,000), `no-prc-cloud` requiring screened
and excluding `prc-joint-venture` (worth -300m to the US, +200m to VN); PH whose
`us-cloud-operators` requires `security-alignment` and screened; BD with two purchase
levels. The plan (us-best): VN 27,000 H100e for $793.6m to the US and $325.0m to VN,
PH 7,000 ($275.2m / $100.0m), BD 6,000 ($152.0m / $60.0m): V $1.22bn.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.negotiate import record_counter, record_offer
from helpers import DATA

QA30 = DATA / "qa30neg"
CORRIDOR = QA30 / "portfolios/corridor.yaml"


@pytest.fixture
def corridor() -> Portfolio:
    return load_portfolio(CORRIDOR)


def test_an_offer_never_gives_the_partner_more_than_its_counter_over_a_cap_asked(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """VN's counter of round 2 asks for 5,000 H100e a quarter under standard (the cap is
    4,000), invest-us=3bn and evasion-enforcement: $530.0m to VN (20,000 H100e at 40k,
    less 190m and 80m), -$250.0m to the US. The US cannot accept it, but it says what VN
    asks for. The conceder's next offer (1 of a deadline of 4 made: target
    793.6 - 993.6 * 0.25 ** 0.2 = $40.5m) gave VN $915m, the US -$106.4m, where the best
    package within the limits giving VN $530m (invest-us=4bn, evasion-enforcement,
    screened, 25,500 H100e: 937.5 - 340 - 60 = $537.5m to VN; 750 - 25,500 x 13.2k =
    $413.4m to the US) leaves the US $413.4m. The offer is now that package."""
    rounds = tmp_path / "rounds"
    record_offer(corridor, rounds, "VN", strategy="boulware", deadline=4)
    countered = record_counter(corridor, rounds, "VN", QA30 / "packages/vn-over-cap.yaml")
    assert countered.verdict.recommendation == "counter"
    done = record_offer(corridor, rounds, "VN", strategy="conceder")
    assert done.proposal is not None
    figures = done.proposal.figures
    assert figures.partner_utility == pytest.approx(537.5e6, abs=1e3)
    assert figures.us_value == pytest.approx(413.4e6, abs=1e3)
    record = done.round.data.strategy
    assert record is not None
    assert record.target_us_utility == pytest.approx(413.4e6, abs=1e3)
    assert "asks for a partner utility of $530.0m" in record.reason
    assert "concedes no more than meeting what the partner asked for costs the US" in record.reason


def test_every_point_of_the_exact_frontier_leaves_the_us_no_worse_off_than_no_deal(
    corridor: Portfolio,
) -> None:
    """`frontier --points all` for PH (others held): the partner-best end is PH with
    security-alignment alone, 7,000 H100e, $190.0m to PH and $75.2m to the US (120 - 7,000
    x 6.4k), V $1.02bn; no deal gives V $945.6m. The exact frontier ran on to PH without
    commitments (U $230.0m, V $900.8m: the US $44.8m worse off than with no deal), past the
    partner-best marker, where `--points N` stops. It now ends at the partner-best deal."""
    from dealbench.negotiate import frontier

    f = frontier(corridor, "PH", points="all")
    assert f.no_deal is not None
    assert min(p.us_utility for p in f.points) >= f.no_deal.us_utility - 1e3
    last = max(f.points, key=lambda p: p.partner_utility)
    assert last.partner_utility == pytest.approx(f.partner_best.partner_utility, abs=1e3)
    assert last.partner_utility == pytest.approx(190e6, abs=1e3)
    assert last.us_utility == pytest.approx(1020.8e6, abs=1e3)
    assert all(
        p.partner_utility <= 190e6 + 1e3 for piece in f.pieces for p in (piece.start, piece.end)
    )


def test_an_offer_at_a_point_below_the_reservation_value_says_what_it_gives(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """PH's Nash point (others held) gives the US $75.2m (V $1.0208bn less the others'
    $945.6m), below its reservation value of $127.4m (the plan's $275.2m less what PH
    adds: V $1.2208bn against $1.0730bn re-planned without it). The offer is the package
    best for PH at $127.4m: the US-best package, $275.2m (7,000 H100e is all the supply
    leaves; alignment alone gives at most $91.7m). The reason said "below the US
    reservation value, so the package at that value instead" beside a target of $275.2m:
    now the target is the reservation value, the point's value is named, and why the
    offer gives more."""
    done = record_offer(corridor, tmp_path / "rounds", "PH", mode="nash")
    record = done.round.data.strategy
    assert record is not None and done.proposal is not None
    assert done.proposal.figures.us_value == pytest.approx(275.2e6, abs=1e3)
    assert record.reservation_us_utility == pytest.approx(127.4e6, abs=1e3)
    assert record.target_us_utility == pytest.approx(127.4e6, abs=1e3)
    assert "the nash point of the deal's frontier (25 points)" in record.reason
    assert "gives the US $75.2m; below the US reservation value" in record.reason
    assert "the offer gives the US $275.2m, $147.8m above the target" in record.reason


def test_a_counter_over_a_cap_says_its_limits_in_a_sentence_and_what_it_costs_the_us(
    tmp_path: Path,
) -> None:
    """VN's counter over the standard cap, as an internal term sheet: "The package breaks
    2 limits: ...; risk budget: 10,600 risk-weighted H100e, the budget is 9,000" ended
    without a full stop, and said nothing of the US side: -$250.0m (650 + 160 - 10,600 x
    100k), $50.0m below the US walk-away value of -$200.0m."""
    from helpers import invoke

    out = tmp_path / "out"
    run = invoke(
        [
            "render",
            QA30 / "packages/vn-over-cap.yaml",
            "--portfolio",
            CORRIDOR,
            "--audience",
            "internal",
            "--date",
            "2027-02-02",
            "--out",
            out,
        ]
    )
    assert run.exit_code == 0, run.output
    (sheet,) = out.rglob("*.md")
    text = sheet.read_text()
    said = (
        "risk budget: 10,600 risk-weighted H100e, the budget is 9,000. The United States "
        "would be $50.0m better off without this deal.\n"
    )
    assert said in text


def test_the_deal_rooms_page_separates_the_concluded_from_the_walked_away(
    tmp_path: Path,
) -> None:
    """With BD concluded and PH walked away, the room's page read "concluded: BD· walked
    away: PH": the template's block trimming ate the space before the second dot."""
    import re
    import shutil

    from dealbench.negotiate import conclude, walk_away
    from helpers import WEB_TOKEN, web_client

    deals = tmp_path / "deals"
    shutil.copytree(QA30, deals)
    pf = load_portfolio(deals / "portfolios/corridor.yaml")
    rounds = deals / "rounds" / pf.id
    record_offer(pf, rounds, "BD", strategy="boulware")
    conclude(pf, rounds, "BD")
    walk_away(pf, rounds, "PH")
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get("/p/corridor/room")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert "concluded: BD · walked away: PH" in text


def test_the_frontier_tells_its_neighbouring_rows_and_pieces_apart() -> None:
    """PH's exact frontier is in USD bn (the portfolio's V is $1.22bn) but its deals are of
    $100m-$300m: the table read V 1.04 and 1.03 three times, and the pieces "runs straight
    from V 1.04bn, U 0.10bn to V 1.04bn, U 0.10bn". Figures get the decimals (at most four)
    that tell each two neighbours apart."""
    from helpers import invoke

    run = invoke(["frontier", CORRIDOR, "--partner", "PH", "--points", "all"])
    assert run.exit_code == 0, run.output
    text = " ".join(run.stdout.split())
    # The exact Kalai point (qa47-bargain) lies between them at 4,872 H100e: four decimals.
    assert "│ 2 │ 1.0354 │ 0.1100 │" in text
    assert "│ 3 │ 1.0344 │ 0.1155 │" in text
    assert "│ 4 │ 1.0336 │ 0.1200 │" in text
    assert "from V 1.0373bn, U 0.1000bn to V 1.0354bn, U 0.1100bn" in text
    assert "No deal: V 0.9456bn, U 0.0800bn" in text


def test_the_verdict_on_a_counter_that_cannot_be_accepted_says_so_in_words(
    tmp_path: Path,
) -> None:
    """`evaluate --against` on VN's counter over the cap read "Portfolio V: n/a if accepted
    (rest re-optimized)", where the web's verdict says "not feasible"."""
    from helpers import invoke

    rounds = tmp_path / "rounds"
    pf = load_portfolio(CORRIDOR)
    record_offer(pf, rounds, "VN", strategy="boulware")
    package = QA30 / "packages/vn-over-cap.yaml"
    run = invoke(
        ["evaluate", package, "--portfolio", CORRIDOR, "--against", "1", "--rounds", rounds]
    )
    assert run.exit_code == 3, run.output
    text = " ".join(run.stdout.split())
    assert "Portfolio V: not feasible if accepted, $1.22bn in the current plan," in text
    assert "n/a" not in text


def test_the_verdicts_frontier_point_says_when_it_takes_what_the_plan_gives_the_others(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """VN's counter of 26,000 H100e (invest-us=3bn, evasion-enforcement: $620.0m to VN,
    $306.8m to the US) fits beside PH and BD as planned: ACCEPT, the portfolio at
    $734.0m. Yet "the US could get $574.8m ($268.0m more)" with 36,000 H100e, which
    leaves PH and BD 0 of the 2027Q3 supply their plan needs: a gain to be had beside an
    ACCEPT. The point is VN alone (as docs/negotiation.md weighs it), and now says so."""
    from dealbench.negotiate import record_counter as counter
    from helpers import invoke

    rounds = tmp_path / "rounds"
    record_offer(corridor, rounds, "VN", strategy="zeuthen")
    package = tmp_path / "vn.yaml"
    package.write_text(
        "partner: VN\nsecurity: screened\n"
        "compute: {2027Q1: 6000, 2027Q2: 6000, 2027Q3: 7000, 2027Q4: 7000}\n"
        "concessions: {invest-us: 3bn, evasion-enforcement: true}\n"
    )
    done = counter(corridor, rounds, "VN", package)
    told = done.verdict
    assert told.frontier.us_utility == pytest.approx(574.8e6, abs=1e3)
    assert told.frontier.fits_plan is False
    run = invoke(
        ["evaluate", package, "--portfolio", CORRIDOR, "--against", "1", "--rounds", rounds]
    )
    text = " ".join(run.stdout.split())
    assert (
        "2027Q4 10,000: the partner alone, taking supply or risk budget the plan gives the "
        "other open negotiations" in text
    )


def test_the_web_says_a_recorded_offers_parameters_in_words(tmp_path: Path) -> None:
    """The page answering "Propose and record" read "Strategy conceder · beta 5 · deadline 4
    · offers_made 2": a field name of the round file for the offers made before."""
    import re
    import shutil

    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import WEB_TOKEN, web_client

    deals = tmp_path / "deals"
    shutil.copytree(QA30, deals)
    pf = load_portfolio(deals / "portfolios/corridor.yaml")
    rounds = deals / "rounds" / pf.id
    record_offer(pf, rounds, "VN", strategy="conceder", deadline=4)
    record_offer(pf, rounds, "VN")
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": "3", "strategy": "", "date": "", "note": ""}
    with web_client(deals, WEB_TOKEN) as client:
        page = client.post("/p/corridor/n/VN/offer", data=form)
    assert page.status_code == 200, page.text[:2000]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert "Strategy conceder · beta 5 · deadline 4 · 2 US offers made before." in text
    assert "offers_made" not in text


def test_solve_from_the_rounds_reports_the_solvers_gap_as_a_plain_solve_does(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """BD concluded on the US-best offer, PH walked away: `solve --rounds` re-plans VN alone
    beside BD, the same deals as a plain solve without PH, which reports "gap 0" (bound and
    optimum $1.07432bn before rounding to steps of 500 H100e, $1.073bn after). The rounds'
    solve said "gap 0.0012": the bound against V after rounding, the rounding's $1.32m
    counted as the solver's gap."""
    from dealbench.negotiate import conclude, walk_away
    from dealbench.negotiate.plan import solve_rounds

    rounds = tmp_path / "rounds"
    record_offer(corridor, rounds, "BD", strategy="boulware")
    conclude(corridor, rounds, "BD")
    walk_away(corridor, rounds, "PH")
    result = solve_rounds(corridor, rounds).result
    assert result.us_value == pytest.approx(1073.0e6, abs=1e3)
    assert result.solver.details["unrounded_us_value"] == pytest.approx(1074.32e6, abs=1e3)
    assert result.solver.gap is not None and result.solver.gap <= 1e-6


def test_render_counts_the_limits_a_package_breaks_as_its_documents_do(tmp_path: Path) -> None:
    """`render` of VN's counter over the cap warned "breaks 5 limits", one line per quarter,
    while the term sheet it wrote, `evaluate` and the verdict say "breaks 2 limits": the cap
    "in each of 2027Q1–2027Q4" and the risk budget."""
    from helpers import invoke

    run = invoke(
        [
            "render",
            QA30 / "packages/vn-over-cap.yaml",
            "--portfolio",
            CORRIDOR,
            "--date",
            "2027-02-02",
            "--out",
            tmp_path / "out",
        ]
    )
    assert run.exit_code == 0, run.output
    assert "warning: VN's package breaks 2 limits; the documents state it as written:" in run.stderr
    assert "compute of 5,000 H100e in each of 2027Q1–2027Q4 exceeds" in run.stderr


def test_evaluate_against_gives_the_verdict_counter_gives(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """After VN's counter over the cap (round 2), `evaluate --against 1` of a counter that
    fits (26,000 H100e, invest-us=3bn, evasion-enforcement: $306.8m to the US, $620.0m to
    VN) weighed it against a next offer answering round 2's demand, where `counter` of the
    same package answers the package itself: README's "the same verdict ... without
    recording it". Both now say what `counter` says."""
    import json

    from helpers import invoke

    rounds = tmp_path / "rounds"
    record_offer(corridor, rounds, "VN", strategy="conceder", deadline=2)
    record_counter(corridor, rounds, "VN", QA30 / "packages/vn-over-cap.yaml")
    package = tmp_path / "vn.yaml"
    package.write_text(
        "partner: VN\nsecurity: screened\n"
        "compute: {2027Q1: 6000, 2027Q2: 6000, 2027Q3: 7000, 2027Q4: 7000}\n"
        "concessions: {invest-us: 3bn, evasion-enforcement: true}\n"
    )
    args = ["--portfolio", CORRIDOR, "--against", "1", "--rounds", rounds, "--json"]
    said = json.loads(invoke(["evaluate", package, *args]).stdout)
    recorded = record_counter(corridor, rounds, "VN", package).verdict
    assert said["next_target"] == pytest.approx(recorded.next_target, abs=1.0)
    assert said["recommendation"] == recorded.recommendation


def test_a_deadline_set_once_outlives_an_offer_that_records_none(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """A conceder offer with a deadline of 4, then a Zeuthen offer (which records no
    deadline): the next linear offer ran against the default deadline of 6 ("US offer 3 of
    a deadline of 6"), not the 4 the negotiator set."""
    rounds = tmp_path / "rounds"
    record_offer(corridor, rounds, "VN", strategy="conceder", deadline=4)
    record_offer(corridor, rounds, "VN", strategy="zeuthen")
    done = record_offer(corridor, rounds, "VN", strategy="linear")
    record = done.round.data.strategy
    assert record is not None
    assert record.params["deadline"] == 4
    assert "US offer 3 of a deadline of 4" in record.reason


def test_an_offer_above_its_target_with_terms_kept_says_they_were_kept(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """With invest-us and the schedule of the last offer kept, the offer repeats it, above
    its target; the reason said "every package within the limits that VN prefers to it
    gives the US less than the target", as if VN could not be offered more at all."""
    rounds = tmp_path / "rounds"
    record_offer(corridor, rounds, "VN", strategy="linear", deadline=2)
    done = record_offer(corridor, rounds, "VN", fix=["invest-us", "compute"])
    record = done.round.data.strategy
    assert record is not None
    assert (
        "every package within the limits that VN prefers to it, keeping invest-us, compute "
        "of the last offer, gives the US less than the target" in record.reason
    )


def test_the_joint_frontiers_walk_away_note_is_in_the_deals_own_unit(
    corridor: Portfolio,
) -> None:
    """BD's joint frontier: beyond its US-best point ($60.0m to BD) the US does better
    without BD, the others re-optimized. The note read "Above a partner utility of USD
    0.06bn", in billions whatever the deal."""
    from dealbench.negotiate import frontier

    f = frontier(corridor, "BD", points=5, jointly=True)
    said = [n for n in f.notes if n.startswith("Above a partner utility of")]
    assert said and said[0].startswith("Above a partner utility of $60.0m (the highest point")


def test_a_refused_conclusion_names_a_cap_broken_every_quarter_once(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """Concluding on VN's counter over the cap was refused with the cap four times, one
    sentence a quarter, where `evaluate` and the verdict say it once ("in each of
    2027Q1–2027Q4")."""
    from helpers import invoke

    rounds = tmp_path / "rounds"
    record_offer(corridor, rounds, "VN", strategy="boulware")
    record_counter(corridor, rounds, "VN", QA30 / "packages/vn-over-cap.yaml")
    run = invoke(["conclude", CORRIDOR, "--partner", "VN", "--round", "2", "--rounds", rounds])
    assert run.exit_code == 2, run.output
    said = " ".join(run.stderr.split())
    assert "VN: compute of 5,000 H100e in each of 2027Q1–2027Q4 exceeds the tier 2 cap" in said
    assert "2027Q2 compute" not in said
    assert sorted(p.name for p in (rounds / "VN").glob("*.yaml")) == [
        "001-us.yaml",
        "002-partner.yaml",
    ]


def test_the_floor_of_a_counter_over_a_cap_takes_back_nothing_offered(
    corridor: Portfolio, tmp_path: Path
) -> None:
    """Linear with a deadline of 2: the second offer gives VN $632.5m and the US $300.2m.
    VN then counters over the cap asking for less, $530.0m. Meeting that within the limits
    would leave the US $413.4m, but offering it would take back $95m already offered: the
    next offer holds at our last offer's $300.2m instead (the reservation value, -$200m,
    is the linear target)."""
    rounds = tmp_path / "rounds"
    record_offer(corridor, rounds, "VN", strategy="linear", deadline=2)
    second = record_offer(corridor, rounds, "VN")
    assert second.round.figures is not None
    assert second.round.figures.us_value == pytest.approx(300.2e6, abs=1e3)
    record_counter(corridor, rounds, "VN", QA30 / "packages/vn-over-cap.yaml")
    done = record_offer(corridor, rounds, "VN")
    assert done.round.figures is not None
    assert done.round.figures.us_value == pytest.approx(300.2e6, abs=1e3)
    assert done.round.figures.partner_utility == pytest.approx(632.5e6, abs=1e3)
    record = done.round.data.strategy
    assert record is not None
    assert (
        "the best package within the limits that gives it that gives the US $413.4m, more "
        "than our offer of round 2, so the offer gives the US what that offer did, $300.2m "
        "(nothing offered is taken back)" in record.reason
    )


def test_the_web_offers_a_point_of_the_frontier_as_offer_mode_does(tmp_path: Path) -> None:
    """`offer --mode nash|kalai|us-best` had no way in the browser: the page's strategy list
    held the four strategies only (DESIGN: whatever one shell can do, the other does)."""
    import shutil

    from dealbench.negotiate import load_negotiation
    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import WEB_TOKEN, web_client

    deals = tmp_path / "deals"
    shutil.copytree(QA30, deals)
    pf = load_portfolio(deals / "portfolios/corridor.yaml")
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": "1", "strategy": "nash", "date": ""}
    with web_client(deals, WEB_TOKEN) as client:
        shown = client.get("/p/corridor/n/PH").text
        assert '<optgroup label="A point of the frontier">' in shown
        assert "<option>kalai</option>" in shown
        page = client.post("/p/corridor/n/PH/offer", data=form)
    assert page.status_code == 200, page.text[:2000]
    (first,) = load_negotiation(pf, deals / "rounds" / pf.id, "PH").rounds
    assert first.data.strategy is not None and first.data.strategy.name == "nash"
    assert "the nash point of the deal's frontier" in first.data.strategy.reason


def test_an_offer_at_a_point_of_the_frontier_refuses_a_deadline_it_would_ignore(
    tmp_path: Path,
) -> None:
    """`offer --mode us-best --deadline 3` recorded the offer and dropped the deadline
    without a word, where `--package` with a deadline is refused as ignored."""
    from helpers import invoke

    rounds = tmp_path / "rounds"
    args = ["offer", CORRIDOR, "--partner", "BD", "--rounds", rounds, "--no-documents"]
    run = invoke([*args, "--mode", "us-best", "--deadline", "3"])
    assert run.exit_code == 2, run.output
    said = " ".join(run.stderr.split())
    assert (
        "--mode: a point of the frontier is not chosen by a time-dependent strategy, so a "
        "deadline would be ignored" in said
    )
    assert not list(rounds.rglob("*.yaml"))
