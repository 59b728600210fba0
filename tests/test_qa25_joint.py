"""The joint frontier's points cheaper, with the same answers (qa25-joint).

Issue 10 asks for a 25-point `--jointly` frontier at M within 10x one solve. A joint
point is a whole-portfolio solve and its schedule; what these tests hold is what a user
relies on while their cost falls: the same schedules, the same portfolios, each still
the model's optimum.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dealbench.checker import check
from dealbench.model.package import Package
from dealbench.negotiate.replan import with_partner
from dealbench.optimize.schedule import smooth
from dealbench.optimize.schedule.signable import schedule
from dealbench.synth import Size, generate

DATA = Path(__file__).parent / "data" / "qa25joint"


def _stalling_point() -> tuple[Any, list[Package]]:
    """A point of M seed 2's joint frontier (BJ's utility at least USD 108.7bn) whose
    tie-break stalls when HiGHS, changed stage by stage, runs it in place: the floored
    portfolio (BJ's walk-away value raised to the floor) and the solver's packages."""
    data = json.loads((DATA / "stalled-tie-break.json").read_text())
    pf = generate("M", 2)
    partner = pf.partner(data["partner"])
    assert partner is not None
    margin = pf.policy.acceptance_margin
    raised = partner.model_copy(
        update={"batna": max(data["floor"], partner.batna + margin) - margin}
    )
    packages = [Package.model_validate(p) for p in data["packages"]]
    return with_partner(pf, raised), packages


def test_a_stalled_primal_stage_is_given_up_within_half_the_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A primal stage (evenness, the tie-break) starts from a basis that meets every row
    and ends in at most 0.15 times the program's rows in iterations (M, L, XL); one that
    stalls is solved afresh. At this point the tie-break ran 2,894 iterations in place
    (0.21 s of the point's 0.26 s schedule) before it was given up; it is now given up
    at half the rows, and the schedule is the one the fresh run finds, which `check`
    passes."""
    pf, packages = _stalling_point()
    run = smooth._run_stage
    primal: list[tuple[int, int, bool]] = []  # iterations, rows, whether it ended optimal

    def recording(h: Any, cost: Any, maximise: bool) -> float | None:
        value = run(h, cost, maximise)
        if h.getOptionValue("simplex_strategy")[1] == smooth.SIMPLEX_PRIMAL:
            primal.append((h.getInfo().simplex_iteration_count, h.getNumRow(), value is not None))
        return value

    monkeypatch.setattr(smooth, "_run_stage", recording)
    got = schedule(pf, "us-best", packages, threads=1)
    assert any(not ok for _, _, ok in primal), "the tie-break no longer stalls here"
    assert all(iterations <= 0.5 * rows for iterations, rows, _ in primal), primal
    assert check(pf, got.packages).ok


def test_a_package_of_level_ids_is_validated_without_reading_amounts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A concession granted at a level (`c01: l3`) is an id: no sign can lead it, so it
    is neither a negative amount nor anything but what it says. Every package validated
    (each joint point's, 50 deals, several times) read each level id as an amount first,
    a failed parse each time (18,611 at M seed 2's joint frontier). Ids are kept as
    written, and an amount written like one (`75bn`) is still the menu's to decide."""
    from dealbench.model import amounts

    calls: list[object] = []
    real = amounts.parse_amount

    def counting(text: str) -> float | None:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(amounts, "parse_amount", counting)
    package = Package(
        partner="AE",
        security="kyc",
        compute={"2026": 1_000.0},
        concessions={"c01": "l3", "c02": True, "invest": "75bn", "year": 2030},
    )
    assert package.concessions == {"c01": "l3", "c02": True, "invest": "75bn", "year": "2030"}
    assert calls == []
    with pytest.raises(ValueError, match="negative amount"):
        Package(partner="AE", security="kyc", concessions={"invest": "-75bn"})


def test_the_replay_bench_saves_a_frontiers_restricted_mips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python bench/replay.py dump` saves the joint frontier's slow restricted MIPs (model,
    start, how it was solved) to be solved again under other HiGHS options. It unpacked
    `restricted._model`'s arguments as they were before the Ctrl-C reader joined them,
    and failed writing its first MIP's JSON (TypeError: a function is not JSON
    serializable). Here on a small portfolio and three points: every MIP is saved, its
    model beside what the bench read of it."""
    import importlib.util
    import sys

    import dealbench.negotiate as negotiate
    import dealbench.synth as synth

    path = Path(__file__).parent.parent / "bench" / "replay.py"
    spec = importlib.util.spec_from_file_location("replay_bench", path)
    assert spec is not None and spec.loader is not None
    replay = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "replay_bench", replay)
    spec.loader.exec_module(replay)
    small = generate(Size("W", 10, 5, 3, 4), 3)
    real = negotiate.frontier
    monkeypatch.setattr(synth, "generate", lambda *args, **kwargs: small)
    monkeypatch.setattr(
        negotiate, "frontier", lambda *args, **kwargs: real(*args, **{**kwargs, "points": 3})
    )
    replay.dump(0, tmp_path, 0.0)
    saved = sorted(tmp_path.glob("*.json"))
    assert saved
    for meta in saved:
        fields = json.loads(meta.read_text())
        assert {"gap", "target", "rins", "columns", "seconds", "nodes"} <= set(fields)
        assert meta.with_suffix(".mps").exists()
