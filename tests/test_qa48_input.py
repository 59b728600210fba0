"""Session 48 (qa48-input): bad input, overrides and signals. A tier cap a policy writes
once for every level is set under one level as a cap written per level is; a bad value
given by a YAML alias is said at the alias; Ctrl-C early in a command ends it as
"interrupted" and 130, not as signal 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dealbench import apply_overrides, load_partner, load_portfolio
from dealbench.analyze import read_value
from helpers import REPO, Runner

#: One partner under the monopoly regime, whose tier 2 cap is one figure for every level
#: (`tier2: 1_699`).
_MONOPOLY = """\
id: mono
title: One partner under the monopoly regime
policy: ../policy/monopoly.yaml
periods: [2026]
supply: {2026: 400_000}
partners: [../partners/sg.yaml]
"""


def test_a_tier_cap_written_once_for_every_level_is_set_under_one_level(deals: Path) -> None:
    """`--set policy.caps.tier2.veu=50_000` under monopoly.yaml (`tier2: 1_699`, the same at
    every level) said "policy.caps.tier2 is a single value (1,699), it has no 'veu'", where
    bilateral.yaml's tier 2 (written per level) took it, and a sweep of the path found no
    figure there. The one figure now stands for each level, and the level set changes
    alone."""
    path = deals / "portfolios" / "mono.yaml"
    path.write_text(_MONOPOLY)
    portfolio = load_portfolio(path)
    assert read_value(portfolio, "policy.caps.tier2.veu") == 1_699
    changed = apply_overrides(portfolio, ["policy.caps.tier2.veu=50_000"])
    assert changed.policy.caps.tier2 == {"baseline": 1_699, "kyc": 1_699, "veu": 50_000}
    sg = changed.partners[0]
    assert changed.level_cap(sg, "veu") == 50_000
    assert changed.level_cap(sg, "baseline") == 1_699


_ALIASED = """\
code: XA
name: Aliasland
tier: 2
diversion_risk: 0.3
ask: {2026: 100_000}
value_per_h100e: 30k
batna: 1bn
security_costs: {baseline: 0}
concessions:
  - id: first
    title: First
    category: security
    levels:
      - &level {id: l1, title: L1, us_value: 1bn, partner_cost: 2bnx}
  - id: second
    title: Second
    category: security
    levels:
      - *level
"""


def test_a_bad_value_given_by_an_alias_is_said_at_the_alias(run: Runner, tmp_path: Path) -> None:
    """A level written once under an anchor (`&level`, line 14) and used again by an alias
    (`- *level`, line 19) was refused twice at line 14, the second time for
    concessions[1], which line 14 is not: the user looked at the anchor for a fault the
    alias's use was named by. It is now said at the alias, with where its value is
    written."""
    path = tmp_path / "xa.yaml"
    path.write_text(_ALIASED)
    done = run("validate", path)
    assert done.exit_code == 2, done.output
    assert not done.traceback
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {path}:14: concessions[0].levels[0].partner_cost: ")
    assert lines[1].startswith(f"error: {path}:19: concessions[1].levels[0].partner_cost: ")
    assert lines[1].endswith("got '2bnx' (by the alias *level; written on line 14)")


#: Started by Python before the command (sitecustomize): once the command's entry point
#: has its handlers (`dealbench.errors` imported), the next code `exec` runs from a string
#: (a dataclass's methods, as the app is imported) is stopped by Ctrl-C as it starts.
_CTRL_C_IN_EXEC = """\
import builtins, sys

_exec = builtins.exec

def _stopped_exec(source, *args, **kwargs):
    if isinstance(source, str) and "dealbench.errors" in sys.modules and not _done:
        _done.append(1)
        source = "raise KeyboardInterrupt\\n" + source
    return _exec(source, *args, **kwargs)

