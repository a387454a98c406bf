"""The deal panel on listing pages: this month's numbers under default assumptions for Investor
plans, a blurred teaser (no real numbers in the page) with an upgrade link for everyone else."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from cma.subjects import subject_from_document
from config.features import feature_on
from listings.readmodel.loader import get_closed_model, get_read_model

from .finance import DealError, DealInputs
from .forms import initial_with_defaults
from .portfolio_selectors import portfolio_allowance
from .rent import rent_estimate
from .selectors import deal_allowance
from .services import CA_BASE_TAX_PCT, CLOSING_PCT, DEFAULT_LOCAL_TAX_PCT, INSURANCE_PCT, deal_analysis_run


def listing_quick(*, doc: dict[str, Any]) -> dict[str, Any] | None:
    """Rent estimate and first-year numbers for a listing under the default assumptions (the
    appreciation-dependent numbers are left to the full analysis page)."""
    price = doc.get("listPrice")
    if isinstance(price, bool) or not isinstance(price, (int, float)) or not math.isfinite(price) or price <= 0:
        return None
    s = subject_from_document(doc)
    rent = rent_estimate(
        lat=s.lat,
        lon=s.lon,
        sqft=s.sqft if math.isfinite(s.sqft) else None,
        beds=s.beds,
        active=get_read_model(),
        closed=get_closed_model(),
        as_of=timezone.localdate(),
        exclude_key=s.key,
    )
    if rent.estimate is None:
        return {"rent": rent.as_dict(), "result": None}
    p = Decimal(str(price)).quantize(Decimal("0.01"))
    base = initial_with_defaults({})
    hoa = doc.get("associationFee") if isinstance(doc.get("associationFee"), (int, float)) else 0
    lease = (
        doc.get("landLeaseAmount")
        if doc.get("landLease") and isinstance(doc.get("landLeaseAmount"), (int, float))
        else 0
    )
    try:
        inp = DealInputs(
            price=p,
            rent_monthly=Decimal(rent.estimate),
            down_pct=base["down_pct"],
            rate_pct=base["rate_pct"],
            term_years=base["term_years"],
            closing_costs=p * CLOSING_PCT / 100,
            tax_rate_pct=CA_BASE_TAX_PCT + DEFAULT_LOCAL_TAX_PCT,
            insurance_yearly=(p * INSURANCE_PCT / 100).quantize(Decimal("0.01")),
            hoa_monthly=Decimal(str(hoa or 0)),
            land_lease_monthly=Decimal(str(lease or 0)),
            hold_years=1,
        )
        return {"rent": rent.as_dict(), "result": deal_analysis_run(inputs=inp), "inputs": inp}
    except DealError:
        return None


# The panel of a visitor without the deal analysis is the teaser, the same for every listing and
# visitor except signed in or not: rendered once per process (with its own RequestContext it
# cost ~0.6 ms of every listing page).
_teasers: dict[tuple[bool, str], str] = {}


def listing_panel_html(*, request: HttpRequest, doc: dict[str, Any]) -> str:
    if not feature_on("deal_analysis"):
        return ""
    allowance = deal_allowance(user=request.user)
    if not allowance.allowed:
        key = (bool(request.user.is_authenticated), str(settings.STATIC_URL))
        teaser = _teasers.get(key)
        if teaser is None:
            teaser = _teasers[key] = render_to_string(
                "invest/_listing_panel.html", {"allowance": allowance, "user": request.user}, request=request
            )
        return teaser
    quick = listing_quick(doc=doc) if allowance.allowed else None
    # "Add to my portfolio" only for those whose plan has it (a link is never a dead end).
    portfolio = allowance.allowed and feature_on("portfolio") and portfolio_allowance(user=request.user).allowed
    return render_to_string(
        "invest/_listing_panel.html",
        {
            "allowance": allowance,
            "quick": quick,
            "key": doc.get("listingKey", ""),
            "user": request.user,
            "portfolio": portfolio,
        },
        request=request,
    )
