"""Views of the public schema: the flagship home page; per-site media serving for dev."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils._os import safe_join

from listings.cards import listing_cards_featured
from tenants.db import current_schema


def flagship_home(request: HttpRequest) -> HttpResponse:
    # The flagship shows every MLS source.
    return render(request, "flagship/home.html", {"listings": listing_cards_featured(limit=8)})


def media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    """Serve a file of the current site's media only (dev and demo; nginx does it in
    production with the same per-host rule). Another site's files are a 404."""
    schema_prefix = f"{current_schema()}/"
    if not path.startswith(schema_prefix):
        raise Http404("Not found")
    try:
        full_path = safe_join(str(settings.MEDIA_ROOT), path)
        return FileResponse(open(full_path, "rb"))
    except (OSError, ValueError) as exc:
        raise Http404("Not found") from exc
