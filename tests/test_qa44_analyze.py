"""Portfolio analysis for staff (qa44-analyze): risk on a Dask cluster, the sweep's
table at 80 columns, and what a new staff member met comparing, sweeping and sampling.

Each test failed before the fix it names in docs/decisions.md ("Session 44
(qa44-analyze)"). Dask tests run a real `distributed.LocalCluster`, small and quick.
"""

from __future__ import annotations

import json

import pytest

from dealbench.analyze.parallel import Executor
from dealbench.analyze.uncertainty import CHUNK, risk_report
from dealbench.model import load_package, load_portfolio
from helpers import REPO, invoke

UNCERTAIN = REPO / "deals" / "portfolios" / "gulf-asia-uncertain.yaml"
OFFER = REPO / "deals" / "packages" / "ae-offer.yaml"


def test_risk_runs_its_samples_on_a_dask_cluster_with_the_local_numbers() -> None:
    """`sweep` and `compare` took `--executor dask --scheduler ADDRESS`, `risk` (the most
    parallel work there is) did not: "No such option: --executor". Its chunks of samples
    now run on the cluster's workers, each chunk from its own seed, so the report is the
    local one, number for number, from the library and from the command line."""
    distributed = pytest.importorskip("distributed")
    pf = load_portfolio(UNCERTAIN)
    package = load_package(OFFER, pf)
    samples = 2 * CHUNK + 100  # three chunks, the last a short one
    local = risk_report(pf, package, samples, seed=5)
    args = ["risk", OFFER, "--portfolio", UNCERTAIN, "--samples", str(samples), "--seed", "5"]
    plain = invoke([*args, "--json"])
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        on_dask = risk_report(pf, package, samples, seed=5, executor=Executor("dask", 1, cluster))
        remote = invoke(
            [*args, "--json", "--executor", "dask", "--scheduler", cluster.scheduler_address]
        )
    assert on_dask == local
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == json.loads(plain.stdout)
    said = json.loads(plain.stdout)["accept_probability"]["estimate"]
    assert said == pytest.approx(local.accept_probability.estimate, rel=1e-9)


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--executor", "dask"], "--scheduler: the dask executor needs a scheduler address"),
        (["--scheduler", "tcp://x:1"], "--scheduler: only with the dask executor"),
        (["--jobs", "2", "--executor", "dask", "--scheduler", "tcp://x:1"], "--jobs: only with"),
    ],
)
def test_risk_refuses_executor_options_as_sweep_does(options: list[str], said: str) -> None:
    result = invoke(["risk", OFFER, "--portfolio", UNCERTAIN, *options])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {said}")


COVE = REPO / "tests" / "data" / "qa30analyst"


def test_a_sweeps_changes_read_whole_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80 columns the scenarios' "Against the base" column had 15 characters (19 on
    cove): "SA: grants datavolt-us, grants humain-us-" ran a word a line, one scenario forty
    lines tall. Where the column would be so narrow, each changed row's partners are
    listed under the table, one a line; a wide terminal keeps the column."""
    args = ["sweep", COVE / "cove.yaml", COVE / "scenarios.yaml", "-j", "1"]
    monkeypatch.setenv("COLUMNS", "80")
    narrow = invoke(args)
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert "Against the base" not in lines[4]  # the table's heading row
    under = lines[lines.index("Package changes (each scenario against the base):") :]
    assert under[1:4] == [
        "  supply-2026-up:",
        "    - CC: grants buy, compute 72,000 -> 104,000 H100e",
        "    - AA: compute 200,499 -> 188,500 H100e",
    ]
    assert "    - CC loses its deal" in under
    monkeypatch.setenv("COLUMNS", "160")
    wide = invoke(args)
    assert "Against the base" in wide.stdout.split("┡")[0]
    assert "Package changes (" not in wide.stdout
    assert "│ CC: grants buy, compute 72,000 ->" in wide.stdout
