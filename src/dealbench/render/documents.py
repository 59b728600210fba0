"""Documents: one render model, every format.

A `Document` is a render model (plain data) and where it goes. Markdown is
the canonical format; HTML is rendered from the same model by its own
template, self-contained (inline CSS and SVG charts); PDF and DOCX are made
from a print variant of that HTML (the same template, PNG charts); JSON is the
render model itself, with its charts' data.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from markupsafe import Markup

from dealbench.arguments import a_date, given_briefly, one_of, texts
from dealbench.errors import ArgumentError, InputError, Issue, RenderError
from dealbench.folders import present
from dealbench.jsontext import to_json
from dealbench.list_words import each_once
from dealbench.model.load_package import package_issue
from dealbench.model.package import Package
from dealbench.model.portfolio import Portfolio
from dealbench.model.yamlio import read_regular_file
from dealbench.render import charts as chart_lib
from dealbench.render import naming
from dealbench.render.charts import Chart
from dealbench.render.deal_memo import Against, deal_memo_context
from dealbench.render.docmeta import AUDIENCES, Audience, DocKind
from dealbench.render.environment import render_template, templates_folder
from dealbench.render.filters import breakable
from dealbench.render.glossary import used
from dealbench.render.naming import Identity
from dealbench.render.portfolio_memo import portfolio_memo_context
from dealbench.render.redline import clause_sections, redline_context, with_clause_sections
from dealbench.render.source import a_source
from dealbench.render.sources import Source, checked_alone
from dealbench.render.termsheet import chips_shown, term_sheet_context
from dealbench.workers import spawn_context, start_worker, stop_pool

_BLANK_LINES = re.compile(r"\n{3,}")
Format = Literal["md", "html", "docx", "pdf", "json"]
FORMATS: tuple[Format, ...] = ("md", "html", "docx", "pdf", "json")
#: The documents `documents_for` makes of a source (the others have their own makers).
SOURCE_KINDS: tuple[DocKind, ...] = ("term-sheet", "deal-memo", "portfolio-memo")
TEMPLATE_STEM = {
    "term-sheet": "term_sheet",
    "deal-memo": "deal_memo",
    "portfolio-memo": "portfolio_memo",
    "redline": "redline",
    "options-memo": "options_memo",
    "principals-memo": "principals_memo",
    "negotiation-memo": "negotiation_memo",
}


def _given(keys: str) -> frozenset[str]:
    return frozenset(("doc", "charts", "glossary", *keys.split()))


#: The names each kind's render model may give its templates (its JSON's keys: docs/
#: documents.md, "JSON documents"), `charts` among them, which every render gives. Every
#: Document is held to them, so they cannot fall behind its context; `validate` checks a
#: house template against its own document's (`render.house_check`): a house term sheet
#: reading a memo's `recommendation` passed validate, then failed at render.
CONTEXT_KEYS: dict[DocKind, frozenset[str]] = {
    "term-sheet": _given(
        "annex chips commitments internal marking partner rows_note schedule "
        "section sections security sites status term total_h100e total_tpp us_party"
    ),
    "deal-memo": _given(
        "cap_note commitments heading internal limits origin partner "
        "recommendation risks rows_note schedule security total_h100e tradeoffs"
    ),
    "portfolio-memo": _given(
        "acceptance allocation deals limits method no_deal periods portfolio prevented "
        "price_warnings prices recommendation risks totals tradeoffs"
    ),
    "principals-memo": _given(
        "acceptance allocation deals glossary_last limit_costs limits method no_deal periods "
        "portfolio prevented price_warnings prices prices_note recommendation risks totals "
        "tradeoffs"
    ),
    "redline": _given("new old partner sections summary total"),
    "options-memo": _given(
        "exported_head failed notes options partners partners_legend "
        "partners_note periods portfolio recommendation regimes rows_note sensitivities "
        "uncertain"
    ),
    "negotiation-memo": _given(
        "answers closed concluded ended frontier_notes moves objective "
        "overcommitted periods portfolio replan_note risk rows shown summary supply uncertain"
    ),
}


@dataclass(frozen=True)
class Document:
    """A render model and the path (without extension) its files go to."""

    kind: DocKind
    path: str
    context: dict[str, Any]
    charts: Sequence[Chart] = field(default_factory=tuple)
    #: What the document is (see `dealbench.render.naming`): a file may be replaced only by
    #: another rendering of the same document. Every kind has one, so every command that
    #: writes documents records them in the folder's registry (`cli.documents.write_documents`).
    identity: Identity = field(kw_only=True)
    #: Its charts' SVG by chart id where drawn already (`with_svgs`), so a render in
    #: another process does not draw them again: a command that also writes a chart
    #: alone (compare's charts/regimes-*.svg) draws it once for both.
    svgs: Mapping[str, str] = field(default_factory=dict, kw_only=True)
    #: Its charts' PNG by chart id where drawn already (`with_svgs(png=True)`).
    pngs: Mapping[str, bytes] = field(default_factory=dict, kw_only=True)
    #: A redline's two term sheets (their render models, old and new), whose clause texts
    #: it compares when rendered, with the house templates the term sheets take
    #: (`with_clauses`); () for every other document.
    sheets: tuple[Mapping[str, Any], ...] = field(default=(), kw_only=True)

    def __post_init__(self) -> None:
        undeclared = sorted(set(self.context) - CONTEXT_KEYS[self.kind])
        if undeclared:  # a render model grown without its declaration
            raise TypeError(
                f"a {self.kind}'s render model gives {', '.join(undeclared)}, which "
                "documents.CONTEXT_KEYS does not declare (validate checks house templates "
                "against it)"
            )

    def with_svgs(self, *, png: bool = False) -> Document:
        """The document with its charts drawn as SVG (the same bytes a render draws), and
        with `png` as PNG too, each chart drawn once for both (`charts.svg_and_png`)."""
        svgs, pngs = self.drawn(svg=True, png=png)
        return replace(self, svgs=svgs, pngs={**self.pngs, **pngs})

    def svg(self, chart: Chart) -> str:
        """A chart's SVG: as drawn already if it was, else drawn now."""
        return self.svgs.get(chart.id) or chart_lib.svg(chart)

    def drawn(self, *, svg: bool, png: bool) -> tuple[dict[str, str], dict[str, bytes]]:
        """Its charts' SVG (with `svg`) and PNG (with `png`) by chart id: as drawn already
        where they were, else drawn now, a chart wanted in both formats drawn once."""
        svgs: dict[str, str] = {}
        pngs: dict[str, bytes] = {}
        for chart in self.charts:
            has_svg, has_png = self.svgs.get(chart.id), self.pngs.get(chart.id)
            if svg and png and not has_svg and not has_png:
                svgs[chart.id], pngs[chart.id] = chart_lib.svg_and_png(chart)
                continue
            if svg:
                svgs[chart.id] = has_svg or chart_lib.svg(chart)
            if png:
                pngs[chart.id] = has_png or chart_lib.png(chart)
        return svgs, pngs

    @property
    def date(self) -> dt.date | None:
        iso = self.context["doc"]["date"]
        return dt.date.fromisoformat(iso) if iso else None


