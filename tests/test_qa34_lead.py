"""Faults the lead found in session 34, each with the test that failed before its fix."""

from __future__ import annotations

from dealbench import solve
from dealbench.synth import generate


def test_kalai_stopped_at_tau_zero_does_not_claim_the_limits_forbid_a_gain() -> None:
    """`solve --mode kalai --time-limit 2` on synthetic S seed 0 stops with tau 0 and a
    bound near 0.3 (kalai-fast). The note said "The limits cannot give every partner with
    a zone of agreement a gain at once", which only a proven tau of 0 shows: here the time
    limit stopped the search, and the note must say so."""
    result = solve(generate("S", seed=0), "kalai", time_limit=2)
    details = result.solver.details
    assert "stopped by the time limit" in result.message
    assert "cannot give every partner" not in result.message
    if details.get("tau", 1.0) <= 1e-9 and details.get("tau_bound", 0.0) > 1e-9:
        assert "The time limit stopped the search before it found a tau above 0" in (result.message)
        assert "not proven the best" in result.message
