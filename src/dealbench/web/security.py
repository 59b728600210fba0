"""Who may use the workbench, and what it may touch.

- Every request carries the access token: in the `?token=` of the URL the
  server printed (which sets a same-site cookie and redirects to the clean
  URL), in that cookie, or in an `X-Dealbench-Token` header.
- Every POST also carries the CSRF token of the pages (a form field or a
  header) and, when the browser sends one, an Origin of this server.
- Files are read and written only under DEALS_DIR: `confine` refuses any path
  that resolves outside it (`..`, absolute paths, symlinks pointing out).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import URL
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dealbench.errors import InputError, Issue

COOKIE = "dealbench_token"
HEADER = "x-dealbench-token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_for(token: str) -> str:
    """The CSRF token of a server: derived from its access token, never equal to it."""
    return hmac.new(token.encode(), b"dealbench-csrf", hashlib.sha256).hexdigest()


def confine(root: Path, relative: str) -> Path:
    """`relative` as a path under `root`, or an InputError when it would leave it."""
    if "\x00" in relative:
        raise InputError(Issue(relative.replace("\x00", "\\0"), None, "", "a NUL byte in a path"))
    return inside(root, root / relative, relative)


def inside(root: Path, path: Path, shown: str | None = None) -> Path:
    """`path`, resolved, when it lies under `root`; else an InputError naming it."""
    base, target = root.resolve(), path.resolve()
    if target != base and base not in target.parents:
        raise InputError(
            Issue(shown or str(path), None, "", f"the path leaves the deals folder {root}; refused")
        )
    # A name longer than the file system takes makes every later look at the path
    # (exists, is_file) raise OSError: a 500 for /p/<a long name> or a long file name.
    longest = _name_max(base)
    if any(len(os.fsencode(part)) > longest for part in target.relative_to(base).parts):
        raise InputError(
            Issue(shown or str(path), None, "", f"a name longer than the {longest} bytes allowed")
        )
    return target


def _name_max(folder: Path) -> int:
    """The longest file name the file system under `folder` takes (255 where unknown)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


#: The response to a refused request, from its message: the app's 403 page.
Refusal = Callable[[str], Response]


class AccessMiddleware:
    """Token on every request; CSRF token and same origin on every POST.

    A refused request gets `refuse(message)`, status 403: the app's error page.
    """

    def __init__(self, app: ASGIApp, token: str, refuse: Refusal) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf_for(token)
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        cookies = _cookies(headers.get("cookie", ""))
        given = query.get("token")
        if given is not None and self._ok(given):
            await self._clean_redirect(scope, query)(scope, receive, send)
            return
        if not (self._ok(cookies.get(COOKIE, "")) or self._ok(headers.get(HEADER, ""))):
            await self.refuse(
                "This dealbench server needs its access token: open the URL that "
                "`dealbench serve` printed."
            )(scope, receive, send)
            return
        if scope["method"] == "POST" and not self._same_origin(headers):
            await self.refuse("Cross-site request refused.")(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _ok(self, candidate: str) -> bool:
        return bool(candidate) and hmac.compare_digest(candidate, self.token)

    def _same_origin(self, headers: dict[str, str]) -> bool:
        origin = headers.get("origin")
        if origin is None or (origin == "null" and headers.get(CSRF_HEADER)):
            return True
        return URL(origin).netloc == headers.get("host", "")

    def _clean_redirect(self, scope: Scope, query: dict[str, str]) -> Response:
        rest = {k: v for k, v in query.items() if k != "token"}
        target = scope["path"] + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
        return response


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out
