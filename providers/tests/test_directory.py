"""Licence formats, verification, routing with fair rotation, answers by email, reviews only
after a request; the directory and request pages through the real stack."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from providers import selectors, services
from providers.licences import licence_normalise
from providers.models import Assignment, Category, Provider, ServiceRequest

CITIES = {"palm-springs": "Palm Springs", "indio": "Indio", "la-quinta": "La Quinta"}


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("nmls", "NMLS #1234567", "1234567"),
        ("nmls", "2040", "2040"),
        ("cslb", "1012345", "1012345"),
        ("cslb", "CSLB Lic. 987654", "987654"),
        ("dre", "01234567", "01234567"),
    ],
)
def test_licence_numbers_are_normalised(kind: str, raw: str, expected: str) -> None:
    assert licence_normalise(kind=kind, value=raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("nmls", "ABC123"),
        ("nmls", "12345678901"),
        ("cslb", "1234"),
        ("cslb", "123456789"),
        ("dre", "1234567"),
        ("cslb", "12a456"),
    ],
)
def test_malformed_licence_numbers_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(ValidationError):
        licence_normalise(kind=kind, value=raw)


def _owner() -> Any:
    from accounts.models import User

    return User.objects.create_user(email=f"pro-{uuid.uuid4().hex[:8]}@example.com", password="pro-pass-2026")


def _signup(
    category: str = "lender", cities: list[str] | None = None, licence: str = "NMLS 1234567", **extra: Any
) -> Provider:
    data = {
        "company": extra.pop("company", f"Desert Home Loans {uuid.uuid4().hex[:4]}"),
        "category": Category.objects.get(slug=category),
        "licence_number": licence,
        "cities": cities or ["palm-springs"],
        "description": "Purchase and refinance loans in the valley.",
        "phone": "760-555-0100",
        **extra,
    }
    return services.provider_signup(owner=_owner(), data=data, cities=CITIES)


def _verified(**kw: Any) -> Provider:
    provider = _signup(**kw)
    return services.provider_verify(provider=provider, admin=None, approve=True)


@pytest.mark.django_db
def test_signup_checks_the_licence_of_its_category_and_gives_the_role() -> None:
    from accounts.models import Role

    provider = _signup()
    assert provider.licence_number == "1234567" and provider.status == Provider.Status.PENDING
    assert provider.owner.role == Role.SERVICE_PROVIDER
    with pytest.raises(ValidationError) as exc:
        _signup(licence="")  # lenders must give an NMLS ID
    assert "licence_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _signup(category="contractor", licence="12")
    assert "CSLB" in exc.value.message_dict["licence_number"][0]
    with pytest.raises(ValidationError) as exc:
        _signup(cities=["atlantis"])
    assert "cities" in exc.value.message_dict
    assert _signup(category="inspector", licence="").licence_number == ""


@pytest.mark.django_db
def test_only_verified_providers_are_listed_and_get_requests() -> None:
    pending = _signup(company="Pending Loans")
    assert pending not in selectors.directory()
    verified = services.provider_verify(provider=pending, admin=None)
    assert verified.verified_at is not None
    assert list(selectors.directory(category="lender", city="palm-springs")) == [verified]
    assert list(selectors.directory(city="indio")) == []


def _request(**extra: Any) -> ServiceRequest:
    data = {
        "category": Category.objects.get(slug="lender"),
        "city_slug": "palm-springs",
        "source": "listing",
        "listing_key": "gps-123",
        "listing_address": "1 Main St",
        "name": "Visitor",
        "email": "visitor@example.com",
        **extra,
    }
    return services.request_create(data=data, site_schema="sarah")


@pytest.mark.django_db
def test_requests_go_to_at_most_three_covering_providers_rotating_fairly(settings: Any) -> None:
    settings.PROVIDERS_PER_REQUEST = 3
    settings.PROVIDERS_FREE_MONTHLY_REQUESTS = 100
    lenders = [_verified() for _ in range(5)]
    _verified(cities=["indio"])  # does not cover the city
    _signup()  # not verified
    _verified(category="inspector", licence="")  # another category
    received: dict[int, int] = {p.pk: 0 for p in lenders}
    for _ in range(5):
        request = _request()
        got = list(request.assignments.values_list("provider_id", flat=True))
        assert len(got) == 3 and set(got) <= set(received)
        for pk in got:
            received[pk] += 1
    # 15 deliveries over 5 providers: exactly 3 each, nobody starved or flooded.
    assert set(received.values()) == {3}
    # The site the request came from is recorded.
    assert ServiceRequest.objects.filter(site_schema="sarah").count() == 5


@pytest.mark.django_db
def test_a_provider_over_the_monthly_allowance_is_skipped(settings: Any) -> None:
    settings.PROVIDERS_FREE_MONTHLY_REQUESTS = 1
    a, b = _verified(), _verified()
    first, second, third = _request(), _request(), _request()
    assert first.assignments.count() == 2
    assert second.assignments.count() == 0 and third.assignments.count() == 0
    assert {a.pk, b.pk} == set(first.assignments.values_list("provider_id", flat=True))


@pytest.mark.django_db
def test_answers_are_mailed_to_the_visitor_and_outcomes_recorded(django_capture_on_commit_callbacks: Any) -> None:
    provider = _verified()
    request = _request()
    assignment = Assignment.objects.get(request=request, provider=provider)
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_answer(assignment=assignment, answer="Happy to help: call me today.")
    sent = [m for m in mail.outbox if m.to == ["visitor@example.com"]]
    assert sent and "call me today" in sent[-1].body and f"/providers/requests/{request.access_token}/" in sent[-1].body
    assert "sarah.localhost" in sent[-1].body
    services.assignment_outcome(assignment=assignment, won=True)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.WON


@pytest.mark.django_db
def test_reviews_only_after_a_request_once_moderated_then_averaged() -> None:
    provider, other = _verified(), _verified(cities=["indio"])
    request = _request()
    with pytest.raises(ValidationError, match="sent to"):
        services.review_submit(request=request, provider=other, rating=5, body="Never met them.")
    review = services.review_submit(request=request, provider=provider, rating=4, body="Quick pre-approval.")
    with pytest.raises(ValidationError, match="already"):
        services.review_submit(request=request, provider=provider, rating=5, body="Again!")
    assert selectors.provider_rating(provider=provider)["count"] == 0  # not yet moderated
    review.status = "approved"
    review.save()
    second = _request()
    services.review_submit(request=second, provider=provider, rating=5, body="Great.").__class__.objects.filter(
        request=second
    ).update(status="approved")
    assert selectors.provider_rating(provider=provider) == {"average": 4.5, "count": 2}


@pytest.mark.django_db
def test_recommendations_keep_the_agents_order_and_only_verified() -> None:
    a, b = _verified(), _verified()
    pending = _signup()
    services.recommendations_set(site_schema="sarah", provider_ids=[b.pk, pending.pk, a.pk, b.pk])
    assert selectors.recommended(site_schema="sarah") == [b, a]
    assert selectors.recommended(site_schema="mike") == []


@pytest.mark.django_db
def test_pages_directory_request_and_review_through_a_site(sarah_site: Any, site_client: Any) -> None:
    provider = _verified(company="Valley Escrow", category="escrow", licence="")
    services.recommendations_set(site_schema="sarah", provider_ids=[provider.pk])
    client: Client = site_client(sarah_site)
    page = client.get("/providers/")
    assert page.status_code == 200 and b"Valley Escrow" in page.content and b"Recommended by" in page.content
    assert client.get(provider.get_absolute_url()).status_code == 200
    assert client.get("/providers/no-such-pro/").status_code == 404
    response = client.post(
        "/providers/request/",
        {
            "category": "escrow",
            "city": "palm-springs",
            "name": "Ann",
            "email": "ann@example.com",
            "listing_key": "gps-1",
        },
    )
    assert response.status_code == 302
    request = ServiceRequest.objects.get(email="ann@example.com")
    assert request.site_schema == "sarah" and request.assignments.get().provider == provider
    assert client.get(response["Location"]).status_code == 200
    client.post(response["Location"], {"provider": provider.pk, "rating": 5, "body": "Smooth closing."})
    assert request.review.rating == 5
    bad = client.post("/providers/request/", {"category": "escrow", "city": "palm-springs", "back": "//evil.example"})
    assert bad.status_code == 302 and bad["Location"] == "/providers/"


@pytest.mark.django_db
def test_listing_page_buttons_follow_the_verified_providers_of_the_city() -> None:
    assert selectors.offered_categories(city_slug="palm-springs") == frozenset()
    lender = _signup(company="Pending Loans")
    _verified(category="inspector", licence="", cities=["indio"])
    _verified(category="contractor", licence="1012345", cities=["palm-springs"])  # not a listing action
    assert selectors.offered_categories(city_slug="palm-springs") == frozenset()
    assert selectors.offered_categories(city_slug="indio") == {"inspector"}
    services.provider_verify(provider=lender, admin=None)
    assert selectors.offered_categories(city_slug="palm-springs") == {"lender"}
    assert selectors.offered_categories(city_slug="") == frozenset()
