"""Session 46 (qa46-web3): the package editor says every fault of its fields at once,
beside each field (its Save's file name with the package's fields, its "Sample
acceptance"'s samples and seed kept as typed); the negotiator's path walked without
scripts, at 390 px and by keyboard. Each test failed before its fix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from helpers import csrf, words

#: Two compute periods at fault at once: the editor's example of a form's many faults.
BAD_COMPUTE = {"partner": "AE", "security": "veu", "compute.2026": "abc", "compute.2027": "-5"}


def _field(html: str, field_id: str) -> str:
    tag = re.search(rf'<[^>]*id="{field_id}"[^>]*>', html)
    assert tag is not None, field_id
    return tag[0]


def _marked(html: str, field_id: str, said: str) -> None:
    """The field `field_id` is marked invalid and `said` stands in its words beside it."""
    assert 'aria-invalid="true"' in _field(html, field_id), field_id
    name = field_id.removeprefix("f-").replace("compute-", "compute.")
    beside = re.search(rf'id="problems-{re.escape(name)}">([^<]*)</div>', html)
    assert beside is not None and said in words(beside[1]), (field_id, beside)


def test_save_says_two_bad_compute_periods_and_a_bad_file_name_at_once(
    client: Any, deals: Path
) -> None:
    """Save said the package's faults, and the file name's only on the next send, once
    the package was good."""
    sent = client.post(
        "/p/gulf-asia/save?partner=AE", data={**csrf(), **BAD_COMPUTE, "filename": "a/b"}
    )
    assert sent.status_code == 422
    _marked(sent.text, "f-compute-2026", "expected a number, got 'abc'")
    _marked(sent.text, "f-compute-2027", "must be at least 0, got '-5'")
    _marked(sent.text, "f-filename", "use letters, digits, '-' and '_' only")
    # the first field at fault is focused, and none written
    assert "autofocus" in _field(sent.text, "f-compute-2026")
    assert "autofocus" not in _field(sent.text, "f-filename")
    assert not list((deals / "packages").glob("b*.yaml"))


def test_save_says_a_file_that_exists_with_the_packages_faults(client: Any, deals: Path) -> None:
    (deals / "packages" / "taken.yaml").write_text("kept\n")
    sent = client.post(
        "/p/gulf-asia/save?partner=AE", data={**csrf(), **BAD_COMPUTE, "filename": "taken"}
    )
    assert sent.status_code == 422
    _marked(sent.text, "f-compute-2026", "expected a number")
    _marked(sent.text, "f-filename", "packages/taken.yaml exists; tick 'replace'")
    assert (deals / "packages" / "taken.yaml").read_text() == "kept\n"


def test_sample_acceptance_keeps_samples_and_seed_as_typed_beside_their_faults(
    client: Any,
) -> None:
    """Refused with the package's faults, samples and seed were said in the verdict only,
    their fields back at 10000 and 0 as if nothing had been typed."""
    sent = client.post(
        "/p/gulf-asia/risk?partner=AE", data={**csrf(), **BAD_COMPUTE, "samples": "0", "seed": "x"}
    )
    assert sent.status_code == 422
    assert 'value="0"' in _field(sent.text, "f-samples")
    assert 'value="x"' in _field(sent.text, "f-seed")
    _marked(sent.text, "f-samples", "expected at least 1 sample, got 0")
    _marked(sent.text, "f-seed", "expected a whole number, got 'x'")
    _marked(sent.text, "f-compute-2027", "must be at least 0")
    assert "error: Seed: expected a whole number" in words(sent.text)


def _focused(html: str) -> list[str]:
    """The ids of the fields a page focuses as it opens."""
    return re.findall(r'<[^>]*\sid="([^"]+)"[^>]*\sautofocus', html)


def _round_from_editor(client: Any, kind: str, **fields: str) -> Any:
    form = {**csrf(), "partner": "QA", "security": "veu", "expect": "1", **fields}
    return client.post(f"/p/gulf-asia/n/QA/{kind}?partner=QA", data=form)


def test_the_editors_round_refused_focuses_its_first_field_at_fault_in_the_pages_order(
    client: Any,
) -> None:
    """ "Record as our offer" with a bad compute and a bad date focused the date, below the
    compute field (a keyboard user started past the first fault); "Record as counter" with
    a bad date and a bad deadline focused the deadline, below the date. One field is
    focused, the first at fault as the page lays them out."""
    sent = _round_from_editor(client, "offer", **{"compute.2026": "abc", "date": "2026-13-01"})
    assert sent.status_code == 422
    assert 'aria-invalid="true"' in _field(sent.text, "counter-date")
    assert _focused(sent.text) == ["f-compute-2026"]
    sent = _round_from_editor(
        client, "counter", **{"compute.2026": "5000", "date": "2026-13-01", "deadline": "x"}
    )
    assert sent.status_code == 422
    assert 'aria-invalid="true"' in _field(sent.text, "f-deadline")
    assert _focused(sent.text) == ["counter-date"]
