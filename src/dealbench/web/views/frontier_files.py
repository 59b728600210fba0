"""A frontier's downloads, the files `dealbench frontier --out` writes (frontier-KZ.json,
.svg and .png: `negotiate.chart.out_files`), for both frontier pages that have them: the
frontier with the other deals held (`/p/NAME/n/CODE/frontier?frame=held`) and the joint
frontier (`/frontiers/N`). One list of links (`_frontier_files.html.j2`), one answer."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response

#: The files `frontier --out` writes, by extension, with their media types.
FILE_MEDIA = {"json": "application/json", "svg": "image/svg+xml", "png": "image/png"}


def file_names(stem: str, saved: str) -> list[tuple[str, str]]:
    """Each file `frontier --out` writes (`stem`: frontier-KZ, or frontier-KZ-risk on the
    risk axis) with the name a browser saves it under (`saved`: the stem with the portfolio
    and, for a joint frontier, its number, so that two downloads do not take one name)."""
    return [(f"{stem}.{ext}", f"{saved}.{ext}") for ext in FILE_MEDIA]


def file_response(files: dict[str, bytes], names: list[tuple[str, str]], file: str) -> Response:
    """The download of `file`, one of `names`, from `files` (`out_files`), saved under its
    name; a 404 in words for a name that is none of them."""
    saved = dict(names).get(file)
    if saved is None or file not in files:
        offered = ", ".join(f for f, _ in names)
        raise HTTPException(404, f"No file {file!r} of this frontier; its files are {offered}.")
    headers = {"Content-Disposition": f'attachment; filename="{saved}"'}
    ext = file.rpartition(".")[2]
    return Response(files[file], media_type=FILE_MEDIA[ext], headers=headers)