@dataclass(frozen=True)
class RenderedFile:
    path: str
    data: bytes
    identity: Identity | None = None


def term_sheet_document(
    source: Source, partner: str, audience: Audience, date: dt.date | None = None
) -> Document:
    deal = source.deal(partner)
    context = term_sheet_context(
        source.portfolio,
        deal,
        audience=audience,
        date=date or source.date,
        checked=source.checked,
        side=source.side or (None if source.is_package else "offer"),  # a solve proposes
        chips=source.chips,
        sites=source.sites,
        robust=source.robust,
        step=source.compute_step,
        why=source.no_deal_reason,
    )
    ident = _identity(source, "term-sheet", deal.partner, audience)
    path = f"term-sheets/{naming.stem(deal.partner, source.label, audience)}"
    return Document("term-sheet", path, context, identity=ident)


def deal_memo_document(
    source: Source, partner: str, date: dt.date | None = None, against: Against | None = None
) -> Document:
    context = deal_memo_context(source, partner, date=date or source.date, against=against)
    charts = context.pop("charts")
    ident = _identity(source, "deal-memo", partner, "internal")
    path = f"memos/{naming.stem(partner, source.label)}"
    return Document("deal-memo", path, context, charts, identity=ident)


def portfolio_memo_document(source: Source, date: dt.date | None = None) -> Document:
    context = portfolio_memo_context(source, date=date or source.date)
    charts = context.pop("charts")
    ident = _identity(source, "portfolio-memo", "", "internal")
    name = "-".join(p for p in ("portfolio", source.portfolio.id, source.label) if p)
    return Document("portfolio-memo", f"memos/{name}", context, charts, identity=ident)


