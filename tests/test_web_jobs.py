"""Solve jobs run in their own processes: they finish even after the server itself has
solved, they can be cancelled, and a failure comes back in the CLI's words."""

from __future__ import annotations

import time

from dealbench import load_portfolio, solve
from dealbench.web.jobs import Job, Jobs, solve_job
from helpers import REPO

OPTIONS = {"mode": "us-best", "solver": "highs", "gap": 1e-6, "time_limit": None, "v_floor": None}


def wait(job: Job, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while job.state == "running" and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_job_after_a_solve_in_the_server_process_finishes() -> None:
    """HiGHS's thread pool, once started in the server, must not reach a job's process
    half-alive (a plain fork of such a process was seen spinning forever)."""
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    direct = solve(pf)  # the server solving in its own process (room, frontier, compare)
    jobs = Jobs()
    job = jobs.start("gulf-asia", OPTIONS, solve_job, (pf, OPTIONS))
    wait(job, 60)
    if job.state == "running":
        jobs.cancel(job.id)
    assert job.state == "done", job.error
    assert job.result is not None and job.result.objective == direct.objective


def test_a_failed_job_says_why_in_the_clis_words() -> None:
    pf = load_portfolio(REPO / "deals/portfolios/gulf-asia.yaml")
    options = {**OPTIONS, "mode": "partner-best", "v_floor": 900e9}
    job = Jobs().start("gulf-asia", options, solve_job, (pf, options))
    wait(job, 120)
    assert job.state == "failed" and job.error.startswith("error: ")
    assert job.error.endswith("lower the US utility floor from $900.00bn to $174.04bn")


def test_a_job_can_be_cancelled() -> None:
    pf = load_portfolio(REPO / "deals/portfolios/global.yaml")
    options = {**OPTIONS, "solver": "cbc", "gap": 0.0}
    jobs = Jobs()
    job = jobs.start("global", options, solve_job, (pf, options))
    jobs.cancel(job.id)
    assert job.state == "cancelled"
    job._process.join(timeout=60)
    assert not job._process.is_alive()
