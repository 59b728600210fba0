"""The documents a principal reads and a negotiator signs, session 43 (qa43-docs): a
portfolio of one partner over one period (a range concession, an amount chosen between its
levels, a very long name) and one with a partner that can have no deal. Each sentence says
only what is true of its numbers, in the number they have. Each test failed before its fix
(docs/decisions.md, Session 43 (qa43-docs))."""

from __future__ import annotations

import shutil
from html import unescape
from pathlib import Path

from dealbench.analyze.compare import RegimeRow
from dealbench.analyze.memo import describe
from helpers import REPO, Runner, md_and_html

LONG = (
    "The Federated Democratic Republic of the Long-Named Archipelago and Associated "
    "Overseas Territories"
)

PARTNER = f"""code: LP
name: {LONG}
tier: 1
diversion_risk: 0.15
ask:
  2027: 200_000
value_per_h100e:
  - {{upto: 100_000, value: 38k}}
  - {{upto: 200_000, value: 25k}}
batna: 3bn
security_costs:
  baseline: 0
  kyc: 150m
  veu: 1.2bn
concessions:
  - id: invest-us
    title: Investment in the United States
    category: investment
    amount: {{unit: USD, min: 0, step: 25bn}}
    levels:
      - {{id: 100bn, title: USD 100bn over the term, amount: 100bn, us_value: 5bn, partner_cost: 3bn}}
      - {{id: 300bn, title: USD 300bn over the term, amount: 300bn, us_value: 15bn, partner_cost: 9bn}}
    clause: >-
      {{{{ partner | in_text(start=True) }}}} will invest {{{{ level.title }}}} in the United States.
  - id: hbm-priority
    title: Priority supply of memory
    category: other
    us_value: 1bn
    partner_cost: 500m
    clause: Memory makers of {{{{ partner | in_text }}}} give US firms priority.
"""

NO_DEAL = """code: ND
name: Nodealia
tier: 3
diversion_risk: 0.9
ask:
  2027: 50_000
value_per_h100e:
  - {upto: 50_000, value: 30k}
batna: 1bn
security_costs:
  baseline: 0
concessions: []
"""


def _odd(folder: Path, *codes: str) -> Path:
    """A portfolio of one period (2027) under the shipped bilateral regime: LP, and ND (tier 3,
    no deal possible) when `codes` names it. Its file."""
    (folder / "partners").mkdir(parents=True)
    (folder / "partners/lp.yaml").write_text(PARTNER, "utf-8")
    (folder / "partners/nd.yaml").write_text(NO_DEAL, "utf-8")
    names = "".join(f"  - partners/{c.lower()}.yaml\n" for c in codes)
    policy = REPO / "deals/policy/bilateral.yaml"
    path = folder / "odd.yaml"
    path.write_text(
        f"id: odd\ntitle: One year\npolicy: {policy}\nperiods: [2027]\n"
        f"supply:\n  2027: 500_000\npartners:\n{names}",
        "utf-8",
    )
    return path


def test_a_term_sheet_of_one_tranche_and_one_commitment_speaks_of_one(
    run: Runner, tmp_path: Path
) -> None:
    """`solve odd.yaml --render md,html` (one partner, one period, one concession granted):
    the term sheet said "over the term, in the tranches of Annex A" of its one tranche and,
    under its one commitment 6.1, "The commitments are listed in Annex C." The shipped term
    sheets (several of each) keep the plural (tests/golden)."""
    out = tmp_path / "out"
    done = run("solve", _odd(tmp_path / "deals", "LP"), "--out", out, "--render", "md,html")
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out / "term-sheets", "LP"):
        assert "6.1." in text and "6.2." not in text
        assert "over the term, in the tranche of Annex A." in text
        assert "The commitment is listed in Annex C." in text
        assert "tranches of Annex" not in text and "commitments are listed" not in text


def test_a_portfolio_memo_names_the_walk_away_value_of_its_one_partner_without_a_deal(
    run: Runner, tmp_path: Path
) -> None:
    """`solve odd.yaml --render md,html` with LP and ND (tier 3: no deal): "LP, the one
    partner with a deal, has a utility of $3.05bn ($4.05bn with the walk-away values of ND,
    without a deal)": ND has one walk-away value."""
    out = tmp_path / "out"
    done = run("solve", _odd(tmp_path / "deals", "LP", "ND"), "--out", out, "--render", "md,html")
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out / "memos", "portfolio-odd"):
        assert (
            "LP, the one partner with a deal, has a utility of $3.05bn ($4.05bn with the "
            "walk-away value of ND, without a deal)" in text
        )


