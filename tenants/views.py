"""Per-site media serving (every URLconf)."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase

from core.tenancy import current_schema

# Wagtail documents are served by Wagtail's view (/documents/<id>/<name>), which applies their
# privacy settings; their files are never served as plain media.
PRIVATE_MEDIA_FOLDERS = frozenset({"documents"})


def media_file(*, schema_name: str, path: str) -> Path | None:
    """The file of ``schema_name``'s media that ``path`` (``<schema>/<rest>``, as decoded from
    the URL) names, or None. The path is checked as a whole before anything is opened: every
    segment a plain name (no ``..``, ``.``, empty segment, backslash or NUL, so no absolute
    path either), the first segment this site's schema, no private folder; then the real path,
    symlinks resolved, must still be inside the site's folder."""
    if "\\" in path or "\x00" in path:
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or len(parts) < 2:
        return None
    if parts[0] != schema_name or parts[1] in PRIVATE_MEDIA_FOLDERS:
        return None
    root = (Path(settings.MEDIA_ROOT) / schema_name).resolve()
    full = root.joinpath(*parts[1:]).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        return None
    return full


def media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    """Serve a file of the current site's media only (the demo, and in production for hosts
    nginx cannot map to a schema; nginx serves the rest with the same rule). Anything else,
    another site's file above all, is a 404."""
    full = media_file(schema_name=current_schema(), path=path)
    if full is None:
        raise Http404("Not found")
    try:
        # O_NOFOLLOW: a symlink swapped in after the check is not followed.
        handle = os.fdopen(os.open(full, os.O_RDONLY | os.O_NOFOLLOW), "rb")
    except OSError as exc:
        raise Http404("Not found") from exc
    content_type, _ = mimetypes.guess_type(full.name)
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    # Uploaded files are the site editors' content on our origin: never run as a page.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