def _identity(source: Source, kind: DocKind, partner: str, audience: Audience) -> Identity:
    origin = "package" if source.is_package else f"{source.mode} solve"
    return Identity(kind, source.portfolio.id, partner, source.label, audience, origin)


#: The folder of redlines among other documents, as `term-sheets/` and `memos/` are theirs:
#: `redline --out FOLDER` writes there as the demo and a negotiation's rounds do.
REDLINES = "redlines"


def in_redlines(doc: Document) -> Document:
    """`doc` (a redline) at its path under `redlines/`, where a folder of documents holds it."""
    return replace(doc, path=f"{REDLINES}/{doc.path}")


def redline_stem(partner: str, labels: tuple[str, str], audience: Audience) -> str:
    """`redline-AE-offer-001-to-counter-002-internal`."""
    change = f"{labels[0] or 'old'}-to-{labels[1] or 'new'}"
    return "redline-" + naming.stem(partner, change, audience)


def redline_document(
    portfolio: Portfolio,
    old: Package,
    new: Package,
    *,
    labels: tuple[str, str],
    path: str,
    audience: Audience = "external",
    date: dt.date | None = None,
    names: tuple[str, str] | None = None,
    beside: Sequence[Package] = (),
    sides: tuple[str | None, str | None] | None = None,
) -> Document:
    """A redline from `old` to `new`, each checked alone (`sources.checked_alone`), or
    with `beside`, deals agreed with other partners; `sides`: what each package is
    (`offer`, `counter`, `agreed`: the terms a concluded round records; a round's `us`
    and `partner` too), by default as each package names its side.

    `names` are the packages' document labels (`offer-001`, `counter-002`); they
    make the redline's identity, so two different redlines never share a file.
    """
    said = sides or (old.side, new.side)
    deals = checked_alone(portfolio, old, beside), checked_alone(portfolio, new, beside)
    tranches = tuple(
        (chips_shown(portfolio, p.compute, p.written_in_chips()), dict(p.sites)) for p in (old, new)
    )
    context = redline_context(
        portfolio,
        *deals,
        labels=labels,
        audience=audience,
        date=date or new.date,
        tranches=(tranches[0], tranches[1]),
        sides=(naming.side_word(said[0]), naming.side_word(said[1])),
    )
    sheets = tuple(
        term_sheet_context(portfolio, deal, chips=chips, sites=sites)
        for deal, (chips, sites) in zip(deals, tranches, strict=True)
    )
    change = "-to-".join(names) if names else "-to-".join(labels)
    ident = Identity("redline", portfolio.id, new.partner, change, audience, "packages")
    return Document("redline", path, context, identity=ident, sheets=sheets)


def package_redline(
    portfolio: Portfolio,
    old: Package,
    new: Package,
    *,
    files: tuple[str, str],
    audience: Audience = "external",
    date: dt.date | None = None,
    path: str | None = None,
    fallbacks: tuple[str, str] = ("Earlier version", "Later version"),
) -> Document:
    """The redline `dealbench redline OLD NEW` writes, from two package files (`files`, as
    the user named them): each package labelled by its title, else its side and round
    (`fallbacks` when it has neither), named by its side and round, else its file's stem;
    at `path`, else `redline-AE-offer-to-counter[-internal]`. Two partners' packages are
    refused (an InputError naming the later file's partner)."""
    one_of(audience, ("external", "internal"), "audience", "audience")
    if old.partner != new.partner:
        said = f"is {new.partner}; {files[0]} is for {old.partner}"
        try:  # at its `partner:` line, where the file is one to read
            issue = package_issue(files[1], "partner", said)
        except (OSError, InputError):
            issue = Issue(files[1], None, "partner", said)
        raise InputError(issue)
    names = (
        naming.package_label(old.side, old.round, stem=Path(files[0]).stem, partner=old.partner),
        naming.package_label(new.side, new.round, stem=Path(files[1]).stem, partner=new.partner),
    )
    return redline_document(
        portfolio,
        old,
        new,
        labels=(
            naming.version_label(old.title, old.side, old.round, fallbacks[0]),
            naming.version_label(new.title, new.side, new.round, fallbacks[1]),
        ),
        path=path or redline_stem(old.partner, names, audience),
        audience=audience,
        date=date,
        names=names,
    )


