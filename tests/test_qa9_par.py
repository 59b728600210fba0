"""A sixth pass on analysis (qa9-par): the parallel and Dask paths, Ctrl-C, uncertainty.

Each test failed before the fix it names in docs/decisions.md ("A sixth pass on analysis
(qa9-par)"). Dask tests run a real `distributed.LocalCluster`, small and quick.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dealbench.analyze import cluster
from dealbench.analyze.parallel import ClusterError, Executor
from dealbench.errors import ArgumentError
from helpers import REPO, Runner

GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def _square(x: int) -> int:
    return x * x


def _die(x: int) -> int:
    """A task whose worker process dies under it (killed, out of memory)."""
    os.kill(os.getpid(), signal.SIGKILL)
    return x  # pragma: no cover


def _refused_in_a_worker(task: tuple[int, str]) -> int:
    """Bad input found by a worker process; this process's task waits until it is."""
    import time
    from pathlib import Path

    from dealbench.errors import InputError, Issue

    parent, marker = task  # the caller's pid (a fork server's worker imports this afresh)
    if os.getpid() == parent:
        for _ in range(600):  # a fork server's first worker may take a second to start
            if Path(marker).exists():
                return 0
            time.sleep(0.05)
        return 0  # pragma: no cover - no worker came
    Path(marker).touch()
    raise InputError(Issue("scenarios.yaml", 4, "set.partners.AE.batna", "expected an amount"))


@pytest.fixture
def server() -> Iterator[Any]:
    """`server(reply)`: a TCP server on a free local port that accepts connections and
    sends `reply` (b"": nothing, and keeps the connection open); its address."""
    sockets: list[socket.socket] = []

    def start(reply: bytes) -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        sockets.append(listener)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                sockets.append(conn)
                if reply:
                    conn.sendall(reply)

        threading.Thread(target=serve, daemon=True).start()
        return f"tcp://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for s in sockets:
        s.close()


