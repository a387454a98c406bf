"""Writes and the analysis pipeline: resolve the home, estimate its rent and appreciation,
run the finance, save an analysis.

``deal_prefill`` is the one place assumptions start from (listing facts, the rent estimate,
the local price index); ``deal_analysis_run`` the one place an analysis is computed (page,
listing panel, PDF, API). Neither scans the store: read models and one document by key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from cma.engine import CmaError, Subject
from cma.subjects import resolve
from listings.readmodel.loader import get_closed_model, get_read_model
from listings.selectors import Scope

from . import report
from .finance import DealError, DealInputs, analyze, cents, sensitivity
from .models import SavedAnalysis
from .rent import RentEstimate, rent_estimate
from .selectors import local_appreciation

# California: 1 % of the price (Proposition 13) plus the local voter-approved rates, which
# vary by tax-rate area; 0.1 % is a common add-on and the investor edits it.
CA_BASE_TAX_PCT = Decimal("1.0")
DEFAULT_LOCAL_TAX_PCT = Decimal("0.1")
OTHER_STATES_TAX_PCT = Decimal("1.1")
INSURANCE_PCT = Decimal("0.35")  # of the price, a year
CLOSING_PCT = Decimal("2")  # of the price


@dataclass
class Prefill:
    """Where an analysis starts: the home, its listing (if any) and the suggested inputs."""

    subject: Subject | None
    listing: dict[str, Any] | None
    rent: RentEstimate
    appreciation: float | None
    appreciation_note: str
    initial: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _money(v: Any) -> Decimal | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        return None
    return cents(Decimal(str(v)))


def deal_prefill(*, scope: Scope, listing: str = "", address: str = "", as_of: date | None = None) -> Prefill:
    """Suggested assumptions for a listing (by key or slug) or an address in the store.
    ``CmaError`` for an unknown listing or address."""
    as_of = as_of or timezone.localdate()
    active, closed = get_read_model(), get_closed_model()
    resolved = resolve(scope=scope, active=active, closed=closed, listing=listing, address=address)
    s, doc = resolved.subject, resolved.listing
    sqft = s.sqft if math.isfinite(s.sqft) else None
    rent = rent_estimate(
        lat=s.lat, lon=s.lon, sqft=sqft, beds=s.beds, active=active, closed=closed, as_of=as_of, exclude_key=s.key
    )
    ptype = s.ptype if s.ptype and s.ptype != "Residential Lease" else "Residential"
    rate, note = local_appreciation(lat=s.lat, lon=s.lon, ptype=ptype, sources=scope.mls_sources, as_of=as_of)
    price = _money((doc or {}).get("closePrice") if resolved.sold else (doc or {}).get("listPrice"))
    state = str((doc or {}).get("stateOrProvince") or "CA").upper()
    tax = CA_BASE_TAX_PCT + DEFAULT_LOCAL_TAX_PCT if state in ("CA", "CALIFORNIA") else OTHER_STATES_TAX_PCT
    initial: dict[str, Any] = {
        "listing": (doc or {}).get("listingKey") or "",
        "address": s.address or address,
        "tax_rate_pct": tax,
        "rent_monthly": Decimal(rent.estimate) if rent.estimate is not None else None,
        "appreciation_pct": Decimal(str(round(rate * 100, 2))) if rate is not None else Decimal(3),
    }
    if price:
        initial.update(
            price=price,
            closing_costs=cents(price * CLOSING_PCT / 100),
            insurance_yearly=cents(price * INSURANCE_PCT / 100),
        )
    if doc is not None:
        initial["hoa_monthly"] = _money(doc.get("associationFee")) or Decimal(0)
        lease = _money(doc.get("landLeaseAmount")) if doc.get("landLease") else None
        initial["land_lease_monthly"] = lease or Decimal(0)
    return Prefill(s, doc, rent, rate, note, initial, notes=list(resolved.notes))


def deal_analysis_run(*, inputs: DealInputs) -> dict[str, Any]:
    """The analysis and its sensitivity table as the result dict. ``DealError`` on bad input."""
    a = analyze(inputs)
    return report.build(a, sensitivity=sensitivity(inputs))


def analysis_save(
    *,
    user: Any,
    inputs: DealInputs,
    schema_name: str,
    listing_key: str = "",
    address: str = "",
    context: dict[str, Any] | None = None,
    branding: dict[str, Any] | None = None,
) -> SavedAnalysis:
    """Recompute from the inputs (never trust a posted result) and save."""
    result = deal_analysis_run(inputs=inputs)
    result["context"] = context or {}
    with transaction.atomic():
        return SavedAnalysis.objects.create(
            user=user,
            schema_name=schema_name,
            listing_key=listing_key[:64],
            address=address[:300],
            title=(address or listing_key)[:120],
            inputs=report.inputs_dict(inputs),
            result=result,
            branding=branding or {},
        )


__all__ = ["CmaError", "DealError", "Prefill", "analysis_save", "deal_analysis_run", "deal_prefill"]
