"""`dealbench serve`: the workbench in a browser, on this machine only."""

from __future__ import annotations

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
    from dealbench.web import create_app

    with handled():
        folder = deals_dir or Path("deals")
        if deals_dir is None and not folder.is_dir():
            # Not the shipped examples: the workbench writes into its folder (rounds, saved
            # packages), and an installed package's folder is no one's to write.
            raise InputError(Issue("deals", None, "", NO_DEALS))
        if not folder.is_dir():
            raise InputError(Issue(str(folder), None, "", "not a folder"))
        token = secrets.token_urlsafe(24)
        web = create_app(folder, token)
        web.state.jobs.prepare()  # the first solve's process: started before the first click
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
            server.run()
        finally:
            web.state.jobs.shutdown()