def test_a_port_where_another_server_listens_and_says_nothing_is_refused_in_time(
    server: Any, run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An HTTP server (the scheduler's dashboard, 8787, is the likely slip) waits for a
    request: distributed's handshake waited for its answer forever."""
    monkeypatch.setattr(cluster, "CONNECT_S", 0.5)
    address = server(b"")
    result = run("compare", GULF, "--regimes", "tiered", "--executor", "dask",
                 "--scheduler", address, "--json")  # fmt: skip
    assert result.traceback == ""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: no Dask scheduler answered at {address} (waited ")
    assert "8787 is its dashboard" in result.stderr


def test_a_server_that_answers_in_another_protocol_is_not_a_scheduler(server: Any) -> None:
    """Its bytes read as a frame length of exabytes: a MemoryError traceback before."""
    address = server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(ClusterError, match="is not a Dask scheduler: it answered in another"):
        Executor("dask", 1, address).map(_square, [1, 2])


def test_a_workers_address_is_not_the_schedulers(run: Runner) -> None:
    """A TypeError traceback from inside distributed before."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        worker = next(iter(cluster.scheduler.workers))
        with pytest.raises(ArgumentError, match="is a Dask worker, not its scheduler"):
            Executor("dask", 1, worker).map(_square, [1, 2])
        result = run("compare", GULF, "--regimes", "tiered", "--executor", "dask",
                     "--scheduler", worker)  # fmt: skip
    assert result.traceback == ""
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --scheduler: {worker} is a Dask worker, not its scheduler: give the address "
        "its workers were started with (dask worker ADDRESS), e.g. tcp://10.0.0.5:8786\n"
    )


def test_tls_without_tls_settings_is_said(run: Runner) -> None:
    """A TypeError traceback ("TLS expects a `ssl_context` argument") before."""
    result = run("compare", GULF, "--regimes", "tiered", "--executor", "dask",
                 "--scheduler", "tls://127.0.0.1:8786")  # fmt: skip
    assert result.traceback == ""
    assert result.exit_code == 1
    assert "no TLS settings are configured" in result.stderr


@contextlib.contextmanager
def _one_worker_cluster() -> Iterator[Any]:
    """A LocalCluster of one worker process, a task failing the first time a worker dies."""
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
    ):
        yield cluster


def test_workers_that_die_under_the_solves_are_the_clusters_fault() -> None:
    """distributed's KilledWorker reached the user as a traceback."""
    with (
        _one_worker_cluster() as cluster,
        pytest.raises(ClusterError, match="Dask workers of the cluster died while solving"),
    ):
        Executor("dask", 1, cluster).map(_die, [1, 2])


def test_ctrl_c_while_highs_calls_back_is_an_interruption(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C pressed while a restricted MIP runs its Python callback (its stop at a
    target): HiGHS swallowed the KeyboardInterrupt raised in the callback and ended the run
    as a solve error, and the command said "error: HiGHS failed on the widened round's
    restricted MIP", exit 1."""
    from dealbench.optimize.decomposition import restricted

    stop_at = restricted._stop_at
    pressed: list[bool] = []

    def ctrl_c_once(event: Any) -> None:
        if not pressed:
            pressed.append(True)
            os.kill(os.getpid(), signal.SIGINT)  # as the terminal does, mid-run

    def stop_at_and_press(h: Any, *args: Any) -> None:
        stop_at(h, *args)
        h.cbMipInterrupt.subscribe(ctrl_c_once)

    monkeypatch.setattr(restricted, "_stop_at", stop_at_and_press)
    result = run("solve", GULF, "--json")
    assert pressed, "no restricted MIP with a target ran"
    assert result.traceback == ""
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "interrupted\n")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_during_parallel_work_stops_every_worker_without_a_traceback(
    tmp_path: Path,
) -> None:
    """The terminal sends Ctrl-C to every process of the command: a worker waiting for
    its next task printed a KeyboardInterrupt traceback after "interrupted". Ctrl-C once
    the worker has run its task (it was after a fixed 1.5 s, which a fork-server worker
    on a loaded machine need not have started in)."""
    import subprocess
    import sys
    import time

    script = REPO / "tests" / "data" / "qa9par" / "ctrl_c_pool.py"
    done = tmp_path / "task-1-done"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "QA9_TASK_DONE": str(done)}
    child = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own group, as a terminal's command
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    deadline = time.monotonic() + 120
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert done.exists(), "the worker did not run its task in 120 s"
    time.sleep(0.5)  # its task returned: the worker waits for another
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert (child.returncode, err) == (130, "interrupted\n")
    time.sleep(0.5)
    left = subprocess.run(
        ["ps", "-o", "pid=", "-g", str(child.pid)], capture_output=True, text=True
    ).stdout.split()
    assert left == []


def test_workers_that_cannot_import_the_tasks_module_are_refused(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker without dealbench failed to read its first task and closed: a `dask worker`
    was not started again, and the command waited for a worker for good, saying nothing; a
    nanny's worker was, and died again, and the command blamed memory ("died while
    solving")."""
    import importlib
    import sys

    with _one_worker_cluster() as cluster:
        # a module only this process can import (the workers started without its folder)
        (tmp_path / "qa9_only_here.py").write_text("def square(x):\n    return x * x\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        square = importlib.import_module("qa9_only_here").square
        caught: list[BaseException] = []

        def run_it() -> None:
            try:
                Executor("dask", 1, cluster).map(square, [1, 2])
            except BaseException as exc:  # the test's answer
                caught.append(exc)

        worker = threading.Thread(target=run_it, daemon=True)
        worker.start()
        worker.join(30)
        assert not worker.is_alive(), "the map waited for a worker that would never come"
    sys.modules.pop("qa9_only_here", None)
    assert len(caught) == 1 and isinstance(caught[0], ClusterError), caught
    assert str(caught[0]).startswith(
        "the Dask workers of the cluster cannot import qa9_only_here (No module named "
    )


#: `dealbench ARGS` with the progress bar drawn from the first solve on.
NO_DELAY = (
    "import sys\nimport dealbench.cli.delayed_progress as d\nd.DELAY_S = 0.0\n"
    "sys.argv[0] = 'dealbench'\nfrom dealbench.cli import main\nmain()"
)


def test_a_long_sweep_with_json_draws_its_bar_on_a_terminal_and_keeps_stdout_clean() -> None:
    """`sweep --json` and `compare --json` drew no bar however long they ran (`risk` and
    `solve --robust` draw theirs, on stderr, with --json too). The bar's delay (a
    second) is set to nothing here: seven solves take less than a second on a quiet
    machine, and then no bar is drawn, as intended."""
    import json
    import pty
    import subprocess
    import sys

    main, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "100"}
    args = ["sweep", str(GULF), "--param", "portfolio.supply.2027", "--from", "600_000",
            "--to", "1_800_000", "--steps", "7", "--refine", "0", "-j", "1", "--json"]  # fmt: skip
    try:
        done = subprocess.run(
            [sys.executable, "-c", NO_DELAY, *args],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=env,
            timeout=300,
            check=False,
        )
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
    assert done.returncode == 0
    assert json.loads(done.stdout)["rows"][0]["value"] == 600_000
    assert b"Solving scenarios" in seen


def test_bad_input_found_in_a_worker_keeps_its_message(tmp_path: Any) -> None:
    """An InputError crossing processes was rebuilt from its message, read as a list of
    issues: one character a line ("s\nc\ne\nn...")."""
    from dealbench.errors import InputError

    marker = str(tmp_path / "refused")
    with pytest.raises(InputError) as caught:
        Executor("processes", 2).map(_refused_in_a_worker, [(os.getpid(), marker)] * 2)
    assert str(caught.value) == "scenarios.yaml:4: set.partners.AE.batna: expected an amount"
    assert caught.value.issues[0].line == 4


def test_ctrl_c_while_a_command_starts_says_interrupted(
    run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pressed while `sweep` imported what it needs (before its body maps errors), Ctrl-C
    exited 130 with nothing said."""
    import sys
    import types

    class Pressed(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):  # pytest's own look at modules
                raise AttributeError(name)
            raise KeyboardInterrupt  # the command's `from dealbench.analyze.sweep import`

    monkeypatch.setitem(sys.modules, "dealbench.analyze.sweep", Pressed("dealbench.analyze.sweep"))
    result = run("sweep", GULF, REPO / "deals" / "scenarios" / "gulf-asia.yaml")
    assert result.traceback == ""
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "interrupted\n")


def _died_in_a_worker(task: tuple[int, str]) -> int:
    """Dies in a worker process (killed, out of memory); the caller's task waits for it."""
    import time
    from pathlib import Path

    parent, marker = task
    if os.getpid() != parent:
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    for _ in range(600):
        if Path(marker).exists():
            break
        time.sleep(0.05)
    return 0


def test_a_worker_process_killed_mid_sweep_is_said_not_a_traceback(tmp_path: Any) -> None:
    """`sweep -j 2` with a worker killed mid-way printed a BrokenProcessPool traceback."""
    from concurrent.futures.process import BrokenProcessPool

    from dealbench.errors import DealbenchError

    marker = str(tmp_path / "died")
    with pytest.raises(DealbenchError) as caught:
        Executor("processes", 2).map(_died_in_a_worker, [(os.getpid(), marker)] * 3)
    assert caught.value.exit_code == 1
    assert str(caught.value) == (
        "a worker process died while solving (killed, or out of memory); run again, or "
        "with fewer jobs"
    )
    assert isinstance(caught.value, BrokenProcessPool)  # what library callers caught
    assert Executor("processes", 2).map(_square, [1, 2, 3]) == [1, 4, 9]  # a new pool


def test_a_bar_is_not_drawn_into_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    """`solve --robust` and `risk` longer than a second, stderr to a file or a pipe: Rich's
    bar, with no terminal to draw on, left a blank line on stderr (and
    tests/test_uncertainty.py's note test failed whenever the machine was busy)."""
    from dealbench.cli.delayed_progress import DelayedBar

    with DelayedBar("Sampling", delay=0) as bar:
        bar(1, 2)
        bar(2, 2)
    assert capsys.readouterr() == ("", "")
