"""`dealbench render`, `dealbench redline` and `solve --render`: files, messages, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import Runner

PACKAGE = """\
partner: AA
security: kyc
compute: {2026: 40_000}
concessions: {invest: large, no-prc: true}
date: 2026-02-01
"""
COUNTER = """\
partner: AA
security: kyc
compute: {2026: 50_000}
concessions: {invest: small}
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    path = tmp_path / "offer.yaml"
    path.write_text(PACKAGE)
    return path


def test_solve_render_writes_term_sheets_and_the_portfolio_memo(
    run: Runner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    r = run("solve", tiny, "--out", out, "--render", "md,html", "--date", "2026-03-01")
    assert r.exit_code == 0, r.output + r.traceback
    for name in (
        "term-sheets/AA.md",
        "term-sheets/AA.html",
        "memos/portfolio-tiny.md",
        "memos/portfolio-tiny.html",
        "memos/charts/portfolio-tiny-allocation.svg",
    ):
        assert (out / name).is_file(), name
    assert "1 March 2026" in (out / "term-sheets/AA.md").read_text()
    result = json.loads((out / "result.json").read_text())
    assert (out / result["portfolio_file"]).resolve() == tiny.resolve()


def test_render_a_result_finds_its_portfolio(run: Runner, tiny: Path, tmp_path: Path) -> None:
    assert run("solve", tiny, "--out", tmp_path / "solve").exit_code == 0
    out = tmp_path / "docs"
    r = run(
        "render",
        tmp_path / "solve" / "result.json",
        "--audience",
        "internal",
        "--format",
        "md,docx",
        "--out",
        out,
    )
    assert r.exit_code == 0, r.output + r.traceback
    assert r.stdout.split() == [
        str(out / "term-sheets/AA-internal.md"),
        str(out / "term-sheets/AA-internal.docx"),
    ]
    assert "Annex (internal): valuation" in (out / "term-sheets/AA-internal.md").read_text()


GULF = Path(__file__).resolve().parents[1] / "deals/portfolios/gulf-asia.yaml"


def test_render_a_result_keeps_the_regime_it_was_solved_under(run: Runner, tmp_path: Path) -> None:
    """`solve --policy tiered --out`, then `render`: the packages are checked under the
    tiered regime they were solved under, not the portfolio file's own (bilateral)."""
    assert run("solve", GULF, "--policy", "tiered", "--out", tmp_path / "solve").exit_code == 0
    out = tmp_path / "docs"
    r = run("render", tmp_path / "solve/result.json", "--doc", "portfolio-memo", "--out", out)
    assert r.exit_code == 0, r.output + r.traceback
    memo = (out / "memos/portfolio-gulf-asia.md").read_text()
    assert "under the tiered regime" in memo and "bilateral" not in memo.lower()
    assert "warning" not in r.stderr


#: Overrides of every kind a user types: money, a list (a concave valuation), `none` (the
#: portfolio's risk budget unset), a number with separators and a share.
SETS = (
    "partners.AE.batna=12bn",
    "partners.AE.value_per_h100e=[{upto: 300_000, value: 45k}, {upto: 1_250_000, value: 20k}]",
    "portfolio.risk_budget=none",
    "portfolio.supply.2027=1_300_000",
    "partners.SA.diversion_risk=25%",
)


def test_render_a_result_solved_with_set_applies_its_overrides_again(
    run: Runner, tmp_path: Path
) -> None:
    """`solve --set ... --out` kept no overrides in result.json, so a later `render` checked
    the packages against the files as they are (other figures, and a warning) and its
    documents named no override. result.json records them, in order, as text that applies
    them again exactly; `render` applies them with the same `apply_overrides`, and its
    documents are the solve's own, byte for byte."""
    sets = [arg for item in SETS for arg in ("--set", item)]
    out = tmp_path / "solve"
    date = ("--date", "2026-03-01")
    solved = run("solve", GULF, *sets, "--out", out, "--render", "md,html", *date)
    assert solved.exit_code == 0, solved.output + solved.traceback
    recorded = json.loads((out / "result.json").read_text())["overrides"]
    assert recorded == [
        "partners.AE.batna=12bn",
        "partners.AE.value_per_h100e=[{upto: 300000, value: 45k}, {upto: 1250000, value: 20k}]",
        "portfolio.risk_budget=none",
        "portfolio.supply.2027=1300000",
        "partners.SA.diversion_risk=25%",
    ]
    later = tmp_path / "later"
    memo = run("render", out / "result.json", "--doc", "portfolio-memo", "--format", "md,html",
               "--out", later)  # fmt: skip
    sheets = run("render", out / "result.json", "--format", "md,html", "--out", later)
    for r in (memo, sheets):
        assert r.exit_code == 0, r.output + r.traceback
        assert r.stderr == ""
    names = sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".md", ".html", ".svg")
    )
    assert "memos/portfolio-gulf-asia.md" in names and "term-sheets/AE.md" in names
    for name in names:
        assert (later / name).read_bytes() == (out / name).read_bytes(), name
    said = "Figures changed from the data files for this document: `partners.AE.batna=12bn`"
    assert said in (later / "memos/portfolio-gulf-asia.md").read_text()


