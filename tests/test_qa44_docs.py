"""The documents a principal reads and a negotiator signs, session 44 (qa44-docs): portfolios
of odd shapes (periods as quarters, a partner whose name starts with "The", a formal name
in "Principality of ...", every partner walked away, a security level without a clause).
Each sentence says only what is true of its numbers. Each test failed before its fix
(docs/decisions.md, Session 44 (qa44-docs))."""

from __future__ import annotations

from pathlib import Path

from helpers import Runner, md_and_html

THE_NAME = "The Federated States of Micronesia"
FORMAL = "Principality of Zenda and Associated Territories"

POLICY = """id: plain
title: Plain levels
security_levels:
  - {id: baseline, title: Standard licence conditions, mitigation: 0.0}
  - {id: kyc, title: Know-your-customer screening, mitigation: 0.5}
  - id: veu
    title: Validated end users
    mitigation: 0.9
    clause: All delivered compute is installed in data centres approved as validated end users.
caps:
  tier1: {}
  tier2: {baseline: 10_000, kyc: 40_000, veu: 200_000}
  tier3: 0
export_value_per_h100e: 8k
risk_penalty_per_h100e: 120k
acceptance_margin: 50m
risk_budget: 250_000
"""

QUARTERS = "{2027Q1: 5_000, 2027Q2: 5_000, 2027Q3: 5_000, 2027Q4: 5_000}"

FM = f"""code: FM
name: {THE_NAME}
tier: 2
diversion_risk: 0.2
ask: {QUARTERS}
value_per_h100e: 30k
batna: 100m
us_batna: -50m
security_costs: {{baseline: 0, kyc: 20m}}
concessions:
  - id: invest-us
    title: Investment in the United States
    category: investment
    amount: {{unit: USD, min: 0, step: 5bn}}
    levels:
      - {{id: 10bn, title: USD 10bn over the term, amount: 10bn, us_value: 500m, partner_cost: 300m}}
      - {{id: 40bn, title: USD 40bn over the term, amount: 40bn, us_value: 2bn, partner_cost: 1.2bn}}
    clause: >-
      {{{{ partner | in_text(start=True) }}}} will invest {{{{ level.title }}}}; for the
      avoidance of doubt {{{{ partner | in_text }}}} keeps its rights.
"""

PZ = f"""code: PZ
name: {FORMAL}
tier: 2
diversion_risk: 0.3
ask: {QUARTERS}
value_per_h100e: 40k
batna: 100m
security_costs: {{baseline: 0, kyc: 50m}}
concessions:
  - id: buy
    title: Purchase of US-made networking equipment
    category: purchase
    us_value: 400m
    partner_cost: 200m
    clause: >-
      {{{{ partner | in_text(start=True) }}}} will buy networking equipment made in the
      United States; the equipment stays in {{{{ partner | in_text }}}}.
"""


def _quarters(folder: Path) -> Path:
    """A portfolio of the four quarters of 2027 with FM (a name written with its article)
    and PZ (a formal name in "Principality of"). Its file."""
    (folder / "partners").mkdir(parents=True)
    (folder / "policy").mkdir()
    (folder / "policy/plain.yaml").write_text(POLICY, "utf-8")
    (folder / "partners/fm.yaml").write_text(FM, "utf-8")
    (folder / "partners/pz.yaml").write_text(PZ, "utf-8")
    supply = "{2027Q1: 100_000, 2027Q2: 100_000, 2027Q3: 100_000, 2027Q4: 100_000}"
    path = folder / "quarters.yaml"
    path.write_text(
        "id: quarters\ntitle: Quarters\npolicy: policy/plain.yaml\n"
        f"periods: [2027Q1, 2027Q2, 2027Q3, 2027Q4]\nsupply: {supply}\n"
        "partners: [partners/fm.yaml, partners/pz.yaml]\n",
        "utf-8",
    )
    return path


