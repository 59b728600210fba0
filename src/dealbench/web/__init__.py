"""The workbench in a browser: a local web shell over the same library calls as the CLI.

`create_app(DEALS_DIR, token)` builds the ASGI app; `dealbench serve` runs it
on 127.0.0.1 with a random access token. Pages are rendered on the server
(Jinja2); a little vanilla JavaScript re-evaluates the package editor and
follows running solves. The shell holds no business logic: it loads files
with `dealbench.model`, solves with `dealbench.solve`, checks with
`dealbench.evaluate` and renders with `dealbench.render`.
"""

from dealbench.web.app import create_app

__all__ = ["create_app"]