@pytest.mark.parametrize("regime", [None, "tiered"])
def test_render_a_result_that_renamed_its_policy(
    run: Runner, tmp_path: Path, regime: str | None
) -> None:
    """`solve --set policy.id=strict --out` records the regime as 'strict', an id no policy
    file has: `render` refused the result ("solved under the regime 'strict', which is not
    ... nor a regime found beside it"). The regime is the one that, with the result's
    overrides, gives its inputs: the portfolio's own, or one beside it."""
    out = tmp_path / "solve"
    policy = ["--policy", regime] if regime else []
    solved = run("solve", GULF, *policy, "--set", "policy.id=strict", "--out", out,
                 "--render", "md", "--date", "2026-03-01")  # fmt: skip
    assert solved.exit_code == 0, solved.output + solved.traceback
    later = tmp_path / "later"
    again = run("render", out / "result.json", "--out", later)
    assert again.exit_code == 0, again.output + again.traceback
    assert again.stderr == ""
    sheets = sorted(p.name for p in (out / "term-sheets").iterdir())
    assert sheets
    for name in sheets:
        assert (later / "term-sheets" / name).read_bytes() == (
            out / "term-sheets" / name
        ).read_bytes(), name


def test_compares_results_carry_the_overrides_and_render_applies_them(
    run: Runner, tmp_path: Path
) -> None:
    """`compare --set ... --out` writes each regime's result.json: each records the
    overrides, and `render` of one checks its packages under its regime and them."""
    out = tmp_path / "compare"
    r = run("compare", GULF, "--regimes", "tiered,bilateral", "--set", SETS[0], "--out", out)
    assert r.exit_code == 0, r.output + r.traceback
    for regime in ("tiered", "bilateral"):
        result = json.loads((out / regime / "result.json").read_text())
        assert result["overrides"] == [SETS[0]], regime
    docs = tmp_path / "docs"
    r = run("render", out / "tiered/result.json", "--doc", "portfolio-memo", "--out", docs)
    assert r.exit_code == 0, r.output + r.traceback
    assert r.stderr == ""
    memo = (docs / "memos/portfolio-gulf-asia.md").read_text()
    assert "under the tiered regime" in memo and f"`{SETS[0]}`" in memo


def test_render_finds_a_compared_regime_by_its_id_not_its_file_name(
    run: Runner, tmp_path: Path
) -> None:
    """`compare --regimes my-tiers` names a policy file; its result records the policy's
    id (`mytiers`). `render` of that result finds the policy by the id it records: it
    was refused, "not a regime found beside it", though the file sat beside the others."""
    deals = tmp_path / "deals"
    shutil.copytree(GULF.parents[1], deals, ignore=shutil.ignore_patterns("rounds"))
    tiers = (deals / "policy/tiered.yaml").read_text()
    assert "\nid: tiered\n" in tiers
    (deals / "policy/my-tiers.yaml").write_text(tiers.replace("\nid: tiered\n", "\nid: mytiers\n"))
    out = tmp_path / "compare"
    portfolio = deals / "portfolios/gulf-asia.yaml"
    r = run("compare", portfolio, "--regimes", "tiered,my-tiers", "--out", out)
    assert r.exit_code == 0, r.output + r.traceback
    memos = {}
    for regime in ("tiered", "mytiers"):
        docs = tmp_path / f"docs-{regime}"
        r = run("render", out / regime / "result.json", "--doc", "portfolio-memo", "--out", docs)
        assert r.exit_code == 0, r.output + r.traceback
        assert r.stderr == ""
        memos[regime] = (docs / "memos/portfolio-gulf-asia.md").read_text()
    assert "under the mytiers regime" in memos["mytiers"]
    ids = re.compile(r"GULF-ASIA-[0-9A-F]{8}|`[0-9a-f]{16}`")  # id, fingerprint: hashes
    same = ids.sub("ID", memos["mytiers"].replace("mytiers", "tiered"))
    assert same == ids.sub("ID", memos["tiered"])