def test_a_deal_memo_of_one_commitment_says_it_not_they(run: Runner, tmp_path: Path) -> None:
    """`render lp-counter.yaml --doc deal-memo` of a package with one commitment (USD 60bn of
    a range, between its levels): "Commitments: they are worth $3.00bn to the United States
    and cost the Partner $1.80bn (1.7× their cost)"."""
    portfolio = _odd(tmp_path / "deals", "LP")
    package = tmp_path / "lp-counter.yaml"
    package.write_text(
        "partner: LP\nside: counter\nround: 2\nsecurity: kyc\ncompute:\n  2027: 200_000\n"
        "concessions:\n  invest-us: 60bn\n",
        "utf-8",
    )
    out = tmp_path / "out"
    done = run(
        "render", package, "--portfolio", portfolio, "--doc", "deal-memo",
        "--format", "md,html", "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out / "memos", "LP-counter-002"):
        assert "| USD 60bn |" in text or ">USD 60bn<" in text
        assert (
            "Commitment: it is worth $3.00bn to the United States and costs the Partner "
            "$1.80bn (1.7× its cost)." in text
        )
        assert "they are worth" not in text


def test_an_option_of_one_deal_names_its_partners_walk_away_value() -> None:
    """`compare odd.yaml --render md` (LP and ND): each option read "1 deal (LP); no deal
    with ND; US utility $4.80bn, partners $50.0m above their walk-away values", of the one
    partner with a deal. Several deals keep the plural."""
    one = RegimeRow(
        regime="repeal", title="Repeal", status="optimal", deals=1, partners=["LP"],
        no_deal=["ND"], us_value=4.8e9, partner_surplus=5e7,
    )  # fmt: skip
    said = describe(one)
    assert (
        "1 deal (LP); no deal with ND; US utility $4.80bn, LP $50.0m above its walk-away value."
        in said
    )
    assert "partners" not in said
    two = one.model_copy(update={"deals": 2, "partners": ["LP", "ND"], "no_deal": []})
    assert "partners $50.0m above their walk-away values." in describe(two)


def test_the_status_memo_says_no_deal_has_taken_risk_budget_before_one_is_concluded(
    run: Runner, tmp_path: Path
) -> None:
    """`room deals/portfolios/gulf-asia.yaml --render md,html` with nothing concluded (SA's
    concluding round 4 left out): "Concluded deals: None yet." above "Risk budget: 250,000
    risk-weighted H100e, of which 250,000 remain after the concluded deals"."""
    rounds = tmp_path / "rounds"
    shutil.copytree(REPO / "deals/rounds/gulf-asia", rounds)
    (rounds / "SA/004-partner.yaml").unlink()
    out = tmp_path / "out"
    done = run(
        "room", REPO / "deals/portfolios/gulf-asia.yaml", "--rounds", rounds, "--render",
        "md,html", "--out", out, "--date", "2026-03-20", "-j", "1",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out / "memos", "negotiation-gulf-asia"):
        assert "None yet." in text
        assert (
            "Risk budget: 250,000 risk-weighted H100e, none of it taken yet: no deal is "
            "concluded." in text
        )
        assert "after the concluded deals" not in text


def test_the_principals_memo_does_not_deny_the_limit_it_lists_as_binding(tmp_path: Path) -> None:
    """`compare odd.yaml --render md` (LP held to its walk-away value, nothing else binding):
    the memo for principals listed under "Limits that bind" "LP is held to its walk-away
    value", and its "What each limit costs" table said "No limit binds." The table costs
    supply, caps and the risk budget, and now says that none of those binds."""
    from dealbench.analyze.memo import principals_memo_documents
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve
    from dealbench.render.documents import render_document

    pf = load_portfolio(_odd(tmp_path / "deals", "LP", "ND"))
    [doc] = principals_memo_documents({"bilateral": (pf, solve(pf))})
    files = {f.path.rsplit(".", 1)[1]: f.data.decode() for f in render_document(doc, "md")}
    files |= {f.path.rsplit(".", 1)[1]: f.data.decode() for f in render_document(doc, "html")}
    for text in (files["md"], unescape(files["html"])):
        before, section = text.split("What each limit costs", 1)
        assert "LP is held to its walk-away value" in before
        assert "No limit binds." not in section
        assert "No supply, cap or risk budget binds." in section
