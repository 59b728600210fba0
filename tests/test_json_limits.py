"""Issue 13, item 9: in JSON, violations and binding limits are objects, not sentences.

`violations` (of a deal, of a portfolio, of a verdict) and `binding` (of a solve)
are lists of `dealbench.limit.Limit`: kind, partner, period, level, limit,
amount and the sentence a person reads as `message`. A result.json written
before (sentences only, or sentences beside `binding_details`) still loads
wherever results are read: a sentence becomes a limit of kind `other`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from dealbench.limit import Limit, messages
from dealbench.optimize import SolveResult
from helpers import DATA, REPO, Runner

PORTFOLIO = REPO / "deals/portfolios/gulf-asia.yaml"
BASE = DATA / "bad" / "_base" / "portfolio.yaml"
FIELDS = {"kind", "partner", "period", "level", "limit", "amount", "message"}
KINDS = set(Limit.model_fields["kind"].annotation.__args__)  # type: ignore[union-attr]


def is_limit(data: Any) -> bool:
    """An object with every field of a limit, a known kind and a sentence."""
    return (
        isinstance(data, dict)
        and set(data) == FIELDS
        and data["kind"] in KINDS
        and isinstance(data["message"], str)
        and bool(data["message"])
    )


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """`solve --json --out` of the shipped portfolio: the JSON printed and the folder."""
    from helpers import invoke

    out = tmp_path_factory.mktemp("solved") / "out"
    result = invoke(["solve", PORTFOLIO, "--json", "--out", out])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def test_solve_json_gives_every_binding_limit_as_an_object(
    solved: tuple[dict[str, Any], Path],
) -> None:
    data, out = solved
    assert data["binding"] and all(is_limit(b) for b in data["binding"])
    assert "binding_details" not in data
    supply = [b for b in data["binding"] if b["kind"] == "supply"]
    assert supply, "the shipped portfolio uses all its supply"
    for b in supply:
        assert b["partner"] is None and b["level"] is None
        assert b["period"] in data["periods"]
        assert b["limit"] == data["supply"][b["period"]]
        assert b["amount"] == pytest.approx(b["limit"], abs=0.5)
        assert b["message"].startswith(f"Supply in {b['period']} is fully allocated")
    for deal in data["deals"]:
        assert deal["violations"] == []
        assert "violation_details" not in deal
    # result.json holds the same objects
    saved = json.loads((out / "result.json").read_text())
    assert saved["binding"] == data["binding"]


def test_the_table_still_prints_each_binding_sentence_once(run: Runner) -> None:
    result = run("solve", PORTFOLIO)
    assert result.exit_code == 0, result.output
    held = [line for line in result.stdout.splitlines() if "Held to their walk-away" in line]
    assert len(held) == 1  # one acceptance object per partner, one sentence for all


def test_evaluate_json_gives_a_cap_violation_as_an_object(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under kyc the tier-2 cap is 50,000 H100e and the ask 100,000; 150,000 breaks both."""
    (tmp_path / "over.yaml").write_text(
        "partner: AA\nsecurity: kyc\ncompute: {2026: 150_000}\nconcessions: {no-prc: true}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run("evaluate", "over.yaml", "--portfolio", BASE, "--json")
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    assert all(is_limit(v) for v in data["violations"])
    assert "violation_details" not in data
    (cap,) = [v for v in data["violations"] if v["kind"] == "cap"]
    assert cap == {
        "kind": "cap",
        "partner": "AA",
        "period": "2026",
        "level": "kyc",
        "limit": 50_000.0,
        "amount": 150_000.0,
        "message": "AA: 2026 compute 150,000 H100e exceeds the tier 2 cap under kyc of 50,000 H100e",
    }
    assert [v["kind"] for v in data["violations"]] == ["ask", "cap"]


def test_counter_room_and_history_give_violations_as_objects(run: Runner, tmp_path: Path) -> None:
    rounds = tmp_path / "rounds"
    shutil.copytree(REPO / "deals/rounds/gulf-asia", rounds)
    counter = tmp_path / "over-cap.yaml"
    counter.write_text(
        "partner: AE\nsecurity: kyc\ncompute: {2026: 300_000, 2027: 300_000}\n"
        "concessions: {invest-us: 1400bn}\n"
    )
    result = run(
        "counter", PORTFOLIO, counter, "--partner", "AE", "--rounds", rounds, "--json",
        "--no-documents",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["violations"] and all(is_limit(v) for v in verdict["violations"])
    caps = [v for v in verdict["violations"] if v["kind"] == "cap"]
    assert {(v["partner"], v["period"], v["level"]) for v in caps} == {
        ("AE", "2026", "kyc"),
        ("AE", "2027", "kyc"),
    }
    assert all(v["limit"] == 100_000 and v["amount"] == 300_000 for v in caps)
    assert all(is_limit(v) for v in verdict["figures"]["violations"])

    room = json.loads(run("room", PORTFOLIO, "--rounds", rounds, "--json").stdout)
    (ae,) = [r for r in room["rows"] if r["partner"] == "AE"]
    assert ae["last_counter"]["violations"]
    assert all(is_limit(v) for v in ae["last_counter"]["violations"])

    history = json.loads(
        run("history", PORTFOLIO, "--partner", "AE", "--rounds", rounds, "--json").stdout
    )
    last = history["rounds"][-1]
    assert {v["kind"] for v in last["violations"]} >= {"cap"}
    assert all(is_limit(v) for r in history["rounds"] for v in r["violations"])


# --- results written before limits were objects -----------------------------------------------


def sentences_only(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a result.json) as dealbench wrote it before: sentences, no objects."""
    old = dict(data)
    old["binding"] = messages([Limit.model_validate(b) for b in data["binding"]], unique=True)
    old["deals"] = [
        {**d, "violations": [v["message"] for v in d["violations"]]} for d in data["deals"]
    ]
    return old


def test_an_old_result_with_sentences_loads_as_limits_of_kind_other(
    solved: tuple[dict[str, Any], Path],
) -> None:
    data, _ = solved
    old = SolveResult.model_validate(sentences_only(data))
    assert old.binding and all(b.kind == "other" for b in old.binding)
    assert messages(old.binding) == messages(SolveResult.model_validate(data).binding, unique=True)
    assert Limit.model_validate("Supply is short.") == Limit(
        kind="other", message="Supply is short."
    )


def test_a_result_with_binding_details_loads_its_objects(
    solved: tuple[dict[str, Any], Path],
) -> None:
    """The shape written for a while: sentences in `binding`, objects in `binding_details`."""
    data, _ = solved
    between = sentences_only(data) | {"binding_details": data["binding"]}
    loaded = SolveResult.model_validate(between)
    assert loaded.binding == SolveResult.model_validate(data).binding


def test_the_commands_that_read_results_accept_an_old_result_json(
    run: Runner, solved: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    _, out = solved
    data = json.loads((out / "result.json").read_text())
    old = tmp_path / "old"
    shutil.copytree(out, old)
    (old / "result.json").write_text(json.dumps(sentences_only(data), indent=2))
    diff = run("diff", old / "result.json", out / "result.json", "--json")
    assert diff.exit_code == 0, diff.output
    assert not diff.traceback
    rendered = run("render", old / "result.json", "--out", tmp_path / "docs", "--format", "md")
    assert rendered.exit_code == 0, rendered.output
    fresh = run("render", out / "result.json", "--out", tmp_path / "docs2", "--format", "md")
    assert fresh.exit_code == 0, fresh.output
    names = sorted(p.name for p in (tmp_path / "docs").glob("*.md"))
    assert names == sorted(p.name for p in (tmp_path / "docs2").glob("*.md"))
    for name in names:  # the documents read the sentences: the same either way
        assert (tmp_path / "docs" / name).read_bytes() == (tmp_path / "docs2" / name).read_bytes()
    against = run(
        "evaluate", out / "packages/AE.yaml", "--portfolio", PORTFOLIO,
        "--against", old / "result.json", "--json",
    )  # fmt: skip
    assert against.exit_code in (0, 3), against.output
    assert not against.traceback


def test_the_golden_demo_result_written_with_sentences_still_loads() -> None:
    golden = REPO / "tests/data/old_versions/9fac88c/demo-result.json"
    result = SolveResult.model_validate_json(golden.read_bytes())
    assert result.binding and {b.kind for b in result.binding} == {"other"}


# --- the web workbench prints the sentences ----------------------------------------------------


def test_the_web_pages_print_each_limit_as_its_sentence(tmp_path: Path) -> None:
    import time

    from starlette.testclient import TestClient

    from dealbench.web import create_app
    from dealbench.web.security import CSRF_FIELD, csrf_for

    deals = tmp_path / "deals"
    shutil.copytree(REPO / "deals", deals)
    token = "test-token-json-limits"
    csrf = {CSRF_FIELD: csrf_for(token)}
    app = create_app(deals, token)
    try:
        with TestClient(app, headers={"X-Dealbench-Token": token}) as client:
            fields = {"partner": "AE", "security": "kyc", "compute.2026": "300000"}
            page = client.post("/p/gulf-asia/n/AE/counter", data={**csrf, **fields}).text
            assert "<li>AE: 2026 compute 300,000 H100e exceeds the tier 2 cap under kyc" in page
            assert "kind=" not in page and "&#39;kind&#39;" not in page

            started = client.post(
                "/p/gulf-asia/solve",
                data={**csrf, "mode": "us-best", "solver": "highs"},
                follow_redirects=False,
            )
            url = started.headers["location"].removeprefix("http://testserver")
            deadline = time.monotonic() + 120
            while client.get(f"{url}/state").json()["state"] == "running":
                assert time.monotonic() < deadline
                time.sleep(0.1)
            job = client.get(url).text
            assert job.count("Held to their walk-away value plus the required margin") == 1
            assert "<li>Supply in 2026 is fully allocated (1,000,000 H100e).</li>" in job
    finally:
        app.state.jobs.shutdown()
