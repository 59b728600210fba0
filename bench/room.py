"""The deal room at size M with half the partners concluded, against one M solve.

    python bench/room.py              # M, seed 1; merges "room" into bench/results.json
    python bench/room.py --size S     # a quick look

The portfolio is `dealbench.synth`'s (as in bench/run.py). One solve gives the
optimum; the first half of the partners with a deal in it conclude on their
package (a US offer, then the partner's acceptance), the other partners with a
deal get that package as a US offer (stage "offered"), and `room` is timed:
reading and checking every round, fixing the concluded deals, re-optimizing
the open negotiations in what they leave, and the table. The issue's target:
at most the time of one M solve.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


def measure(size: str, seed: int, repeats: int) -> dict[str, Any]:
    from dealbench.model import load_portfolio
    from dealbench.negotiate import load_negotiations, room
    from dealbench.negotiate.rounds.negotiation import RoundFile
    from dealbench.negotiate.rounds.write import append_round
    from dealbench.optimize import solve
    from dealbench.synth import generate, write_yaml

    portfolio = generate(size, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        pf = load_portfolio(write_yaml(portfolio, tmp))
        solves = []
        result = None
        for _ in range(repeats):
            start = time.perf_counter()
            result = solve(pf).raise_for_status()
            solves.append(time.perf_counter() - start)
        assert result is not None
        root = Path(tmp) / "rounds"
        dealt = [d for d in result.deals]
        closed = {d.partner for d in dealt[: len(pf.partners) // 2]}
        negotiations = load_negotiations(pf, root)
        for deal in dealt:
            n = negotiations[deal.partner]
            offer = append_round(pf, n, RoundFile(round=1, side="us", package=deal.package()))
            if deal.partner in closed:
                n = load_negotiations(pf, root)[deal.partner]
                append_round(
                    pf,
                    n,
                    RoundFile(
                        round=2,
                        side="partner",
                        basis=offer.name,
                        package=deal.package(),
                        status="concluded",
                    ),
                )
        times = []
        table = None
        for _ in range(repeats):
            start = time.perf_counter()
            table = room(pf, root)
            times.append(time.perf_counter() - start)
        assert table is not None
        assert table.objective >= (result.objective or 0.0) - 1e-6 * abs(result.objective or 1.0)
        return {
            "size": size,
            "partners": len(pf.partners),
            "concluded": len(closed),
            "offered": len(dealt) - len(closed),
            "solve_s": statistics.median(solves),
            "room_s": statistics.median(times),
            "ratio": statistics.median(times) / statistics.median(solves),
            "objective_solve": result.objective,
            "objective_room": table.objective,
            "repeats": repeats,
            "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(RESULTS), help="results file ('': none)")
    args = parser.parse_args()
    found = measure(args.size, args.seed, args.repeat)
    print(
        f"room at {found['size']} ({found['partners']} partners, {found['concluded']} concluded, "
        f"{found['offered']} offered): {found['room_s']:.2f} s; one solve {found['solve_s']:.2f} s; "
        f"ratio {found['ratio']:.2f} (target <= 1)"
    )
    if args.out:
        out = Path(args.out)
        data = json.loads(out.read_text()) if out.exists() else {}
        data.setdefault("negotiation", {})[f"room_{found['size']}"] = found
        out.write_text(json.dumps(data, indent=2) + "\n")
    return 0 if found["ratio"] <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
