"""Session 45 (qa45-analyze): staff comparing portfolios across partners and regimes, each
figure read against `--json` and a re-solve (docs/decisions.md, "Session 45
(qa45-analyze)")."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dealbench.model import load_portfolio
from dealbench.model.portfolio import Portfolio
from dealbench.optimize import SolveResult, solve
from helpers import REPO, Runner


@cache
def _gulf() -> tuple[Portfolio, SolveResult]:
    pf = load_portfolio(REPO / "deals" / "portfolios" / "gulf-asia.yaml")
    return pf, solve(pf).raise_for_status()


def _moved(result: SolveResult, code: str, **update: float) -> SolveResult:
    """`result` with `code`'s deal figures changed (a second result, as another regime's
    re-solve gives one)."""
    deals = [d.model_copy(update=update) if d.partner == code else d for d in result.deals]
    return result.model_copy(update={"deals": deals})


def test_diff_says_no_risk_change_that_reads_the_same() -> None:
    """`diff` of global's bilateral and repeal results (`compare --out`) said of SG "risk
    6,253 -> 6,253 risk-weighted H100e": its risk moved from 6,253.2 to 6,252.66, more than
    the 0.5 tolerance, less than the unit printed. A change is said where the figures
    differ as printed; a move of a few units still is."""
    from dealbench.analyze import diff_results

    a = _moved(_gulf()[1], "SG", risk=6_253.2)
    b = _moved(a, "SG", risk=6_252.66)
    [row] = [p for p in diff_results(a, b).partners if p.partner == "SG"]
    assert row.change == "same" and row.changes == []

    b = _moved(a, "SG", risk=6_256.2)
    [row] = [p for p in diff_results(a, b).partners if p.partner == "SG"]
    assert row.change == "changed"
    [said] = row.changes
    assert said.startswith("risk ") and said.split()[1] != said.split()[3]


def test_what_lifting_a_limit_changes_says_the_compute_it_moves() -> None:
    """The principals memo of global under bilateral said lifting the risk budget ($13.62bn)
    changes only BH's physical security and MY's and VN's new deals, while re-solved
    without it QA gets 205,700 H100e more, IL 97,500, JP 73,300, IN 72,000: most of the
    cost. Gulf-asia's supply in 2026 lifted moves SA, AE, IN and BH by tens of thousands
    of H100e beside its changes of terms. The memo now says the compute of the deals kept,
    the largest moves first, and each figure is the re-solve's."""
    from dealbench.analyze.limit_costs import binding, lifted, limit_costs
    from dealbench.analyze.memo import principals_memo_documents
    from dealbench.render.documents import render_document

    pf, result = _gulf()
    costs = {c.name: c for c in limit_costs(pf, result)}
    supply = costs["Supply in 2026"]
    assert supply.changes and supply.compute_changes
    # Each move is the re-solve's own, largest first.
    [limit] = [
        lim for lim in binding(pf, result) if lim["kind"] == "supply" and lim["period"] == "2026"
    ]
    free = solve(lifted(pf, limit)).raise_for_status()
    moves = []
    for said in supply.compute_changes:
        code, amount, unit = said.split()
        assert unit == "H100e"
        before, after = result.deal(code), free.deal(code)
        assert before is not None and after is not None
        assert round(after.total_compute - before.total_compute) == int(amount.replace(",", ""))
        moves.append(abs(int(amount.replace(",", ""))))
    assert moves == sorted(moves, reverse=True) and moves[0] >= 10_000

    [doc] = principals_memo_documents({"bilateral": (pf, result)})
    md = next(f.data.decode() for f in render_document(doc, "md") if f.path.endswith(".md"))
    [row] = [line for line in md.splitlines() if line.startswith("| Supply in 2026 |")]
    first = supply.compute_changes[0].split()
    assert "Compute of the deals kept: " in row
    assert f"({first[0]}) {first[1]} H100e" in row
    # A limit whose lifting changes nothing still says so.
    assert "| AE: the tier 2 cap under veu | 600,000 H100e | $0 per H100e | $0 | nothing |" in md


def test_diff_of_a_comparisons_files_says_where_its_results_are(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """`diff out/compare/comparison.json out/compare/bilateral/result.json` said "status:
    not a dealbench result.json: Field required", a sweep.json the same, and the folder of
    `compare --out` "is a directory, expected a result.json": none said what the file is
    nor which result.json to give. Each now names the results to give; exit 2 as before."""
    out = tmp_path / "o"
    done = run("compare", tiny, "--regimes", "tiered,bilateral", "-j", "1", "--out", out)
    assert done.exit_code == 0, done.output + done.traceback
    results = [out / "bilateral" / "result.json", out / "tiered" / "result.json"]
    assert all(r.is_file() for r in results)
    named = ", ".join(str(r) for r in results)

    done = run("diff", out / "comparison.json", results[0])
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: {out / 'comparison.json'}: this is a comparison (compare --out's "
        f"comparison.json), not a dealbench result.json: give one regime's result.json: "
        f"{named}\n"
    )
    done = run("diff", out, results[0])
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: {out}: is a directory, expected a result.json: it holds one for each regime "
        f"compared: {named}\n"
    )
    done = run("diff", results[0].parent, results[1])
    assert (
        done.stderr
        == f"error: {results[0].parent}: is a directory, expected a result.json: give {results[0]}\n"
    )

    swept = tmp_path / "s"
    done = run(
        "sweep", tiny, "--param", "policy.risk_penalty_per_h100e", "--from", "100k", "--to",
        "200k", "--steps", "2", "--refine", "0", "-j", "1", "--out", swept,
    )  # fmt: skip
    assert done.exit_code == 0, done.output + done.traceback
    done = run("diff", swept / "sweep.json", results[0])
    assert done.exit_code == 2
    assert "this is a sweep (sweep --out's sweep.json), not a dealbench result.json" in done.stderr
    assert "dealbench solve PORTFOLIO --set PATH=VALUE --out DIR" in done.stderr
    # A result.json is read as before.
    assert run("diff", *results).exit_code == 0
