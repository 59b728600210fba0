"""A third pass on documents (qa9-docs): each claim of a memo checked against a re-solve.

The data (tests/data/qa9docs/) are small portfolios written for this pass, where the
story differs from the shipped one: every regime ties (`allies`: tier-1 partners only),
one regime gives no deal while another gives a thin one (`nodeal`), a partner that
values compute at nothing and a risk budget far from binding (`mixed`). Each test says
what the reader saw and why it was wrong.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from dealbench.analyze.compare import Comparison, RegimeRow, compare
from dealbench.analyze.memo import options_facts, sensitivities
from dealbench.model import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult
from helpers import DATA, REPO, Runner

QA9 = DATA / "qa9docs"


def _portfolio(name: str) -> Portfolio:
    return load_portfolio(QA9 / "portfolios" / f"{name}.yaml")


@cache
def _compared(name: str) -> tuple[Comparison, dict[str, tuple[Portfolio, SolveResult]]]:
    return compare(_portfolio(name), ["tiered", "monopoly", "repeal", "bilateral"])


def _row(regime: str, us_value: float, risk_cost: float, concessions: float) -> RegimeRow:
    return RegimeRow(
        regime=regime,
        title=regime,
        status="optimal",
        us_value=us_value,
        risk_cost=risk_cost,
        concessions=concessions,
    )


# --- the options memo: what would change the recommendation --------------------------------


def test_a_risk_threshold_is_printed_where_the_change_has_happened() -> None:
    """`nodeal`: bilateral's thin deal with ZZ ($19.2m, risk cost $118.8m, concessions $50m)
    against no deal at $0. The memo said monopoly "overtakes bilateral if the cost of risk
    is 1.16 times the policy's estimate or more" and "if concessions are worth less than
    62% of their estimated value": the thresholds are 1.1616 and 61.6%, so at 1.16 times
    (and at 61.8%) bilateral, packages held fixed, is still ahead. The figure printed is
    now on the far side of the threshold."""
    best = _row("bilateral", 19.2e6, 118.8e6, 50e6)
    other = _row("monopoly", 0.0, 0.0, 0.0)
    lines = sensitivities([best, other])
    risk = next(line for line in lines if "cost of risk" in line)
    factor = float(re.search(r"is ([0-9.]+) times", risk).group(1))  # type: ignore[union-attr]
    assert 19.2e6 - (factor - 1) * 118.8e6 < 0  # overtaken at the factor printed
    assert "1.17 times" in risk
    share = next(line for line in lines if "concessions are worth" in line)
    pct = float(re.search(r"less than ([0-9.]+)%", share).group(1)) / 100  # type: ignore[union-attr]
    assert 19.2e6 - (1 - pct) * 50e6 <= 0  # overtaken at (and below) the share printed
    assert "less than 61% of their estimated value" in share


def test_a_first_order_threshold_says_the_packages_are_held_fixed() -> None:
    """The memo said "monopoly overtakes bilateral if the cost of risk is 10.97 times the
    policy's estimate or more" and, two lines below, that re-solved there monopoly "is
    still $10.44bn behind": the first line, read alone, is false (bilateral can always
    drop the deals that risk makes costly). It now says under what it holds."""
    lines = sensitivities(
        [_row("bilateral", 174e9, 19.36e9, 166e9), _row("monopoly", -19e9, 0.0, 0.0)]
    )
    assert lines[0].startswith("With the packages held fixed, monopoly overtakes bilateral if")


def test_every_option_is_named_in_what_would_change_it() -> None:
    """`allies`: bilateral, monopoly and repeal tie at $944.0m; tiered gives $926.0m with
    more risk and the same concessions, so no scaling of either lets it overtake. The
    memo's "What would change it" named the two ties and said nothing of tiered."""
    facts = options_facts(_compared("allies")[0])
    text = " ".join(facts["sensitivities"])
    # monopoly, the first of the three named, leads them, as in `compare` (qa33-analyst).
    assert "a tie between monopoly and bilateral" in text
    assert (
        "No single scaling of the risk penalty or of the concessions' value lets tiered "
        "overtake monopoly with the packages as they are." in text
    )


# --- the portfolio memo for principals: what each limit costs ---------------------------------


