"""A fifth pass on refusals (qa5-cli): faults a new analyst's own data and keys found.

Each test says what the user saw and why it was wrong.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dealbench.io import OutputDir
from dealbench.model import load_portfolio
from dealbench.optimize import solve
from dealbench.optimize.explain.no_deal import why_no_deal
from dealbench.output_errors import OutputExistsError
from helpers import DATA, Runner

_INTERRUPTED_ONCE = """\
import importlib, os, sys
_marker = os.environ["QA5_INTERRUPTED"]
if not os.path.exists(_marker):
    open(_marker, "w").close()
    raise KeyboardInterrupt
_here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
del sys.modules["highspy"]
sys.modules["highspy"] = importlib.import_module("highspy")
"""


def test_ctrl_c_while_highs_loads_is_an_interrupt_not_a_missing_solver(tmp_path: Path) -> None:
    """Ctrl-C in the first half second of `solve` (while HiGHS's library loads) printed
    "error: HiGHS is not available: install it with `pip install highspy`" and exit 1, or
    was ignored and the solve ran on: PuLP imports highspy under a bare `except:`, which
    swallowed the KeyboardInterrupt. A highspy whose first import raises KeyboardInterrupt
    (and whose next loads the real one) stands in for the key press."""
    fake = tmp_path / "site" / "highspy"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(_INTERRUPTED_ONCE)
    src = Path(__file__).resolve().parents[1] / "src"
    path = os.pathsep.join([str(fake.parent), str(src)])
    env = dict(os.environ, PYTHONPATH=path, QA5_INTERRUPTED=str(tmp_path / "pressed"))
    proc = subprocess.run(
        [sys.executable, "-m", "dealbench", "solve", str(DATA / "tiny/portfolio.yaml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "HiGHS is not available" not in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 130, (proc.returncode, proc.stderr)


def test_a_partner_displaced_by_a_required_deal_is_not_said_to_lose_to_one_worth_more(
    run: Runner,
) -> None:
    """`solve --require-deal ZB` with a risk budget of 37,500: ZB's deal (worth -$3.30bn to
    the US) takes all of it, and QA (worth $28.20bn alone) gets none. The reason said "the
    risk budget goes to deals worth more (ZB)": untrue, ZB has its deal because it was
    required. The reasons did not know which deals were required."""
    pf = load_portfolio(DATA / "qa5cli/portfolio.yaml")
    result = solve(pf, require=["ZB"])
    assert result.no_deal == ["QA"]
    (reason,) = why_no_deal(pf, result, ["ZB"])
    assert "worth more" not in reason.message
    assert "the risk budget goes to the required deal with ZB;" in reason.message
    (plain,) = why_no_deal(pf, result)  # not told: as before
    assert "goes to deals worth more (ZB)" in plain.message
    out = run("solve", DATA / "qa5cli/portfolio.yaml", "--require-deal", "zb")
    assert out.exit_code == 0, out.output
    assert "the risk budget goes to the required deal with ZB;" in " ".join(out.stdout.split())


def test_a_displaced_partner_is_told_the_least_raise_that_opens_its_deal() -> None:
    """Same solve: the reason said "raising the risk budget by 15,000 risk-weighted H100e
    makes room for it", what QA's best package (veu, 500,000 H100e) takes. QA also
    accepts veu with 116,667 H100e (3,500 risk-weighted: 30k x 116,667 - 1.5bn = 2bn, its
    walk-away value) and is still worth having: a raise of 3,501 opens a deal (3,500 in
    continuous amounts, 3,501 on a step of 100), a quarter of what was named. The reason
    was worked out from the best package alone."""
    pf = load_portfolio(DATA / "qa5cli/portfolio.yaml")
    result = solve(pf, require=["ZB"])
    (reason,) = why_no_deal(pf, result, ["ZB"])
    (raise_,) = reason.relax
    assert raise_.kind == "risk-budget"
    assert raise_.amount is not None and 3_500 <= raise_.amount <= 3_501
    assert "(its best package needs 15,000 risk-weighted H100e more)" in reason.message
    assert pf.risk_budget is not None
    opened = solve(
        pf.model_copy(update={"risk_budget": pf.risk_budget + raise_.amount}), require=["ZB"]
    )
    assert opened.deal("QA") is not None
    less = solve(
        pf.model_copy(update={"risk_budget": pf.risk_budget + raise_.amount - 1}), require=["ZB"]
    )
    assert less.deal("QA") is None


_PARTNER = """\
code: QA
name: Qatarland
tier: 2
diversion_risk: 0.3
ask: {2026: 200_000}
value_per_h100e: 30k
batna: 2bn
security_costs: {baseline: 0}
concessions:
  - id: invest-us
    title: Investment in US
    category: investment
    us_value: 20bn
    partner_cost: 6bn