_done = []
builtins.exec = _stopped_exec
"""


def test_ctrl_c_inside_code_exec_runs_ends_the_command_as_interrupted(tmp_path: Path) -> None:
    """About one Ctrl-C in ten in a command's first second said "interrupted" and then
    ended by signal 2 (a parent process read -2, not 130): raised inside code `exec` ran
    from a string, the KeyboardInterrupt set CPython's flag of an unhandled Ctrl-C, and
    `python -m` killed itself with SIGINT after exiting 130 (`stops._handled`)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_CTRL_C_IN_EXEC)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(REPO / "src")]))
    done = subprocess.run(
        [sys.executable, "-m", "dealbench", "validate", "deals/portfolios/gulf-asia.yaml"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert done.stderr == "interrupted\n"
    assert done.returncode == 130


def _handlers_set(pid: int) -> bool:
    """Whether process `pid` catches SIGTERM: the command's entry point has started."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8])
def test_ctrl_c_early_in_a_command_says_interrupted_and_exits_130(delay: float) -> None:
    """Ctrl-C at moments of a command's first second, once its entry point has its
    handlers: each said "interrupted" and exit 130, never a traceback nor signal 2."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "dealbench", "validate", "deals/portfolios/gulf-asia.yaml"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    deadline = time.monotonic() + 60
    while not _handlers_set(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:  # done before the Ctrl-C came
        return
    assert "Traceback" not in err, err
    assert err == "interrupted\n"
    assert proc.returncode == 130


def test_the_entry_point_imports_nothing_slow_before_its_handlers() -> None:
    """A Ctrl-C while Python imports the package and the entry point, before its `try`,
    printed a KeyboardInterrupt traceback and ended by signal 2; the package imported
    `typing` and `inspect` there (a twentieth of a second on a busy machine), the entry
    point `signal` and `enum`. They are imported once the handlers are in place."""
    code = (
        "import sys; before = set(sys.modules); import dealbench.command; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    imported = set(done.stdout.split())
    assert "dealbench.command" in imported, done.stderr
    assert not imported & {"typing", "inspect", "signal", "enum", "dealbench.stops"}


def test_a_number_of_h100e_takes_spaces_between_thousands_as_an_amount_does(
    run: Runner, tmp_path: Path
) -> None:
    """`ask: {2026: 100 000}` said "expected a number, got '100 000'", with no word of how
    to write it, while `batna: 1 000 000 000` was read: a space separates thousands in
    every number a file gives (docs/formats.md), and a space elsewhere (`2 5`) is refused
    saying so, for an ask as for an amount."""
    path = tmp_path / "xa.yaml"
    good = _ALIASED.replace("2bnx", "2bn")
    path.write_text(good.replace("ask: {2026: 100_000}", "ask: {2026: 100 000}"))
    assert load_partner(path).ask == {"2026": 100_000}
    path.write_text(good.replace("ask: {2026: 100_000}", "ask: {2026: 2 5}"))
    done = run("validate", path)
    assert done.exit_code == 2 and not done.traceback
    said = f"error: {path}:5: ask.2026: '2 5': a space between digits separates thousands"
    assert said in done.stderr


def test_two_partner_files_of_one_code_are_each_named(run: Runner, deals: Path) -> None:
    """A partner file copied to start another (`xb.yaml` from `xa.yaml`, its code left
    XA) said "partners[1]: partner XA is listed twice (also .../xa.yaml)": the user, who
    listed each file once, looked for a second line naming xa.yaml. Both files are named,
    and the code they share."""
    good = _ALIASED.replace("2bnx", "2bn")
    for name in ("xa.yaml", "xb.yaml"):
        (deals / "partners" / name).write_text(good)
    path = deals / "portfolios" / "twice.yaml"
    path.write_text(
        _MONOPOLY.replace("id: mono", "id: twice").replace(
            "[../partners/sg.yaml]", "[../partners/xa.yaml, ../partners/xb.yaml]"
        )
    )
    done = run("validate", path)
    assert done.exit_code == 2 and not done.traceback
    assert done.stderr.strip().endswith(
        "partners[1]: partner XA is listed twice: "
        f"{deals / 'partners' / 'xb.yaml'} and {deals / 'partners' / 'xa.yaml'} both give code XA"
    )