@cache
def _gulf_principals_md() -> str:
    from dealbench.analyze.memo import principals_memo_documents
    from dealbench.optimize import solve
    from dealbench.render.documents import render_document

    pf = load_portfolio(REPO / "deals" / "portfolios" / "gulf-asia.yaml")
    [doc] = principals_memo_documents({"bilateral": (pf, solve(pf))})
    return next(f.data.decode() for f in render_document(doc, "md") if f.path.endswith(".md"))


def test_a_shadow_price_the_full_model_does_not_follow_says_so() -> None:
    """Gulf-asia under bilateral: the memo for principals priced one more H100e of 2026
    supply at "$4,160 per H100e", beside no warning; re-solved with 1,000 more the US
    utility rises by $54.1m ($54,112 per H100e: BH's investment moves up a level), and
    `solve --prices` warns of exactly that. The memo now gives the warnings too."""
    md = _gulf_principals_md()
    section = md.split("## What each limit costs", 1)[1]
    assert "| Supply in 2026 | 1,000,000 H100e | $4,160 per H100e |" in section
    assert "Re-solved one step away, the full model does not follow these prices:" in section
    assert re.search(
        r"- Supply in 2026: the shadow price of \$4,160 per H100e holds only while .*"
        r"10,000 H100e more gains \$54,160 per H100e",
        section,
    )


def test_a_limit_whose_lifting_changes_nothing_says_nothing() -> None:
    """Gulf-asia under bilateral: AE sits on its 600,000 H100e cap in 2028, and the memo
    said lifting the cap changes "compute only". Re-solved with the cap at AE's ask, every
    package and every tranche is the same (cost $0). It now says "nothing"."""
    md = _gulf_principals_md()
    assert "| AE: the tier 2 cap under veu | 600,000 H100e | $0 per H100e | $0 | nothing |" in md


def test_a_limit_whose_lifting_moves_compute_says_compute_only() -> None:
    """`mixed`: supply in 2028 lifted to every ask moves HO's and FR's compute (+$56.0m)
    and no term: "compute only" is still right there."""
    from dealbench.analyze.limit_costs import limit_costs

    pf, result = _compared("mixed")[1]["bilateral"]
    [cost] = [c for c in limit_costs(pf, result) if c.name == "Supply in 2028"]
    assert cost.changes == [] and cost.compute_moves


def test_the_glossary_closes_the_memo_for_principals() -> None:
    """The memo for principals printed its glossary between "Risks" and "What each limit
    costs" (the portfolio memo's end, with the principals' section appended after it): a
    reader of the PDF met the glossary on page 4 and the limits' costs after it."""
    from dealbench.render.documents import render_document

    md = _gulf_principals_md()
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings[-2:] == ["What each limit costs", "Glossary"]
    assert headings.count("Glossary") == 1
    pf, result = _compared("mixed")[1]["bilateral"]
    from dealbench.analyze.memo import principals_memo_documents

    [doc] = principals_memo_documents({"bilateral": (pf, result)})
    html = next(f.data.decode() for f in render_document(doc, "html") if f.path.endswith(".html"))
    h2 = re.findall(r"<h2>([^<]+)</h2>", html)
    assert h2[-2:] == ["What each limit costs", "Glossary"]


def test_an_options_list_of_partners_without_a_deal_ends_with_and() -> None:
    """The options memo described the tier framework on `mixed` with "1 deal (FR); no deal
    with GF, HO" (and the shipped gulf-asia's repeal with "no deal with MY, KZ"), where
    every other list in a memo's sentences ends with "and"."""
    facts = options_facts(_compared("mixed")[0])
    [tiered] = [line for line in facts["options"] if "(tiered)" in line]
    assert "1 deal (FR); no deal with GF and HO;" in tiered


def test_a_portfolio_memo_of_one_deal_or_one_thin_partner_speaks_of_one() -> None:
    """`mixed` under tiered leaves FR the one deal: its memo ranked it, "US utility per
    H100e delivered, best first: FR $19,400." Gulf-asia under tiered holds KZ alone to its
    walk-away value: "Acceptance is thin for KZ: each is held to its walk-away value".
    Since qa29-staff the memo calls thin what each deal memo does (a margin under 5% of the
    threshold too): gulf-asia under tiered holds KZ and four partners clear theirs by a few
    million; `mixed` under repeal has one thin partner, HO."""
    from dealbench.render.portfolio_memo import risks, tradeoffs
    from dealbench.render.sources import source_from_result

    compared = _compared("mixed")[1]
    pf, result = compared["tiered"]
    assert tradeoffs(source_from_result(pf, result))[0] == (
        "US utility per H100e delivered: FR $19,400."
    )
    text = " ".join(risks(source_from_result(*compared["repeal"])))
    assert (
        "Acceptance is thin for HO: it clears its walk-away value and the required margin "
        "by only $20.0m, so any slip in its valuation and it walks away."
    ) in text
    gulf = load_portfolio(REPO / "deals" / "portfolios" / "gulf-asia.yaml")
    _, solved = compare(gulf, ["tiered"])
    text = " ".join(risks(source_from_result(*solved["tiered"])))
    assert (
        "Acceptance is thin for AE, SA, SG, MY and KZ: KZ is held to its walk-away value plus "
        "the required margin; AE, SA, SG and MY clear theirs by only $5.0m, $4.0m, $8.0m and "
        "$22.0m;"
    ) in text


