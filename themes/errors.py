"""The site's own error page for server errors, in its branding when that can still be read."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 500 page inside the site's layout (name, logo, colours, navigation);
    if rendering that fails too (the database may be why we are here), the plain 500 page."""
    try:
        html = loader.render_to_string("errors/500_site.html", request=request)
    except Exception:
        logger.warning("branded 500 page unavailable", exc_info=True)
        html = loader.render_to_string("500.html")
    return HttpResponseServerError(html)
