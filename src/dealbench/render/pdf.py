"""PDF from the print HTML, through WeasyPrint, with the same bytes on every run.

WeasyPrint takes the title and the created/modified dates from the HTML's
`<meta>` elements (the document date, never the clock) and derives the PDF
identifier from the content. The one clock it would read is fontTools'
timestamp in the embedded font subsets (`head.modified`); fontTools honours
SOURCE_DATE_EPOCH (the reproducible-builds convention), so it is set to the
document date for the duration of the call.

PDFs are tagged for accessibility, as government documents must be: PDF/UA-1
(WeasyPrint's `pdf_variant="pdf/ua-1"`), with the structure tree, the document
language from `<html lang>` and the title from `<title>`, shown in the
viewer's title bar.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: The font timestamp of an undated document: 2000-01-01T00:00:00Z.
UNDATED_EPOCH = 946_684_800


@contextmanager
def _source_date_epoch(date: dt.date | None) -> Iterator[None]:
    if "SOURCE_DATE_EPOCH" in os.environ:  # the caller's own reproducible-build setting wins
        yield
        return
    stamp = UNDATED_EPOCH
    if date is not None:
        stamp = int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(stamp)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _url_fetcher() -> Any:
    """Documents are self-contained: only `data:` URLs, no file or network access."""
    import weasyprint

    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint >= 68
        return weasyprint.URLFetcher(allowed_protocols=("data",))
    default = weasyprint.default_url_fetcher

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        if not url.startswith("data:"):
            raise ValueError(f"documents are self-contained; not fetching {url[:60]!r}")
        return default(url, *args, **kwargs)

    return fetch


#: Tagged PDF/UA-1: structure tree, marked content, language, title shown (WeasyPrint >= 62,
#: the least version dealbench installs, writes it).
ACCESSIBLE = {"pdf_variant": "pdf/ua-1"}


def html_to_pdf(html: str, date: dt.date | None) -> bytes:
    """Render self-contained HTML (inline CSS, data: images) to PDF bytes."""
    import weasyprint

    from dealbench.render.filters import joined_signs

    # WeasyPrint warns about CSS it ignores; a document's reader cannot act on that.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    with _source_date_epoch(date):
        document = weasyprint.HTML(
            string=joined_signs(html), base_url=None, url_fetcher=_url_fetcher()
        ).render()
        data: bytes = document.write_pdf(**ACCESSIBLE)
    return data
