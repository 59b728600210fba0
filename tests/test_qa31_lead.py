"""The lead's checks of session 31: the browser totals risk as the terminal does."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from dealbench.units import usd
from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import Runner, job_done, web_client

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


def _deals_with(tmp_path: Path, folder: Path, name: str) -> Path:
    """The shipped deals with a test portfolio `folder`/`name`.yaml beside them (its
    partners and policy files copied in, its paths made relative to portfolios/)."""
    deals = tmp_path / "deals"
    shutil.copytree(ROOT / "deals", deals)
    for part in ("partners", "policy"):
        for f in (folder / part).glob("*.yaml"):
            shutil.copy(f, deals / part / f.name)
    text = (folder / f"{name}.yaml").read_text()
    text = text.replace("policy: policy/", "policy: ../policy/").replace(
        "partners/", "../partners/"
    )
    (deals / "portfolios" / f"{name}.yaml").write_text(text)
    return deals


def _cove_deals(tmp_path: Path) -> Path:
    """The shipped deals with qa30-analyst's cove beside them."""
    return _deals_with(tmp_path, DATA / "qa30analyst", "cove")


def test_the_browser_totals_risk_as_the_terminal_does(run: Runner, tmp_path: Path) -> None:
    """cove under tiered: the deals' risks print 5,917, 2,756 and 4,440 (exactly 13,113.5).
    Every total across deals is the exact one, rounded (qa31-totals): `solve`, `compare`,
    the compare page and the solve page all say 13,114."""
    deals = _cove_deals(tmp_path)
    cove = deals / "portfolios" / "cove.yaml"
    solved = run("solve", cove, "--policy", "tiered")
    assert solved.exit_code == 0, solved.stderr
    assert "Risk (risk-weighted H100e): 13,114 (no budget)" in solved.stdout
    compared = run("compare", cove, "--regimes", "tiered")
    risk_row = next(x for x in compared.stdout.splitlines() if "Risk (weighted H100e)" in x)
    assert "13,114" in risk_row
    with web_client(deals, "t0ken") as client:
        page = client.get("/p/cove/compare?regime=tiered").text
        row = re.search(r'<tr data-regime="tiered">.*?</tr>', page, re.S)
        assert row is not None, page
        cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
        assert cells[-1] == "13,114", cells
        response = client.post(
            "/p/cove/solve",
            data={
                CSRF_FIELD: csrf_for("t0ken"),
                "mode": "us-best",
                "solver": "highs",
                "policy": "tiered",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        job = client.get(job_done(client, response)).text
        assert "risk 13,114 risk-weighted H100e" in job, job


def test_a_sweep_of_one_value_in_several_steps_is_refused_by_its_steps(
    run: Runner, tmp_path: Path
) -> None:
    """`sweep --from 1bn --to 1bn --steps 3` solved the same portfolio three times and drew
    a table of three identical rows without a word (qa31-input2's Left). It is refused as
    one step for two ends is: by --steps, exit 2, before any solve, nothing written."""
    pf = ROOT / "deals" / "portfolios" / "gulf-asia.yaml"
    out = tmp_path / "out"
    said = run(
        "sweep", pf, "--param", "partners.AE.batna", "--from", "1bn", "--to", "1bn",
        "--steps", "3", "--out", out,
    )  # fmt: skip
    assert said.exit_code == 2, said.stdout
    assert "--steps" in said.stderr and "same value" in said.stderr, said.stderr
    assert "Traceback" not in said.stderr and not out.exists()
    one = run("sweep", pf, "--param", "partners.AE.batna", "--from", "1bn", "--to", "1bn",
              "--steps", "1")  # fmt: skip
    assert one.exit_code == 0, one.stderr


def test_the_solve_form_offers_a_policy_file_beside_the_portfolio_as_solve_policy_takes_it(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --policy cove` takes a policy file beside the portfolio by name (and the
    compare page offers it); the solve form offered the four shipped regimes only and
    refused any other (qa31-web2's Left). It now offers every regime `compare` can name,
    and its solve equals the CLI's."""
    deals = _cove_deals(tmp_path)
    solved = run("solve", deals / "portfolios" / "gulf-asia.yaml", "--policy", "cove", "--json")
    assert solved.exit_code == 0, solved.stderr
    with web_client(deals, "t0ken") as client:
        form = client.get("/p/gulf-asia").text
        assert "<option>cove</option>" in form, form
        response = client.post(
            "/p/gulf-asia/solve",
            data={CSRF_FIELD: csrf_for("t0ken"), "mode": "us-best", "policy": "cove"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        job = client.get(job_done(client, response)).text
        us_value = json.loads(solved.stdout)["us_value"]
        assert f'id="objective">{usd(us_value)}</strong>' in job, job
        refused = client.post(
            "/p/gulf-asia/solve",
            data={CSRF_FIELD: csrf_for("t0ken"), "mode": "us-best", "policy": "nope"},
        )
        assert refused.status_code == 422 and "expected one of:" in refused.text


def test_a_solve_in_another_thread_leaves_this_threads_solver_as_it_was() -> None:
    """HiGHS keeps one scheduler per thread, sized by its first run; dealbench tracked one
    for the process. A default solve here, a 1-thread solve in another thread (a web page's
    worker thread: the compare page), then a 1-thread solve here (`sweep` in the same
    process) failed: "HiGHS could not solve the master LP of the decomposition: Not Set".
    Each thread's scheduler is now tracked as its own."""
    import threading

    from dealbench.model import load_portfolio
    from dealbench.optimize import solve

    pf = load_portfolio(ROOT / "deals" / "portfolios" / "gulf-asia.yaml")
    first = solve(pf, method="decompose")
    there: list[object] = []
    worker = threading.Thread(target=lambda: there.append(solve(pf, threads=1)))
    worker.start()
    worker.join()
    here = solve(pf, threads=1, method="decompose")
    assert here.us_value == first.us_value
    assert [getattr(r, "us_value", None) for r in there] == [first.us_value]


def test_the_rooms_page_says_when_our_open_offers_take_more_than_is_left(
    run: Runner, tmp_path: Path
) -> None:
    """qa31-neg's strait: offers to KE, GH and RW share 2027's 40,000 H100e; MA's counter
    taking 10,000 of it is concluded. `room` says the open offers take 40,000 of the 30,000
    left; the room's page said nothing of it (qa31-neg's Left). It says the same sentence."""
    deals = tmp_path / "deals"
    shutil.copytree(DATA / "qa31neg", deals)
    strait = deals / "portfolios" / "strait.yaml"
    quiet = ["--no-documents"]
    for args in (
        ["offer", strait, "-p", "KE", "--strategy", "boulware"],
        ["offer", strait, "-p", "GH", "--mode", "us-best"],
        ["offer", strait, "-p", "RW", "--strategy", "linear"],
        ["offer", strait, "-p", "MA", "--strategy", "conceder", "--deadline", "3"],
        ["counter", strait, deals / "packages" / "ma-2027.yaml"],
        ["conclude", strait, "-p", "MA", "--round", "2"],
    ):
        done = run(*args, *quiet)
        assert done.exit_code == 0, done.stderr
    said = json.loads(run("room", strait, "--json").stdout)["overcommitted"]
    assert said and said.startswith("Our open offers together take 2027 40,000 H100e")
    with web_client(deals, "t0ken") as client:
        page = client.get("/p/strait/room")
        assert page.status_code == 200, page.text
        found = re.search(r'<p id="overcommitted"[^>]*>(.*?)</p>', page.text, re.S)
        assert found is not None, page.text
        assert " ".join(found.group(1).split()) == said


def test_supply_used_to_the_unit_never_reads_above_the_supply() -> None:
    """qa31-analyst's ridge, its amounts in B200 chips (fractional H100e): 2027's supply of
    272,865 H100e is used to the unit, and `solve` printed "2027 272,866 of 272,865", the
    sum of the deals' amounts as printed, as if over the limit. A figure set beside its
    limit is the exact one, rounded."""
    from helpers import invoke

    said = invoke(["solve", DATA / "qa31analyst" / "ridge.yaml"])
    assert said.exit_code == 0, said.stderr
    line = " ".join(said.stdout.split())
    used = re.findall(r"(\d{4}) ([\d,]+) of ([\d,]+)", line.split("Supply used (H100e):")[1])
    assert used, line
    for _, amount, supply in used:
        assert int(amount.replace(",", "")) <= int(supply.replace(",", "")), line
    assert ("2027", "272,865", "272,865") in used


def test_partner_best_says_what_its_total_counts_beside_the_deals(
    run: Runner, tmp_path: Path
) -> None:
    """qa31-neg's strait in partner-best: "Maximised: the partners' total utility, $7.48bn"
    above rows adding to $6.88bn; the difference is ET's walk-away value (ET has no deal),
    unsaid (qa31-neg's Left). Both shells now say it, in one wording."""
    deals = tmp_path / "deals"
    shutil.copytree(DATA / "qa31neg", deals)
    strait = deals / "portfolios" / "strait.yaml"
    said = run("solve", strait, "--mode", "partner-best")
    assert said.exit_code == 0, said.stderr
    words = "the partners' total utility, $7.48bn (the deals' $6.88bn and ET's walk-away value, $600.0m)"
    assert words in " ".join(said.stdout.split())
    with web_client(deals, "t0ken") as client:
        response = client.post(
            "/p/strait/solve",
            data={CSRF_FIELD: csrf_for("t0ken"), "mode": "partner-best"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        job = client.get(job_done(client, response)).text
        line = re.search(r'<p id="maximised">(.*?)</p>', job, re.S)
        assert line is not None, job
        text = " ".join(re.sub(r"<[^>]+>", "", line.group(1)).split()).replace("&#39;", "'")
        assert "$7.48bn (the deals' $6.88bn and ET's walk-away value, $600.0m)" in text, text


def test_the_allocation_says_its_rounding_once_when_rows_miss_the_supply_both_ways() -> None:
    """The principals memo's allocation: 2027's rows (10,000.6, 10,000.6, 39,998.8 H100e)
    print 60,001 of 60,000 and 2028's (9,186.4, 9,186.4, 41,627.2) 59,999 of 60,000, each
    used in full. The note said "Each amount is rounded to the H100e, ..." twice, once for
    "more" and once for "less" (qa31-analyst's Left). It says it once (Allocated, the exact
    sum rounded, reads the supply: qa31-totals)."""
    from types import SimpleNamespace

    from dealbench.render.portfolio_allocation import allocation

    amounts = [(10_000.6, 9_186.4), (10_000.6, 9_186.4), (39_998.8, 41_627.2)]
    deals = [SimpleNamespace(partner=c, compute={"2027": a, "2028": b})
             for c, (a, b) in zip(("AA", "BB", "CC"), amounts, strict=True)]  # fmt: skip
    checked = SimpleNamespace(
        deals=deals,
        supply={"2027": 60_000.0, "2028": 60_000.0},
        supply_used={"2027": 60_000.0, "2028": 60_000.0},
    )
    source = SimpleNamespace(checked=checked, portfolio=SimpleNamespace(periods=["2027", "2028"]))
    note = allocation(source)["note"]  # type: ignore[arg-type]
    assert note == (
        "Each amount is rounded to the H100e on its own, so the rows add up to 60,001 in "
        "2027 and 59,999 in 2028, where Allocated is their exact sum, rounded; unrounded, "
        "those supplies are allocated in full."
    )


def test_the_options_memo_labels_the_regimes_it_compares_alike_in_every_format(
    run: Runner, tmp_path: Path
) -> None:
    """The options memo's heading block said "Regime: tiered, monopoly, repeal, bilateral
    compared" in Markdown and "Options: ..." in HTML, PDF and DOCX (qa31-analyst's Left).
    Every format now says Options."""
    out = tmp_path / "om"
    done = run(
        "compare",
        ROOT / "deals" / "portfolios" / "gulf-asia.yaml",
        "--out",
        out,
        "--render",
        "md,html",
    )
    assert done.exit_code == 0, done.stderr
    md = (out / "memos" / "options-gulf-asia.md").read_text()
    html = (out / "memos" / "options-gulf-asia.html").read_text()
    assert "| Options | tiered, monopoly, repeal, bilateral compared |" in md
    assert '<th scope="row">Options</th><td>tiered, monopoly, repeal, bilateral compared' in html
    principals = (out / "memos" / "principals-gulf-asia-tiered.md").read_text()
    assert "| Regime |" in principals  # a memo of one regime keeps its label


def test_a_regime_at_zero_risk_is_drawn_whole_on_the_value_risk_chart() -> None:
    """The options memo's value-against-risk chart set its risk axis from 0: monopoly
    (nothing exported, risk 0) was drawn half hidden by the axis (qa31-fresh's Left). The
    axis now starts left of 0 by what its markers need; its ticks stay at 0 and above."""
    import math

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from dealbench.render import charts

    fig = Figure(figsize=(charts.WIDTH_IN, charts.HEIGHT_IN), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    points = [
        {"label": "monopoly", "risk": 0.0, "value_bn": -20.0, "h100e": 0.0},
        {"label": "tiered", "risk": 159_503.0, "value_bn": 74.4, "h100e": 700_000.0},
        {"label": "repeal", "risk": 161_303.0, "value_bn": 174.0, "h100e": 1_000_000.0},
    ]
    charts.draw_value_risk(ax, {"points": points})
    fig.canvas.draw()
    frame = ax.get_window_extent()
    x, _ = ax.transData.transform((0.0, -20.0))
    radius = math.sqrt(30) / 2 * fig.dpi / 72  # the smallest marker's
    assert x - radius >= frame.x0 - 0.5, (x, radius, frame.x0)
    assert min(ax.get_xticks()) == 0


def test_the_solve_page_says_the_supply_used_as_solve_does(run: Runner, tmp_path: Path) -> None:
    """`solve` says each period's supply used against the supply, and what its table's
    columns add up to as printed; the web's solve page said neither (qa31-totals' Left),
    so a reader there could not set the deals against the supply. It says both, in
    `solve`'s words (`result_words.supply_line`, `rows_words`)."""
    deals = _deals_with(tmp_path, DATA / "qa31analyst", "ridge")
    said = " ".join(run("solve", deals / "portfolios" / "ridge.yaml").stdout.split())
    supply = re.search(r"Supply used \(H100e\): .*?(?= Risk \()", said)
    rows = re.search(r"Each total is the exact sum, rounded; .*?\.(?= Binding)", said)
    assert supply is not None and rows is not None, said
    with web_client(deals, "t0ken") as client:
        response = client.post(
            "/p/ridge/solve",
            data={CSRF_FIELD: csrf_for("t0ken"), "mode": "us-best"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        job = client.get(job_done(client, response)).text
    page = {
        key: " ".join(m.group(1).split())
        for key in ("supply", "rows-note")
        if (m := re.search(rf'<p id="{key}"[^>]*>(.*?)</p>', job, re.S))
    }
    assert page == {"supply": supply.group(0), "rows-note": rows.group(0)}, (page, said)
