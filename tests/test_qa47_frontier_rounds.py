"""`frontier --rounds` (qa47-frontier-rounds): the frontier of a partner in the portfolio
re-planned from its rounds, the one `room --why` and `solve --rounds` speak of, which no
command drew. Its V is the whole portfolio's, as the room's V is (the concluded deals and
the walked-away partners' walk-away values included), checked here against `solve
--rounds` and `check`, not against the code that moves it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dealbench import check, load_portfolio
from dealbench.negotiate import frontier, frontier_from_rounds, replan, walk_away
from dealbench.negotiate.plan import solve_rounds
from dealbench.negotiate.rounds.read import load_negotiations
from helpers import REPO, Runner, words

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


@pytest.fixture
def ended(rounds: Path) -> Path:
    """The shipped rounds (SA concluded in round 4, AE open) and a walk-away from BH."""
    walk_away(load_portfolio(GULF), rounds, "BH", note="too slow")
    return rounds


def _tau(f: object) -> float:
    """Kalai's tau from the frontier's own figures: the least share of each side's ideal."""
    nd, us, pb, k = f.no_deal, f.us_best, f.partner_best, f.kalai  # type: ignore[attr-defined]
    return min(
        (k.us_utility - nd.us_utility) / (us.us_utility - nd.us_utility),
        (k.partner_utility - nd.partner_utility) / (pb.partner_utility - nd.partner_utility),
    )


def test_the_re_plans_frontier_reads_as_solve_rounds_and_every_point_passes_check(
    ended: Path,
) -> None:
    """With SA concluded and BH walked away, `solve --rounds` says V $166.12bn and `room`
    speaks of each open partner's frontier in that re-plan; `frontier` drew only the plain
    portfolio's (US-best end $174.04bn). The re-plan's frontier: its US-best end is `solve
    --rounds`' V within the gap, every point is a package that, beside the concluded deals
    and the other open deals, passes `check` on the whole portfolio at the V shown, and
    the Nash and Kalai points are where they are on the open negotiations' own frontier
    (their tau and the gains do not move with V)."""
    pf = load_portfolio(GULF)
    f = frontier_from_rounds(pf, ended, "AE", points=5)
    solved = solve_rounds(pf, ended).result.objective
    assert solved is not None
    assert abs(f.us_best.us_utility - solved) <= 1e-6 * abs(solved) + 1.0
    assert f.rounds is not None
    assert f.rounds.concluded == {"SA": 4} and f.rounds.walked_away == ["BH"]
    named = [f.us_best, f.partner_best, f.no_deal, f.nash, f.kalai]
    for p in [*f.points, *named]:
        assert p is not None
        packages = [*p.others, *([] if p.package is None else [p.package])]
        assert {q.partner for q in packages} >= {"SA"}  # the concluded deal, as agreed
        assert "BH" not in {q.partner for q in packages}
        together = check(pf, packages)
        assert together.ok, together.problems()
        assert together.objective == pytest.approx(p.us_utility, abs=1e3)
    assert f.zopa["us_walk_away"] == f.no_deal.us_utility
    plan = replan(pf, load_negotiations(pf, ended))
    assert plan.open_portfolio is not None
    open_only = frontier(plan.open_portfolio, "AE", points=5, base=plan.result)
    assert f.nash is not None and f.kalai is not None
    assert open_only.nash is not None and open_only.kalai is not None
    assert f.nash.partner_utility == open_only.nash.partner_utility
    assert f.kalai.partner_utility == open_only.kalai.partner_utility
    tau = f.bargaining["kalai"]["tau"]
    assert tau == pytest.approx(_tau(f), abs=1e-9)
    assert tau == pytest.approx(open_only.bargaining["kalai"]["tau"], abs=1e-12)
    assert f.zopa["largest_joint_gain"] == open_only.zopa["largest_joint_gain"]


def test_frontier_rounds_prints_what_is_held_and_its_json_says_it(
    run: Runner, ended: Path, tmp_path: Path
) -> None:
    """The table's title, the line under it and the chart's title say that the concluded
    deals are held at their agreed terms and who is out; the JSON has plain `frontier
    --json`'s keys and `rounds`, what was held."""
    shown = run("frontier", GULF, "-p", "AE", "--points", "3", "--rounds", ended)
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stdout.split())
    assert "AE frontier, V against U (re-plan from the rounds, others held)" in said
    assert (
        "the concluded deals held at their agreed terms: SA (round 4); walked away, no deal: "
        "BH; the other open negotiations held at the re-plan. Every V is the whole "
        "portfolio's, as the room's V is: $53.25bn of it is the concluded deals' US value "
        "and the walked-away partners' US walk-away values." in said
    )
    assert "US-best: V 166.12bn, U 8.05bn" in said
    plain = run("frontier", GULF, "-p", "AE", "--points", "3", "--json")
    held = run("frontier", GULF, "-p", "AE", "--points", "3", "--rounds", ended, "--json",
               "--out", tmp_path / "out")  # fmt: skip
    assert held.exit_code == 0, held.output
    data = json.loads(held.stdout)
    assert list(data) == list(json.loads(plain.stdout))
    assert json.loads(plain.stdout)["rounds"] is None
    assert data["rounds"]["concluded"] == {"SA": 4}
    assert data["rounds"]["walked_away"] == ["BH"]
    assert data["rounds"]["us_utility"] == pytest.approx(53.2548e9)
    svg = (tmp_path / "out/frontier-AE.svg").read_text()
    assert "re-plan from the rounds, others held at the re-plan" in svg
    assert "SA (round 4); walked away, no deal: BH" in svg


