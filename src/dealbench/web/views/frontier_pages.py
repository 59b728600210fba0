"""The negotiation's frontier pages: the chart the negotiation page loads (the deal on its
own, within what the concluded deals leave), the frontier with the portfolio's other deals
held, as `dealbench frontier` draws it, and the frontier in the portfolio re-planned from
the rounds (`frontier --rounds`), each of the two with the files `frontier --out` writes.

Each is a call into `dealbench.negotiate` (`frontier`, the rounds on it), solved once for
the files as they stand (`common.drawn`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dealbench.errors import InputError, Issue
from dealbench.model import Portfolio
from dealbench.negotiate.build import frontier
from dealbench.negotiate.chart import chart_stem, out_files
from dealbench.negotiate.frontier_words import frontier_words
from dealbench.negotiate.round_points import (
    chart_rounds,
    concluded_note,
    deal_basis,
    round_json,
    rounds_on_frontier,
)
from dealbench.negotiate.rounds_frontier import frontier_from_rounds
from dealbench.web.chart import frontier_chart
from dealbench.web.pages import page, wants_fragment
from dealbench.web.views.common import drawn, notes, off_loop
from dealbench.web.views.frontier_files import file_names, file_response
from dealbench.web.views.joint_frontier import joint_frontiers
from dealbench.web.views.negotiation import partner_of, setup

#: The frontier's frames: the negotiation's (what the other negotiations leave the deal),
#: `held`, as `dealbench frontier` draws it (the portfolio's other deals held at its
#: optimum): the two can differ on a zone of agreement (KZ in gulf-asia); or `rounds`, as
#: `dealbench frontier --rounds` draws it (the portfolio re-planned from its rounds, the
#: frame our offers are chosen in, and the frontier `room --why` speaks of).
FRAMES = ("", "held", "rounds")


def routes() -> list[Route]:
    return [
        Route("/p/{name}/n/{code}/frontier", frontier_fragment, name="frontier"),
        Route("/p/{name}/n/{code}/frontier/{frame}/{file}", frame_file, name="frame_file"),
    ]


async def frontier_fragment(request: Request) -> Response:
    """The frontier chart: the fragment the negotiation page's script loads after it shows,
    or a whole page to the page's "Draw the frontier" link (without scripts, that link
    opened the bare fragment: no styles, so the chart's lines filled black, and no way on)."""
    name, pf, folder = setup(request)
    code = partner_of(request, pf)
    frame = request.query_params.get("frame", "")
    if frame not in FRAMES:
        raise InputError(
            Issue("frame", None, "", f"expected held, rounds, or nothing; got {frame!r}")
        )

    data = await _frontier_drawn(request, pf, folder, code, frame)
    template = "_frontier.html.j2" if wants_fragment(request) else "frontier.html.j2"
    files: dict[str, Any] = {}
    if frame:  # what `frontier --out` writes of it (the negotiation's frame is no command's)
        rounds = " --rounds DIR" if frame == "rounds" else ""
        files = {
            "files": _frame_names(name, code, frame),
            "files_base": f"/p/{quote(name, safe='')}/n/{code}/frontier/{frame}/",
            "files_command": f"dealbench frontier --partner {code} --points {POINTS}{rounds} --out DIR",
        }
    if frame and template == "frontier.html.j2":  # its table and marked points, as printed
        files["words"] = frontier_words(data["computed"][0])
    return page(
        request,
        template,
        name=name,
        code=code,
        partner=pf.partner(code),
        joint_frontiers=joint_frontiers(request, name, code),
        **notes(request, pf),
        **data,
        **files,
    )


#: The points of the negotiation page's frontiers (`frontier --points 15`).
POINTS = 15


async def _frontier_drawn(
    request: Request, pf: Portfolio, folder: Path, code: str, frame: str
) -> dict[str, Any]:
    """The frontier of `frame` with the rounds drawn on it, its chart and (held) the
    frontier as computed, which `frontier --out` writes as JSON."""

    def work() -> dict[str, Any]:
        if frame == "held":  # `dealbench frontier --points 15`: the portfolio's other deals held
            result = frontier(pf, code, points=POINTS)
            curve, rounds = rounds_on_frontier(result, pf, folder)
        elif frame == "rounds":  # `dealbench frontier --points 15 --rounds DIR`
            result = frontier_from_rounds(pf, folder, code, points=POINTS)
            curve, rounds = rounds_on_frontier(result, pf, folder)
        else:
            basis = deal_basis(pf, folder, code)
            result = concluded_note(frontier(basis, code, points=POINTS), pf, folder)
            curve, rounds = chart_rounds(result, basis, pf, folder)
        chart = frontier_chart(curve, [round_json(r) for r in rounds])
        return {"chart": chart, "curve": curve, "frame": frame, "computed": (result, rounds)}

    # Drawn once for the files as they stand: the negotiation page, reloaded on every Back
    # (it is never kept in the browser's cache), asks for it again.
    return await drawn(request, folder, ("frontier", code, frame), work)


def _frame_names(name: str, code: str, frame: str) -> list[tuple[str, str]]:
    """A frame's downloads, saved with the portfolio's name after the stem (and the frame's,
    for the re-plan from the rounds: its files and the held frontier's do not take one name)."""
    stem = chart_stem(code, "partner")
    return file_names(stem, f"{stem}-{name}" + ("-rounds" if frame == "rounds" else ""))


async def frame_file(request: Request) -> Response:
    """One of the files `frontier --out` writes of the frontier of a frame (the others held,
    or re-planned from the rounds with `--rounds`): its JSON, its chart with the rounds as
    SVG and PNG, to download under its own name."""
    name, pf, folder = setup(request)
    code = partner_of(request, pf)
    frame = str(request.path_params["frame"])
    file = str(request.path_params["file"])
    if frame not in FRAMES[1:]:
        raise HTTPException(404, f"No frontier frame {frame!r}; its frames are held and rounds.")
    names = _frame_names(name, code, frame)
    if file not in dict(names):  # before any solve
        return file_response({}, names, file)
    data = await _frontier_drawn(request, pf, folder, code, frame)
    if "files" not in data:  # drawn once for the files as they stand (a chart: a second)
        result, rounds = data["computed"]
        data["files"] = await off_loop(out_files, result, data["curve"], rounds)
    return file_response(data["files"], names, file)
