"""A saved analysis as a PDF (WeasyPrint), branded with the site's logo and colours as it was
when saved; the same result dict as the page. Assets only from disk, through the CMA's
local-asset fetcher (the report's own schema's media, static files)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from cma.pdf import DEFAULT_BRANDING, _fetcher_for

from .charts import holding_svg
from .models import SavedAnalysis


def render_html(*, saved: SavedAnalysis, branding: dict[str, Any] | None = None) -> str:
    brand = {**DEFAULT_BRANDING, **(saved.branding or {}), **(branding or {})}
    r = saved.result
    return render_to_string(
        "invest/analysis_pdf.html",
        {
            "saved": saved,
            "r": r,
            "brand": brand,
            "chart": holding_svg(r, primary=brand["primary_color"], accent=brand["accent_color"]),
        },
    )


def render_pdf(*, saved: SavedAnalysis, branding: dict[str, Any] | None = None) -> bytes:
    from weasyprint import HTML

    html = render_html(saved=saved, branding=branding)
    data: bytes = HTML(string=html, base_url="file:///", url_fetcher=_fetcher_for(saved.schema_name)).write_pdf()
    return data
