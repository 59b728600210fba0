"""Independent solves in parallel: worker processes and a Dask cluster give exactly
the serial run's results, in the same order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dealbench.analyze.compare import compare
from dealbench.analyze.parallel import Executor, make_executor
from dealbench.analyze.sweep import sweep_param
from dealbench.errors import InputError
from dealbench.model import load_portfolio
from dealbench.model.regimes import REGIMES, find_regime
from helpers import REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"
PARAM = ("policy.risk_penalty_per_h100e", "60k", "300k", 6)


def _square(x: int) -> int:
    return x * x


def _same(a: Any, b: Any) -> None:
    """Two analyses agree in every figure (timings and the executor's name aside)."""
    drop = {"seconds", "executor"}

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in drop}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    assert clean(a.model_dump(mode="json")) == clean(b.model_dump(mode="json"))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A real `distributed.LocalCluster`, in-process and small so CI stays fast."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as local:
        yield local


def test_results_come_back_in_task_order() -> None:
    tasks = list(range(12))
    assert Executor("processes", 2).map(_square, tasks) == [x * x for x in tasks]


def test_processes_give_the_serial_comparison() -> None:
    pf = load_portfolio(GULF)
    policies = [find_regime(r, GULF) for r in REGIMES]
    serial, _ = compare(pf, policies)
    parallel, _ = compare(pf, policies, executor=Executor("processes", 2))
    _same(serial, parallel)


def test_processes_give_the_serial_sweep() -> None:
    pf = load_portfolio(GULF)
    serial, _ = sweep_param(pf, *PARAM, refine=2)
    parallel, _ = sweep_param(pf, *PARAM, refine=2, executor=Executor("processes", 2))
    _same(serial, parallel)


def test_dask_gives_the_serial_sweep(cluster: Any) -> None:
    pf = load_portfolio(GULF)
    serial, _ = sweep_param(pf, *PARAM, refine=2)
    on_dask, _ = sweep_param(pf, *PARAM, refine=2, executor=Executor("dask", 1, cluster))
    _same(serial, on_dask)


def test_dask_from_the_command_line(run: Runner, cluster: Any) -> None:
    address = cluster.scheduler_address
    plain = run("compare", GULF, "--json", "-j", "1")
    on_dask = run("compare", GULF, "--json", "--executor", "dask", "--scheduler", address)
    assert on_dask.exit_code == 0, on_dask.output
    import json

    a, b = json.loads(plain.stdout), json.loads(on_dask.stdout)
    for row in (*a["regimes"], *b["regimes"]):
        row.pop("seconds")
    a.pop("executor"), b.pop("executor")
    assert a == b


@pytest.mark.parametrize(
    ("jobs", "executor", "scheduler", "argument", "words"),
    [
        (0, None, None, "jobs", "expected at least 1, got 0"),
        (None, "ray", None, "executor", "unknown executor 'ray'; expected one of: processes, dask"),
        (
            None,
            "dask",
            None,
            "scheduler",
            "the dask executor needs a scheduler address (e.g. tcp://10.0.0.5:8786)",
        ),
        (None, None, "tcp://x:1", "scheduler", "only with the dask executor"),
        (
            4,
            "dask",
            "tcp://x:1",
            "jobs",
            "only with local processes; on a dask cluster the solves run on its workers "
            "(as many at once as they have threads)",
        ),
    ],
)
def test_bad_executor_options(
    run: Runner,
    jobs: int | None,
    executor: str | None,
    scheduler: str | None,
    argument: str,
    words: str,
) -> None:
    """The library names its parameter (`scheduler`), the CLI its option (`--scheduler`)."""
    with pytest.raises(InputError) as caught:
        make_executor(jobs, executor, scheduler)
    assert str(caught.value) == f"{argument}: {words}"
    args = ["--jobs", str(jobs)] if jobs is not None else []
    args += ["--executor", executor] if executor else []
    args += ["--scheduler", scheduler] if scheduler else []
    result = run("compare", GULF, *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: --{argument}: {words}"


def test_default_is_all_cores() -> None:
    from dealbench.analyze.parallel import default_jobs

    ex = make_executor(None, None, None)
    assert ex.jobs == default_jobs()
    assert make_executor(1, None, None).kind == "serial"


def test_a_scheduler_address_that_does_not_parse(run: Runner) -> None:
    result = run("compare", GULF, "--executor", "dask", "--scheduler", "not an address")
    assert result.exit_code == 2
    assert result.traceback == ""
    assert result.stderr.startswith("error: --scheduler: not a scheduler address")
