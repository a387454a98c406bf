"""Reads for the directory."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from providers.models import Assignment, Category, Provider, SiteRecommendation


def directory(*, category: str = "", city: str = "", q: str = "") -> QuerySet[Provider]:
    """Verified providers, filtered, best rated first (unrated last), with their ratings."""
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
    ).order_by("-rating", "company")


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