"""


@pytest.mark.parametrize(
    ("mistake", "replace", "by", "line", "hint"),
    [
        (
            "a key indented by one space",
            "tier: 2",
            " tier: 2",
            3,
            "is this line indented more than the key above it, or does a value hold ': '",
        ),
        (
            "a value holding ': '",
            "name: Qatarland",
            "name: Qatarland: the state",
            2,
            "(then put it in quotes)?",
        ),
        ("a tab before a key", "tier: 2", "\ttier: 2", 3, "indent with spaces, not tabs"),
        (
            "a tab inside an item",
            "    title: Investment",
            "\ttitle: Investment",
            11,
            "indent with spaces, not tabs",
        ),
        (
            "an item's key indented by three spaces",
            "    title: Investment",
            "   title: Investment",
            11,
            "the items of one list start in the same column with '- ' (a dash and a space)",
        ),
    ],
)
def test_a_yaml_mistake_a_person_makes_is_named_in_their_words(
    run: Runner, tmp_path: Path, mistake: str, replace: str, by: str, line: int, hint: str
) -> None:
    """`validate` of a partner file with a layout mistake said only libyaml's words
    ("mapping values are not allowed in this context", "found character '\\t' that cannot
    start any token", "did not find expected '-' indicator"): the line, but not what to
    change there. Each now says what a person most likely did."""
    assert replace in _PARTNER, mistake
    path = tmp_path / "qa.yaml"
    path.write_text(_PARTNER.replace(replace, by, 1))
    out = run("validate", path)
    assert out.exit_code == 2, out.output
    assert not out.traceback
    assert out.stderr.startswith(f"error: {path}:{line}: invalid YAML: "), out.stderr
    assert hint in out.stderr, out.stderr


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("600000 H100e", "compute is in H100e, written without a unit: write 600_000"),
        ("600k H100e", "compute is in H100e, written without a unit: write 600_000"),
        ("790_000_000 TPP", "an amount in TPP is written {tpp: 790_000_000}"),
        ("1000 B200 chips", "chips are written {chips: 1_000, model: B200}"),
    ],
)
def test_compute_written_with_its_unit_is_told_how_to_write_it(
    run: Runner, tmp_path: Path, written: str, hint: str
) -> None:
    """`ask: {2026: 600k H100e}` got "expected a number, got '600k H100e'": the unit the
    analyst added, to be clear, was the whole fault, and the message did not say so (nor
    that TPP and chips have their own shapes)."""
    path = tmp_path / "qa.yaml"
    path.write_text(_PARTNER.replace("ask: {2026: 200_000}", f"ask: {{2026: {written}}}"))
    out = run("validate", path)
    assert out.exit_code == 2, out.output
    assert out.stderr == (
        f"error: {path}:5: ask.2026: expected a number, got {written!r}; {hint}\n"
    ), out.stderr


def test_frontier_of_a_partner_not_in_the_portfolio_names_the_option(run: Runner) -> None:
    """`frontier --partner QQ` said "error: portfolio.yaml: partners: no partner 'QQ'
    here": the file's `partners` field, as if the file were to be edited, where the fault
    is the option's value (and `solve --require-deal QQ` names its option)."""
    out = run("frontier", DATA / "qa5cli/portfolio.yaml", "--partner", "qq")
    assert out.exit_code == 2, out.output
    assert out.stderr == (
        "error: --partner: partner 'QQ' is not in portfolio qa5; expected one of: QA, ZB\n"
    )


def test_a_users_file_where_a_folder_of_documents_goes_is_named(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --out out/` where out/ holds the user's own file `term-sheets`: "error: cannot
    write into out: File exists; the previous result is left as it was", exit 1 (with or
    without --force). The system's words named neither the file in the way nor what to do,
    and exit 1 is for a disk that fails, not for an input to change. The output folder's
    check looked at each file's own path (a folder there is refused), not at its folders."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "term-sheets").write_text("mine\n")
    for force in ([], ["--force"]):
        done = run("solve", DATA / "qa5cli/portfolio.yaml", "--out", out, *force)
        assert done.exit_code == 2, done.output
        assert done.stderr == (
            f"error: {out}/term-sheets is a file; dealbench writes {out}/term-sheets/QA.md "
            "inside a folder of that name (rename or remove the file, or write into another "
            "folder)\n"
        )
        assert (out / "term-sheets").read_text() == "mine\n"
        assert sorted(p.name for p in out.iterdir()) == ["term-sheets"]
    with pytest.raises(OutputExistsError, match="term-sheets is a file"):
        OutputDir(out).publish({"result.json": "{}", "term-sheets/QA.md": "x"})
    assert sorted(p.name for p in out.iterdir()) == ["term-sheets"]


def test_a_stopped_solve_without_a_deal_does_not_say_none_is_worth_having(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`solve --time-limit 0.001`, stopped before any package: the first line said "No
    deal is concluded: no package is acceptable to a partner and better for the United
    States than its walk-away value", and the reason under it "alone, a deal with QA
    would add $28.20bn ... the time limit stopped the solve". The sentence was chosen
    by whether a deal was made, not by whether the solve was proven."""
    from dealbench.cli.output import print_result
    from dealbench.optimize.result import Status

    pf = load_portfolio(DATA / "qa5cli/portfolio.yaml")
    pf = pf.model_copy(update={"risk_budget": 0.0})  # no deal fits: an optimal "no deal"
    proven = solve(pf)
    assert proven.status == Status.OPTIMAL and not proven.deals
    print_result(proven)
    assert "no package is acceptable to a partner" in " ".join(capsys.readouterr().out.split())
    print_result(proven.model_copy(update={"status": Status.TIME_LIMIT}))
    said = " ".join(capsys.readouterr().out.split())
    assert "no package is acceptable" not in said
    assert (
        "No deal is concluded in what the solver found before it stopped; packages better "
        "than no deal may exist." in said
    )


def test_the_least_raise_also_where_the_deals_fit_already_on_other_terms() -> None:
    """QA and WW fit together as the supply stands (WW without its purchase), but the US
    prefers WW's purchase, which needs 950,000 H100e: the reason said "raising supply by
    190,000 H100e in 2026 and 290,000 H100e in 2027 makes room for it" (QA's best
    package), where 16,667 in all (66,667 for QA, less the 20,000 WW leaves and the
    30,000 it can give up) does. The least raise was sought only where the deals cannot
    all be made; here they can, on terms the US values less."""
    pf = load_portfolio(DATA / "qa5cli/supply.yaml")
    result = solve(pf)
    assert result.no_deal == ["QA"]
    (reason,) = why_no_deal(pf, result)
    assert "(its best package needs 190,000 H100e in 2026 and 290,000 H100e in 2027 more)" in (
        " ".join(reason.message.split())
    )
    raise_ = {r.period: r.amount or 0.0 for r in reason.relax}
    assert 16_667 <= sum(raise_.values()) <= 16_668

    def supplied(less: float) -> dict[str, float]:
        more = {t: pf.supply[t] + raise_.get(t, 0.0) for t in pf.periods}
        more["2027"] -= less
        return more

    assert solve(pf.model_copy(update={"supply": supplied(0)})).deal("QA") is not None
    assert solve(pf.model_copy(update={"supply": supplied(1)})).deal("QA") is None


def test_a_utf_16_file_is_named_as_such(run: Runner, tmp_path: Path) -> None:
    """A partner file saved as UTF-16 (as some Windows editors do) got "not UTF-8 text
    (invalid start byte)": true, but it did not say what the file was nor what to do."""
    path = tmp_path / "qa.yaml"
    path.write_bytes(_PARTNER.encode("utf-16"))
    out = run("validate", path)
    assert out.exit_code == 2, out.output
    assert out.stderr == f"error: {path}:1: UTF-16 text, expected UTF-8; save the file as UTF-8\n"
