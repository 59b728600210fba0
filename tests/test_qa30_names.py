"""Documents that read right to a principal (qa30-names).

A partner's name in running English takes the article it takes ("the Philippines", "The
United Arab Emirates should accept"); `solve --mode partner-best` states its floor on
the US utility and whether it binds; the frontier's zone of agreement is said in the one
money form. tests/data/qa30neg/ is qa30-negotiator's hand-written `corridor` portfolio
(VN, PH and BD).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dealbench import load_portfolio
from dealbench.model.portfolio import Portfolio
from helpers import DATA, invoke

QA30 = DATA / "qa30neg"
CORRIDOR = QA30 / "portfolios/corridor.yaml"


@pytest.fixture
def corridor() -> Portfolio:
    return load_portfolio(CORRIDOR)


def test_the_frontiers_zone_of_agreement_is_said_in_the_one_money_form() -> None:
    """BD's joint frontier is printed in USD bn (the portfolio's V is $1.2bn); its zone of
    agreement read "largest joint gain USD 0.04bn", the table's unit, where every other
    sentence of the frontier says money as `$40.0m`."""
    run = invoke(["frontier", CORRIDOR, "--partner", "BD", "--points", "5", "--jointly"])
    assert run.exit_code == 0, run.output
    zopa = [line for line in run.stdout.splitlines() if line.startswith("ZOPA")]
    assert zopa and zopa[0].startswith(
        "ZOPA: yes, largest joint gain among the frontier's points $"
    ), zopa
    assert "USD 0." not in zopa[0]


def test_partner_best_says_its_default_floor_on_the_us_utility_and_that_it_binds(
    corridor: Portfolio,
) -> None:
    """`solve --mode partner-best` on the corridor: the partners take all they can while V
    stays at or above its floor, by default V with no deal (-$200.0m, the partners'
    us_batna). V is -$196.8m, $3.2m above it (compute in steps of 500 H100e): the floor
    binds (without it the partners' total is higher), but the output said neither the
    floor nor that it binds (V is not on it, so the `binding` limits do not list it)."""
    from dealbench import solve

    result = solve(corridor, "partner-best")
    assert result.v_floor == pytest.approx(-200e6)
    assert result.solver.details["v_floor_default"] == 1.0
    assert result.solver.details["v_floor_binds"] == 1.0
    run = invoke(["solve", CORRIDOR, "--mode", "partner-best"])
    assert run.exit_code == 0, run.output
    said = " ".join(run.stdout.split())
    assert (
        "keeping the US utility V at or above its floor, -$200.0m (V with no deal, the "
        "default), which binds: V is $3.2m above it, and every package the partners prefer "
        "would take V below it" in said
    )


def test_partner_best_says_when_its_floor_does_not_bind(corridor: Portfolio) -> None:
    """With a floor far below anything the partners' best leaves the US (-$10bn), partner-
    best's packages are the partners' own best: the floor is given, and it does not bind."""
    run = invoke(["solve", CORRIDOR, "--mode", "partner-best", "--v-floor", "-10bn"])
    assert run.exit_code == 0, run.output
    said = " ".join(run.stdout.split())
    assert "at or above its floor, -$10.00bn, which does not bind" in said
    assert "Binding: The US utility V" not in said


PH_PACKAGE = """\
partner: PH
security: screened
compute: {2027Q1: 1500, 2027Q2: 2500, 2027Q3: 3000, 2027Q4: 3000}
concessions: {security-alignment: true}
"""


def _render(package: Path, portfolio: Path, out: Path, doc: str, audience: str) -> str:
    run = invoke(
        [
            "render",
            package,
            "--portfolio",
            portfolio,
            "--doc",
            doc,
            "--audience",
            audience,
            "--out",
            out,
        ]
    )
    assert run.exit_code == 0, run.output
    return "\n".join(p.read_text() for p in sorted(out.rglob("*.md")))


def test_a_partners_name_takes_its_article_in_the_documents_sentences(tmp_path: Path) -> None:
    """PH is "Philippines" in its file. Its deal memo read "Deal memo: compute partnership
    with Philippines" and "Offer Philippines 10,000 H100e", its term sheet "2. Philippines,
    acting through its government" and "Philippines should accept"; `evaluate` printed
    "Package for Philippines (PH)". Running English says "the Philippines" ("The" at the
    start of a sentence); a table cell keeps the name bare."""
    package = tmp_path / "ph.yaml"
    package.write_text(PH_PACKAGE)
    memo = _render(package, CORRIDOR, tmp_path / "memo", "deal-memo", "internal")
    assert "# Deal memo: compute partnership with the Philippines" in memo
    assert "Offer the Philippines 10,000 H100e" in memo
    assert "Compute for the Philippines by period" in memo
    sheet = _render(package, CORRIDOR, tmp_path / "sheet", "term-sheet", "internal")
    assert "compute partnership with the Philippines" in sheet
    assert "2. The Philippines, acting through its government" in sheet
    assert "The Philippines should accept" in sheet
    for text in (memo, sheet):
        assert "with Philippines" not in text and "Offer Philippines" not in text
        assert "\nPhilippines should" not in text
    run = invoke(["evaluate", "--portfolio", CORRIDOR, package])
    assert run.exit_code == 0, run.output
    assert "Package for the Philippines (PH) under screened" in run.stdout


def test_a_partner_file_says_its_names_article(tmp_path: Path) -> None:
    """`article: none` keeps a name that takes "the" by default bare; `article: the` gives
    one to a name that does not take it by default."""
    import shutil

    deals = Path(shutil.copytree(QA30, tmp_path / "deals"))
    ph = deals / "partners/ph.yaml"
    ph.write_text(ph.read_text().replace("name: Philippines", "name: Philippines\narticle: none"))
    bd = deals / "partners/bd.yaml"
    name = next(line for line in bd.read_text().splitlines() if line.startswith("name:"))
    bd.write_text(bd.read_text().replace(name, "name: Bay Federation of Bengal\narticle: none"))
    portfolio = deals / "portfolios/corridor.yaml"
    package = tmp_path / "ph.yaml"
    package.write_text(PH_PACKAGE)
    memo = _render(package, portfolio, tmp_path / "memo", "deal-memo", "internal")
    assert "# Deal memo: compute partnership with Philippines" in memo
    ph.write_text(
        ph.read_text().replace("name: Philippines\narticle: none", "name: Isles\narticle: the")
    )
    memo = _render(package, portfolio, tmp_path / "again", "deal-memo", "internal")
    assert "# Deal memo: compute partnership with the Isles" in memo
    bad = ph.read_text().replace("article: the", "article: an")
    ph.write_text(bad)
    run = invoke(["validate", portfolio])
    assert run.exit_code == 2
    assert "ph.yaml:" in run.stderr and "article" in run.stderr


def test_the_names_that_take_the_article_by_default() -> None:
    from dealbench.model.names import in_text

    assert in_text("United Arab Emirates") == "the United Arab Emirates"
    assert in_text("United Arab Emirates", start=True) == "The United Arab Emirates"
    assert in_text("Republic of Korea") == "the Republic of Korea"
    assert in_text("Russian Federation") == "the Russian Federation"
    assert in_text("Netherlands") == "the Netherlands"
    assert in_text("Saudi Arabia", start=True) == "Saudi Arabia"
    assert in_text("The Gambia") == "the Gambia"
    assert in_text("The Gambia", start=True) == "The Gambia"
    assert in_text("Philippines", "none") == "Philippines"
    assert in_text("Qatar", "the") == "the Qatar"


def test_who_walked_away_takes_the_article_in_the_room_and_on_the_web(tmp_path: Path) -> None:
    """PH walked away by its own choice: the room's reason read "Philippines walked away in
    round 1", and the web's negotiation page "Negotiation with Philippines (PH)"."""
    import re
    import shutil

    from dealbench.negotiate import room, walk_away
    from helpers import WEB_TOKEN, web_client

    deals = Path(shutil.copytree(QA30, tmp_path / "deals"))
    pf = load_portfolio(deals / "portfolios/corridor.yaml")
    rounds = deals / "rounds" / pf.id
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get("/p/corridor/n/PH")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert "Negotiation with the Philippines (PH)" in text
    assert "End the talks with the Philippines" in text
    walk_away(pf, rounds, "PH", by="partner")
    row = next(r for r in room(pf, rounds).rows if r.partner == "PH")
    assert row.reason == "the Philippines walked away in round 1"


def test_the_webs_solve_page_says_partner_bests_floor_as_the_cli_does(tmp_path: Path) -> None:
    """The web's solve page of the corridor under partner-best said nothing of the floor
    (its binding limits do not list it: V is $3.2m above it); it now says the sentence the
    CLI's "Maximised:" line says."""
    import html
    import re
    import shutil

    from dealbench.web.security import CSRF_FIELD, csrf_for
    from helpers import WEB_TOKEN, job_done, web_client

    deals = Path(shutil.copytree(QA30, tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as client:
        form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "partner-best", "solver": "highs"}
        response = client.post("/p/corridor/solve", data=form, follow_redirects=False)
        assert response.status_code == 303
        page = client.get(job_done(client, response)).text
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)))
    assert (
        "Maximised: the partners' total utility, $1.38bn, keeping the US utility V at or above "
        "its floor, -$200.0m (V with no deal, the default), which binds: V is $3.2m above it"
    ) in text
