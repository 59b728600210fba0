"""What a negotiator runs between two sentences, at size M with many partners in talks.

    python bench/negotiator.py                 # M seed 1, 16 partners in talks
    python bench/negotiator.py --size S --talks 8
    python bench/negotiator.py --keep /tmp/x   # keep the folder (portfolio, rounds, out)
    python bench/negotiator.py --keep /tmp/x --reuse --only room,"room page"

Sets up a synthetic portfolio (`dealbench.synth`, as bench/run.py) and, in this
process through the CLI's own app (not timed), a negotiation with `--talks`
partners: a US offer to each (strategies and frontier modes in turn), a counter
from most of them (the offer's package with more compute or one concession
fewer), a second US offer to some, and a few deals concluded. Then each command
a negotiator runs is timed in its own process (`python -m dealbench ...`), by
the process's CPU time (user + system, from `getrusage` of the children), which
a machine shared with other work disturbs less than the wall time; the table
gives each command's CPU seconds and its ratio to one M solve timed the same
way (`solve(load_portfolio(...))` in a process of its own, imports included).

Writes nothing into bench/results.json: the figures are ratios for one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOLVE = (
    "from dealbench.model import load_portfolio; from dealbench.optimize import solve; "
    "solve(load_portfolio({pf!r})).raise_for_status()"
)
STRATEGIES = [
    ["--strategy", "boulware"],
    ["--strategy", "linear"],
    ["--strategy", "conceder"],
    ["--strategy", "zeuthen"],
    ["--mode", "nash"],
    ["--mode", "kalai"],
    ["--mode", "us-best"],
]


def cli(*args: Any) -> str:
    """Run one command in this process (set-up, not timed); its output."""
    from typer.testing import CliRunner

    from dealbench.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exit_code not in (0, 3):
        raise SystemExit(f"{' '.join(map(str, args))}: exit {result.exit_code}\n{result.output}")
    return result.output


def timed(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """CPU seconds (user + system) and wall seconds of `python -m dealbench ARGS`, and its
    exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = (
        [sys.executable, *args] if args[0] == "-c" else [sys.executable, "-m", "dealbench", *args]
    )
    done = subprocess.run(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 3):
        sys.stderr.write(f"{' '.join(args)}: exit {done.returncode}\n{done.stderr.decode()}\n")
    return cpu, wall, done.returncode


def counter_file(rounds: Path, code: str, n: int, out: Path) -> Path:
    """The partner's counter: our last offer's package with 10% more compute in every
    period (odd n) or its last concession dropped (even n)."""
    import yaml

    offers = sorted((rounds / code).glob("*-us.yaml"))
    package = yaml.safe_load(offers[-1].read_text())["package"]
    if n % 2 and package.get("compute"):
        package["compute"] = {k: round(v * 1.1, -3) for k, v in package["compute"].items()}
    elif package.get("concessions"):
        package["concessions"].pop(list(package["concessions"])[-1])
    path = out / f"{code.lower()}-counter-{n}.yaml"
    path.write_text(yaml.safe_dump(package, sort_keys=False))
    return path


