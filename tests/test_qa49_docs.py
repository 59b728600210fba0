"""Session 49 (qa49-docs): the documents say what changed and what happened."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import REPO, Runner

OFFER = REPO / "deals/packages/ae-offer.yaml"
GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def _short_offer(folder: Path) -> Path:
    """The shipped AE offer less its last tranche (2028): the term ends a year earlier."""
    text = re.sub(r"\n  2028: 600_000.*", "", OFFER.read_text())
    path = folder / "ae-short.yaml"
    path.write_text(text.replace("round: 1 ", "round: 3 "))
    return path


def test_redline_marks_the_term_it_ends_earlier(run: Runner, tmp_path: Path) -> None:
    """A new offer that drops the last tranche ends the term a year earlier: the redline
    marks the term where the term sheet states it (sections 3, 4 and 11), not only Annex A."""
    r = run("redline", OFFER, _short_offer(tmp_path), "--portfolio", GULF)
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert '~~"The term" is the period 2026–2028 inclusive' in text
    assert '**"The term" is the period 2026–2027 inclusive' in text
    assert "~~This memorandum takes effect" in text and "end of the term (2027)" in text
    assert "up to 1,700,000 H100e" in text and "up to 1,100,000 H100e" in text
    # They follow from the tranche removed: counted as no term of their own.
    assert "0 terms changed, 0 added, 1 removed." in text
    order = [m.group(1) for m in re.finditer(r"^## (.*)$", text, re.MULTILINE)]
    assert order[:6] == [
        "Annex A: Compute schedule",
        "3. Definitions",
        "4. Compute schedule",
        "5. Security conditions",
        "6. Commitments of the Partner",
        "11. Effective date, duration, amendment and termination",
    ]


def test_redline_compares_the_house_clause_texts(run: Runner, tmp_path: Path) -> None:
    """With --templates, the term sheets state the term in the house's words: the redline
    compares those, not the shipped text."""
    house = tmp_path / "house" / "clauses"
    house.mkdir(parents=True)
    (house / "term.txt.j2").write_text("This arrangement lasts until {{ term.last }}.\n")
    r = run(
        "redline", OFFER, _short_offer(tmp_path), "--portfolio", GULF,
        "--templates", tmp_path / "house",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "~~This arrangement lasts until 2028.~~ **This arrangement lasts until 2027.**" in (
        r.stdout
    )
    assert "This memorandum takes effect" not in r.stdout


def test_a_redline_of_the_same_term_adds_no_section(run: Runner) -> None:
    """Two packages of one term and total (the shipped offer against itself) show the terms'
    sections alone."""
    r = run("redline", OFFER, OFFER, "--portfolio", GULF)
    assert r.exit_code == 0, r.output
    assert re.findall(r"^## (.*)$", r.stdout, re.MULTILINE) == [
        "Annex A: Compute schedule",
        "5. Security conditions",
        "6. Commitments of the Partner",
    ]


def test_a_cap_the_same_at_every_level_is_raised_as_one(run: Runner) -> None:
    """Monopoly writes tier 2's cap as one number (1,699 H100e at every level): why AE has
    no deal said "raise the tier 2 cap under veu ... (the least raise ..., under baseline to
    59,630 H100e, ...)", a cap of veu's own that no file can raise under monopoly (its
    policy.caps.tier2 has no levels). It names the one cap, and the level of the package."""
    r = run("solve", GULF, "--policy", "monopoly", "--json")
    assert r.exit_code == 0, r.output
    reasons = {x["partner"]: x["message"] for x in json.loads(r.stdout)["no_deal_reasons"]}
    said = " ".join(reasons.values())
    assert "cap under" not in said
    assert (
        "raise the tier 2 cap at every security level from 1,699 to 1,250,000 H100e per "
        "period (for AE in 2026–2028)"
    ) in reasons["AE"]
    assert "accepts, to 59,630 H100e, its package under baseline, gives none" in reasons["AE"]


def test_a_limit_unused_says_what_the_packages_use_beside_the_price_range(
    run: Runner, tmp_path: Path
) -> None:
    """session 48's `halves`: "247,165 risk-weighted H100e of it are unused. Below 2,800,
    ... each one cut costs $1.5m", where the packages use 2,835 (250,000 less 247,165): the
    2,800 is the fixed LP's, compute divisible. Both figures are said, and which is which."""
    from test_qa48_analyze import EGYPT, NORWAY, PORTFOLIO

    (tmp_path / "no.yaml").write_text(NORWAY, "utf-8")
    (tmp_path / "eg.yaml").write_text(EGYPT, "utf-8")
    (tmp_path / "port.yaml").write_text(PORTFOLIO, "utf-8")
    r = run("solve", tmp_path / "port.yaml", "--prices")
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert "Risk (risk-weighted H100e): 2,835 (budget 250,000)" in text
    assert (
        "247,165 risk-weighted H100e of it are unused. The packages use 2,835; the price is "
        "reckoned with compute divisible, where the same deals, security levels and "
        "concessions keep their value down to 2,800. Below 2,800, with those held"
    ) in text


def test_regimes_all_stopped_by_the_time_limit_are_not_called_unsolvable(
    run: Runner, tmp_path: Path
) -> None:
    """`compare --time-limit 0.001`, every regime stopped before any deal: the options
    memo recommended "No regime gave a solvable portfolio; see the failures below", where
    nothing was proven unsolvable. It says what stopped them and what to do."""
    out = tmp_path / "out"
    args = ("compare", GULF, "--regimes", "tiered,bilateral", "--time-limit", "0.001", "-j", "1")
    r = run(*args, "--out", out, "--render", "md")
    assert r.exit_code == 4, r.output
    memo = (out / "memos/options-gulf-asia.md").read_text("utf-8")
    said = " ".join(memo.split("## Recommendation")[1].split("##")[0].split())
    assert "solvable" not in said
    assert said == (
        "No regime has figures to compare, so none is recommended: the time limit stopped "
        "the solves under tiered and bilateral before they found any deal (which does not "
        "show that none exists): solve again with a longer time limit."
    )
