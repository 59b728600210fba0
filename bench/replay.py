"""The joint frontier's slow restricted MIPs, saved and solved again under other HiGHS options.

    python bench/replay.py dump --seed 0 --dir /tmp/mips      # M seed 0's joint frontier
    python bench/replay.py run --dir /tmp/mips 'no-restart={"mip_allow_restart": false}'

`dump` runs a 25-point joint frontier at M on one core, and saves every restricted MIP
that took longer than --slower seconds: the model (MPS), the start it was given (.npy)
and how it was solved (.json: gap, target, RINS, columns, seconds, nodes). `run` solves each
again with the options `restricted` sets, then with each variant's options on top, and
prints seconds, nodes and objective per MIP and the total per variant. A variant whose
total is clearly below the first column's, over every MIP, is worth a real run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np


def dump(seed: int, folder: Path, slower: float) -> None:
    import dealbench.negotiate.joint_chains as joint_chains
    import dealbench.optimize.decomposition.restricted as restricted
    from dealbench.negotiate import frontier
    from dealbench.optimize import solve
    from dealbench.synth import generate

    folder.mkdir(parents=True, exist_ok=True)
    model = restricted._model
    count = 0

    def saving(blocks: Any, layout: Any, forced: Any, gap: float, *rest: Any) -> Any:
        h = model(blocks, layout, forced, gap, *rest)
        *_, target, rins, _pressed = rest  # time limit, threads, prices, target, RINS, Ctrl-C
        start: list[Any] = []
        set_solution, run = h.setSolution, h.run

        def remember(n: int, index: Any, x: Any) -> Any:
            start.append(np.asarray(x))
            return set_solution(n, index, x)

        def timed() -> Any:
            nonlocal count
            clock = time.perf_counter()
            status = run()
            seconds = time.perf_counter() - clock
            count += 1
            if seconds > slower:
                name = folder / f"mip{count:04d}"
                h.writeModel(f"{name}.mps")
                if start:
                    np.save(f"{name}.npy", start[-1])
                info = h.getInfo()
                meta = {
                    "gap": gap,
                    "target": target,
                    "rins": rins,
                    "columns": layout.columns,
                    "seconds": seconds,
                    "nodes": info.mip_node_count,
                }
                Path(f"{name}.json").write_text(json.dumps(meta))
            return status

        h.setSolution, h.run = remember, timed
        return h

    setattr(restricted, "_model", saving)  # noqa: B010 - the bench's own hook
    joint_chains.joint_jobs = lambda jobs=None: 1  # one chain after the other, on this core
    pf = generate("M", seed=seed)
    base = solve(pf)
    partner = max(base.deals, key=lambda d: d.us_value).partner
    frontier(pf, partner, points=25, jointly=True, bargaining=False)
    print(f"{count} restricted MIPs, the slower ones in {folder}")


def _solve(name: Path, extra: dict[str, Any]) -> tuple[float, int, float]:
    from dealbench.optimize.decomposition.restricted import configure
    from dealbench.optimize.highs import new_highs

    meta = json.loads(name.with_suffix(".json").read_text())
    h = new_highs(threads=1, gap=meta["gap"])  # as `restricted` sets it, then the variant
    configure(h, meta["columns"], meta["rins"])
    for option, value in extra.items():
        h.setOptionValue(option, value)
    h.readModel(str(name.with_suffix(".mps")))
    start = name.with_suffix(".npy")
    if start.exists():
        x = np.load(start)
        h.setSolution(len(x), np.arange(len(x), dtype=np.int32), x)
    if meta["target"] is not None:
        target = meta["target"]

        def stop(event: Any) -> None:
            if event.data_out.mip_primal_bound >= target:
                event.interrupt()

        h.cbMipInterrupt.subscribe(stop)
    clock = time.perf_counter()
    h.run()
    info = h.getInfo()
    return time.perf_counter() - clock, info.mip_node_count, info.objective_function_value


def run(folder: Path, variants: dict[str, dict[str, Any]]) -> None:
    variants = {"as-is": {}, **variants}
    total = dict.fromkeys(variants, 0.0)
    for name in sorted(folder.glob("*.mps")):
        cells = [name.stem]
        for label, extra in variants.items():
            seconds, nodes, value = _solve(name, extra)
            total[label] += seconds
            cells.append(f"{label} {seconds:.2f} s {nodes} nodes {value:.6f}")
        print(" | ".join(cells), flush=True)
    print("total: " + ", ".join(f"{label} {s:.2f} s" for label, s in total.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("dump")
    one.add_argument("--seed", type=int, default=0)
    one.add_argument("--dir", type=Path, required=True)
    one.add_argument("--slower", type=float, default=0.6, help="seconds")
    two = sub.add_parser("run")
    two.add_argument("--dir", type=Path, required=True)
    two.add_argument("variants", nargs="*", help="NAME={json options}")
    args = parser.parse_args()
    if args.what == "dump":
        dump(args.seed, args.dir, args.slower)
    else:
        variants = dict(v.split("=", 1) for v in args.variants)
        run(args.dir, {label: json.loads(text) for label, text in variants.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