def documents_for(
    source: Source,
    kind: DocKind,
    *,
    audience: Audience | None = None,
    partners: Iterable[str] | None = None,
    date: dt.date | None = None,
    against: Against | None = None,
) -> list[Document]:
    """The documents of one kind for a source: one per deal, or one for the portfolio.

    `against` is our last offer, with which a memo of the partner's counter compares it.
    `kind` is one of `SOURCE_KINDS` (a redline is `redline_document`'s); an unknown one,
    or a SolveResult or a path where the source goes, is an ArgumentError naming it.
    """
    source = a_source(source)  # a SolveResult here was an AttributeError deep inside
    # Checked first: a kind mistyped was a RenderError listing none, or with the default
    # audience of a term sheet, "a memo is an internal document".
    kind = one_of(kind, SOURCE_KINDS, "kind", "document")
    if audience is not None:  # a KeyError deep inside
        audience = one_of(audience, AUDIENCES, "audience", "audience")
    a_date(date)
    if kind != "term-sheet" and audience == "external":
        raise ArgumentError(
            "audience", f"a {kind} is an internal document; its audience is internal, not external"
        )
    if against is not None and (kind == "term-sheet" or source.side != "counter"):
        # Anywhere else our last offer would be ignored, and the memo read as if it were.
        why = (
            "a term sheet states one package"
            if kind == "term-sheet"
            else "this is not a partner's counter (a package file that says `side: counter`)"
        )
        raise ArgumentError(
            "against",
            f"our last offer is compared with a partner's counter in its deal memo; {why}",
        )
    if partners and kind == "portfolio-memo" and not source.is_package:
        # The memo covers every deal: the partners asked for were ignored, unchecked.
        raise ArgumentError(
            "partners",
            "a portfolio memo covers every deal; one partner's deal is in its deal memo "
            "or its term sheet",
        )
    asked = [] if partners is None else texts(partners, "partners", "partner code")
    codes = asked or [d.partner for d in source.checked.deals]
    if kind != "portfolio-memo" or source.is_package:  # one document per deal: each exists
        for code in codes:  # refused before any document is made, naming the argument
            source.deal(code, "partners")
    if kind == "term-sheet":
        return [term_sheet_document(source, c, audience or "external", date) for c in codes]
    if kind == "deal-memo" or (kind == "portfolio-memo" and source.is_package):
        # One package is not a portfolio: it gets the package (deal) memo, which
        # recommends nothing about partners it does not cover.
        return [deal_memo_document(source, c, date, against) for c in codes]
    return [portfolio_memo_document(source, date)]


def formats_of(formats: Iterable[Format] | str) -> list[Format]:
    """The formats asked for; an ArgumentError for one dealbench cannot write (a str was
    read letter by letter, and an unknown format gave no file and no error), or for one
    asked for twice."""
    asked = texts(formats, "formats", "format")
    return [one_of(f, FORMATS, "formats", "format") for f in each_once(asked, "formats", "format")]


