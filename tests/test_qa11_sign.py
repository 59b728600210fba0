"""Every number of a document a negotiator would sign, cross-checked (qa11-sign).

The data (tests/data/qa11sign/) are a quarterly portfolio written for this pass:
compute in steps of 128 GB200 chips (2.53 H100e each), asks in TPP and in chips, a
range concession without a step (valued by interpolation), a per-partner cap, and a
risk budget that binds (`compact`) or does not (`compact-loose`). Each test says what
the reader saw, against arithmetic done by hand from the data files.
"""

from __future__ import annotations

import re
from functools import cache

from dealbench.model import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult, solve
from dealbench.render.documents import Document, portfolio_memo_document, render_document
from dealbench.render.sources import source_from_result
from helpers import DATA, Runner

QA11 = DATA / "qa11sign"


@cache
def _solved(name: str) -> tuple[Portfolio, SolveResult]:
    portfolio = load_portfolio(QA11 / "portfolios" / f"{name}.yaml")
    return portfolio, solve(portfolio, "us-best")


def _markdown(doc: Document) -> str:
    """The document's Markdown (its charts, rendered beside it, are left out)."""
    return next(f.data.decode() for f in render_document(doc, "md") if f.path.endswith(".md"))


def _table(md: str, heading: str) -> list[list[str]]:
    """The rows (cells stripped of bold) of the first table after `heading`."""
    text = md.split(heading, 1)[1]
    block = next(b for b in text.split("\n\n") if b.startswith("|"))
    lines = block.splitlines()
    return [[c.strip().strip("*") for c in line.strip("|").split("|")] for line in lines[2:]]


def _number(cell: str) -> int:
    return int(re.sub(r"[^0-9]", "", cell))


# --- a supply used in full leaves nothing, however its rows round -------------------------


def test_a_supply_used_in_full_leaves_nothing_when_its_rows_round_below_it() -> None:
    """`compact-loose`: the four deals take 28,423.4 + 9,186.4 + 19,409.4 + 2,980.7 H100e
    of 2028Q1's 60,000, all of it (`solve`: "Supply is fully allocated in 2027Q3, 2027Q4
    and 2028Q1"; result.json: 60,000.0). Each row rounded on its own, they print 28,423,
    9,186, 19,409 and 2,981: 59,999. The memo's allocation said "Unallocated 1", its
    limits "Supply is used up in 2028Q1, with less than one step (128 GB200 chips, 323
    H100e) left (1 H100e)", and its trade-offs "Supply is used up": an H100e that no one
    can be given, and that is not there. Now nothing is left, the supply is fully
    allocated as `solve` says (Allocated, the exact sum rounded, is the supply:
    qa31-totals), and a note says why the rows miss it by one."""
    portfolio, result = _solved("compact-loose")
    used = sum(d.compute["2028Q1"] for d in result.deals)
    assert abs(used - 60_000) < 1e-6  # in full, unrounded
    md = _markdown(portfolio_memo_document(source_from_result(portfolio, result)))
    allocation = {row[0]: [_number(c) for c in row[1:]] for row in _table(md, "## Allocation")}
    assert allocation["Allocated"][2] == 60_000  # the rows as printed add up to 59,999
    assert allocation["Unallocated"] == [0, 0, 0]
    assert "used up" not in md
    assert "Supply is fully allocated in 2027Q3, 2027Q4 and 2028Q1 (H100e:" in md
    assert (
        "the rows add up to 59,999 in 2028Q1, where Allocated is their exact sum, rounded; "
        "unrounded, that supply is allocated in full."
    ) in md


def test_a_supply_with_less_than_a_step_left_still_says_what_is_left() -> None:
    """`compact`, where the risk budget binds: 2027Q3 and 2027Q4 keep 48.0 and 116.2 H100e
    of their supply (less than a step of 128 GB200 chips, 323 H100e): used up, not fully
    allocated, and the allocation says what is left: 48 and 116 (the supply less the
    exact sum, each rounded: qa31-totals; the rows, each rounded, left 117)."""
    portfolio, result = _solved("compact")
    md = _markdown(portfolio_memo_document(source_from_result(portfolio, result)))
    allocation = {row[0]: [_number(c) for c in row[1:]] for row in _table(md, "## Allocation")}
    assert allocation["Unallocated"][:2] == [48, 116]
    assert "Supply is used up in 2027Q3 and 2027Q4, with less than one step" in md


# --- the options memo exports what the memos for principals allocate ----------------------


def test_the_options_memo_exports_what_the_principals_memo_allocates() -> None:
    """`compare --render` of `compact` under its own regime and a looser risk budget: the
    options memo said "H100e exported in 2027Q4 | 49,884" and "149,454 H100e exported"
    for `compact`, where the memo for principals of the same run (and the portfolio memo)
    allocated 23,931 + 10,106 + 15,846 = 49,883 H100e that quarter and 149,453 in all: the
    exact sum rounded (49,883.8) beside the sum of the tranches as the term sheets print
    them. qa11 made each period's export the sum of those tranches; qa31-totals made both
    the exact sum, rounded (49,884), the figure `solve` and `compare` print too."""
    from dealbench.analyze.compare import compare
    from dealbench.analyze.memo import options_facts

    portfolio = load_portfolio(QA11 / "portfolios" / "compact.yaml")
    policies = [str(QA11 / "policy" / f"{name}.yaml") for name in ("compact", "compact-loose")]
    comparison, solved = compare(portfolio, policies)
    facts = options_facts(comparison)
    row = next(r for r in facts["regimes"] if r["id"] == "compact")
    pf, result = solved["compact"]
    md = _markdown(portfolio_memo_document(source_from_result(pf, result)))
    allocated = next(r for r in _table(md, "## Allocation") if r[0] == "Allocated")
    assert [round(row["compute"][t]) for t in pf.periods] == [_number(c) for c in allocated[1:]]
    assert round(row["compute"]["2027Q4"]) == 49_884
    assert row["compute_total"] == round(sum(row["compute"].values()))
    assert f"using {row['compute_total']:,.0f} H100e" in md
    # qa38-docs: the options memo's tables end in that total, no longer said in a phrase
    assert row["compute_total"] == 149_454


def test_evaluate_shows_compute_as_the_package_wrote_it(run: Runner) -> None:
    """`evaluate` of PH's counter (2027Q3 in GB200 chips, 2027Q4 in TPP) printed H100e
    alone, where its file, round file and term sheets write the chips and the TPP."""
    r = run(
        "evaluate", QA11 / "packages" / "ph-counter.yaml",
        "--portfolio", QA11 / "portfolios" / "compact.yaml",
    )  # fmt: skip
    assert r.exit_code == 3, r.output  # it breaks a cap and the risk budget
    assert "(9,000 GB200 chips)" in r.stdout and "(400,000,000 TPP)" in r.stdout
    assert "22,739" in r.stdout and "25,265" in r.stdout