def test_render_a_result_of_other_inputs_says_so(run: Runner, tmp_path: Path) -> None:
    """A result solved from files edited since is checked against the files as they are:
    the user is told its documents do not describe that solve."""
    deals = tmp_path / "deals"
    shutil.copytree(GULF.parents[1], deals, ignore=shutil.ignore_patterns("rounds"))
    portfolio = deals / "portfolios/gulf-asia.yaml"
    assert run("solve", portfolio, "--out", tmp_path / "solve").exit_code == 0
    ae = deals / "partners/ae.yaml"
    ae.write_text(ae.read_text().replace("batna: 8bn ", "batna: 12bn "))
    r = run("render", tmp_path / "solve/result.json", "--out", tmp_path / "docs")
    assert r.exit_code == 0, r.output + r.traceback
    assert "warning: " in r.stderr and "other inputs" in r.stderr
    assert "edited since" in r.stderr
    plain = tmp_path / "plain"
    assert run("solve", GULF, "--out", plain).exit_code == 0
    again = run("render", plain / "result.json", "--out", tmp_path / "docs2")
    assert again.exit_code == 0 and again.stderr == ""


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        (
            "partners.XX.batna=1bn",
            "overrides[1]: partners.XX.batna",
            "no partner 'XX' in portfolio gulf-asia; expected one of:",
        ),
        ("batna", "overrides[1]", "expected PATH=VALUE (e.g. partners.AE.batna=3bn), got 'batna'"),
    ],
)
def test_an_override_of_a_result_that_no_longer_applies_is_refused_at_its_line(
    run: Runner, tmp_path: Path, override: str, field: str, message: str
) -> None:
    """A result's override that the files no longer take (a partner since removed, a
    hand edit) is refused at its line of result.json, exit 2, nothing written."""
    out = tmp_path / "solve"
    assert run("solve", GULF, "--set", SETS[0], "--out", out).exit_code == 0
    path = out / "result.json"
    data = json.loads(path.read_text())
    data["overrides"].append(override)
    text = json.dumps(data, indent=2) + "\n"
    path.write_text(text)
    line = text.splitlines().index(f"    {json.dumps(override)}") + 1
    r = run("render", path, "--out", tmp_path / "docs")
    assert r.exit_code == 2 and not r.traceback, r.output + r.traceback
    assert r.stderr.startswith(f"error: {path}:{line}: {field}: {message}"), r.stderr
    assert not (tmp_path / "docs").exists()


def test_render_a_package_in_every_format_with_its_date(
    run: Runner, tiny: Path, package: Path, tmp_path: Path
) -> None:
    out = tmp_path / "docs"
    r = run(
        "render",
        package,
        "--portfolio",
        tiny,
        "--doc",
        "deal-memo",
        "--format",
        "md,html,docx,pdf",
        "--out",
        out,
    )
    assert r.exit_code == 0, r.output + r.traceback
    assert {p.name for p in (out / "memos").iterdir()} == {
        "AA-offer.md",
        "AA-offer.html",
        "AA-offer.docx",
        "AA-offer.pdf",
        "charts",
    }
    assert "1 February 2026" in (out / "memos/AA-offer.md").read_text()
    assert (out / "memos/AA-offer.pdf").read_bytes().startswith(b"%PDF-")


