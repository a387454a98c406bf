"""White-label reports (Investor 3): the investor's own logo and name on the CMA, analysis and
comparison PDFs, instead of the site's, when they ask for it (``?brand=mine`` on a PDF link).

The logo is the investor's upload, checked and re-encoded by the themes' image rules (PNG,
JPEG or WebP; never SVG; a pixel budget), stored as a PNG on their account in the site's own
media folder (``TenantFileSystemStorage``), so the PDFs' local-asset fetcher (``cma.pdf``),
which reads only the report's schema's media, can embed it and another site never can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse

from billing.decorators import upgrade_prompt_response
from billing.plans import Feature
from billing.selectors import Entitlement, entitlement_check
from config.features import feature_on
from themes.images import LOGO, image_open_checked, logo_prepare

BRAND_PARAM, MINE = "brand", "mine"


@dataclass(frozen=True)
class BrandRefused:
    """``?brand=mine`` that cannot be honoured: without the plan (``entitlement``), or without
    a logo yet (``message``)."""

    message: str
    entitlement: Entitlement | None = None


def white_label_allowance(*, user: Any) -> Entitlement:
    return entitlement_check(user=user, feature=Feature.WHITE_LABEL_REPORTS)


def report_logo_set(*, user: Any, data: bytes, filename: str, brand_name: str = "") -> None:
    """Store the investor's report logo (``ValidationError`` naming what is wrong with the file;
    nothing is changed then)."""
    image = image_open_checked(data=data, filename=filename, rules=LOGO)
    png, _favicon = logo_prepare(image)
    old = user.report_logo.name if user.report_logo else ""
    user.report_logo.save(f"u{user.pk}.png", ContentFile(png), save=False)
    user.report_brand_name = brand_name.strip()[:120]
    user.save(update_fields=["report_logo", "report_brand_name"])
    if old and old != user.report_logo.name:
        user.report_logo.storage.delete(old)


def report_brand_name_set(*, user: Any, brand_name: str) -> None:
    user.report_brand_name = brand_name.strip()[:120]
    user.save(update_fields=["report_brand_name"])


def report_logo_clear(*, user: Any) -> None:
    if user.report_logo:
        user.report_logo.delete(save=False)
    user.report_logo = ""
    user.save(update_fields=["report_logo"])


def own_branding(*, user: Any) -> dict[str, Any]:
    """The branding keys a white-label PDF overrides: the investor's logo and name, and none of
    the site's agent or contact lines (the site's colours stay)."""
    name = user.report_brand_name or user.full_name or user.email
    return {
        "site_name": name,
        "logo_url": user.report_logo.url if user.report_logo else "",
        "logo_text": name,
        "agent_name": "",
        "license_number": "",
        "brokerage": "",
        "contact_email": "",
        "contact_phone": "",
    }


def requested_branding(request: HttpRequest) -> dict[str, Any] | BrandRefused | None:
    """None when the request does not ask for the investor's brand; their branding when it
    does and they may; ``BrandRefused`` otherwise (the view answers 403 or 400)."""
    if request.GET.get(BRAND_PARAM, "") != MINE or not feature_on("white_label_reports"):
        return None
    user: Any = request.user
    if not getattr(user, "is_authenticated", False):
        return BrandRefused("Sign in to download reports with your own logo.")
    ent = white_label_allowance(user=user)
    if not ent.allowed:
        return BrandRefused("Reports with your own logo come with the Investor 3 plan.", ent)
    if not user.report_logo:
        return BrandRefused("Upload your logo first (Your report logo, /invest/branding/).")
    return own_branding(user=user)


def brand_refused_response(request: HttpRequest, refused: BrandRefused) -> HttpResponse:
    if refused.entitlement is not None:
        return upgrade_prompt_response(request, refused.entitlement)
    return HttpResponse(refused.message, status=400, content_type="text/plain; charset=utf-8")


__all__ = ["BrandRefused", "ValidationError", "own_branding", "report_logo_set", "requested_branding"]
