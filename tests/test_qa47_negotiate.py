"""A trade negotiator's week, session 47 (qa47-negotiate): three partners at once on copies of
gulf-asia and global, every strategy, counters of every kind, conclusions, a walk-away, the
room and history after each step. Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers import invoke, words


def _solo_rounds(deals: Path) -> tuple[Path, Path]:
    """The `solo` portfolio (SG alone) and a rounds folder of its own: an opening Boulware
    offer (the US ideal), a linear one conceding from it, and SG's counter on the terms of
    the opening offer, worth more to the US than our last offer (the verdict: ACCEPT)."""
    portfolio, rounds = deals / "portfolios/solo.yaml", deals / "rounds-solo"
    for how in (["--strategy", "boulware"], ["--strategy", "linear"]):
        made = invoke(["offer", portfolio, "-p", "SG", *how, "--rounds", rounds, "--no-documents"])
        assert made.exit_code == 0, made.output
    first = yaml.safe_load((rounds / "SG/001-us.yaml").read_text())["package"]
    counter = deals / "sg-counter.yaml"
    counter.write_text(yaml.safe_dump({**first, "side": "counter"}))
    said = invoke(["counter", portfolio, counter, "--rounds", rounds, "--no-documents"])
    assert said.exit_code == 0, said.output
    assert "Recommendation: ACCEPT" in words(said.stdout)
    return portfolio, rounds


def test_a_retreat_to_the_partners_own_counter_advises_accepting_it(deals: Path) -> None:
    """SG's counter gives the US more than our last offer, and SG less: the verdict says
    ACCEPT, and the next offer, raised to the counter's worth, takes back part of what our
    last offer gave SG. `offer` refused it, advising only "offer a package of your own that
    gives SG no less", more than SG itself asked for, and not the move the verdict names:
    conclude the deal on SG's counter."""
    portfolio, rounds = _solo_rounds(deals)
    run = invoke(["offer", portfolio, "-p", "SG", "--rounds", rounds, "--no-documents"])
    assert run.exit_code == 2, run.output
    said = words(run.stderr)
    assert "Nothing was recorded" in said
    assert (
        "otherwise accept SG's counter of round 3, which is worth the target to the US "
        "(conclude the deal on round 3), or offer a package of your own"
    ) in said
    assert not (rounds / "SG/004-us.yaml").exists()
