"""Reads for the directory."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db.models import Avg, BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from billing.plans import Audience, Feature, plan_list
from core.tenancy import process_cache_allowed
from providers.models import Assignment, Category, Provider, SiteRecommendation


def directory(*, category: str = "", city: str = "", q: str = "") -> QuerySet[Provider]:
    """Verified providers, filtered, best rated first (unrated last), with their ratings."""
    # PostgreSQL refuses NUL in text: a query string carrying one matches nothing, not a 500.
    category, city, q = (v.replace("\x00", "") for v in (category, city, q))
    qs = Provider.objects.filter(status=Provider.Status.VERIFIED).select_related("category")
    if category:
        qs = qs.filter(category__slug=category)
    if city:
        qs = qs.filter(cities__contains=[city])
    if q:
        qs = qs.filter(Q(company__icontains=q) | Q(description__icontains=q))
    return qs.annotate(
        rating=Avg("reviews__rating", filter=Q(reviews__status="approved")),
        review_count=Count("reviews", filter=Q(reviews__status="approved")),
        featured=ExpressionWrapper(Q(plan_key__in=featured_plan_keys()), output_field=BooleanField()),
    ).order_by("-featured", F("rating").desc(nulls_last=True), "company")


def featured_plan_keys() -> list[str]:
    """Plans whose providers are listed first (the Provider plan)."""
    return [p.key for p in plan_list(audience=Audience.PROVIDER) if Feature.FEATURED_PLACEMENT in p.switches]


def requests_this_month(*, provider: Provider, now: dt.datetime | None = None) -> int:
    local = timezone.localtime(now or timezone.now())
    month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return provider.assignments.filter(created_at__gte=month).count()


def recommended(*, site_schema: str) -> list[Provider]:
    return [
        r.provider
        for r in SiteRecommendation.objects.filter(site_schema=site_schema, provider__status=Provider.Status.VERIFIED)
        .select_related("provider__category")
        .order_by("position")
    ]


def provider_rating(*, provider: Provider) -> dict[str, Any]:
    agg = provider.reviews.filter(status="approved").aggregate(avg=Avg("rating"), n=Count("id"))
    return {"average": round(agg["avg"], 1) if agg["avg"] is not None else None, "count": agg["n"]}


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def dashboard_assignments(*, provider: Provider) -> QuerySet[Assignment]:
    return provider.assignments.select_related("request", "request__category").order_by("-created_at")


# ---- which kinds of pro a city has (the listing page's request buttons) ----------------------

LISTING_ACTIONS = ("lender", "inspector", "escrow")
OFFERS_CACHE_SECONDS = 60.0  # another process's verification shows within this; this one's at once
_offers: list[tuple[float, dict[str, frozenset[str]]]] = []


def _offers_clear(**_: Any) -> None:
    _offers.clear()


post_save.connect(_offers_clear, sender=Provider, weak=False, dispatch_uid="providers-offers-save")
post_delete.connect(_offers_clear, sender=Provider, weak=False, dispatch_uid="providers-offers-delete")
post_save.connect(_offers_clear, sender=Category, weak=False, dispatch_uid="providers-offers-category")


def offered_categories(*, city_slug: str) -> frozenset[str]:
    """The listing-page categories (``LISTING_ACTIONS``) some verified provider offers in
    ``city_slug``. Every listing page asks, so the whole directory's answer (one query) is kept
    per process for ``OFFERS_CACHE_SECONDS``; a provider saved in this process empties it at once.
    Inside a transaction it is neither read nor kept (rows there may be rolled back)."""
    if not city_slug:
        return frozenset()
    shareable = process_cache_allowed()
    if shareable and _offers and _offers[0][0] > time.monotonic():
        return _offers[0][1].get(city_slug, frozenset())
    rows = Provider.objects.filter(status=Provider.Status.VERIFIED, category__slug__in=LISTING_ACTIONS)
    by_city: dict[str, set[str]] = {}
    for cities, category in rows.values_list("cities", "category__slug"):
        for city in cities or ():
            by_city.setdefault(city, set()).add(category)
    offers = {city: frozenset(kinds) for city, kinds in by_city.items()}
    if shareable:
        _offers[:] = [(time.monotonic() + OFFERS_CACHE_SECONDS, offers)]
    return offers.get(city_slug, frozenset())
