"""`--solver cbc` everywhere it is offered, against HiGHS (qa17-cbc).

- CBC's gap and bound come from its own log: PuLP 3 reads only CBC's solution file,
  which says "Optimal" for a search stopped within a loose gap (reported as gap 0)
  and gives no bound for one stopped by the time limit (reported at an unknown
  distance; kalai then called its tau exact, nash its incumbent's objective a bound);
- a bargaining solve stopped without a bound says so rather than claim one;
- a CBC process ends with the dealbench that started it (`kill`, a cancelled web job);
- on small generated portfolios, with and without range concessions, CBC and HiGHS
  reach the same objective within their gaps in every mode, and both pass `check`.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import concession, partner, portfolio, portfolios
from dealbench import load_portfolio, solve
from dealbench.checker import check
from dealbench.errors import SolverError
from dealbench.model import Portfolio
from dealbench.optimize import SolveResult, Status
from dealbench.optimize.backends import make_backend
from dealbench.synth import generate
from helpers import REPO

GULF = REPO / "deals/portfolios/gulf-asia.yaml"
MONEY = 1e9


@pytest.fixture(autouse=True)
def _cbc_or_skip() -> None:
    try:
        make_backend("cbc")
    except SolverError as exc:  # PuLP 4 (Python 3.12+) without the cbc extra
        pytest.skip(str(exc))


# --- CBC's gap and bound ----------------------------------------------------------------


def test_cbc_stopped_within_a_loose_gap_says_how_far_it_may_be() -> None:
    """`solve S --solver cbc --gap 0.05` said "gap 0" for $772.12bn where HiGHS proves
    $790.39bn: CBC stops within 5% and calls it optimal. Its bound now caps the best."""
    pf = generate("S", seed=1)
    best = solve(pf)
    cbc = solve(pf, solver="cbc", gap=0.05)
    assert cbc.status is Status.OPTIMAL
    assert best.objective is not None and cbc.objective is not None
    assert cbc.solver.gap is not None and 0 <= cbc.solver.gap <= 0.05
    if cbc.objective < best.objective * (1 - 1e-6):  # CBC stopped short of the optimum
        assert cbc.solver.gap > 0
        assert cbc.solver.bound is not None
        assert cbc.solver.bound >= best.objective - 1e-6 * best.objective


def test_cbc_stopped_by_the_time_limit_reports_its_gap_and_bound() -> None:
    """`solve S --solver cbc --time-limit 1` stopped near 1 s with its incumbent, "gap
    n/a" and "at an unknown distance from the best"; CBC's log has the bound. (CBC
    proves S in about 5 s, HiGHS in under 1.)"""
    pf = generate("S", seed=1)
    result = solve(pf, solver="cbc", time_limit=1.5)
    if result.status is Status.OPTIMAL:
        pytest.skip("CBC proved the optimum within the time limit")
    assert result.status is Status.TIME_LIMIT, result.message
    assert result.solver.name == "cbc"
    assert result.solver.seconds < 5
    assert result.deals  # the incumbent, checked
    assert result.solver.gap is not None and math.isfinite(result.solver.gap)
    assert result.solver.bound is not None and result.objective is not None
    assert result.solver.bound >= result.objective - 1e-6 * abs(result.objective)


def test_kalai_with_cbc_stopped_by_the_time_limit_is_not_called_exact() -> None:
    """`solve gulf-asia --mode kalai --solver cbc --time-limit 1` said "Status: time-limit"
    and "kalai: exact within the gap (every share at least tau = 0.2927)"."""
    result = solve(load_portfolio(GULF), "kalai", solver="cbc", time_limit=1.0)
    assert result.status is Status.TIME_LIMIT
    assert "exact within the gap" not in result.message
    assert "stopped by the time limit" in result.message
    assert result.solver.details["tau"] <= result.solver.details["tau_bound"] + 1e-9


def _no_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every MIP of a bargaining solve ends as a solver stopped with an incumbent and no
    bound (CBC before its log was read, or a CBC whose log gives none)."""
    from dealbench.optimize.backends import Outcome
    from dealbench.optimize.bargain import solve as bargain

    real = bargain.run_pulp
    monkeypatch.setattr(
        bargain,
        "run_pulp",
        lambda problem, backend: Outcome("limit", real(problem, backend).has_solution, None, None),
    )


def test_nash_stopped_without_a_bound_claims_no_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """nash took the incumbent's objective for the bound and said "the Nash product is
    within a factor 0.761600 of the best" of a point HiGHS beats."""
    _no_bound(monkeypatch)
    result = solve(load_portfolio(GULF), "nash", time_limit=60.0)
    assert result.status is Status.TIME_LIMIT
    assert "within a factor" not in result.message
    assert "not proven within any factor of the best" in result.message
    assert result.solver.bound is None


def test_kalai_stopped_without_a_bound_is_not_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_bound(monkeypatch)
    result = solve(load_portfolio(GULF), "kalai", time_limit=60.0)
    assert result.status is Status.TIME_LIMIT
    assert "exact within the gap" not in result.message
    assert "not proven the best" in result.message


# --- CBC's process ----------------------------------------------------------------------


