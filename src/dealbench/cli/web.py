"""`dealbench serve`: the workbench in a browser, on this machine only."""

from __future__ import annotations

import errno
import os
import shlex
import socket
from pathlib import Path
from typing import Annotated

import typer

from dealbench.cli.base import app, given_folder
from dealbench.cli.errors import handled
from dealbench.cli.help import examples

LOOPBACK = ("127.0.0.1", "localhost", "::1")
NO_DEALS = (
    "no deals folder here; name the folder to serve (dealbench serve FOLDER), or run "
    "`dealbench demo`, which writes a copy of the example data to out/deals"
)


@app.command(
    epilog=examples(
        "dealbench serve deals",
        "dealbench serve deals --port 9000",
    )
)
def serve(
    deals_dir: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DEALS_DIR]",
            parser=given_folder,
            help="The deals folder (portfolios/, partners/, packages/); default: ./deals "
            "(`dealbench demo` writes a copy of the examples to out/deals).",
        ),
    ] = None,
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)
    ] = 8765,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Interface to listen on. Anything but loopback is warned about."
        ),
    ] = "127.0.0.1",
) -> None:
    """Start the local web workbench and print its URL with a one-time access token."""
    import secrets

    import uvicorn

    from dealbench.errors import InputError, Issue
    from dealbench.model.yamlio import near_path
    from dealbench.web import create_app

    with handled():
        folder = deals_dir or Path("deals")
        if deals_dir is None and not folder.is_dir():
            # Not the shipped examples: the workbench writes into its folder (rounds, saved
            # packages), and an installed package's folder is no one's to write.
            raise InputError(Issue("deals", None, "", NO_DEALS))
        if not folder.is_dir():
            near = None if folder.exists() else near_path(folder, str(folder))
            meant = f"; did you mean {near}?" if near and Path(near).is_dir() else ""
            raise InputError(Issue(str(folder), None, "", f"not a folder{meant}"))
        note = _no_portfolios(folder)
        sock = _listening(host, port)  # before anything starts: a busy port is said first
        token = secrets.token_urlsafe(24)
        web = create_app(folder, token)
        web.state.jobs.prepare()  # the first solve's process: started before the first click
        if note is not None:
            typer.echo(f"note: {note}", err=True)
        if host not in LOOPBACK:
            typer.echo(
                f"warning: listening on {host}: anyone who can reach this machine and learns "
                "the token can read and write the deals folder",
                err=True,
            )
        config = uvicorn.Config(web, host=host, port=port, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        shown = f"[{host}]" if ":" in host else host

        original = server.startup

        async def startup(sockets: object = None) -> None:
            await original(sockets=sockets)  # type: ignore[arg-type]
            bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
            typer.echo(f"dealbench is serving {folder} at:")
            typer.echo(f"    http://{shown}:{bound}/?token={token}")
            typer.echo("Press Ctrl-C to stop.", err=True)

        server.startup = startup  # type: ignore[method-assign]
        stop = server.shutdown

        async def shutdown(sockets: object = None) -> None:
            web.state.jobs.shutdown()  # cancels solves: pages waiting on them are answered
            await stop(sockets=sockets)  # type: ignore[arg-type]

        server.shutdown = shutdown  # type: ignore[method-assign]
        try:
            server.run(sockets=[sock])
        finally:
            web.state.jobs.shutdown()
            sock.close()


def _no_portfolios(folder: Path) -> str | None:
    """What to say of a folder to serve without a portfolios/ folder, where the workbench
    finds its portfolios (`serve .` in the repository, `serve deals/portfolios`): it served
    a page saying "No portfolio files in ./portfolios" alone. The deals folder meant, where
    one is near: inside it (`./deals`) or above it; else None when it has portfolios/."""
    if (folder / "portfolios").is_dir():
        return None
    said = f"{folder} has no portfolios/ folder, so the workbench lists no portfolio"
    above = [p for p in Path(os.path.abspath(folder)).parents if (p / "portfolios").is_dir()]
    if (folder / "deals" / "portfolios").is_dir():
        meant = folder / "deals"
    elif above:
        meant = Path(os.path.relpath(above[0])) if not folder.is_absolute() else above[0]
    else:
        return f"{said}: it lists the portfolio files of {folder / 'portfolios'}/"
    return (
        f"{said}; serve the deals folder that holds it: dealbench serve {shlex.quote(str(meant))}"
    )


def _listening(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` and listening, as uvicorn binds one; a port in use
    or an address not of this machine is refused with the option at fault (exit 2), where
    uvicorn logged `ERROR: [Errno 98] ...` and exited 3, which is dealbench's "no"."""
    from dealbench.errors import InputError, Issue

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise InputError(
            Issue("--host", None, "", f"cannot listen on {host!r}: {reason}; " + _LOCAL)
        ) from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            message = (
                f"port {port} on {host} is in use by another program; give another port, "
                "or --port 0 for any free one"
            )
            raise InputError(Issue("--port", None, "", message)) from None
        if exc.errno == errno.EACCES and port < 1024:
            message = (
                f"port {port} needs administrator rights (ports below 1024 do); give a port "
                "from 1024, such as the default 8765"
            )
            raise InputError(Issue("--port", None, "", message)) from None
        message = f"cannot listen on {host} port {port}: {exc.strerror}; " + _LOCAL
        raise InputError(Issue("--host", None, "", message)) from None
    sock.set_inheritable(True)
    return sock


_LOCAL = "give an address of this machine, such as 127.0.0.1 (the default)"
