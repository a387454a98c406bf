"""The report as a PDF (WeasyPrint): the site's logo and colours, SVG charts, the same numbers
as the page (both render the saved report dict).

Images are read from disk, never fetched over the network: ``/media/<schema>/...`` only from
the report's own schema's media directory (the path normalised before the prefix check),
``/static/...`` through the static finders; anything else is refused.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .charts import adjusted_prices_svg, comps_map_svg
from .models import CmaReport

DEFAULT_BRANDING = {
    "site_name": getattr(settings, "FLAGSHIP_NAME", "ChatRealty"),
    "logo_url": "",
    "logo_text": "",
    "primary_color": "#0f766e",
    "accent_color": "#ea580c",
}


def _fetcher_for(schema_name: str) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    media_root = (Path(settings.MEDIA_ROOT) / schema_name).resolve()
    media_url = settings.MEDIA_URL.rstrip("/") + f"/{schema_name}/"

    class LocalAssets(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path: str | None = None
            local = "/" + (url.split("://", 1)[1].split("/", 1)[-1] if "://" in url else url.lstrip("/"))
            if local.startswith(media_url):
                candidate = (media_root / local[len(media_url) :]).resolve()
                if os.path.commonpath([candidate, media_root]) == str(media_root) and candidate.is_file():
                    path = str(candidate)
            elif local.startswith(settings.STATIC_URL):
                found = finders.find(local[len(settings.STATIC_URL) :])
                path = found if isinstance(found, str) else None
            if path is None:
                raise ValueError(f"not a local asset of this site: {url[:100]}")
            with open(path, "rb") as fh:
                data = fh.read()
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})

    return LocalAssets(allowed_protocols=("file", "http", "https"))


def render_html(*, report: CmaReport, branding: dict[str, Any] | None = None) -> str:
    brand = {**DEFAULT_BRANDING, **(report.branding or {}), **(branding or {})}
    result = report.result
    return render_to_string(
        "cma/report_pdf.html",
        {
            "report": report,
            "r": result,
            "brand": brand,
            "chart": adjusted_prices_svg(result, primary=brand["primary_color"], accent=brand["accent_color"]),
            "map_svg": comps_map_svg(result, primary=brand["primary_color"], accent=brand["accent_color"]),
        },
    )


def render_pdf(*, report: CmaReport, branding: dict[str, Any] | None = None) -> bytes:
    from weasyprint import HTML

    html = render_html(report=report, branding=branding)
    return HTML(string=html, base_url="file:///", url_fetcher=_fetcher_for(report.schema_name)).write_pdf()
