"""Helpers shared by the tests: data folders and an in-process CLI runner.

A plain module (not conftest.py), so that tests import it by a name no other
conftest.py can shadow.
"""

from __future__ import annotations

import re
import shutil
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from dealbench.cli import app

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[1]

#: A portfolio of one partner (SG, asking 80,000 H100e in 2026) in one year.
SOLO = """id: solo
title: One partner, one year
policy: ../policy/bilateral.yaml
periods: [2026]
supply: {2026: 400_000}
partners: [../partners/sg.yaml]
"""


def solo_deals(folder: Path, *, rounds: bool = True) -> Path:
    """A copy of the shipped deals/ at `folder` with the `solo` portfolio added (without
    the shipped rounds unless `rounds`)."""
    ignore = None if rounds else shutil.ignore_patterns("rounds")
    shutil.copytree(REPO / "deals", folder, ignore=ignore)
    sg = (REPO / "deals/partners/sg.yaml").read_text()
    sg = re.sub(r"ask:.*?\n(?:  .*\n)+", "ask: {2026: 80_000}\n", sg)
    (folder / "partners" / "sg.yaml").write_text(sg)
    (folder / "portfolios" / "solo.yaml").write_text(SOLO)
    return folder


def words(html: str) -> str:
    """A page's text as a reader sees it: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def recorded(text: str) -> str:
    """A round file as recorded, less its opening comment (its seal, and what recorded it:
    "`dealbench offer`" from the CLI, the web workbench from the web): what the CLI and the
    web record alike."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "".join(lines[start:])


@dataclass(frozen=True)
class Run:
    """What one CLI invocation did: its exit code and its two output streams."""

    exit_code: int
    stdout: str
    stderr: str
    #: The traceback of an exception that escaped the command (a bug), else "".
    traceback: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


Runner = Callable[..., Run]


