"""`dealbench render` and `dealbench redline`: documents from results and packages.

Registered on the one Typer `app`. Heavy libraries (WeasyPrint, python-docx,
matplotlib) are imported by the library only when a format needs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dealbench.cli.base import Date, Force, app, check_needs_out, file_option, folder_option
from dealbench.cli.errors import handled
from dealbench.cli.help import examples
from dealbench.list_words import did_you_mean

if TYPE_CHECKING:
    from dealbench.checker import DealFigures
    from dealbench.io import OutputDir
    from dealbench.render.deal_memo import Against
    from dealbench.render.docmeta import Audience
    from dealbench.render.documents import Document, Format
    from dealbench.render.sources import Source

DOCS = ("term-sheet", "deal-memo", "portfolio-memo")
AUDIENCES = ("external", "internal")

Formats = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="One or more of md, html, docx, pdf, json, comma-separated (md,html). "
        "Default: md, or the format of the file --out names.",
    ),
]
AudienceOpt = Annotated[
    str | None,
    typer.Option(
        "--audience",
        help="external (what is proposed) or internal (adds valuations, BATNAs, risk, limits). "
        "Term sheets default to external; memos are internal.",
    ),
]
DateOpt = Date
Templates = Annotated[
    Path | None,
    folder_option(
        "--templates",
        "A folder of house templates; each overrides the shipped template of the same "
        "name (a clause: clauses/term.txt.j2). A reference.docx there styles every DOCX.",
    ),
]
PortfolioOpt = Annotated[
    Path | None,
    file_option(
        "--portfolio", "The portfolio (needed for packages, and for results that name none)."
    ),
]


def parse_formats(text: str, option: str = "--format") -> list[Format]:
    """`md,pdf` as formats; an unknown one is bad input naming `option` (--format, --render)."""
    from dealbench.errors import InputError, Issue
    from dealbench.list_words import each_once
    from dealbench.render.documents import FORMATS
    from dealbench.units import EMPTY

    wanted = each_once((f.strip().lower() for f in text.split(",") if f.strip()), option, "format")
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        said = f"unknown format {', '.join(bad)!r}" if bad else EMPTY  # `--format ""`, `,`
        raise InputError(
            Issue(option, None, "", f"{said}; expected one or more of: " + ", ".join(FORMATS))
        )
    return [f for f in FORMATS if f in wanted]


def check_choice(option: str, value: str, choices: Iterable[str], message: str) -> None:
    from dealbench.errors import InputError, Issue

    choices = list(choices)
    if value not in choices:
        said = message.format(value, ", ".join(choices)) + did_you_mean(value, choices)
        raise InputError(Issue(option, None, "", said))


def check_audience(audience: str) -> None:
    check_choice("--audience", audience, AUDIENCES, "expected external or internal, got {0!r}")


def document_target(
    out: Path, formats: str | None, documents: int = 1
) -> tuple[Path, str, list[Format]]:
    """Where `--out` puts the documents: (folder, file stem or "", formats).

    One rule for every command (`folders.named_file`): `--out` is a folder, but where one document
    is written a name ending in a document's suffix (x.md, x.pdf) is that file, its suffix
    the format. `render --out x.md` made a folder named x.md, where `redline --out x.md`
    wrote the file. `formats` is None where --format was not given (md for a folder); a
    --format given is never overridden by the file's suffix (`--out x.pdf --format md`
    wrote a PDF)."""
    from dealbench.errors import InputError, Issue
    from dealbench.folders import named_file
    from dealbench.render.documents import FORMATS

    suffix = named_file(out)
    if suffix is None:
        return out, "", parse_formats(formats or "md")

    def refused(message: str) -> InputError:
        return InputError(Issue("--out", None, "", message))

    if suffix not in FORMATS:
        raise refused(
            f"{out.name}: .{suffix} is not a format dealbench writes; give a .md, .html, "
            ".docx, .pdf or .json file, or a folder"
        )
    if documents != 1:
        raise refused(
            f"{out.name} names one file, but {documents} documents are to be written; "
            "give a folder, or ask for one document (--partner, --doc portfolio-memo)"
        )
    if formats is not None and parse_formats(formats) != [suffix]:
        raise refused(f"{out.name} is a .{suffix} file but --format is {formats}")
    return out.parent, out.stem, parse_formats(suffix)


#: The formats a document printed on standard output may take: text (DOCX and PDF are files).
PRINTED = ("md", "html", "json")


def printed_format(formats: str | None) -> Format:
    """The one format a document is printed in, where no --out names where to write it:
    `redline OLD NEW` without --out said only "Missing option '--out'"."""
    from dealbench.errors import InputError, Issue

    wanted = parse_formats(formats or "md")
    if len(wanted) > 1:
        said = f"{formats} is {len(wanted)} files: give --out, a folder"
    elif wanted[0] not in PRINTED:
        said = f"a {wanted[0]} redline is a file: give --out (out/redline.{wanted[0]}, or a folder)"
    else:
        return wanted[0]
    raise InputError(
        Issue(
            "--format", None, "", f"{said}; without --out the redline is printed: md, html or json"
        )
    )


def parse_date(text: str | None) -> dt.date | None:
    """`--date`: an ISO date, or `today` (the only way the clock reaches a document)."""
    from dealbench.arguments import document_date

    return document_date(text, "--date")


def write_documents(
    folder: OutputDir,
    documents: Iterable[Document],
    formats: Iterable[Format],
    templates: Path | None = None,
    extra: dict[str, bytes] | None = None,
    jobs: int | None = None,
) -> None:
    """Render every document, then write them all (and `extra` files) into `folder`.

    Nothing is written unless everything may be: a refused file (see
    `dealbench.io`), or one that would replace a different document (see
    `dealbench.render.naming`), leaves the folder as it was. `jobs`: the processes the
    command's `--jobs` allows (None: as many as the documents are worth, `auto_jobs`).
    """
    from dealbench.render.documents import auto_jobs, render_documents
    from dealbench.render.naming import REGISTRY, guard_documents, identities, registry_bytes

    docs, wanted = list(documents), list(formats)
    house = str(templates) if templates else None
    files = dict(extra or {})
    # `compare --jobs 1` started two more processes for its memos' PDF and DOCX all the same
    most = auto_jobs(docs, wanted) if jobs is None else min(jobs, auto_jobs(docs, wanted))
    rendered = list(render_documents(docs, wanted, house, most))
    files.update((f.path, f.data) for f in rendered)
    registry = guard_documents(
        folder.root, identities((f.path, f.identity) for f in rendered), force=folder.force
    )
    files[REGISTRY] = registry_bytes(registry)
    folder.publish(files)  # checked, staged and published in one step (dealbench.io)


@app.command(
    epilog=examples(
        "dealbench solve deals/portfolios/gulf-asia.yaml --out out/",
        "dealbench render out/result.json --doc portfolio-memo --format html,pdf --out out/",
        "dealbench render out/result.json --partner AE --audience internal --format docx --out out/",
        "dealbench render deals/packages/ae-offer.yaml --portfolio deals/portfolios/gulf-asia.yaml "
        "--doc deal-memo --format md,pdf --date 2026-03-01 --out out/",
        "dealbench render out/result.json --templates deals/house/ --format html --out out/",
        "dealbench render deals/packages/ae-counter.yaml --portfolio deals/portfolios/gulf-asia.yaml "
        "--doc deal-memo --against deals/packages/ae-offer.yaml --out out/",
    )
)
def render(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="RESULT_OR_PACKAGE",
            help="A result.json (from solve --out) or a package YAML file.",
        ),
    ],
    out: Annotated[
        Path,
        folder_option(
            "--out",
            "Folder to write the documents into; for one document in one format, a file "
            "(x.md, x.pdf: its suffix picks the format).",
        ),
    ],
    doc: Annotated[
        str, typer.Option("--doc", help="term-sheet, deal-memo or portfolio-memo.")
    ] = "term-sheet",
    formats: Formats = None,
    audience: AudienceOpt = None,
    portfolio: PortfolioOpt = None,
    date: DateOpt = None,
    templates: Templates = None,
    partner: Annotated[
        str | None,
        typer.Option("--partner", "-p", help="Only the deal with this partner (code)."),
    ] = None,
    against: Annotated[
        Path | None,
        file_option(
            "--against",
            "Our last offer (a package file): the memo of a partner's counter compares "
            "the counter with it.",
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Render term sheets and memos from a solve result or a package, in any format.

    A package that says `side: counter` is the partner's proposal: its memo
    describes it as such and, with --against, compares it with our last offer.
    One package asked for as a portfolio memo gets the package memo.
    """
    import dataclasses

    from dealbench.errors import InputError, Issue
    from dealbench.io import OutputDir
    from dealbench.render.clause_check import check_portfolio_clauses
    from dealbench.render.documents import documents_for
    from dealbench.render.sources import load_source

    with handled():
        check_choice("--doc", doc, DOCS, "unknown document {!r}; expected one of: {}")
        if audience is not None:
            check_audience(audience)
        wanted = parse_formats(formats or "md")
        day = parse_date(date)
        src = load_source(source, portfolio)
        check_portfolio_clauses(src.portfolio)
        last = _against(against, src) if against is not None else None
        docs = documents_for(
            src,
            doc,  # type: ignore[arg-type]
            audience=audience,  # type: ignore[arg-type]
            partners=[partner.upper()] if partner else None,
            date=day,
            against=last,
        )
        if not docs:  # a solve that concluded no deal has no term sheet or deal memo
            raise InputError(
                Issue(
                    str(source),
                    None,
                    "",
                    f"the result concludes no deal, so there is no {doc.replace('-', ' ')} to render; "
                    "--doc portfolio-memo says what prevents a deal",
                )
            )
        where, stem, wanted = document_target(out, formats, len(docs))
        if stem:  # --out x.pdf: the one document, at the file named
            docs = [dataclasses.replace(docs[0], path=stem)]
        folder = OutputDir(where, force=force)
        write_documents(folder, docs, wanted, templates)
        for path in folder.written:
            typer.echo(str(path))
        for warning in src.warnings:
            typer.echo(f"warning: {warning}", err=True)
        _warn_violations(src.deal(d.partner) for d in src.checked.deals)