def test_a_money_total_that_its_rows_do_not_add_up_to_says_why() -> None:
    """`mixed` under bilateral: the packages table printed FR $1.95bn and HO $1.40bn over a
    total of $3.36bn (GF, without a deal, at $0): the rows add up to $3.35bn as printed,
    and the total is the exact sum ($3.3572bn). The note under the table now says so."""
    from dealbench.render.documents import portfolio_memo_document, render_document
    from dealbench.render.sources import source_from_result

    pf, result = _compared("mixed")[1]["bilateral"]
    doc = portfolio_memo_document(source_from_result(pf, result))
    md = next(f.data.decode() for f in render_document(doc, "md") if f.path.endswith(".md"))
    assert "| **Total** | | **400,000** | | **$3.36bn** |" in md
    assert (
        "It is the exact sum: each figure is rounded on its own, and as printed the US "
        "utilities above add up to $3.35bn." in md
    )


def test_a_money_total_its_rows_add_up_to_has_no_note() -> None:
    """Gulf-asia's rows and walk-away values add up, as printed, to its $174.04bn."""
    md = _gulf_principals_md()
    assert "| **$174.04bn** |" in md
    assert "It is the exact sum" not in md


def test_regimes_tied_for_second_place_are_both_the_runners_up() -> None:
    """`nodeal` under tiered, monopoly and bilateral: bilateral keeps a thin deal with ZZ
    ($19.2m); tiered and monopoly give none ($0 each). The recommendation said "The
    runner-up is monopoly at $0" (the first of the two by name) and that monopoly
    "carries less risk": tiered did exactly as well and carried as little."""
    comparison, _ = compare(_portfolio("nodeal"), ["tiered", "monopoly", "bilateral"])
    text = options_facts(comparison)["recommendation"]
    # Tied regimes in the order they were named, as `compare` ranks them (qa33-analyst).
    assert "The runners-up, tied, are tiered and monopoly at $0, $19.2m less." in text
    assert (
        "A tier framework shaped like the 2025 diffusion rule (tiered) and a compute monopoly "
        "shared with the tier 1 allies (monopoly) carry less risk (0 against 990)." in text
    )


def test_a_limit_that_keeps_a_partner_out_is_costed_though_no_package_sits_on_it() -> None:
    """`mixed` with a risk budget of 5,000: FR's deal uses 2,000 (40%) and HO, whose deal
    would take 9,570, gets none. The memo for principals said "No limit binds." in "What
    each limit costs" (and `solve` says: raise the risk budget to 9,550 for HO); re-solved
    without the budget, the US utility rises from $1.06bn to $3.36bn. The budget is now
    costed, named as the limit that keeps HO out; a limit whose lifting gives the partner
    no deal after all (a cap at a level whose risk the US will not carry) is not."""
    from dealbench.analyze.memo import principals_memo_documents
    from dealbench.analyze.scenarios import apply_overrides
    from dealbench.optimize import solve
    from dealbench.render.documents import render_document

    pf = apply_overrides(_portfolio("mixed"), {"portfolio.risk_budget": 5000})
    [doc] = principals_memo_documents({"bilateral": (pf, solve(pf))})
    md = next(f.data.decode() for f in render_document(doc, "md") if f.path.endswith(".md"))
    section = md.split("## What each limit costs", 1)[1]
    assert "No limit binds." not in section
    assert (
        "| The risk budget (keeps HO from a deal) | 5,000 risk-weighted H100e | "
        "$0 per risk-weighted H100e | $2.30bn | Hollandia (HO) gains a deal: "
        "Validated-end-user data centres with US-approved security. Compute of the deals "
        "kept: Freedonia (FR) -19,000 H100e. |" in section  # HO's supply (qa45-analyze)
    )
    assert "risk budget is used up" not in md  # it does not bind: 2,000 of 5,000


