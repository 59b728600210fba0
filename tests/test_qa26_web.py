"""Items the new user's pass left (qa26-web): the package editor in the unit a portfolio
declares, the frontier and `solve` on a partner the shared limits leave without a deal.

tests/data/qa26fresh/ decides compute in steps of 512 B200 chips; each test failed
before its fix.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import test_web_browser as e2e
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import DATA, WEB_TOKEN, Runner, web_client, words

FRESH = DATA / "qa26fresh"
PORTFOLIO = "/p/americas-europe"


@pytest.fixture
def deals(fresh: Path) -> Path:
    return fresh


def _field(html: str, name: str) -> str:
    """The value the page's input `name` holds."""
    found = re.search(rf'<input name="{re.escape(name)}"[^>]*\bvalue="([^"]*)"', html)
    assert found, f"no input {name}"
    return found.group(1)


def test_the_editor_of_a_portfolio_in_chips_takes_and_shows_chips(deals: Path) -> None:
    """am-eu decides compute in B200 chips; the editor took H100e only, so 12,000 typed (a
    number of chips, as the portfolio and its package files say) was 12,000 H100e, and a
    package written in chips showed H100e. Now a plain number is chips of the portfolio's
    model (converted by the loader, as in a file), another unit is written after it, and
    the file saved says chips."""
    form = {
        CSRF_FIELD: csrf_for(WEB_TOKEN),
        "partner": "MX",
        "security": "uveu",
        "compute.2026Q3": "12000",
        "compute.2027Q1": "35000 H100e",
        "compute.2027Q2": "17591",
        "concession.invest-us": "17.5bn",
        "filename": "mx-chips",
    }
    with web_client(deals, WEB_TOKEN) as client:
        opened = client.get(f"{PORTFOLIO}/editor?package=packages/mx-agreed.yaml")
        assert opened.status_code == 200, opened.text
        assert _field(opened.text, "compute.2026Q3") == "12000"  # {chips: 12_000, model: B200}
        assert _field(opened.text, "compute.2027Q1") == "17591"
        said = words(opened.text)
        assert "Compute (B200 chips per period)" in said
        assert "ask 20,000 B200 chips (45,478 H100e)" in said  # MX's 2026Q3 ask, in chips
        hand = client.get(f"{PORTFOLIO}/editor?package=packages/mx-offer.yaml")
        assert _field(hand.text, "compute.2027Q1") == "35000 H100e"  # not whole chips
        saved = client.post(f"{PORTFOLIO}/save", data=form)
        assert saved.status_code == 200, saved.text
        written = yaml.safe_load((deals / "packages/mx-chips.yaml").read_text())
        assert written["compute"] == {
            "2026Q3": {"chips": 12000, "model": "B200"},
            "2027Q1": 35000,
            "2027Q2": {"chips": 17591, "model": "B200"},
        }
        again = client.get(f"{PORTFOLIO}/editor?package=packages/mx-chips.yaml")
        assert [_field(again.text, f"compute.{t}") for t in ("2026Q3", "2027Q1", "2027Q2")] == [
            "12000",
            "35000 H100e",
            "17591",
        ]
        # The same package as the hand-written one: the same verdict.
        same = client.post(f"{PORTFOLIO}/evaluate", data=form, headers={"HX-Request": "true"})
        assert same.status_code == 200 and "US utility" in words(same.text)


def test_a_bad_amount_of_chips_is_marked_beside_its_field_as_typed(deals: Path) -> None:
    """Half a chip, or chips of a model not catalogued, answered in place like any bad field:
    the field marked, the loader's words beside it, every field as typed."""
    form = {
        CSRF_FIELD: csrf_for(WEB_TOKEN),
        "partner": "MX",
        "security": "uveu",
        "compute.2026Q3": "100.5",
        "compute.2027Q1": "800 XB9 chips",
        "filename": "mx-bad",
    }
    with web_client(deals, WEB_TOKEN) as client:
        refused = client.post(f"{PORTFOLIO}/save", data=form)
    assert refused.status_code == 422
    html = refused.text
    assert _field(html, "compute.2026Q3") == "100.5"
    assert _field(html, "compute.2027Q1") == "800 XB9 chips"
    assert re.search(r'name="compute\.2026Q3"[^>]*aria-invalid="true"', html)
    said = words(html)
    assert "a number of chips is whole, got 100.5 B200 chips" in said
    assert "unknown chip model 'XB9'" in said
    assert not (deals / "packages/mx-bad.yaml").exists()


