"""Session 49 (qa49-args): the library's and files' remaining argument gaps.

- `improvements(min_gain=-1)` listed packages that lower both sides as improvements.
- `solve(pf, solver="gurobi")` was a SolverError where `SolveOptions(solver="gurobi")`
  is an ArgumentError.
- `formulate(step=-1)` or `nan` was taken as no steps.
- `render` of a result.json holding a JSON list said pydantic's "Input should be an
  object", at no line; a field's fault was at no line either.
- `policy: bilateral` outside deals/ was told "such as ../policy/bilateral.yaml", a file
  that is not there.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from tests.helpers import REPO, Runner

import dealbench
from dealbench.errors import ArgumentError
from dealbench.model.portfolio import Portfolio


@pytest.mark.parametrize("gain", [-1e9, -1, 0])
def test_improvements_refuse_a_gain_that_is_no_gain(gulf_portfolio: Portfolio, gain: float) -> None:
    package = dealbench.load_package(REPO / "deals/packages/ae-offer.yaml", gulf_portfolio)
    with pytest.raises(ArgumentError, match="expected a positive amount of USD") as exc:
        dealbench.improvements(gulf_portfolio, package, min_gain=gain)
    assert exc.value.argument == "min_gain"


def test_solve_refuses_an_unknown_solver_as_solve_options_do(gulf_portfolio: Portfolio) -> None:
    with pytest.raises(ArgumentError) as solved:
        dealbench.solve(gulf_portfolio, solver="gurobi")
    with pytest.raises(ArgumentError) as options:
        dealbench.SolveOptions(solver="gurobi")
    assert str(solved.value) == str(options.value)
    assert solved.value.argument == "solver"
    assert "expected one of: highs, cbc" in str(solved.value)


@pytest.mark.parametrize("step", [-1, math.nan, math.inf])
def test_formulate_refuses_a_step_out_of_range(gulf_portfolio: Portfolio, step: float) -> None:
    with pytest.raises(ArgumentError, match=r"expected 0 \(any amount\) or a positive") as exc:
        dealbench.formulate(gulf_portfolio, step=step)
    assert exc.value.argument == "step"


def test_formulate_takes_steps_and_none(gulf_portfolio: Portfolio) -> None:
    stepped = dealbench.formulate(gulf_portfolio, step=500)
    plain = dealbench.formulate(gulf_portfolio)
    assert stepped.problem.numConstraints() > plain.problem.numConstraints()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[1, 2]\n", ":1: not a dealbench result.json: expected a JSON object ({...}), got a list"),
        (
            '"text"\n',
            ":1: not a dealbench result.json: expected a JSON object ({...}), got a string",
        ),
    ],
)
def test_render_of_a_json_that_is_no_object_names_the_line(
    run: Runner, tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / "result.json"
    path.write_text(text)
    result = run("render", path, "--out", tmp_path / "out")
    assert result.exit_code == 2 and result.traceback == ""
    assert result.stderr.startswith(f"error: {path}{said}")
    assert not (tmp_path / "out").exists()


def test_render_names_the_line_of_a_result_field_at_fault(
    run: Runner, tmp_path: Path, gulf_portfolio: Portfolio
) -> None:
    data = json.loads(dealbench.solve(gulf_portfolio).model_dump_json())
    data["objective"] = "lots"
    path = tmp_path / "result.json"
    text = json.dumps(data, indent=2)
    path.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"objective"' in row)
    result = run("render", path, "--out", tmp_path / "out")
    assert result.exit_code == 2 and result.traceback == ""
    assert result.stderr.startswith(f"error: {path}:{line}: objective: not a dealbench result")


PORTFOLIO = (REPO / "deals/portfolios/gulf-asia.yaml").read_text()


def test_a_policy_named_without_its_path_outside_deals_is_told_where_it_was_looked_for(
    run: Runner, tmp_path: Path
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(PORTFOLIO.replace("policy: ../policy/bilateral.yaml", "policy: bilateral"))
    result = run("validate", path)
    assert result.exit_code == 2
    assert (
        f"{path}:7: policy: file not found: bilateral (looked for {tmp_path}/bilateral); a "
        "portfolio names its policy by the file's path from the portfolio's folder, and there "
        "is no ../policy/bilateral.yaml, policy/bilateral.yaml or bilateral.yaml\n"
    ) in result.stderr


def test_a_policy_named_without_its_path_is_told_the_file_meant(
    run: Runner, tmp_path: Path
) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy/bilateral.yaml").write_text(
        (REPO / "deals/policy/bilateral.yaml").read_text()
    )
    path = tmp_path / "mine.yaml"
    path.write_text(PORTFOLIO.replace("policy: ../policy/bilateral.yaml", "policy: bilateral"))
    result = run("validate", path)
    assert (
        "policy: file not found: bilateral (looked for "
        f"{tmp_path}/bilateral); a portfolio names its policy by the file's path from the "
        "portfolio: did you mean policy/bilateral.yaml?\n"
    ) in result.stderr
