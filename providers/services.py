"""Writes for the directory: sign-up, verification, routing requests, answers, reviews,
recommendations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role
from billing.plans import PLANS, Feature
from marketplace import city_choices, site_base_url
from marketplace.media import image_open, image_store
from providers.licences import licence_normalise
from providers.models import Assignment, Category, Provider, Review, ServiceRequest, SiteRecommendation

LOGO_SIZES = {"logo": (320, 320)}


def provider_signup(
    *, owner: Any, data: dict[str, Any], logo: Any = None, cities: dict[str, str] | None = None
) -> Provider:
    """Create the profile (pending until a platform admin verifies it) and give the account
    the service-provider role."""
    category: Category = data["category"]
    errors: dict[str, list[str]] = {}
    licence = data.get("licence_number", "")
    if category.licence_kind:
        if not licence and category.licence_required:
            errors["licence_number"] = [
                f"{category.name} providers must give their {category.get_licence_kind_display()}."
            ]
        elif licence:
            try:
                licence = licence_normalise(kind=category.licence_kind, value=licence)
            except ValidationError as exc:
                errors["licence_number"] = exc.messages
    known = cities if cities is not None else city_choices()
    areas = [c for c in data.get("cities", []) if c]
    unknown = [c for c in areas if c not in known]
    if not areas or unknown:
        errors["cities"] = ["Choose at least one city you serve from the list."]
    if errors:
        raise ValidationError(errors)
    base = slugify(data["company"])[:120] or "provider"
    slug, n = base, 1
    while Provider.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    provider = Provider(
        owner=owner,
        company=data["company"],
        slug=slug,
        category=category,
        licence_number=licence,
        description=data["description"],
        phone=data["phone"],
        email=data.get("email") or owner.email,
        website=data.get("website", ""),
        cities=sorted(set(areas)),
    )
    provider.full_clean(exclude=["owner", "logo", "verified_by"])
    with transaction.atomic():
        if logo is not None:
            provider.logo = image_store(image_open(logo), folder="providers", sizes=LOGO_SIZES)["logo"]
        provider.save()
        if owner.role not in (Role.SUPERADMIN, Role.ADMIN):
            owner.role = Role.SERVICE_PROVIDER
            owner.save(update_fields=["role"])
    return provider


def provider_verify(*, provider: Provider, admin: Any, approve: bool = True) -> Provider:
    provider.status = Provider.Status.VERIFIED if approve else Provider.Status.REJECTED
    provider.verified_at = timezone.now() if approve else None
    provider.verified_by = admin
    provider.save(update_fields=["status", "verified_at", "verified_by"])
    return provider


def monthly_allowance(*, provider: Provider) -> int:
    """Requests routed to ``provider`` a month: its plan's slots, else the free allowance."""
    plan = PLANS.get(provider.plan_key)
    slots = plan.limit(Feature.PROVIDER_REQUESTS) if plan is not None else None
    return slots if slots is not None else int(settings.PROVIDERS_FREE_MONTHLY_REQUESTS)


def provider_plan_sync(*, user: Any) -> int:
    """Follow the owner's Provider plan (billing's ``network_plan_changed``): live → its key,
    cancelled or unpaid → none."""
    from billing.plans import Audience
    from billing.selectors import subscription_current

    sub = subscription_current(user=user, audience=Audience.PROVIDER)
    return Provider.objects.filter(owner=user).update(plan_key=sub.plan_key if sub is not None else "")