@pytest.mark.parametrize(
    ("code", "file", "said"),
    [
        ("SA", "SA/004-partner.yaml", "the negotiation with SA was concluded in this round"),
        ("BH", "BH/001-us.yaml", "the United States walked away from BH in this round"),
    ],
)
def test_a_partner_whose_talks_ended_is_refused_at_its_round_file(
    run: Runner, ended: Path, tmp_path: Path, code: str, file: str, said: str
) -> None:
    """A concluded deal's terms are fixed and a walked-away partner has no deal in the
    re-plan: there is no frontier of theirs to draw. Refused, exit 2, at the round file,
    nothing written."""
    out = tmp_path / "out"
    shown = run("frontier", GULF, "-p", code, "--rounds", ended, "--out", out)
    assert shown.exit_code == 2, shown.output
    assert not shown.traceback
    assert f"{file}:" in shown.stderr and said in shown.stderr
    # the library says what is wrong, the CLI what it did not write (qa48-frontier)
    assert "no frontier for it; the portfolio's own frontier" in shown.stderr
    assert shown.stderr.rstrip().endswith("still draws one; nothing written")
    assert not out.exists()


def test_a_missing_rounds_folder_is_refused_and_an_empty_one_is_the_plain_frontier(
    run: Runner, tmp_path: Path
) -> None:
    """As `solve --rounds`: a folder that does not exist is refused (a mistyped path would
    read as no rounds); an empty one holds nothing, and its frontier is the plain one."""
    missing = run("frontier", GULF, "-p", "AE", "--rounds", tmp_path / "nope")
    assert missing.exit_code == 2, missing.output
    assert "does not exist; expected the portfolio's rounds folder for --rounds" in (missing.stderr)
    empty = tmp_path / "empty"
    empty.mkdir()
    held = run("frontier", GULF, "-p", "AE", "--points", "3", "--rounds", empty, "--json")
    plain = run("frontier", GULF, "-p", "AE", "--points", "3", "--json")
    a, b = json.loads(held.stdout), json.loads(plain.stdout)
    assert a["rounds"] == {"concluded": {}, "walked_away": [], "us_utility": 0.0, "risk": 0.0}
    assert [p["us_utility"] for p in a["points"]] == [p["us_utility"] for p in b["points"]]
    said = " ".join(run("frontier", GULF, "-p", "AE", "--points", "3", "--rounds", empty)
                    .stdout.split())  # fmt: skip
    assert "no deal concluded, no partner walked away" in said


def test_solve_rounds_names_the_command_that_draws_the_frontier_its_reason_speaks_of(
    run: Runner, ended: Path
) -> None:
    """MY's reason in the re-plan ends "with those deals held, the frontier of MY has no
    zone of agreement for that reason", and no command drew that frontier; it now names
    `frontier --rounds`, whose frontier of MY has no zone of agreement indeed."""
    shown = run("solve", GULF, "--rounds", ended)
    said = " ".join(shown.stdout.split())
    assert f"(dealbench frontier {GULF} --partner MY --rounds {ended} draws it)" in said
    drawn = run("frontier", GULF, "-p", "MY", "--points", "3", "--rounds", ended, "--json")
    assert json.loads(drawn.stdout)["zopa"]["exists"] is False


def test_the_negotiation_page_draws_the_re_plans_frontier(tmp_path: Path) -> None:
    """The web's negotiation page links the frontier of the re-plan for an open negotiation
    (not for a concluded one), and its page says what is held, as the CLI does."""
    from helpers import WEB_TOKEN, web_client

    deals = Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as client:
        assert 'id="rounds-frontier"' in client.get("/p/gulf-asia/n/AE").text
        assert 'id="rounds-frontier"' not in client.get("/p/gulf-asia/n/SA").text
        page = client.get("/p/gulf-asia/n/AE/frontier?frame=rounds")
        assert page.status_code == 200, page.text
        said = words(page.text)
        assert "the portfolio re-planned from the rounds" in said
        assert "the concluded deals held at their agreed terms: SA (round 4)" in said
        pf = load_portfolio(deals / "portfolios/gulf-asia.yaml")
        solved = solve_rounds(pf, deals / "rounds/gulf-asia").result.objective
        assert solved is not None
        assert f"US-best: V {solved / 1e9:.2f}bn" in said
