"""Session 45 (qa45-docs): the documents principals receive, read as a principal would."""

from __future__ import annotations

import html
from pathlib import Path

from markdown_it import MarkdownIt

from dealbench.model import load_portfolio
from dealbench.negotiate.room import room
from dealbench.render import documents_for, render_document
from dealbench.render.filters import md_escape
from dealbench.render.sources import maximised_text
from golden.support import demo_source
from helpers import solo_deals


def _md(kind: str, partner: str | None = None) -> str:
    source = demo_source()
    [doc] = documents_for(source, kind, partners=[partner] if partner else None)  # type: ignore[arg-type]
    return render_document(doc, "md")[0].data.decode()


def test_memos_say_where_packages_come_from_in_a_principals_words() -> None:
    """`solve --render md`: the portfolio memo said "Packages from the us-best solve under the
    bilateral regime" and each deal memo's Source "us-best solve ...": the CLI's mode name,
    which a principal does not know. They say what the packages were chosen for."""
    said = "optimisation for the greatest US utility under the bilateral regime"
    portfolio = _md("portfolio-memo")
    deal = _md("deal-memo", "AE")
    assert f"Packages from the {said};" in portfolio
    assert f"| Source | {said} |" in deal
    assert "us-best" not in portfolio + deal


def test_a_bargaining_memo_says_what_its_packages_give_not_the_log_nash_product() -> None:
    """`solve --mode nash --render md`: "The solve maximised the log Nash product: the sum of
    log(gain / USD 1bn) ...: 28.6092; the US utility V is $67.97bn": a logarithm and the
    model's letter V. kalai said "... share tau: every side's gain is at least tau times its
    ideal gain: 0.3890". Each says what the packages give, in figures a principal weighs."""
    pinned = demo_source().result
    assert pinned is not None
    nash = maximised_text(pinned.model_copy(update={"mode": "nash", "objective": 28.6092}))
    kalai = maximised_text(pinned.model_copy(update={"mode": "kalai", "objective": 0.389}))
    assert nash is not None and kalai is not None
    assert nash.startswith("The packages give the greatest product of the two sides' gains")
    assert "at least 38.9% of the most each could gain" in kalai
    for text in (nash, kalai):
        assert "28.6" not in text and "log" not in text and "tau" not in text
        assert " V " not in text and "the US utility is $174.04bn." in text


def test_markdown_writes_an_ampersand_as_written_where_it_starts_no_entity() -> None:
    """A partner "São Tomé & Príncipe's <Hub>": every Markdown document wrote "São Tomé
    &amp; Príncipe's &lt;Hub>", entities a reader of the file sees as such. Only what could
    start an entity or a tag is written as one; CommonMark still reads every value back as
    the text it was."""
    name = "São Tomé & Príncipe's <Hub>"
    assert str(md_escape(name)) == "São Tomé & Príncipe's &lt;Hub>"
    commonmark = MarkdownIt("commonmark")
    for value in (name, "AT&T", "&amp; &#38; &copy;", "a < b <3", "<!-- c --> <http://e.org>"):
        rendered = commonmark.render(str(md_escape(value))).strip()
        assert html.unescape(rendered.removeprefix("<p>").removesuffix("</p>")) == value


def test_a_house_template_with_its_own_glossary_still_gets_the_terms_it_uses(
    tmp_path: Path,
) -> None:
    """A house deal memo that lists the glossary itself (not through `_glossary.md.j2`):
    its glossary is still the terms the memo uses, no more."""
    (tmp_path / "deal_memo.md.j2").write_text(
        "# Memo\n\nThe US utility is large.\n\n{% for t in glossary %}* {{ t.term }}\n{% endfor %}",
        encoding="utf-8",
    )
    [doc] = documents_for(demo_source(), "deal-memo", partners=["AE"])
    md = render_document(doc, "md", tmp_path)[0].data.decode()
    assert md.endswith("The US utility is large.\n\n* US utility\n")


def test_the_negotiation_memo_says_how_to_open_in_a_principals_words(tmp_path: Path) -> None:
    """`room gulf-asia.yaml --render md`: each partner not yet offered was to "open with the
    US-best package", the CLI's mode name; the memo says whose best it is."""
    deals = solo_deals(tmp_path / "deals", rounds=False)
    [row] = room(load_portfolio(deals / "portfolios/solo.yaml"), tmp_path / "rounds").rows
    assert row.next_move == "offer"
    assert row.reason == "no round yet: open with the package best for the United States"