def _month_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def request_create(*, data: dict[str, Any], site_schema: str, now: dt.datetime | None = None) -> ServiceRequest:
    """Save the request and send it to at most ``PROVIDERS_PER_REQUEST`` verified providers of
    its category covering its city, rotating fairly: the least recently sent first. Providers
    over this month's request allowance are skipped. Rows are locked in a fixed order, so
    concurrent requests rotate instead of all landing on the same three."""
    now = now or timezone.now()
    with transaction.atomic():
        request = ServiceRequest.objects.create(site_schema=site_schema, **data)
        month = _month_start(now)
        candidates = list(
            Provider.objects.select_for_update(of=("self",))
            .filter(status=Provider.Status.VERIFIED, category=request.category, cities__contains=[request.city_slug])
            .order_by("id")
        )
        used = dict(
            Assignment.objects.filter(provider__in=candidates, created_at__gte=month)
            .values_list("provider")
            .annotate(n=Count("id"))
            .values_list("provider", "n")
        )
        eligible = [p for p in candidates if used.get(p.pk, 0) < monthly_allowance(provider=p)]
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        eligible.sort(key=lambda p: (p.last_routed_at or epoch, p.pk))
        chosen = eligible[: settings.PROVIDERS_PER_REQUEST]
        Assignment.objects.bulk_create([Assignment(request=request, provider=p) for p in chosen])
        # Distinct, increasing stamps in the order chosen: the next request continues the round
        # where this one stopped instead of favouring the lowest ids on ties.
        for i, provider in enumerate(chosen):
            Provider.objects.filter(pk=provider.pk).update(last_routed_at=now + dt.timedelta(microseconds=i))
        transaction.on_commit(lambda: _notify_providers(request_id=request.pk))
    return request


def _notify_providers(*, request_id: int) -> None:
    request = ServiceRequest.objects.get(pk=request_id)
    base = site_base_url(settings.PUBLIC_SCHEMA_NAME)
    for a in request.assignments.select_related("provider"):
        send_mail(
            subject=f"New request: {request.category.name} in {request.city_slug.replace('-', ' ').title()}",
            message=f"{request.name} asks for help{f' with {request.listing_address}' if request.listing_address else ''}.\n\n"
            f"{request.message}\n\nAnswer from your dashboard: {base}/provider/",
            from_email=None,
            recipient_list=[a.provider.email],
            fail_silently=True,
        )


def assignment_answer(*, assignment: Assignment, answer: str) -> Assignment:
    answer = answer.strip()
    if not answer:
        raise ValidationError("Write an answer first.")
    assignment.answer = answer[:4000]
    assignment.answered_at = timezone.now()
    if assignment.status == Assignment.Status.NEW:
        assignment.status = Assignment.Status.ANSWERED
    assignment.save(update_fields=["answer", "answered_at", "status"])
    request = assignment.request
    link = f"{site_base_url(request.site_schema)}/providers/requests/{request.access_token}/"
    transaction.on_commit(
        lambda: send_mail(
            subject=f"{assignment.provider.company} answered your request",
            message=f"{assignment.answer}\n\n{assignment.provider.company} · {assignment.provider.phone} · "
            f"{assignment.provider.email}\n\nAll answers to your request: {link}\n",
            from_email=None,
            recipient_list=[request.email],
            fail_silently=True,
        )
    )
    return assignment


def assignment_outcome(*, assignment: Assignment, won: bool) -> Assignment:
    assignment.status = Assignment.Status.WON if won else Assignment.Status.LOST
    assignment.save(update_fields=["status"])
    return assignment


def review_submit(*, request: ServiceRequest, provider: Provider, rating: int, body: str) -> Review:
    """Only the visitor who made the request (they hold its link), once per request, about a
    provider the request was sent to."""
    if not Assignment.objects.filter(request=request, provider=provider).exists():
        raise ValidationError("You can review only a provider your request was sent to.")
    if Review.objects.filter(request=request).exists():
        raise ValidationError("You have already reviewed this request.")
    review = Review(request=request, provider=provider, rating=rating, body=body.strip())
    review.full_clean()
    review.save()
    return review


def recommendations_set(*, site_schema: str, provider_ids: list[int]) -> list[SiteRecommendation]:
    """The site's recommended providers, in this order (verified ones only)."""
    verified = set(
        Provider.objects.filter(pk__in=provider_ids, status=Provider.Status.VERIFIED).values_list("pk", flat=True)
    )
    ordered = [pk for i, pk in enumerate(provider_ids) if pk in verified and pk not in provider_ids[:i]]
    with transaction.atomic():
        SiteRecommendation.objects.filter(site_schema=site_schema).delete()
        return SiteRecommendation.objects.bulk_create(
            [SiteRecommendation(site_schema=site_schema, provider_id=pk, position=i) for i, pk in enumerate(ordered)]
        )