def test_an_editor_in_h100e_still_takes_h100e(tmp_path: Path) -> None:
    """A portfolio decided in H100e keeps its fields in H100e (a plain number)."""
    deals = Path(shutil.copytree(e2e.REPO / "deals", tmp_path / "deals"))
    with web_client(deals, WEB_TOKEN) as client:
        page = client.get("/p/gulf-asia/editor?partner=AE")
        assert "Compute (H100e per period)" in words(page.text)
        form = {
            CSRF_FIELD: csrf_for(WEB_TOKEN),
            "partner": "AE",
            "security": "kyc",
            "compute.2026": "120000",
            "filename": "ae-h100e",
        }
        assert client.post("/p/gulf-asia/save", data=form).status_code == 200
    written = yaml.safe_load((deals / "packages/ae-h100e.yaml").read_text())
    assert written["compute"] == {"2026": 120000}


# --- the browser: a chips portfolio's editor round-trips -----------------------------------

browser = e2e.browser


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`dealbench serve` on a copy of the fresh data; its printed URL and folder."""
    with e2e.serving(FRESH, tmp_path_factory.mktemp("qa26web") / "deals") as served:
        yield served


@pytest.mark.browser
def test_a_chips_portfolios_editor_round_trips_in_a_browser(
    fresh_server: tuple[str, Path], browser: object
) -> None:
    """Typed in chips, saved, opened again: the file says chips, the field the same number."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    url, deals = fresh_server
    driver: object = browser
    base = url.split("/?")[0]
    driver.get(url)  # type: ignore[attr-defined]  # the token's cookie
    driver.get(f"{base}{PORTFOLIO}/editor?partner=CH")  # type: ignore[attr-defined]
    e2e.wait_for(ec.presence_of_element_located((By.ID, "f-compute-2026Q3")), driver)
    field = driver.find_element(By.ID, "f-compute-2026Q3")  # type: ignore[attr-defined]
    field.clear()
    field.send_keys("12546")
    driver.find_element(By.ID, "f-security").send_keys("uveu")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "f-filename").send_keys("ch-typed")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "save").click()  # type: ignore[attr-defined]
    e2e.wait_for(lambda d: (deals / "packages/ch-typed.yaml").exists(), driver)
    written = yaml.safe_load((deals / "packages/ch-typed.yaml").read_text())
    assert written["compute"]["2026Q3"] == {"chips": 12546, "model": "B200"}
    driver.get(f"{base}{PORTFOLIO}/editor?package=packages/ch-typed.yaml")  # type: ignore[attr-defined]
    shown = e2e.wait_for(ec.presence_of_element_located((By.ID, "f-compute-2026Q3")), driver)
    e2e.shot(driver, "qa26-web-chips-editor")
    assert shown.get_attribute("value") == "12546"  # type: ignore[attr-defined]


# --- a bare number's example, inside the range --------------------------------------------


def test_a_bare_number_of_dollars_is_told_an_example_inside_its_range(
    deals: Path, tmp_path: Path
) -> None:
    """MX's `invest-us` runs 0 to 40bn: `15` (meant 15bn) was told "write the amount with
    its unit, such as 75bn or 750m", an example outside the range."""
    from dealbench.errors import InputError
    from dealbench.model import load_package, load_portfolio

    pf = load_portfolio(deals / "portfolios/americas-europe.yaml")
    said = []
    for written in ("15", "45"):
        counter = tmp_path / f"mx-{written}.yaml"
        counter.write_text(
            f"partner: MX\nsecurity: uveu\nconcessions: {{invest-us: {written}}}\n", "utf-8"
        )
        with pytest.raises(InputError) as refused:
            load_package(counter, pf)
        said.append(str(refused.value))
    assert "(0 to 40bn); write the amount with its unit, such as 15bn" in said[0]
    assert "such as 40bn" in said[1]  # 45bn is beyond the range: its top
    assert "75bn" not in " ".join(said)


# --- the frontier and solve on a partner the shared limits leave without a deal ------------


def test_a_frontier_without_a_zone_says_what_solve_says_of_the_deal_alone(
    run: Runner, deals: Path
) -> None:
    """FR's frontier with MX, VN and CH held said "ZOPA: none: no package beats both
    walk-away values" where `solve` says "alone, a deal with FR would add $1.13bn": both
    true, neither naming the other's frame. The frontier's note (library, so the CLI and
    --json) says the other deals take the room, and the deal alone that `solve` weighs."""
    from dealbench.model import load_portfolio
    from dealbench.negotiate import frontier

    portfolio = deals / "portfolios/americas-europe.yaml"
    curve = frontier(load_portfolio(portfolio), "FR", points=4)
    assert not curve.zopa["exists"]
    note = " ".join(n for n in curve.notes if n.startswith("No zone of agreement"))
    assert "with the other deals held (MX, VN and CH)" in note
    assert "a deal with FR would add $1.13bn to US utility" in note
    assert "'Why no deal with FR'" in note and "the joint frontier re-plans" in note
    shown = run("frontier", portfolio, "--partner", "FR", "--points", "4")
    assert "ZOPA: none" in shown.stdout
    assert "would add $1.13bn" in " ".join(shown.stdout.split())
    data = json.loads(
        run("frontier", portfolio, "--partner", "FR", "--points", "4", "--json").stdout
    )
    assert any("would add $1.13bn" in n for n in data["notes"])