def test_a_name_written_with_its_article_says_it_in_lower_case_inside_a_sentence(
    run: Runner, tmp_path: Path
) -> None:
    """`solve quarters.yaml --render md,html`: FM's term sheet read "Memorandum of
    understanding: compute partnership with The Federated States of Micronesia" and "for the
    avoidance of doubt The Federated States of Micronesia keeps its rights", a capital
    "The" mid-sentence, though "with the United Arab Emirates" takes a small one. At a
    sentence's start and in a table's cell the name is as written."""
    out = tmp_path / "out"
    done = run("solve", _quarters(tmp_path / "deals"), "--out", out, "--render", "md,html")
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out / "term-sheets", "FM"):
        assert "compute partnership with the Federated States of Micronesia" in text
        assert (
            "The Federated States of Micronesia will invest USD 10bn over the term; for the "
            "avoidance of doubt the Federated States of Micronesia keeps its rights." in text
        )
        assert "The Federated States of Micronesia, acting through its government" in text
    for text in md_and_html(out / "memos", "portfolio-quarters"):
        assert f"{THE_NAME} (FM)" in text  # a table's cell: the name as its file writes it


def test_a_formal_name_in_principality_of_takes_the_article(run: Runner, tmp_path: Path) -> None:
    """`solve quarters.yaml --render md,html`: PZ's term sheet read "compute partnership
    with Principality of Zenda ...", "2. Principality of Zenda ..., acting through its
    government" and "stays in Principality of Zenda": a formal name takes "the", as "the
    Kingdom of Bahrain" and "the Republic of Korea" already did."""
    from dealbench.model.names import in_text

    out = tmp_path / "out"
    done = run("solve", _quarters(tmp_path / "deals"), "--out", out, "--render", "md,html")
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out / "term-sheets", "PZ"):
        assert f"compute partnership with the {FORMAL}" in text
        assert f" The {FORMAL}, acting through its government" in text
        assert f"the equipment stays in the {FORMAL}." in text
    assert in_text("State of Qatar") == "the State of Qatar"
    assert in_text("Sultanate of Oman", start=True) == "The Sultanate of Oman"
    assert in_text("Commonwealth of Dominica") == "the Commonwealth of Dominica"
    assert in_text("Grand Duchy of Luxembourg") == "the Grand Duchy of Luxembourg"
    assert in_text("Estonia") == "Estonia" and in_text("United States") == "the United States"


