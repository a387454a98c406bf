"""The agent's page for their site's recommended providers (network dashboard): add, order and
remove verified providers; the site's directory follows; nobody else can see or change it,
and one site's choices never show on another."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from providers import selectors, services
from providers.models import Category, Provider

pytestmark = pytest.mark.django_db


def _verified(company: str, category: str = "inspector") -> Provider:
    from accounts.models import User

    owner = User.objects.create_user(email=f"pro-{uuid.uuid4().hex[:8]}@example.com", password="pro-pass-2026")
    data = {
        "company": company,
        "category": Category.objects.get(slug=category),
        "licence_number": "",
        "cities": ["palm-springs"],
        "description": "Local pros.",
        "phone": "760-555-0100",
    }
    provider = services.provider_signup(owner=owner, data=data, cities={"palm-springs": "Palm Springs"})
    return services.provider_verify(provider=provider, admin=None)


def _agent_of(tenant: Any, email: str) -> tuple[Any, Any]:
    from accounts.models import User
    from tenants.models import SiteApplication

    user = User.objects.create_user(email=email, password="agent-pass-2026", role="agent")
    application = SiteApplication.objects.create(user=user, status=SiteApplication.Status.LIVE, tenant=tenant)
    return user, application


def _network(public_tenant: Any, user: Any) -> Client:
    client = Client(HTTP_HOST=public_tenant.get_primary_domain().domain)
    client.force_login(user)
    return client


def test_an_agent_picks_and_orders_their_sites_providers(
    public_tenant: Any, sarah_site: Any, mike_site: Any, site_client: Any
) -> None:
    a, b = _verified("Alpha Inspections"), _verified("Beta Escrow", category="escrow")
    sarah, application = _agent_of(sarah_site, "sarah-agent@example.com")
    client = _network(public_tenant, sarah)
    url = f"/network/sites/{application.pk}/providers/"
    page = client.get(url)
    assert page.status_code == 200 and b"Alpha Inspections" in page.content
    for provider in (a, b):
        assert client.post(url, {"provider": provider.pk, "action": "add"}).status_code == 302
    assert selectors.recommended(site_schema="sarah") == [a, b]
    client.post(url, {"provider": b.pk, "action": "up"})
    assert selectors.recommended(site_schema="sarah") == [b, a]
    listed = client.get(url).content.decode()
    assert listed.index('data-recommended="beta-escrow"') < listed.index('data-recommended="alpha-inspections"')
    # the site's own directory shows them first, in that order; Mike's shows none
    directory = site_client(sarah_site).get("/providers/").content.decode()
    section = directory[directory.index("Recommended by") : directory.index('id="h-all"')]
    assert section.index("Beta Escrow") < section.index("Alpha Inspections")
    assert "Recommended by" not in site_client(mike_site).get("/providers/").content.decode()
    assert selectors.recommended(site_schema="mike") == []
    client.post(url, {"provider": a.pk, "action": "remove"})
    assert selectors.recommended(site_schema="sarah") == [b]


def test_bad_input_changes_nothing(public_tenant: Any, sarah_site: Any) -> None:
    a = _verified("Alpha Inspections")
    sarah, application = _agent_of(sarah_site, "sarah-agent2@example.com")
    client = _network(public_tenant, sarah)
    url = f"/network/sites/{application.pk}/providers/"
    client.post(url, {"provider": a.pk, "action": "add"})
    for data in (
        {"provider": "x", "action": "add"},
        {"provider": a.pk, "action": "drop_table"},
        {"provider": 999_999, "action": "add"},  # no such provider: ignored by the service
        {},
    ):
        assert client.post(url, data).status_code == 302
    assert selectors.recommended(site_schema="sarah") == [a]
    assert client.get(url + "?category=%00&q=" + "x" * 500).status_code == 200


def test_only_the_sites_own_agent_reaches_the_page(public_tenant: Any, sarah_site: Any, mike_site: Any) -> None:
    a = _verified("Alpha Inspections")
    _sarah, sarah_app = _agent_of(sarah_site, "sarah-agent3@example.com")
    mike, mike_app = _agent_of(mike_site, "mike-agent3@example.com")
    client = _network(public_tenant, mike)
    assert client.get(f"/network/sites/{sarah_app.pk}/providers/").status_code == 404
    assert (
        client.post(f"/network/sites/{sarah_app.pk}/providers/", {"provider": a.pk, "action": "add"}).status_code == 404
    )
    assert selectors.recommended(site_schema="sarah") == []
    # Mike's own page writes only Mike's site
    client.post(f"/network/sites/{mike_app.pk}/providers/", {"provider": a.pk, "action": "add"})
    assert selectors.recommended(site_schema="mike") == [a] and selectors.recommended(site_schema="sarah") == []
    anonymous = Client(HTTP_HOST=public_tenant.get_primary_domain().domain)
    assert anonymous.get(f"/network/sites/{mike_app.pk}/providers/").status_code == 302  # to sign in