def _cbc_children(pid: int) -> set[int]:
    """The CBC processes `pid` has started, from /proc."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"cbc" in command.split(b"\0")[0]:
                out.add(int(child))
    return out


def _long_cbc(proc: subprocess.Popen[bytes]) -> set[int]:
    """CBC processes of `proc` running for a second: kalai's MIP on gulf-asia (minutes),
    not one of the ideal deals' solves before it (a few ms each)."""
    seen: dict[int, float] = {}
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        now = time.monotonic()
        running = _cbc_children(proc.pid)
        seen = {c: seen.get(c, now) for c in running}
        if any(now - first >= 1.0 for first in seen.values()):
            return running
        time.sleep(0.05)
    return set()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's /proc and prctl")
def test_cbc_ends_with_a_dealbench_stopped_by_sigterm(tmp_path: Path) -> None:
    """`kill` of a `solve --mode kalai --solver cbc` (or the web cancelling a CBC job,
    which terminates its process) left CBC running on a core, reparented to init, for
    the minutes its search took."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [sys.executable, "-m", "dealbench", "solve", str(GULF), "--mode", "kalai"]
    proc = subprocess.Popen(
        [*args, "--solver", "cbc"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cbc: set[int] = set()
    try:
        cbc = _long_cbc(proc)
        if not cbc:
            pytest.skip("the solve ended before CBC could be seen running")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in cbc) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(c) for c in cbc)
    finally:
        for c in cbc:  # without the fix: do not leave it running
            if _alive(c):
                os.kill(c, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- parity with HiGHS ------------------------------------------------------------------


@st.composite
def small_portfolios(draw: st.DrawFn) -> Portfolio:
    """builders' portfolios, with a partner whose menu has a range concession sometimes."""
    pf = draw(portfolios(max_partners=3, max_periods=2, max_concessions=2))
    if not draw(st.booleans()):
        return pf
    periods = list(pf.periods)
    invest = concession(
        "invest",
        levels=[
            ("50bn", "2bn", draw(st.sampled_from(["1bn", "1.5bn"]))),
            ("150bn", draw(st.sampled_from(["4bn", "6bn"])), draw(st.sampled_from(["3bn", "4bn"]))),
        ],
    )
    invest["amount"] = {"unit": "USD", "min": 0, "step": draw(st.sampled_from(["10bn", "25bn"]))}
    for level in invest["levels"]:
        level["amount"] = level["id"]
    ranged = partner(
        "RR",
        ask=dict.fromkeys(periods, 60_000),
        value=draw(st.sampled_from(["20k", "40k"])),
        batna=draw(st.sampled_from([0, "1bn"])),
        concessions=[invest],
    )
    return portfolio(
        pf.policy,
        [*pf.partners, ranged],
        supply=dict(pf.supply),
        risk_budget=pf.risk_budget,
    )


def _agree(mode: str, highs: SolveResult, cbc: SolveResult) -> None:
    """The two objectives within what each solver proved."""
    a, b = highs.objective, cbc.objective
    assert a is not None and b is not None
    if mode == "nash":  # each within its stated error bound of the best log-product
        slack = max(highs.solver.details["log_error_bound"], cbc.solver.details["log_error_bound"])
        # Equal first: both -inf where the best product is zero (-inf - -inf is nan).
        assert a == b or abs(a - b) <= slack + 1e-5
    elif mode == "kalai":  # tau, exact within the gap
        assert abs(a - b) <= 1e-5 + (highs.solver.gap or 0) + (cbc.solver.gap or 0)
    else:
        gap = (highs.solver.gap or 0.0) + (cbc.solver.gap or 0.0)
        assert abs(a - b) <= (1e-6 + gap) * max(MONEY, abs(a), abs(b))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pf=small_portfolios(), mode=st.sampled_from(["us-best", "partner-best", "nash", "kalai"]))
def test_cbc_and_highs_agree_within_the_gap(pf: Portfolio, mode: str) -> None:
    highs = solve(pf, mode)  # type: ignore[arg-type]
    cbc = solve(pf, mode, solver="cbc")  # type: ignore[arg-type]
    assert cbc.solver.name == "cbc" and highs.solver.name == "highs"
    assert cbc.status is highs.status is Status.OPTIMAL, (cbc.message, highs.message)
    _agree(mode, highs, cbc)
    for result in (highs, cbc):
        verdict = check(pf, [d.package() for d in result.deals])
        assert verdict.ok, verdict.problems()


def test_compare_and_sweep_take_the_solver_solve_takes(run: Any) -> None:
    """`compare --solver cbc` was refused as "No such option: --solver (Possible options:
    --scheduler, --set)", pointing at an unrelated option, where the library's
    `SolveOptions(solver=...)` serves both commands: they take `--solver` as `solve` does,
    and CBC's regimes agree with HiGHS's."""
    import json

    gulf = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
    values = {}
    for solver in ("highs", "cbc"):
        r = run(
            "compare", gulf, "--regimes", "tiered,monopoly", "-j", "1", "--solver", solver, "--json"
        )
        assert r.exit_code == 0, r.output
        values[solver] = {row["regime"]: row["us_value"] for row in json.loads(r.stdout)["regimes"]}
    for regime, value in values["highs"].items():
        assert math.isclose(values["cbc"][regime], value, rel_tol=1e-5)
    r = run(
        "sweep", gulf, "--param", "portfolio.supply.2027", "--from", "1_000_000", "--to", "1_100_000",
        "--steps", "2", "--refine", "0", "-j", "1", "--solver", "cbc", "--json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    bad = run("compare", gulf, "--solver", "gurobi")
    assert bad.exit_code == 2
    assert (
        bad.stderr.strip()
        == "error: --solver: unknown solver 'gurobi'; expected one of: highs, cbc"
    )