def test_a_status_memo_with_every_negotiation_ended_promises_no_deal_yet(
    run: Runner, tmp_path: Path
) -> None:
    """Both partners walked away (`walk-away -p FM --by partner`, `walk-away -p PZ`), then
    `room quarters.yaml --render md,html`: "Concluded deals: None yet." and "Risk budget:
    ..., none of it taken yet: no deal is concluded", a deal to come that cannot."""
    portfolio = _quarters(tmp_path / "deals")
    rounds = tmp_path / "rounds"
    for code, by in (("FM", "partner"), ("PZ", "us")):
        done = run(
            "walk-away", portfolio, "-p", code, "--by", by, "--rounds", rounds,
            "--date", "2026-03-05",
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr
    out = tmp_path / "out"
    done = run(
        "room", portfolio, "--rounds", rounds, "--render", "md,html", "--out", out,
        "--date", "2026-03-10",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out / "memos", "negotiation-quarters"):
        assert "None: every negotiation ended without a deal." in text
        assert "None yet." not in text and "yet" not in text.split("## Glossary")[0].lower()
        assert "250,000 risk-weighted H100e, none of it taken: no deal was concluded." in text
        assert "The Federated States of Micronesia walked away in round 1" in text


def test_a_term_sheets_signature_blocks_are_as_wide_as_each_other_in_word(
    run: Runner, tmp_path: Path
) -> None:
    """`solve quarters.yaml --render docx`: the DOCX signature table gave "For the United
    States" 3.85 in and "For the Partner" 2.84 in, widths from the headings' text, though
    the PDF gives each side half the page (the stylesheet's `width: 50%`, which Word never
    read). Each side now signs in half the table, and any cell's `width: N%` is N% of
    its table in Word as in the browser."""
    from docx import Document as Docx

    from dealbench.render.word_tables import CellText, column_widths

    out = tmp_path / "out"
    done = run("solve", _quarters(tmp_path / "deals"), "--out", out, "--render", "docx")
    assert done.exit_code == 0, done.stderr
    table = next(
        t
        for t in Docx(str(out / "term-sheets/FM.docx")).tables
        if t.rows[0].cells[0].text == "For the United States"
    )
    us, partner = (column.width for column in table.columns)
    assert us == partner
    short, long = CellText(("a",), width=25, share=True), CellText(("word " * 40,))
    left, right = column_widths([[short, long]], 2, 9.0, 400.0, stretch=True)
    assert abs(left - 100.0) < 0.01 and abs(right - 300.0) < 0.01


def test_a_redline_says_a_security_level_without_a_clause_once(run: Runner, tmp_path: Path) -> None:
    """`redline fm-kyc.yaml fm-baseline.yaml` under a policy whose kyc and baseline levels
    write no clause: section 5 read "Know-your-customer screening. All delivered compute
    is subject to: Know-your-customer screening.", the title twice, where the term sheet's
    section 5 and Annex B say it once. A level with its own clause keeps its title first."""
    portfolio = _quarters(tmp_path / "deals")
    old, new = tmp_path / "fm-kyc.yaml", tmp_path / "fm-baseline.yaml"
    for path, level in ((old, "kyc"), (new, "baseline"), (tmp_path / "fm-veu.yaml", "veu")):
        path.write_text(
            f"partner: FM\nsecurity: {level}\ncompute: {QUARTERS}\n"
            "concessions:\n  invest-us: 25bn\n",
            "utf-8",
        )
    out = tmp_path / "out"
    done = run(
        "redline", old, new, "--portfolio", portfolio, "--format", "md,html", "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out, "redlines/redline-FM-kyc-to-baseline"):
        assert "All delivered compute is subject to: Know-your-customer screening." in text
        assert "All delivered compute is subject to: Standard licence conditions." in text
        assert "screening. All delivered" not in text
        assert "conditions. All delivered" not in text
    done = run(
        "redline", old, tmp_path / "fm-veu.yaml", "--portfolio", portfolio, "--format", "md",
        "--out", out / "veu.md",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "Validated end users. All delivered compute is installed in data centres" in (
        out / "veu.md"
    ).read_text("utf-8")


def test_a_counter_below_what_its_partner_accepts_says_so_in_its_deal_memo(
    run: Runner, tmp_path: Path
) -> None:
    """`render fm-counter.yaml --doc deal-memo` of FM's counter (20,000 H100e under kyc
    for USD 25bn, which costs FM more than the compute is worth to it on our figures):
    "The Partner's proposal" said only "Accepting it would leave the United States $1.22bn
    above its walk-away value.", a deal to take, while the table below it gave a partner
    margin of -$320.0m. It now says what the redline and `counter` say: what the counter
    gives each side."""
    portfolio = _quarters(tmp_path / "deals")
    package = tmp_path / "fm-counter.yaml"
    package.write_text(
        f"partner: FM\nside: counter\nsecurity: kyc\ncompute: {QUARTERS}\n"
        "concessions:\n  invest-us: 25bn\n",
        "utf-8",
    )
    out = tmp_path / "out"
    done = run(
        "render", package, "--portfolio", portfolio, "--doc", "deal-memo", "--format",
        "md,html", "--out", out,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    for text in md_and_html(out / "memos", "FM-counter"):
        assert (
            "The counter gives the Federated States of Micronesia $320.0m less than its "
            "walk-away value plus the required margin, as our figures for it value the terms, "
            "and the United States $1.22bn over its walk-away value." in text
        )
        assert "Accepting it would leave" not in text
