"""A trade negotiator's pass through the web workbench (qa31-web): upload names the server
cannot take, the offer form's deadline, the joint frontier's axis and gap, and what a new
user met on the way through the negotiation in a browser.

Each test failed before its fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dealbench.web.security import CSRF_FIELD, csrf_for
from helpers import WEB_TOKEN, words


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _multipart(fields: dict[str, str], filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A form's body with one file sent under `filename`, byte for byte as a client may send
    it (a test client's own encoding would change a NUL or a slash); body and content type."""
    boundary = b"qa31-boundary"
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary, key.encode(), value.encode())
        for key, value in fields.items()
    ]
    parts.append(
        b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
        b"Content-Type: application/x-yaml\r\n\r\n%s\r\n" % (boundary, filename, content)
    )
    body = b"".join(parts) + b"--%s--\r\n" % boundary
    return body, f"multipart/form-data; boundary={boundary.decode()}"


# --- upload names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename",
    [b"..", b".", b"/", b"a/b.yaml", b"..\\x.yaml", b"a\x00b.yaml", b"x" * 300 + b".yaml", b" "],
)
@pytest.mark.parametrize("route", ["/p/gulf-asia/upload", "/p/gulf-asia/n/AE/counter"])
def test_an_upload_under_a_name_no_file_has_is_refused_in_its_field(
    client: Any, deals: Path, route: str, filename: bytes
) -> None:
    """A package uploaded under the name ".." or "." (or "/", or one 300 characters long)
    answered 500 Internal Server Error, in the editor's upload and in the negotiation's
    counter form alike: the server wrote the upload to a private file named as the upload,
    and ".." is a folder. A name with a slash or a NUL was taken (its last part), or failed
    likewise. Every such name is now refused in the upload's field, saying the name and
    what to do, before the file is read; nothing is written."""
    before = _tree(deals)
    content = (deals / "packages/ae-offer.yaml").read_bytes()
    body, kind = _multipart({CSRF_FIELD: csrf_for(WEB_TOKEN)}, filename, content)
    answer = client.post(route, content=body, headers={"content-type": kind})
    assert answer.status_code == 422, answer.text[-2000:]
    said = words(answer.text)
    assert "which is not a file's name" in said
    assert "choose a package file saved under a plain name" in said
    if route.endswith("/counter"):
        assert "file: the file was sent under the name" in said
        assert 'aria-invalid="true"' in re.search(r'<input type="file"[^>]*>', answer.text)[0]
    else:
        upload_form = re.search(r'(?s)<form id="upload".*?</form>', answer.text)
        assert upload_form is not None and "which is not a file" in words(upload_form[0])
    assert _tree(deals) == before