def test_solves_reason_for_no_deal_names_the_frontiers_frame(run: Runner, deals: Path) -> None:
    """`solve`'s "Why no deal with FR" now says that held beside the deals it names, FR's
    frontier has no zone of agreement, and how to see it."""
    portfolio = deals / "portfolios/americas-europe.yaml"
    shown = run("solve", portfolio).stdout
    said = " ".join(shown.split())
    assert (
        "and the risk budget go to deals worth more (MX, VN, CH); raising the risk budget by"
        in said
    )
    # The terminal may wrap the path anywhere (it has no spaces): compared without spaces.
    pointer = (
        "with those deals held, the frontier of FR has no zone of agreement for that "
        f"reason (dealbench frontier {portfolio} --partner FR draws it)"
    )
    assert "".join(pointer.split()) in "".join(shown.split())
    reasons = json.loads(run("solve", portfolio, "--json").stdout)["no_deal_reasons"]
    fr = next(r for r in reasons if r["partner"] == "FR")
    # The saved reason is in no shell's words; the CLI adds its pointer (session 42).
    assert fr["frontier"] and "--partner" not in fr["message"]


def test_a_frontier_with_a_zone_has_no_such_note(deals: Path) -> None:
    """MX has a deal: its frontier has a zone of agreement and no word of displacement."""
    from dealbench.model import load_portfolio
    from dealbench.negotiate import frontier

    curve = frontier(load_portfolio(deals / "portfolios/americas-europe.yaml"), "MX", points=3)
    assert curve.zopa["exists"]
    assert not any(n.startswith("No zone of agreement") for n in curve.notes)


def test_the_web_solve_says_the_frontiers_frame_of_a_partner_without_a_deal(
    deals: Path,
) -> None:
    """The web's solve shows the library's reason, the frontier's frame in it."""
    from helpers import job_done

    with web_client(deals, WEB_TOKEN) as client:
        started = client.post(
            f"{PORTFOLIO}/solve",
            data={CSRF_FIELD: csrf_for(WEB_TOKEN), "mode": "us-best", "solver": "highs"},
            follow_redirects=False,
        )
        assert started.status_code == 303, started.text
        page = client.get(job_done(client, started))
    said = words(page.text)
    assert "a deal with FR would add $1.13bn to US utility" in said
    assert "with those deals held, the frontier of FR has no zone of agreement" in said
    assert "--partner" not in said  # no CLI words on the web (session 42)


# --- a package file's errors, all at once -------------------------------------------------


def test_a_package_with_shape_errors_also_reports_its_portfolio_level_ones(
    run: Runner, deals: Path
) -> None:
    """`26k` compute and half a chip (shape errors) hid an unknown security level, a period
    and a concession the portfolio lacks until they were fixed: a user fixed the file twice.
    Now the fields that read are checked against the portfolio beside the ones that do not."""
    package = deals / "packages/mx-broken.yaml"
    package.write_text(
        "partner: MX\n"
        "security: uvue\n"
        "compute: {2026Q3: 26k, 2027Q1: {chips: 100.5, model: B200}, 2027Q3: 40_000}\n"
        "concessions: {invest-us: 45bn, usmca-control: true}\n",
        "utf-8",
    )
    portfolio = deals / "portfolios/americas-europe.yaml"
    refused = run("evaluate", package, "--portfolio", portfolio)
    assert refused.exit_code == 2 and not refused.traceback
    said = refused.stderr
    for line in (
        "mx-broken.yaml:3: compute.2026Q3: expected a number, got '26k'",
        "mx-broken.yaml:3: compute.2027Q1: a number of chips is whole, got 100.5 B200 chips",
        "mx-broken.yaml:2: security: unknown security level 'uvue' in regime compact",
        "mx-broken.yaml:3: compute.2027Q3: period '2027Q3' is not one of the portfolio's",
        "mx-broken.yaml:4: concessions.invest-us: 45bn is outside the range",
        "mx-broken.yaml:4: concessions.usmca-control: unknown concession 'usmca-control'",
    ):
        assert line in said, said
    # A required field missing: nothing more can be read, the shape errors alone.
    package.write_text("partner: MX\ncompute: {2026Q3: 26k}\n", "utf-8")
    lacking = run("evaluate", package, "--portfolio", portfolio).stderr
    assert "security: missing required field" in lacking and "expected a number" in lacking