def render_document(
    doc: Document,
    formats: Iterable[Format] | str,
    templates: str | os.PathLike[str] | None = None,
) -> list[RenderedFile]:
    """Render one document in each format asked for (`FORMATS`: md, html, docx, pdf, json;
    one format may be given alone, as a str); `templates` is a house templates folder."""
    if not isinstance(doc, Document):  # a Source here was an AttributeError deep inside
        raise ArgumentError(
            "doc",
            "expected a Document (documents_for(source, kind) makes them, one per deal or one "
            f"for the portfolio), got {given_briefly(doc)}",
        )
    wanted = formats_of(formats)
    templates = templates_folder(templates)
    stem = TEMPLATE_STEM[doc.kind]
    doc = with_used_glossary(with_clauses(doc, templates), stem, templates)
    out: list[RenderedFile] = []
    svgs, pngs = doc.drawn(svg=bool({"md", "html"} & set(wanted)), png=bool(PRINTED & set(wanted)))
    if "md" in wanted:
        out += _markdown(doc, stem, svgs, templates)
    if "html" in wanted:
        charts = _chart_ctx(doc, {k: Markup(v) for k, v in svgs.items()})
        html = breakable(
            render_template(f"{stem}.html.j2", {**doc.context, "charts": charts}, templates)
        )
        out.append(RenderedFile(f"{doc.path}.html", html.encode()))
    out += _printable(doc, stem, wanted, templates, pngs)
    if "json" in wanted:
        out.append(json_document(doc))
    return [RenderedFile(f.path, f.data, doc.identity) for f in out]


def with_clauses(doc: Document, templates: str | None = None) -> Document:
    """A redline with the sections of its term sheets (`doc.sheets`) whose clause texts,
    as `templates` word them, differ (`redline.clause_sections`): what follows from the
    terms is marked where the term sheets state it. Any other document as it is."""
    if not doc.sheets:
        return doc
    clauses = clause_sections((doc.sheets[0], doc.sheets[1]), templates)
    sections = with_clause_sections(doc.context["sections"], clauses)
    return replace(doc, context={**doc.context, "sections": sections}, sheets=())


def with_used_glossary(doc: Document, stem: str, templates: str | None = None) -> Document:
    """`doc` with a glossary of the terms it uses alone (`glossary.used`), read off its
    Markdown, the canonical format, rendered without one: every format, JSON too, has the
    same glossary. A document without a glossary as it is."""
    terms = doc.context.get("glossary")
    if not terms:
        return doc
    probe = {
        **doc.context,
        "glossary": [],
        "charts": _chart_ctx(doc, {c.id: "" for c in doc.charts}),
    }
    text = render_template(f"{stem}.md.j2", probe, templates)
    return replace(doc, context={**doc.context, "glossary": used(terms, text)})


def json_document(doc: Document) -> RenderedFile:
    """The render model every other format is rendered from, as JSON (DESIGN.md: one
    structured result feeds every format, JSON among them), with its charts' data. An
    external document's model has no `internal` key (`term_sheet_context`), so its JSON
    carries no internal figure either; figures rounded as in every JSON (`jsontext`). Its
    keys: docs/documents.md, "JSON documents"; `doc` first, `charts` last, in every kind."""
    charts = [
        {"id": c.id, "kind": c.kind, "caption": c.caption, "data": c.data} for c in doc.charts
    ]
    text = to_json(_plain({"doc": doc.context["doc"], **doc.context, "charts": charts}))
    return RenderedFile(f"{doc.path}.json", (text + "\n").encode())


