"""Writes: run a CMA, save it, count it, render and store its PDF, tell the agent.

``cma_run`` is the one entry to the engine for the page, the API and the chat tool; it reads
only the in-process read models (no store scan) and one document by key for a listing.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from billing.selectors import Entitlement
from listings.readmodel.loader import get_closed_model, get_read_model
from listings.selectors import Scope

from . import report as report_mod
from .engine import CmaError, valuate
from .limits import cma_consume, cma_release
from .models import CmaReport
from .narrative import narrate
from .sales import day_of
from .selectors import closed_sales
from .subjects import Resolved, resolve

log = logging.getLogger(__name__)


class CmaNotAllowed(Exception):
    def __init__(self, entitlement: Entitlement) -> None:
        super().__init__(entitlement.feature)
        self.entitlement = entitlement


@dataclass
class CmaInputs:
    """What the caller asked: a listing, or an address/position, plus facts to correct."""

    listing: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    facts: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "listing": self.listing,
            "address": self.address,
            "lat": self.lat,
            "lon": self.lon,
            "facts": {k: v for k, v in (self.facts or {}).items() if v not in (None, "")},
        }


def cma_run(*, inputs: CmaInputs, scope: Scope, as_of: date | None = None) -> tuple[Resolved, dict[str, Any]]:
    """Resolve the subject, value it, and build the report dict. ``CmaError`` on bad input."""
    as_of = as_of or timezone.localdate()
    active, closed = get_read_model(), get_closed_model()
    resolved = resolve(
        scope=scope,
        active=active,
        closed=closed,
        listing=inputs.listing,
        address=inputs.address,
        lat=inputs.lat,
        lon=inputs.lon,
        facts=inputs.facts,
    )
    subject = resolved.subject
    if not math.isfinite(subject.sqft):
        raise CmaError("Living area is needed for a CMA: please enter it.", field="sqft", code="missing_sqft")
    sales = closed_sales(model=closed)
    # Every sale recorded up to today counts (as_of is exclusive), except the subject's own.
    valuation = valuate(
        subject=subject, sales=sales, as_of_day=day_of(as_of + timedelta(days=1)), sources=scope.mls_sources
    )
    result = report_mod.build(
        valuation=valuation, subject=subject, sales=sales, closed=closed, active=active, as_of=as_of
    )
    if resolved.listing is not None:
        doc = resolved.listing
        result["listing"] = {
            "key": doc.get("listingKey"),
            "slug": doc.get("slug"),
            "status": doc.get("standardStatus"),
            "list_price": doc.get("listPrice"),
            "close_price": doc.get("closePrice"),
            "sold": resolved.sold,
        }
    result["notes"] = resolved.notes
    result["narrative"], result["narrative_source"] = narrate(result)
    return resolved, result


def cma_report_create(
    *,
    user: Any,
    inputs: CmaInputs,
    scope: Scope,
    schema_name: str,
    visitor_id: str | None = None,
    via: str = "page",
    lead: bool = False,
    branding: dict[str, Any] | None = None,
) -> tuple[CmaReport, Entitlement]:
    """Spend one CMA, run it and save the report; the unit is given back if no estimate came
    of it (bad input raises ``CmaError``; thin data saves an honest report, uncounted)."""
    ent = cma_consume(user=user, visitor_id=visitor_id)
    if not ent.allowed:
        raise CmaNotAllowed(ent)
    try:
        resolved, result = cma_run(inputs=inputs, scope=scope)
    except Exception:
        cma_release(user=user, visitor_id=visitor_id)
        raise
    if result.get("estimate") is None:
        cma_release(user=user, visitor_id=visitor_id)
        ent = Entitlement(**_ent_dict(ent, 1))
    with transaction.atomic():
        report = CmaReport.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            via=via,
            schema_name=schema_name,
            listing_key=str(resolved.subject.key or "")[:64],
            address=str(resolved.subject.address or "")[:300],
            inputs=inputs.as_dict(),
            result=result,
            estimate=result.get("estimate"),
            branding=branding or {},
        )
        if lead:
            _lead_for(report, user=user, schema_name=schema_name)
    transaction.on_commit(lambda: _queue_pdf(schema_name, report.pk))
    return report, ent


def _ent_dict(ent: Entitlement, give_back: int) -> dict[str, Any]:
    d = {f: getattr(ent, f) for f in ent.__dataclass_fields__}
    d["used"] = max(0, ent.used - give_back)
    if ent.remaining is not None:
        d["remaining"] = ent.remaining + give_back
    return d


def _queue_pdf(schema_name: str, report_id: int) -> None:
    from .tasks import cma_render_pdf

    try:
        cma_render_pdf.delay(schema_name=schema_name, report_id=report_id)
    except Exception:  # the broker being down must not lose the report: the PDF renders on download
        log.warning("CMA PDF task not queued for report %s; it will render on first download", report_id)


def _lead_for(report: CmaReport, *, user: Any, schema_name: str) -> None:
    """A visitor's CMA is a lead for the site's agent (on the flagship, for the brokerage)."""
    from leads.models import Lead
    from leads.services import lead_create

    r = report.result
    lead_create(
        source=Lead.Source.CMA,
        name=getattr(user, "full_name", "") or "",
        email=getattr(user, "email", "") or "",
        phone=getattr(user, "phone", "") or "",
        message=f"CMA requested for {report.address or report.listing_key}"
        + (f": estimate ${r['estimate']:,}" if r.get("estimate") else ": not enough data for an estimate"),
        listing_key=report.listing_key,
        user=user,
        data={"cma_report": str(report.public_id), "address": report.address, "estimate": r.get("estimate")},
    )


def cma_pdf_ensure(*, report: CmaReport, branding: dict[str, Any] | None = None) -> bytes:
    """The report's PDF: the stored file, or rendered now and stored for next time."""
    if report.pdf:
        try:
            with report.pdf.open("rb") as fh:
                return fh.read()
        except OSError:
            log.warning("CMA PDF %s missing on disk; rendering again", report.pdf.name)
    from .pdf import render_pdf

    data = render_pdf(report=report, branding=branding)
    report.pdf.save(f"{report.public_id}.pdf", ContentFile(data), save=False)
    CmaReport.objects.filter(pk=report.pk).update(pdf=report.pdf.name)
    return data
