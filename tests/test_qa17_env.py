"""The environments users really run in (qa17-env): locales, terminals, their own
matplotlib settings, and signals from outside.

Each test failed before the fix it names in docs/decisions.md ("The environments
users really run in (qa17-env)"). Commands run as the user's shell runs them (a
subprocess of `python -m dealbench`) where the fault lies in the process: its
streams' encoding, its locale, its signal handlers.
"""

from __future__ import annotations

import json
import locale
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from helpers import DATA, REPO

TINY = DATA / "tiny" / "portfolio.yaml"
GULF = REPO / "deals" / "portfolios" / "gulf-asia.yaml"


def _dealbench(
    *args: str | Path, env: dict[str, str | None] | None = None, code: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`dealbench ARGS...` as a shell runs it, with `env` changing the environment (None:
    unset); with `code`, that Python runs first in the command's process (to reach a
    moment in it)."""
    changed = {"PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    full = {k: v for k, v in {**os.environ, **changed}.items() if v is not None}
    prelude = f"{code}\n" if code else ""
    script = (
        f"{prelude}import sys\nsys.argv[0] = 'dealbench'\nfrom dealbench.cli import main\nmain()"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=full,
        timeout=300,
        check=False,
    )


# --- a terminal that cannot show every character --------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": None},
    ],
    ids=["ascii", "c-locale-without-utf8-mode"],
)
def test_a_terminal_without_unicode_gets_plain_spellings(env: dict[str, str | None]) -> None:
    """`LC_ALL=C` with UTF-8 mode off (or `PYTHONIOENCODING=ascii`): `solve` of the
    shipped portfolio ended in a UnicodeEncodeError traceback at its first line, the
    title's "2026–2028", exit 1. Characters the terminal lacks are now spelled plainly."""
    done = _dealbench("solve", GULF, env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("Gulf and Asia, 2026-2028: bilateral regime, us-best\n")
    assert "|AE     |veu     |485,200|599,800|600,000|$88.98bn|" in done.stdout
    assert done.stdout.isascii()


# --- paths as the shell leaves them ---------------------------------------------------


def test_a_home_folder_after_an_equals_sign_is_the_home_folder(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`solve ... --out=~/results`: the shell leaves a `~` after `=` as written, and the
    files went into a folder named "~" under the current one, while the command said
    "Wrote 3 files to ~/results/"; the user found nothing in their home folder."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    result = run("solve", TINY, "--out=~/results")
    assert result.exit_code == 0, result.stderr
    assert (home / "results" / "result.json").is_file()
    assert list(work.iterdir()) == []
    assert result.stdout.splitlines()[-1] == f"Wrote 3 files to {home}/results/"


def test_a_home_folder_after_an_equals_sign_in_a_file_option_is_the_home_folder(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`evaluate PACKAGE --portfolio=~/deals/...` and `solve --policy=~/deals/...`: the
    file options took "~" as a folder of the current one ("file not found") where the
    folder options had learnt the home folder."""
    home = tmp_path / "home"
    (home / "deals").mkdir(parents=True)
    for sub in ("portfolios", "policy", "partners", "packages"):
        shutil.copytree(REPO / "deals" / sub, home / "deals" / sub)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    package = home / "deals" / "packages" / "ae-counter.yaml"
    result = run("evaluate", package, "--portfolio=~/deals/portfolios/gulf-asia.yaml")
    assert result.exit_code == 0, result.stderr
    result = run("solve", TINY, "--policy=~/deals/policy/repeal.yaml", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["policy"] == "repeal"


# --- the locale a library sets ---------------------------------------------------------


def _a_locale(*names: str) -> str:
    """The first of `names` this machine has, else the test is skipped."""
    for name in names:
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        finally:
            locale.setlocale(locale.LC_TIME, "C")
        return name
    pytest.skip(f"none of the locales {names} is installed")
    raise AssertionError("unreachable")


def _user_matplotlibrc(folder: Path, *lines: str) -> dict[str, str]:
    """A user's own matplotlib settings, where matplotlib finds them (MPLCONFIGDIR)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matplotlibrc").write_text("\n".join(lines) + "\n")
    return {"MPLCONFIGDIR": str(folder)}


def test_a_memo_is_dated_in_english_whatever_the_locale(tmp_path: Path) -> None:
    """A German user whose matplotlibrc asks for `axes.formatter.use_locale` (matplotlib
    then calls `setlocale(LC_ALL, "")`): the memo, rendered after its charts, read
    "| Date | 1 März 2026 |" where its term sheets read "1 March 2026"."""
    german = _a_locale("de_DE.utf8", "de_DE.UTF-8")
    env: dict[str, str | None] = {
        "LC_ALL": german,
        **_user_matplotlibrc(tmp_path / "mpl", "axes.formatter.use_locale: True"),
    }
    out = tmp_path / "out"
    done = _dealbench(
        "solve", TINY, "--out", out, "--render", "md", "--date", "2026-03-01", env=env
    )
    assert done.returncode == 0, done.stderr
    (memo,) = (out / "memos").glob("*.md")
    assert "| Date | 1 March 2026 |" in memo.read_text()


def test_a_backend_matplotlib_does_not_know_does_not_stop_the_charts(tmp_path: Path) -> None:
    """`MPLBACKEND=nonsense` (a typo, or a GUI backend's name from another program's
    setup) ended `frontier --out` in a ValueError traceback at matplotlib's import. The
    charts are drawn on a Figure and saved by format; no backend is used."""
    out = tmp_path / "out"
    done = _dealbench("frontier", GULF, "--partner", "AE", "--out", out, env={"MPLBACKEND": "x"})
    assert done.returncode == 0, done.stderr
    assert (out / "frontier-AE.png").read_bytes().startswith(b"\x89PNG")


def _svg(kind: str, data: dict[str, Any]) -> str:
    from dealbench.render.charts import Chart, svg

    return svg(Chart(id="c", kind=kind, caption="A chart", data=data))


SCENARIOS = {"rows": [{"label": "base", "value_bn": 12.5}, {"label": "tight", "value_bn": -3.0}]}


def test_charts_are_the_same_whatever_the_users_matplotlib_settings() -> None:
    """A user's matplotlibrc (read by matplotlib at import) changed every chart: thicker
    lines and a grey plot area, so the same result gave other documents on another
    account; `text.usetex` without LaTeX ended `render` in a traceback."""
    import matplotlib

    plain = _svg("scenarios", SCENARIOS)
    users = {
        "lines.linewidth": 4,
        "axes.facecolor": "#eeeeee",
        "axes.grid": True,
        "font.size": 14,
        "axes.formatter.use_locale": True,
    }
    with matplotlib.rc_context(users):
        assert _svg("scenarios", SCENARIOS) == plain
    with matplotlib.rc_context({"text.usetex": True}):
        assert _svg("scenarios", SCENARIOS) == plain


# --- SIGTERM ---------------------------------------------------------------------------

#: Sends SIGTERM to the command once its round file is read back (it is recorded then).
TERM_WHEN_RECORDED = textwrap.dedent(
    """
    import os, signal
    import dealbench.negotiate.rounds.write as rounds_module
    real = rounds_module.read_round
    def read(portfolio, partner, path, *rest):
        if path.name == "005-us.yaml":
            os.kill(os.getpid(), signal.SIGTERM)
        return real(portfolio, partner, path, *rest)
    rounds_module.read_round = read
    """
)


def test_sigterm_after_an_offer_is_recorded_says_it_was(rounds: Path) -> None:
    """`timeout 3 dealbench offer ...` (or `kill`) just after the round was recorded: the
    process died at once, exit -15, nothing said, though round 5 was on disk; run again,
    it records a second offer. SIGTERM now stops the command as Ctrl-C does."""
    done = _dealbench(
        "offer", GULF, "-p", "AE", "--rounds", rounds, "--no-documents", code=TERM_WHEN_RECORDED
    )
    assert done.returncode == 143, done.stderr
    assert (rounds / "AE" / "005-us.yaml").is_file()
    assert done.stderr == (
        "terminated\n"
        f"note: the offer was recorded as round 5 ({rounds}/AE/005-us.yaml) before the "
        "command was interrupted (see `dealbench history`)\n"
    )


#: Sends SIGTERM to the command once its render pool has made the first document.
TERM_WHILE_RENDERING = textwrap.dedent(
    """
    import os, signal
    import dealbench.render.documents as documents
    real = documents.render_documents
    def render(*args, **kwargs):
        for n, file in enumerate(real(*args, **kwargs)):
            if n == 0:
                os.kill(os.getpid(), signal.SIGTERM)
            yield file
    documents.render_documents = render
    """
)


def test_sigterm_while_documents_render_leaves_nothing_behind(tmp_path: Path) -> None:
    """SIGTERM to `solve --out out --render docx` while its worker processes render: the
    process died where it stood, and Python's resource tracker printed "UserWarning:
    resource_tracker: There appear to be 5 leaked semaphore objects" on the terminal.
    Now the pool is stopped, the command says "terminated" and exits 143."""
    out = tmp_path / "out"
    done = _dealbench(
        "solve", GULF, "--out", out, "--render", "docx", "--date", "2026-03-01",
        code=TERM_WHILE_RENDERING,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (143, "terminated\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the test process's own


def test_sigterm_while_highs_calls_back_is_a_termination(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM while a restricted MIP runs its Python callback: HiGHS swallows an
    exception raised there and ends the run as a solve error, so the command would say
    "error: HiGHS failed on ... restricted MIP", exit 1. It is held as Ctrl-C is, and
    raised once the run returns."""
    from dealbench.errors import raise_terminated
    from dealbench.optimize.decomposition import restricted

    stop_at = restricted._stop_at
    sent: list[bool] = []

    def term_once(event: Any) -> None:
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGTERM)  # as `kill` does, mid-run

    def stop_at_and_term(h: Any, *args: Any) -> None:
        stop_at(h, *args)
        h.cbMipInterrupt.subscribe(term_once)

    monkeypatch.setattr(restricted, "_stop_at", stop_at_and_term)
    previous = signal.signal(signal.SIGTERM, raise_terminated)  # as the CLI's main() does
    try:
        result = run("solve", GULF, "--json")
        assert signal.getsignal(signal.SIGTERM) is raise_terminated
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert sent, "no restricted MIP with a target ran"
    assert (result.exit_code, result.stdout, result.stderr) == (143, "", "terminated\n")
