"""Session 42 (qa42-docs): the documents a principal reads, as every command writes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dealbench import solve
from dealbench.analyze.scenarios import load_scenario
from dealbench.render.naming import REGISTRY
from helpers import REPO, Runner, compare_two_regimes

GULF = REPO / "deals/portfolios/gulf-asia.yaml"


def _registered(folder: Path) -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads((folder / REGISTRY).read_text("utf-8"))
    return data


def test_compare_and_room_record_their_documents_as_render_does(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    """`compare --render` and `room --render` wrote the folder's registry as `{}`: the
    options, principals and status memos had no identity, so nothing guarded them from
    being replaced by a different document. Every document now has one (a Document cannot
    be made without), recorded by the one writer every command uses."""
    out = compare_two_regimes(run, tiny, tmp_path)
    written = {str(p.relative_to(out)) for p in (out / "memos").glob("*.md")}
    assert written == {"memos/options-tiny.md", "memos/principals-tiny-tiny.md",
                       "memos/principals-tiny-tiny2.md"}  # fmt: skip
    registry = _registered(out)
    assert written <= set(registry)  # with their charts, as `render` records them
    assert registry["memos/options-tiny.md"]["title"] == (
        "the internal options memo from the comparison of regimes in portfolio tiny"
    )
    assert registry["memos/principals-tiny-tiny2.md"]["title"] == (
        "the internal portfolio memo for principals (tiny2) from the comparison of regimes "
        "in portfolio tiny"
    )
    room = tmp_path / "room"
    done = run("room", tiny, "--render", "md", "--out", room)
    assert done.exit_code == 0, done.output + done.traceback
    assert _registered(room) == {
        "memos/negotiation-tiny.md": {
            "document": "negotiation-memo|tiny|||internal|deal room",
            "title": "the internal status memo from the deal room in portfolio tiny",
        }
    }


def test_the_principals_memo_reads_the_reasons_the_result_carries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`compare --render` explained each regime's partners without a deal once, for its
    result files and memos, and then each principals memo explained them again (the limits
    that keep a partner from a deal: seconds of re-solves a regime, the same answer). The
    limits now come from the reasons the result carries; a result without them (a library
    solve) is still explained."""
    from dealbench.analyze import limit_costs as lc
    from dealbench.analyze.compare import explain_one
    from dealbench.optimize.explain import no_deal

    pf = load_scenario(GULF, "monopoly", ())
    result = solve(pf)
    assert len(result.no_deal) == 9
    worked_out = lc.blocking(pf, result)  # not explained: worked out here
    assert worked_out and {c for lim in worked_out for c in lim["blocks"]} == set(result.no_deal)
    explained = explain_one(pf, result)

    def again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the partners without a deal were explained a second time")

    monkeypatch.setattr(no_deal, "why_no_deal", again)
    assert lc.blocking(pf, explained) == worked_out


def test_a_full_ask_met_in_whole_chips_says_so_where_it_prints_as_the_ask() -> None:
    """MX asks 40,000 H100e in 2027Q1 and 2027Q2 and receives 17,591 B200 (39,999.75
    H100e), printed 40,000: the memo said "MX receives its full ask in 2027Q1 and 2027Q2
    (40,000 H100e each)", as if it received the 40,000, where VN's line beside it, 14,998
    of an ask of 15,000, said "in whole B200 chips". The words follow the amount, not how
    it prints; an ask met exactly (in whole chips) is said plainly."""
    from dealbench.checker import check
    from dealbench.model import load_package, load_portfolio
    from dealbench.render.limits import deal_limits
    from helpers import DATA

    fresh = DATA / "qa26fresh"
    pf = load_portfolio(fresh / "portfolios/americas-europe.yaml")
    [mx] = check(pf, [load_package(fresh / "packages/mx-agreed.yaml")]).deals
    assert mx.compute["2027Q1"] == pytest.approx(39_999.75, abs=0.01)
    lines = deal_limits(pf, mx)
    assert "MX receives its full ask in 2027Q1 and 2027Q2 in whole B200 chips " in lines[0]
    assert "(40,000 H100e each)." in lines[0]
    exact = mx.model_copy(
        update={"compute": {**mx.compute, "2027Q1": 40_000.0, "2027Q2": 40_000.0}}
    )
    assert "MX receives its full ask in 2027Q1 and 2027Q2 (40,000 H100e each)." in deal_limits(
        pf, exact
    )


def test_a_limits_name_keeps_its_line_beside_what_lifting_it_changes() -> None:
    """The principals memo's "What each limit costs" gave the limit's name a column a word
    wide in the PDF, "Supply / in / 2026" on three lines, beside the long text of what
    lifting it changes; the name's column now has room for it."""
    import subprocess
    import tempfile

    from dealbench.render.documents import render_document
    from dealbench.render.principals_memo import principals_memo_document
    from golden.support import demo_source

    changes = [
        "United Arab Emirates (AE): adds National champion capped at 20% of delivered compute",
        "Saudi Arabia (SA): adds DataVolt investment of USD 20bn in US data centres and energy",
        "Malaysia (MY) gains a deal: Validated-end-user data centres with US-approved security",
    ]
    row = {"label": "Supply in 2026", "limit": 1e6, "unit": "H100e", "usd_per_unit": 4160.0,
           "cost": 21.57e9, "changes_in_titles": changes, "compute_moves": True,
           "price_warnings": []}  # fmt: skip
    doc = principals_memo_document(demo_source(), [row], prices_note=None)
    [pdf] = render_document(doc, ["pdf"])
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf.data)
        f.flush()
        text = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True)
    line = next(x for x in text.stdout.splitlines() if "1,000,000 H100e" in x and "$4,160" in x)
    assert line.split()[:3] == ["Supply", "in", "2026"]