def test_date_today_is_the_only_way_the_clock_gets_in(
    run: Runner, tiny: Path, package: Path, tmp_path: Path
) -> None:
    r = run("render", package, "--portfolio", tiny, "--date", "today", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    today = dt.date.today()
    assert (
        f"{today.day} {today.strftime('%B')} {today.year}"
        in (tmp_path / "term-sheets/AA-offer.md").read_text()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "1 March"], "error: --date: expected YYYY-MM-DD or today, got '1 March'"),
        (
            ["--format", "md,odt"],
            "error: --format: unknown format 'odt'; expected one or more of: md, html, docx, pdf, json",
        ),
        (
            ["--doc", "memo"],
            "error: --doc: unknown document 'memo'; expected one of: term-sheet, deal-memo, portfolio-memo; did you mean 'deal-memo' or 'portfolio-memo'?",
        ),
        (
            ["--doc", "deal-memo", "--audience", "external"],
            "error: --audience: a deal-memo is an internal document; its audience is internal, "
            "not external",
        ),
        (
            ["--audience", "partner"],
            "error: --audience: expected external or internal, got 'partner'",
        ),
        (["--partner", "ZZ"], "error: --partner: no deal with 'ZZ'; deals: AA"),
    ],
)
def test_render_rejects_bad_options_with_exit_2(
    run: Runner, tiny: Path, package: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    r = run("render", package, "--portfolio", tiny, "--out", tmp_path, *args)
    assert (r.exit_code, r.stderr.strip(), r.traceback) == (2, message, "")


def test_a_package_needs_its_portfolio(run: Runner, package: Path, tmp_path: Path) -> None:
    r = run("render", package, "--out", tmp_path)
    assert r.exit_code == 2
    assert r.stderr.startswith("error: --portfolio: ")
    assert r.stderr.strip().endswith("offer.yaml is a package; give the portfolio it is for")


def test_a_bad_house_template_names_template_and_line(
    run: Runner, tiny: Path, package: Path, tmp_path: Path
) -> None:
    house = tmp_path / "house"
    house.mkdir()
    (house / "term_sheet.md.j2").write_text("# {{ doc.title }}\n\n{{ partner.flag }}\n")
    r = run("render", package, "--portfolio", tiny, "--templates", house, "--out", tmp_path / "o")
    assert (r.exit_code, r.traceback) == (2, "")
    assert r.stderr.strip() == (
        f"error: {house / 'term_sheet.md.j2'}:3: unknown variable "
        "('dict object' has no attribute 'flag')"
    )


def test_render_does_not_clobber_a_file_the_user_wrote(
    run: Runner, tiny: Path, package: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "term-sheets" / "AA-offer.md"
    mine.parent.mkdir()
    mine.write_text("my own notes\n")
    r = run("render", package, "--portfolio", tiny, "--format", "md,html", "--out", tmp_path)
    assert r.exit_code == 2 and "was not written by dealbench" in r.stderr
    assert mine.read_text() == "my own notes\n"
    # all or nothing: the HTML, which could have been written, was not either
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "AA-offer.md",
        "offer.yaml",
    ]


def test_redline_to_a_docx_file_and_to_a_folder(
    run: Runner, tiny: Path, package: Path, tmp_path: Path
) -> None:
    counter = tmp_path / "counter.yaml"
    counter.write_text(COUNTER)
    target = tmp_path / "out" / "changes.docx"
    r = run("redline", package, counter, "--portfolio", tiny, "--out", target)
    assert r.exit_code == 0, r.output + r.traceback
    assert target.read_bytes().startswith(b"PK")
    r = run(
        "redline",
        package,
        counter,
        "--portfolio",
        tiny,
        "--audience",
        "internal",
        "--format",
        "md,html",
        "--out",
        tmp_path / "rl",
    )
    assert r.exit_code == 0, r.output + r.traceback
    md = (tmp_path / "rl" / "redlines" / "redline-AA-offer-to-counter-internal.md").read_text()
    assert "~~40,000~~ **50,000**" in md and "*Moves: US utility" in md
    html = (tmp_path / "rl" / "redlines" / "redline-AA-offer-to-counter-internal.html").read_text()
    assert '<del><span class="sr-only">Deleted: </span>40,000</del>' in html
    assert '<ins><span class="sr-only"> Inserted: </span>50,000</ins>' in html


def test_redline_refuses_packages_of_two_partners(
    run: Runner, tmp_path: Path, shipped: Path
) -> None:
    other = tmp_path / "sa.yaml"
    other.write_text("partner: SA\nsecurity: veu\ncompute: {2026: 1000}\n")
    r = run(
        "redline",
        shipped / "packages/ae-offer.yaml",
        other,
        "--portfolio",
        shipped / "portfolios/gulf-asia.yaml",
        "--out",
        tmp_path,
    )
    assert r.exit_code == 2
    assert "partner: is SA;" in r.stderr and "is for AE" in r.stderr


def test_redline_file_suffix_and_format_must_agree(
    run: Runner, tiny: Path, package: Path, tmp_path: Path
) -> None:
    r = run(
        "redline",
        package,
        package,
        "--portfolio",
        tiny,
        "--format",
        "html",
        "--out",
        tmp_path / "x.docx",
    )
    assert (r.exit_code, r.stderr.strip()) == (
        2,
        "error: --out: x.docx is a .docx file but --format is html",
    )