def set_up(size: str, seed: int, talks: int, root: Path) -> dict[str, Any]:
    from dealbench.model import load_portfolio
    from dealbench.optimize import solve
    from dealbench.synth import generate, write_yaml

    pf_path = write_yaml(generate(size, seed=seed), root / "pf")
    pf = load_portfolio(pf_path)
    result = solve(pf).raise_for_status()
    dealt = [d.partner for d in result.deals][:talks]
    rounds, out, files = root / "rounds", root / "out", root / "files"
    files.mkdir()
    common = ["--rounds", rounds, "--no-documents"]
    for i, code in enumerate(dealt):
        cli("offer", pf_path, "-p", code, *STRATEGIES[i % len(STRATEGIES)], *common)
    countered = dealt[: talks * 3 // 4]
    for i, code in enumerate(countered):
        cli("counter", pf_path, counter_file(rounds, code, i, files), "-p", code, *common)
    for code in countered[: talks // 4]:
        cli("offer", pf_path, "-p", code, *common)
    concluded = dealt[talks * 3 // 4 :][:3]
    for code in concluded:
        cli("conclude", pf_path, "-p", code, *common)
    return {
        "portfolio": pf_path,
        "rounds": rounds,
        "out": out,
        "files": files,
        "dealt": dealt,
        "countered": countered,
        "concluded": concluded,
        "open": [c for c in dealt if c not in concluded],
        "objective": result.objective,
        "id": pf.id,
    }


def commands(s: dict[str, Any]) -> list[tuple[str, list[str]]]:
    pf, rounds, out, files = (str(s[k]) for k in ("portfolio", "rounds", "out", "files"))
    a = s["countered"][-1]  # countered, no second offer: awaits our answer
    b = s["countered"][0]  # countered, then offered again
    fresh = [c for c in s["dealt"] if c not in s["countered"] and c not in s["concluded"]]
    offer_b = sorted((Path(rounds) / b).glob("*-us.yaml"))
    counter_a = sorted((Path(rounds) / a).glob("*-partner.yaml"))[-1]
    r = ["--rounds", rounds]
    rows: list[tuple[str, list[str]]] = [
        ("--help", ["--help"]),
        ("one solve (library)", ["-c", SOLVE.format(pf=pf)]),
        ("solve --rounds", ["solve", pf, "--rounds", rounds]),
        ("solve --prices", ["solve", pf, "--prices"]),
        ("evaluate", ["evaluate", str(offer_b[-1]), "--portfolio", pf, *r]),
        (
            "evaluate --against",
            ["evaluate", str(counter_a), "--portfolio", pf, "--against", "1", *r],
        ),
        (
            "counter",
            [
                "counter",
                pf,
                str(counter_file(Path(rounds), a, 100, Path(files))),
                "-p",
                a,
                *r,
                "--out",
                out,
            ],
        ),
    ]
    for i, strategy in enumerate(STRATEGIES):
        code = fresh[i % len(fresh)] if fresh else b
        rows.append(
            (
                f"offer {strategy[1]}",
                ["offer", pf, "-p", code, *strategy, *r, "--out", out, "--allow-retreat"],
            )
        )
    rows += [
        ("conclude", ["conclude", pf, "-p", b, *r, "--out", out]),
        ("room", ["room", pf, *r]),
        ("room --why", ["room", pf, *r, "--why"]),
        ("history", ["history", pf, "-p", b, *r]),
        ("history --out", ["history", pf, "-p", b, *r, "--out", f"{out}/h"]),
        ("improve", ["improve", str(offer_b[-1]), "--portfolio", pf]),
        (
            "redline",
            ["redline", str(offer_b[0]), str(offer_b[-1]), "--portfolio", pf, "--out", f"{out}/r"],
        ),
        ("frontier", ["frontier", pf, "-p", a]),
        ("risk", ["risk", str(offer_b[-1]), "--portfolio", pf]),
    ]
    return rows


def web_pages(s: dict[str, Any], root: Path) -> list[tuple[str, str]]:
    """The web's pages of the same negotiation (GET), over a deals folder laid out as the
    web reads one: portfolios/<name>.yaml, rounds/<portfolio id>/."""
    deals = root / "web"
    shutil.copytree(Path(s["portfolio"]).parent, deals / "portfolios")
    shutil.copytree(s["rounds"], deals / "rounds" / s["id"])
    a, b = s["countered"][-1], s["countered"][0]
    counter = sorted((deals / "rounds" / s["id"] / a).glob("*-partner.yaml"))[-1]
    offers = sorted((deals / "rounds" / s["id"] / b).glob("*-us.yaml"))
    number = int(counter.name.split("-")[0])
    rel = f"rounds/{s['id']}/{b}/{offers[-1].name}"
    return [
        ("portfolio page", "/p/portfolio"),
        ("room page", "/p/portfolio/room"),
        ("negotiation page", f"/p/portfolio/n/{a}"),
        ("round page (counter)", f"/p/portfolio/n/{a}/rounds/{number}"),
        ("history page", f"/p/portfolio/n/{b}/history"),
        ("frontier fragment", f"/p/portfolio/n/{a}/frontier"),
        ("improve page", f"/p/portfolio/improve?package={rel}"),
        ("risk page", f"/p/portfolio/risk?package={rel}"),
        ("documents page", f"/p/portfolio/documents?package={rel}"),
    ]


def time_web(pages: list[tuple[str, str]], root: Path, base: float | None) -> None:
    """Each page GET in this process (the test client): CPU seconds of this process and of
    the children it reaped (the room's verdicts run in processes of their own)."""
    from starlette.testclient import TestClient

    from dealbench.web import create_app

    token = "bench"
    app = create_app(root / "web", token)
    client = TestClient(app, headers={"X-Dealbench-Token": token})
    client.get("/")  # imports, templates
    for name, url in pages:
        before = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        response = client.get(url)
        wall = time.perf_counter() - start
        after = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after[0] - before[0]
        cpu += (after[1].ru_utime - before[1].ru_utime) + (after[1].ru_stime - before[1].ru_stime)
        ratio = f"{cpu / base:8.2f}" if base else " " * 8
        print(f"{name:<22} {cpu:7.2f} {wall:7.2f} {ratio}  {response.status_code}", flush=True)
    app.state.jobs.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--talks", type=int, default=16)
    parser.add_argument("--only", default="", help="comma-separated row names to time")
    parser.add_argument("--keep", default="", help="a folder to set up in and keep")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: reuse its set-up when there is one"
    )
    parser.add_argument("--no-cli", action="store_true", help="time the web's pages only")
    parser.add_argument("--no-web", action="store_true", help="time the CLI's commands only")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="negotiator-"))
    state = root / "state.json"
    start = time.process_time()
    if args.reuse and state.exists():
        s = json.loads(state.read_text())
    else:
        if root.exists() and any(root.iterdir()):
            shutil.rmtree(root)
        root.mkdir(parents=True, exist_ok=True)
        s = set_up(args.size, args.seed, args.talks, root)
        state.write_text(json.dumps(s, default=str))
    for name in ("web", "run"):
        shutil.rmtree(root / name, ignore_errors=True)
    print(
        f"{args.size} seed {args.seed}: {len(s['dealt'])} partners in talks, "
        f"{len(s['countered'])} countered, {len(s['concluded'])} concluded "
        f"(set-up {time.process_time() - start:.1f} s CPU) in {root}"
    )
    only = {o.strip() for o in args.only.split(",") if o.strip()}
    base = None
    print(f"{'command':<22} {'CPU s':>7} {'wall s':>7} {'x solve':>8}  exit")
    for name, argv in commands(s):
        if args.no_cli and name != "one solve (library)":
            continue
        if only and name not in only and name not in ("--help", "one solve (library)"):
            continue
        # every command runs in a fresh copy of the rounds, so one does not change the next
        work = root / "run"
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(s["rounds"], root / "run")
        argv = [str(root / "run") if a == str(s["rounds"]) else a for a in argv]
        cpu, wall, code = timed(argv, root)
        if name == "one solve (library)":
            base = cpu
        ratio = f"{cpu / base:8.2f}" if base else " " * 8
        print(f"{name:<22} {cpu:7.2f} {wall:7.2f} {ratio}  {code}", flush=True)
    if not args.no_web:
        time_web([(n, u) for n, u in web_pages(s, root) if not only or n in only], root, base)
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