def _plain(value: Any) -> Any:
    """`value` as JSON's types (a Markup as its text, a date in ISO form)."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, str):
        return str(value)  # Markup too
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"a render model holds a {type(value).__name__}, which JSON cannot hold")


#: The formats made from the print HTML (PNG charts).
PRINTED = frozenset({"docx", "pdf"})


def _printable(
    doc: Document,
    stem: str,
    wanted: list[Format],
    templates: str | None,
    pngs: Mapping[str, bytes] | None = None,
) -> list[RenderedFile]:
    out: list[RenderedFile] = []
    if PRINTED & set(wanted):
        printable = print_html(doc, stem, templates, pngs)
        if "docx" in wanted:
            from dealbench.render.word import html_to_docx

            reference = reference_docx(templates)
            data = html_to_docx(printable, doc.date, reference)
            out.append(RenderedFile(f"{doc.path}.docx", data))
        if "pdf" in wanted:
            from dealbench.render.pdf import html_to_pdf

            out.append(RenderedFile(f"{doc.path}.pdf", html_to_pdf(printable, doc.date)))
    return out


#: A house Word document in the --templates folder styles every DOCX (see html_to_docx).
REFERENCE_DOCX = "reference.docx"
#: The largest house reference document read (a Word file with its styles and images).
MAX_REFERENCE_BYTES = 64 * 1024 * 1024


def reference_docx(templates: str | None) -> bytes | None:
    """The house reference document, if the templates folder has one."""
    if templates is None:
        return None
    path = Path(templates) / REFERENCE_DOCX
    if not present(path):
        return None
    # Read as a data file is: a FIFO, a device or a folder of that name is refused, named.
    data = read_regular_file(path, str(path), MAX_REFERENCE_BYTES, "a Word document (.docx)")
    try:  # a broken house document is the user's to fix, named, not a zipfile traceback
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_word = "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        is_word = False
    if not is_word:
        raise RenderError(f"{path}: not a Word document (.docx); save it from Word as .docx")
    return data


def render_documents(
    docs: Sequence[Document],
    formats: Iterable[Format],
    templates: str | os.PathLike[str] | None = None,
    jobs: int = 1,
) -> Iterator[RenderedFile]:
    """Render many documents, in order; with `jobs` > 1, in that many processes.

    Each document renders alone and deterministically, so the files are the
    same whichever process makes them. Worker processes are spawned (never
    forked from a process holding solver threads), so a script calling this
    with `jobs` > 1 needs the usual `if __name__ == "__main__":` guard.
    """
    wanted = formats_of(formats)
    templates = templates_folder(templates)
    if jobs <= 1 or len(docs) < 2:
        for doc in docs:
            yield from render_document(doc, wanted, templates)
        return
    pool = render_pool(jobs)
    try:
        work = [(doc, wanted, templates) for doc in docs]
        for files in pool.map(_render_one, work):
            yield from files
    except BaseException:  # Ctrl-C, SIGTERM, a document that fails, the caller gone
        stop_pool(pool)  # at once: the pool's `with` waited for the documents in hand
        raise
    pool.shutdown(wait=True)


def render_pool(jobs: int) -> ProcessPoolExecutor:
    """`jobs` spawned worker processes for documents: each ends with this process and
    leaves Ctrl-C to it, from its start (a worker starting up printed a KeyboardInterrupt
    traceback)."""
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=spawn_context(), initializer=start_worker
    )


def auto_jobs(docs: Sequence[Document], formats: Iterable[Format]) -> int:
    """Processes worth starting: PDF and DOCX cost about a second a document, the rest little."""
    if not {"pdf", "docx"} & set(formats) or len(docs) < 3:
        return 1
    return max(1, min(os.cpu_count() or 1, 8, len(docs)))


def _render_one(job: tuple[Document, list[Format], str | None]) -> list[RenderedFile]:
    return render_document(*job)


def print_html(
    doc: Document,
    stem: str,
    templates: str | None = None,
    pngs: Mapping[str, bytes] | None = None,
) -> str:
    """The HTML variant PDF and DOCX are made from: PNG charts instead of SVG (`pngs`, or
    the document's, where drawn already)."""
    figures = {}
    for chart in doc.charts:
        drawn = (pngs or {}).get(chart.id) or doc.pngs.get(chart.id) or chart_lib.png(chart)
        data = base64.b64encode(drawn).decode("ascii")
        figures[chart.id] = Markup(
            f'<img src="data:image/png;base64,{data}" alt="{Markup.escape(chart.description)}">'
        )
    charts = _chart_ctx(doc, figures)
    return breakable(
        render_template(f"{stem}.html.j2", {**doc.context, "charts": charts}, templates)
    )


def _markdown(
    doc: Document, stem: str, svgs: dict[str, str], templates: str | None
) -> list[RenderedFile]:
    base = PurePosixPath(doc.path)
    files = {c.id: f"charts/{base.name}-{c.id}.svg" for c in doc.charts}
    charts = _chart_ctx(doc, files)
    text = render_template(f"{stem}.md.j2", {**doc.context, "charts": charts}, templates)
    text = _BLANK_LINES.sub("\n\n", text)  # templates may leave runs of blank lines
    out = [RenderedFile(f"{doc.path}.md", text.encode())]
    for chart in doc.charts:
        path = str(base.parent / files[chart.id])
        out.append(RenderedFile(path, (svgs[chart.id] + "\n").encode()))
    return out


def _chart_ctx(doc: Document, figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "caption": c.caption, "description": c.description, "figure": figures[c.id]}
        for c in doc.charts
    ]
