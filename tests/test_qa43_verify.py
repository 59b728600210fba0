"""qa43-verify: `evaluate` on packages at a limit and a hair over it, against the limits
as a user reads them (data: tests/data/qa43verify/hair, limits of 600,000 H100e and more,
where 1e-6 of the limit is more than an H100e)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import invoke

HAIR = Path(__file__).parent / "data" / "qa43verify" / "hair" / "portfolio.yaml"


def evaluated(tmp_path: Path, compute: dict[int, float]) -> tuple[int, str]:
    package = tmp_path / "package.yaml"
    amounts = ", ".join(f"{t}: {x}" for t, x in compute.items())
    package.write_text(f"partner: AA\nsecurity: kyc\ncompute: {{{amounts}}}\nconcessions: {{}}\n")
    run = invoke(["evaluate", package, "--portfolio", HAIR])
    assert not run.traceback, run.traceback
    return run.exit_code, " ".join(run.stdout.split())


@pytest.mark.parametrize(
    ("compute", "broken"),
    [
        # the tier 2 cap under kyc and the supply of 2026, both 650,000
        (
            {2026: 650_001, 2027: 0},
            ["exceeds the tier 2 cap under kyc of 650,000", "supply in 2026"],
        ),
        # the risk budget of 600,000 (diversion risk 1, kyc mitigates half)
        ({2026: 600_000, 2027: 600_002}, ["risk budget: 600,001 risk-weighted H100e"]),
    ],
)
def test_a_whole_h100e_over_a_large_limit_breaks_it(
    tmp_path: Path, compute: dict[int, float], broken: list[str]
) -> None:
    """`evaluate` of 650,001 H100e under a cap of 650,000 (and a supply of 650,000) said
    "Violations: none", exit 0: the checker allowed 0.5 H100e and 1e-6 of the limit over
    it (1.15 H100e here), so a counter one whole H100e over a cap passed as compliant. A
    compute limit now allows half an H100e over it, whatever its size."""
    code, said = evaluated(tmp_path, compute)
    assert code == 3, said
    assert "Violations: none" not in said
    for words in broken:
        assert words in said


@pytest.mark.parametrize(
    "compute",
    [
        {2026: 650_000, 2027: 0},  # exactly on the cap and the supply
        {2026: 650_000.065, 2027: 0},  # 1e-7 over them: solver noise, within tolerance
        {2026: 600_000, 2027: 600_000},  # exactly on the risk budget
        {2026: 600_000, 2027: 600_000.12},  # 1e-7 over it
    ],
)
def test_a_package_on_a_limit_or_a_hair_over_keeps_it(
    tmp_path: Path, compute: dict[int, float]
) -> None:
    code, said = evaluated(tmp_path, compute)
    assert code == 0, said
    assert "Partner accepts: yes Violations: none" in said


def test_a_refusal_says_by_how_much_when_the_figures_print_alike(tmp_path: Path) -> None:
    """86,666 H100e at $30k less $500m for kyc is $2,099,980,000 to the partner against
    its walk-away value plus margin of $2.10bn: the table printed $2.10bn and $2.10bn and
    then "Partner accepts: no", with nothing to say why. It now says the shortfall."""
    code, said = evaluated(tmp_path, {2026: 86_666, 2027: 0})
    assert code == 3, said
    assert (
        "Partner accepts: no (its utility falls $20,000 short of its walk-away value plus "
        "the required margin)"
    ) in said
    # A hair under (1e-7 of the threshold, $210) is within the checker's USD 10,000.
    code, said = evaluated(tmp_path, {2026: 86_666.66, 2027: 0})
    assert code == 0, said
    assert "Partner accepts: yes" in said