def invoke(args: Sequence[str | Path]) -> Run:
    """Run `dealbench ARGS...` in-process, as a user's shell would."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    tb = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        tb = "".join(traceback.format_exception(*result.exc_info))
    return Run(result.exit_code, result.stdout, result.stderr, tb)


#: The token of the web test clients that need no other (`client` in conftest.py).
WEB_TOKEN = "web-test-token"


@contextmanager
def web_client(deals: Path, token: str, **options: object) -> Iterator[Any]:
    """A test client of the web workbench serving `deals`, sending `token` with every
    request; its job runner is shut down after."""
    from starlette.testclient import TestClient

    from dealbench.web import create_app

    app = create_app(deals, token, **options)  # type: ignore[arg-type]
    with TestClient(app, headers={"X-Dealbench-Token": token}) as client:
        yield client
    app.state.jobs.shutdown()


def job_done(client: Any, response: Any, seconds: float = 120) -> str:
    """The job URL a solve form's answer (a redirect) names, once the job has ended."""
    url = str(response.headers["location"]).removeprefix("http://testserver")
    deadline = time.monotonic() + seconds
    while client.get(f"{url}/state").json()["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return url


def reference_packages(result: Any) -> dict[str, dict[str, object]]:
    """A result's deals as the independent reference (tests/qa7_reference.py) reads
    packages: security, compute and concessions by partner."""
    return {
        d.partner: {
            "security": d.security,
            "compute": dict(d.compute),
            "concessions": dict(d.concessions),
        }
        for d in result.deals
    }


def rounds_of_the_next_solves(
    monkeypatch: Any,
    *,
    sets_per_partner: int,
    widen_top: int | None = None,
    widen_ratio: float | None = None,
) -> list[str]:
    """The names of the restricted-MIP rounds the decomposition runs from now on,
    with `sets_per_partner` sets per partner in its first round (and `widen_top`,
    `widen_ratio`: `rounds.WIDEN_TOP`, `rounds.WIDEN_RATIO`)."""
    from dealbench.optimize.decomposition import rounds as decompose

    monkeypatch.setattr(decompose, "MIP_SETS_PER_PARTNER", sets_per_partner)
    if widen_top is not None:
        monkeypatch.setattr(decompose, "WIDEN_TOP", widen_top)
    if widen_ratio is not None:
        monkeypatch.setattr(decompose, "WIDEN_RATIO", widen_ratio)
    rounds: list[str] = []
    real = decompose._record

    def record(*args: object) -> None:
        rounds.append(str(args[1]))
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(decompose, "_record", record)
    return rounds


def continuous(pf: Any) -> Any:
    """`pf` (a Portfolio) with amounts as solved (no rounding to a grid), so optima compare
    exactly."""
    from dealbench.model.granularity import Granularity

    return pf.model_copy(update={"own_granularity": Granularity(h100e=0)})


def deals_copy(tmp_path: Path) -> Path:
    """A copy of the shipped deals/ to break or write into."""
    return Path(shutil.copytree(REPO / "deals", tmp_path / "deals"))


def compare_two_regimes(run: Runner, tiny: Path, folder: Path) -> Path:
    """`compare tiny --render md` under its policy and a copy of it with id tiny2, into
    `folder`/o (the two regimes give the options memo and a principals memo each)."""
    other = folder / "p2.yaml"
    other.write_text((tiny.parent / "policy.yaml").read_text().replace("id: tiny", "id: tiny2"))
    policies = f"{tiny.parent / 'policy.yaml'},{other}"
    out = folder / "o"
    done = run("compare", tiny, "--regimes", policies, "-j", "1", "--out", out, "--render", "md")
    assert done.exit_code == 0, done.output + done.traceback
    return out


def edit_first_line(deals: Path, name: str, old: str, new: str) -> int:
    """Replace the first line matching `old` (a regex) in deals/`name`; its line number."""
    path = deals / name
    text = path.read_text("utf-8")
    found = re.search(old, text, flags=re.M)
    assert found, (name, old)
    path.write_text(text[: found.start()] + new + text[found.end() :], "utf-8")
    return text[: found.start()].count("\n") + 1


def validate_refuses(run: Runner, deals: Path, name: str, old: str, new: str) -> tuple[str, str]:
    """deals/`name` with its first line matching `old` made `new`, refused by `validate`
    (exit 2, no traceback): the message's start (`name:line: `) and the command's stderr."""
    line = edit_first_line(deals, name, old, new)
    done = run("validate", deals / name)
    assert done.traceback == ""
    assert done.exit_code == 2, done.output
    return f"{name}:{line}: ", done.stderr


def csrf() -> dict[str, str]:
    """The form field a web test client's POST carries (WEB_TOKEN's CSRF token)."""
    from dealbench.web.security import CSRF_FIELD, csrf_for

    return {CSRF_FIELD: csrf_for(WEB_TOKEN)}


#: QA's counter to gulf-asia's offers, as a partner's file.
QA_COUNTER = b"""partner: QA
security: veu
compute: {2026: 100_000, 2027: 100_000, 2028: 150_000}
concessions: {invest-us: 100bn, pax-silica: true, us-operated: true, no-prc-hardware: true}
"""


def send_qa_counter(client: Any, fields: dict[str, str]) -> Any:
    """QA's counter sent by gulf-asia's negotiation page's form, with `fields`."""
    from dealbench.web.security import CSRF_FIELD, csrf_for

    page = client.get("/p/gulf-asia/n/QA").text
    expect = re.search(r'name="expect" value="(\d+)"', page)
    assert expect is not None
    form = {CSRF_FIELD: csrf_for(WEB_TOKEN), "expect": expect[1], "date": "2026-12-05", **fields}
    files = {"file": ("qa-counter.yaml", QA_COUNTER, "application/x-yaml")}
    return client.post("/p/gulf-asia/n/QA/counter", data=form, files=files)


def written(files: dict[str, Any], where: Path) -> Path:
    """A generated portfolio's files (name -> data) written as YAML under `where`; the
    portfolio file's path."""
    import yaml

    where.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (where / name).write_text(yaml.safe_dump(data, sort_keys=False))
    return where / "portfolio.yaml"


def quick(n: int) -> Any:
    """Hypothesis settings for a derandomized property test of `n` examples (a few
    seconds), each example allowed as long as its solves take."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def drawn_concession(
    draw: Any,
    j: int,
    kind: str,
    money: float,
    first: int,
    rise: int,
    secure: Sequence[str] = ("kyc", "veu"),
) -> Any:
    """The `j`-th concession of a generated partner, drawn by hypothesis's `draw`: a yes/no
    term ("yes") or two levels ("levels"; "range" and "step" make them an amount in USD
    between them, or in steps of USD 10bn), its figures in units of `money` (the first up
    to `first` units, the second level up to `rise` more), and maybe requiring or excluding
    the one before, or a security level of `secure` (one level draws nothing)."""
    from hypothesis import strategies as st

    us, cost = draw(st.integers(1, first)) * money, draw(st.integers(1, first)) * money
    c: dict[str, Any] = {"id": f"c{j}", "title": f"C{j}", "category": "other"}
    if kind == "yes":
        c.update(us_value=us, partner_cost=cost)
    else:
        c["levels"] = [
            {"id": "a", "title": "A", "us_value": us, "partner_cost": cost},
            {
                "id": "b",
                "title": "B",
                "us_value": us + draw(st.integers(1, rise)) * money,
                "partner_cost": cost + draw(st.integers(1, rise)) * money,
            },
        ]
        if kind != "levels":
            c["amount"] = (
                {"unit": "USD", "min": 0} if kind == "range" else {"unit": "USD", "step": 10e9}
            )
            c["levels"][0].update(id="20bn", amount=20e9)
            c["levels"][1].update(id="60bn", amount=60e9)
    if j and draw(st.booleans()):
        c[draw(st.sampled_from(["requires", "excludes"]))] = [f"c{j - 1}"]
    elif draw(st.booleans()):
        c["requires"] = [{"security": draw(st.sampled_from(list(secure)))}]
    return c


@dataclass(frozen=True)
class Drawn:
    """The shape of a tiny continuous portfolio `drawn_files` draws: three security levels
    (`weakest`, kyc, veu), the choices each figure is drawn from, and how a partner's
    concession kinds are drawn (`kinds`, given hypothesis's `draw`)."""

    weakest: str
    veu_mitigations: tuple[float, ...]
    margins: tuple[float, ...]
    periods: tuple[tuple[int | str, ...], ...]
    us_batnas: tuple[float, ...]
    kinds: Callable[[Any], list[str]]
    money: float = 50e6


def drawn_files(draw: Any, shape: Drawn, most: int) -> dict[str, Any]:
    """Files of a tiny continuous portfolio of 2 to `most` partners (YAML-ready dicts, by
    file name), drawn by hypothesis's `draw` in `shape`."""
    from hypothesis import strategies as st

    nums, step = st.integers, shape.money
    policy = {
        "id": "gen",
        "title": "Generated",
        "security_levels": [
            {"id": shape.weakest, "title": shape.weakest.title(), "mitigation": 0.0},
            {"id": "kyc", "title": "KYC", "mitigation": draw(st.sampled_from([0.3, 0.5]))},
            {
                "id": "veu",
                "title": "VEU",
                "mitigation": draw(st.sampled_from(shape.veu_mitigations)),
            },
        ],
        "caps": {
            "tier1": {},
            "tier2": {
                shape.weakest: draw(nums(0, 3)) * 5_000,
                "kyc": draw(nums(3, 6)) * 5_000,
                "veu": draw(nums(6, 12)) * 5_000,
            },
            "tier3": 0,
        },
        "export_value_per_h100e": draw(nums(2, 12)) * 1_000,
        "risk_penalty_per_h100e": draw(nums(10, 150)) * 1_000,
        "acceptance_margin": draw(st.sampled_from(shape.margins)),
    }
    periods = list(draw(st.sampled_from(shape.periods)))
    partners = []
    for i in range(draw(nums(2, most))):
        code = "P" + "ABCD"[i]
        kinds = shape.kinds(draw)
        concessions = [
            drawn_concession(draw, j, kind, step, 30, 20) for j, kind in enumerate(kinds)
        ]
        segments = sorted({draw(nums(1, 8)) * 5_000 for _ in range(draw(nums(1, 2)))})
        values = sorted((draw(nums(5, 60)) * 1_000 for _ in segments), reverse=True)
        security = {shape.weakest: 0, "kyc": draw(nums(0, 6)) * step}
        if draw(st.booleans()):
            security["veu"] = security["kyc"] + draw(nums(0, 10)) * step
        partners.append(
            {
                "code": code,
                "name": f"Partner {code}",
                "tier": draw(st.sampled_from([1, 2, 2, 3])),
                "diversion_risk": draw(st.sampled_from([0.02, 0.05, 0.2, 0.5])),
                "ask": {t: draw(nums(0 if k else 1, 8)) * 5_000 for k, t in enumerate(periods)},
                "value_per_h100e": [
                    {"upto": s, "value": v} for s, v in zip(segments, values, strict=True)
                ],
                "batna": draw(nums(-10, 12)) * step,
                "us_batna": draw(st.sampled_from(shape.us_batnas)),
                "security_costs": security,
                "concessions": concessions,
            }
        )
    portfolio: dict[str, Any] = {
        "id": "gen",
        "title": "Generated",
        "policy": "policy.yaml",
        "periods": periods,
        "supply": {t: draw(nums(2, 12)) * 5_000 for t in periods},
        "partners": [f"{p['code'].lower()}.yaml" for p in partners],
        "granularity": 0,
    }
    portfolio["risk_budget"] = draw(nums(1, 20)) * 200
    if partners[0]["tier"] != 3 and draw(st.booleans()):  # a deal-by-deal cap
        portfolio["caps"] = {partners[0]["code"]: {"kyc": draw(nums(1, 6)) * 2_500}}
    return {
        "policy.yaml": policy,
        "portfolio.yaml": portfolio,
        **{f"{p['code'].lower()}.yaml": p for p in partners},
    }


@contextmanager
def phone_screen(
    driver: Any, width: int = 390, height: int = 844, *, mobile: bool = True
) -> Iterator[Any]:
    """Chromium (`driver`) lays pages out as on a phone `width` px wide (a window cannot be
    made that narrow) until the block ends."""
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        yield driver
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def drawn_step_partner(
    draw: Any,
    code: str,
    periods: Sequence[Any],
    step: float,
    most: int,
    concessions: list[dict[str, Any]],
    batna: tuple[int, int],
    money: float,
) -> dict[str, Any]:
    """A generated partner of a tiny portfolio in whole steps of `step` H100e (its ask at
    most `most` steps a period, maybe a little off the grid), drawn by hypothesis's `draw`:
    `concessions` as given, its walk-away value `batna` units of `money`."""
    from hypothesis import strategies as st

    nums = st.integers
    top = max(1, most) * step
    segments = sorted({round(draw(st.floats(0.2, 1.0)) * top) + 1 for _ in range(draw(nums(1, 2)))})
    values = sorted((draw(nums(5, 60)) * 1_000 for _ in segments), reverse=True)
    security = {"open": 0, "kyc": draw(nums(0, 4)) * money}
    if draw(st.booleans()):
        security["veu"] = security["kyc"] + draw(nums(0, 4)) * money
    ask = {
        t: round(draw(nums(0 if k else 1, most)) * step) + draw(st.sampled_from([0, 0, 137, 499]))
        for k, t in enumerate(periods)
    }
    return {
        "code": code,
        "name": f"Partner {code}",
        "tier": draw(st.sampled_from([1, 2, 2, 2, 3])),
        "diversion_risk": draw(st.sampled_from([0.02, 0.05, 0.2, 0.5])),
        "ask": ask,
        "value_per_h100e": [{"upto": s, "value": v} for s, v in zip(segments, values, strict=True)],
        "batna": draw(nums(*batna)) * money,
        "us_batna": draw(st.sampled_from([0, 0, 0, -100e6, 200e6])),
        "security_costs": security,
        "concessions": concessions,
    }


def drawn_step_files(
    draw: Any,
    policy: dict[str, Any],
    periods: Sequence[Any],
    partners: list[dict[str, Any]],
    raw: Any,
    step: float,
    most: int,
    levels: Sequence[str],
) -> dict[str, Any]:
    """The files (YAML-ready dicts) of a tiny generated portfolio of `partners` in whole
    steps (`raw`: its granularity as written): supply a share of the asks, maybe a little
    off the grid, maybe a risk budget and a deal-by-deal cap of the first partner's."""
    from hypothesis import strategies as st

    nums = st.integers
    asks = [sum(p["ask"][t] for p in partners) for t in periods]
    portfolio: dict[str, Any] = {
        "id": "gen",
        "title": "Generated",
        "policy": "policy.yaml",
        "periods": list(periods),
        "supply": {
            t: round(a * draw(st.sampled_from([0.3, 0.5, 0.7, 1.0])))
            + draw(st.sampled_from([0, 0, 1, 333]))
            for t, a in zip(periods, asks, strict=True)
        },
        "partners": [f"{p['code'].lower()}.yaml" for p in partners],
        "granularity": raw,
    }
    if draw(st.booleans()):
        portfolio["risk_budget"] = draw(nums(1, 40)) * 50
    if partners[0]["tier"] != 3 and draw(st.booleans()):  # a deal-by-deal cap, per period
        own = round(draw(nums(1, most)) * step) + draw(st.sampled_from([0, 137]))
        portfolio["caps"] = {partners[0]["code"]: {draw(st.sampled_from(levels)): own}}
    return {
        "policy.yaml": policy,
        "portfolio.yaml": portfolio,
        **{f"{p['code'].lower()}.yaml": p for p in partners},
    }


def drawn_step_policy(
    draw: Any,
    levels: Sequence[str],
    tier2_cap: Callable[[], float],
    penalty_most: int,
    money: float,
) -> dict[str, Any]:
    """The policy of a tiny generated portfolio in whole steps: three security levels,
    tier 2 capped per level by `tier2_cap()` (drawn in its place, so the draws keep their
    order), tier 3 barred, a risk penalty of 5-`penalty_most` thousand USD per H100e."""
    from hypothesis import strategies as st

    nums = st.integers
    return {
        "id": "gen",
        "title": "Generated",
        "security_levels": [
            {"id": "open", "title": "Open", "mitigation": 0.0},
            {"id": "kyc", "title": "KYC", "mitigation": draw(st.sampled_from([0.3, 0.5]))},
            {"id": "veu", "title": "VEU", "mitigation": draw(st.sampled_from([0.8, 0.95]))},
        ],
        "caps": {"tier1": {}, "tier2": {lv: tier2_cap() for lv in levels}, "tier3": 0},
        "export_value_per_h100e": draw(nums(2, 12)) * 1_000,
        "risk_penalty_per_h100e": draw(nums(5, penalty_most)) * 1_000,
        "acceptance_margin": draw(st.sampled_from([0, 0, money])),
    }


def md_and_html(out: Path, stem: str) -> tuple[str, str]:
    """A document's Markdown and its HTML unescaped (`out/STEM.md`, `out/STEM.html`)."""
    from html import unescape

    md = (out / f"{stem}.md").read_text("utf-8")
    return md, unescape((out / f"{stem}.html").read_text("utf-8"))


def help_examples(command: str) -> list[str]:
    """The examples `dealbench COMMAND --help` prints, each as a shell reads it: a long one
    is folded into lines ending in ` \\` (`cli.help.fold_example`), joined here."""
    shown = invoke([command, "--help"]).stdout.replace(" \\\n", " ")
    return [" ".join(line.split()[1:]) for line in shown.splitlines() if "$ dealbench" in line]


#: In a browser, the options of the selects `arguments[0]` that read cut when chosen: each is
#: chosen in turn, its words laid out in the room its select gives them (less its arrow), and
#: the select's height compared (a select that cuts its chosen option shows one line whatever
#: the words need; one that wraps them, app.css's, is as tall as they need; it is as wide as
#: the option chosen, so each is measured chosen).
CHOSEN_CUT = """
const cut = [];
for (const s of document.querySelectorAll(arguments[0])) {
  const st = getComputedStyle(s), icon = getComputedStyle(s, '::picker-icon');
  const arrow = (parseFloat(icon.width) || 20) + (parseFloat(st.columnGap) || 0);
  const text = document.createElement('div');
  Object.assign(text.style, {position: 'absolute', visibility: 'hidden', font: st.font,
    lineHeight: st.lineHeight, whiteSpace: 'normal'});
  document.body.append(text);
  const chosen = s.selectedIndex;
  for (let i = 0; i < s.options.length; i++) {
    s.selectedIndex = i; text.textContent = s.options[i].text;
    const width = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - arrow;
    text.style.width = (width + 1) + 'px';
    const room = s.clientHeight - parseFloat(st.paddingTop) - parseFloat(st.paddingBottom);
    if (text.offsetHeight > room + 1) cut.push([s.id, s.options[i].text]);
  }
  s.selectedIndex = chosen; text.remove();
}
return cut;
"""


def frontier_files_are_the_clis(client: Any, html: str, base: str, stem: str, out: Path) -> None:
    """The frontier page `html` links its JSON, SVG and PNG under `base`, each saved as
    `stem.EXT`, and each download is what `dealbench frontier --out` wrote to `out` (the
    JSON's points and keys: the seconds it took differ from run to run)."""
    import json

    for ext in ("json", "svg", "png"):
        saved = f"{stem}.{ext}"
        assert f'<a href="{base}/frontier-AE.{ext}" download="{saved}">{saved}</a>' in html
        answer = client.get(f"{base}/frontier-AE.{ext}")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == f'attachment; filename="{saved}"'
        cli = (out / f"frontier-AE.{ext}").read_bytes()
        if ext == "json":
            web_json, cli_json = json.loads(answer.content), json.loads(cli)
            assert web_json["points"] == cli_json["points"]
            assert web_json.keys() == cli_json.keys()
        else:
            assert answer.content == cli
