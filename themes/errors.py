"""The site's own error page for server errors, in its branding when that can still be read."""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from core.errors import is_outage

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 500 page inside the site's layout (name, logo, colours, navigation);
    if rendering that fails too (the database may be why we are here), the plain 500 page. A
    backing service that could not be reached is no server error: that is a 503."""
    if is_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    try:
        html = loader.render_to_string("errors/500_site.html", request=request)
    except Exception:
        logger.warning("branded 500 page unavailable", exc_info=True)
        html = loader.render_to_string("500.html")
    return HttpResponseServerError(html)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """A 503 page for a backing service that is down for a moment (``config.middleware``), in the
    site's layout when that can still be rendered, else the plain one; ``Retry-After`` set."""
    try:
        html = loader.render_to_string("errors/503_site.html", request=request)
    except Exception:
        logger.warning("branded 503 page unavailable", exc_info=True)
        html = loader.render_to_string("503.html")
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    return response