def test_a_cap_whose_lifting_opens_no_deal_is_not_costed() -> None:
    """`mixed` under monopoly: FR and HO are both kept out by the 1,699 H100e cap, but HO's
    deal at the cap's level (baseline) carries more risk than it brings: lifted there, HO
    still gets none, and that cap is not listed. qa30-analyst: a blocking cap is lifted
    under every level the partner can meet and named at the level its deal takes, so both
    are listed under veu (FR +$2.26bn, HO +$2.54bn, as the plain reference finds)."""
    from dealbench.analyze.limit_costs import limit_costs

    pf, result = _compared("mixed")[1]["monopoly"]
    costs = limit_costs(pf, result)
    assert [(c.name, c.blocks) for c in costs] == [
        ("FR: the tier 2 cap under veu", ["FR"]),
        ("HO: the tier 2 cap under veu", ["HO"]),
    ]
    assert [round(c.cost or 0, -7) for c in costs] == [2.26e9, 2.54e9]


# --- the negotiation status memo ----------------------------------------------------------------


def test_a_room_with_one_concluded_deal_speaks_of_one(run: Runner, tmp_path: Path) -> None:
    """The shipped rounds conclude one deal (SA); the negotiation memo's "Concluded deals"
    table of that one row was followed by "Their packages are fixed: their compute and
    risk are no longer available to the open negotiations"."""
    pf = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
    r = run("room", pf, "--render", "md,html", "--out", tmp_path, "--date", "2026-12-03")
    assert r.exit_code == 0, r.output
    for suffix in ("md", "html"):
        memo = (tmp_path / "memos" / f"negotiation-gulf-asia.{suffix}").read_text()
        assert "Their packages are fixed" not in memo
        assert (
            "Its package is fixed: its compute and risk are no longer available to the open "
            "negotiations." in memo
        )


def test_a_room_of_one_partner_is_one_negotiation(run: Runner, tmp_path: Path) -> None:
    """The tiny portfolio (one partner, no round): the negotiation memo opened "1
    negotiations: 1 not started. With the concluded deals fixed and the walked-away
    partners excluded, the open negotiations re-planned give ..." — a plural for one, and
    deals and walk-aways that are not there."""
    r = run(
        "room",
        DATA / "tiny" / "portfolio.yaml",
        "--rounds",
        tmp_path / "rounds",
        "--render",
        "md",
        "--out",
        tmp_path / "o",
    )
    assert r.exit_code == 0, r.output
    memo = (tmp_path / "o" / "memos" / "negotiation-tiny.md").read_text()
    assert "1 negotiation: 1 not started. Planned together, the open negotiations give the " in memo


def test_the_room_summary_names_only_what_there_is(run: Runner, tmp_path: Path) -> None:
    """The shipped rounds conclude SA and walk away from no one: the summary said "With the
    concluded deals fixed and the walked-away partners excluded"."""
    pf = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
    r = run("room", pf, "--render", "md", "--out", tmp_path, "--date", "2026-12-03")
    assert r.exit_code == 0, r.output
    memo = (tmp_path / "memos" / "negotiation-gulf-asia.md").read_text()
    assert (
        "9 negotiations: 1 countered, 1 concluded, 7 not started. With the concluded deals "
        "fixed, the open negotiations re-planned give the United States a portfolio utility "
        "of $166.79bn." in memo
    )


def test_options_tied_on_value_and_on_the_least_risk_share_it() -> None:
    """Three options tied at $1.0bn, two of them with 300 risk-weighted H100e and one with
    900: the recommendation said "Of these, bilateral ... carries the least risk (300
    against 900)", naming one of the two that carry it."""
    from dealbench.analyze.memo import recommendation

    rows = [
        _row("bilateral", 1e9, 0.0, 0.0).model_copy(update={"risk_total": 300.0}),
        _row("monopoly", 1e9, 0.0, 0.0).model_copy(update={"risk_total": 300.0}),
        _row("repeal", 1e9, 0.0, 0.0).model_copy(update={"risk_total": 900.0}),
    ]
    text = recommendation(rows)
    assert (
        "Of these, bilateral deals under security conditions (bilateral) and a compute monopoly "
        "shared with the tier 1 allies (monopoly) carry the least risk (300 against 900)." in text
    )