def _warn_violations(deals: Iterable[DealFigures]) -> None:
    """A package that breaks a limit is rendered as written (a partner's counter may), but
    the user is told, as `evaluate` would tell them (there with exit code 3)."""
    from dealbench.limit import broken_messages

    for deal in deals:
        if deal.violations:
            # As `evaluate` and the documents count them: a cap broken in every quarter is one
            # limit ("in each of 2027Q1–2027Q4"), not four (a corridor's VN: "breaks 5
            # limits" here, "breaks 2 limits" in the term sheet it wrote).
            lines = broken_messages(deal.violations)
            typer.echo(
                f"warning: {deal.partner}'s package breaks {len(lines)} "
                f"limit{'s' if len(lines) != 1 else ''}; the documents state it as "
                "written:",
                err=True,
            )
            for line in lines:
                typer.echo(f"  {line}", err=True)


@app.command(
    epilog=examples(
        "dealbench redline deals/packages/ae-offer.yaml deals/packages/ae-counter.yaml "
        "--portfolio deals/portfolios/gulf-asia.yaml",
        "dealbench redline deals/packages/ae-offer.yaml deals/packages/ae-counter.yaml "
        "--portfolio deals/portfolios/gulf-asia.yaml --out out/redline.docx",
        "dealbench redline deals/packages/ae-offer.yaml deals/packages/ae-counter.yaml "
        "--portfolio deals/portfolios/gulf-asia.yaml --audience internal --format md,html --out out/",
    )
)
def redline(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The earlier package (an offer).")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The later package (a counter).")],
    portfolio: Annotated[
        Path, file_option("--portfolio", "The portfolio both packages belong to.")
    ],
    out: Annotated[
        Path | None,
        folder_option(
            "--out",
            "A file (x.md, x.pdf: its suffix picks the format), or a folder. Without it, "
            "the redline is printed: Markdown, or --format html or json.",
        ),
    ] = None,
    formats: Formats = None,
    audience: AudienceOpt = "external",
    date: DateOpt = None,
    templates: Templates = None,
    force: Force = False,
) -> None:
    """Show what changed between two packages' term sheets, clause by clause.

    The internal audience adds, for each changed term, what it moves for each
    side (US utility, partner utility, risk). DOCX redlines carry Word
    revision marks; Markdown strikes ~~deletions~~ and bolds **insertions**.
    Without --out the redline is printed on standard output, in Markdown.
    """
    from dealbench.cli.analysis_output import note_uncertainty
    from dealbench.io import OutputDir
    from dealbench.model import load_package, load_portfolio
    from dealbench.render.documents import in_redlines, package_redline, render_document

    with handled():
        check_audience(audience or "")
        check_needs_out(out, {"--force": force})
        if out is None:
            folder, stem, wanted = Path(), "", [printed_format(formats)]
        else:
            folder, stem, wanted = document_target(out, formats)
        pf = load_portfolio(portfolio)
        a, b = load_package(old, pf), load_package(new, pf)
        note_uncertainty(pf)
        aud: Audience = "internal" if audience == "internal" else "external"
        doc = package_redline(
            pf, a, b, files=(str(old), str(new)), audience=aud, date=parse_date(date), path=stem
        )
        if out is None:  # shown, as `diff` shows what changed between two results
            (text,) = render_document(doc, wanted, templates)
            typer.echo(text.data.decode("utf-8"), nl=False)
            return
        if not stem:  # a folder: under redlines/, as the demo and the rounds write them
            doc = in_redlines(doc)
        written = OutputDir(folder, force=force)
        write_documents(written, [doc], wanted, templates)
        for path in written.written:
            typer.echo(str(path))


def _against(path: Path, src: Source) -> Against:
    """Our last offer, checked against the same portfolio as the counter."""
    from dealbench.checker import evaluate
    from dealbench.errors import InputError, Issue
    from dealbench.model import load_package
    from dealbench.render.deal_memo import Against

    package = load_package(path, src.portfolio)
    partners = {d.partner for d in src.checked.deals}
    if src.is_package and package.partner not in partners:  # another partner's offer
        raise InputError(
            Issue(
                str(path),
                None,
                "partner",
                f"is {package.partner}; the counter is for {', '.join(sorted(partners))}",
            )
        )
    # Named by its title or round; neither gives no name ("our last offer", not "our last
    # offer (our offer)").
    label = package.title or ("" if package.round is None else f"round {package.round}")
    return Against(label, evaluate(src.portfolio, package))
