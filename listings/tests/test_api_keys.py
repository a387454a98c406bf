"""Investor 3 subscribers use the search API with keys: hashed at rest, revocable, rate limited
per key; other plans are told to upgrade; requests without a key stay public."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.services import user_create
from billing.models import Subscription
from listings.models import ApiKey

pytestmark = pytest.mark.django_db

PASSWORD = "api-key-pass-2026"
ENDPOINT = "/api/openapi.json"


def signed_in(tenant, email, *, plan=None):
    with schema_context(tenant.schema_name):
        user = user_create(email=email, password=PASSWORD, email_verified=True)
        if plan:
            now = timezone.now()
            Subscription.objects.create(
                user=user,
                stripe_subscription_id=f"sub_{uuid.uuid4().hex}",
                stripe_customer_id="cus_x",
                plan_key=plan,
                status=Subscription.Status.ACTIVE,
                current_period_start=now - dt.timedelta(days=1),
                current_period_end=now + dt.timedelta(days=29),
                state_as_of=now,
            )
    client = Client(HTTP_HOST=tenant.get_primary_domain().domain)
    assert client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    return client


def create_key(client):
    return client.post("/api/keys", data={"name": "my script"}, content_type="application/json")


def test_free_plan_cannot_create_keys(sarah_site):
    response = create_key(signed_in(sarah_site, "free@example.com"))
    assert response.status_code == 403
    assert response.json()["upgrade"] is True


def test_investor_3_key_is_shown_once_stored_hashed_and_works(sarah_site):
    owner = signed_in(sarah_site, "inv3@example.com", plan="investor_3")
    response = create_key(owner)
    assert response.status_code == 201
    raw = response.json()["key"]
    with schema_context(sarah_site.schema_name):
        stored = ApiKey.objects.get(pk=response.json()["id"])
        assert raw not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    assert "key" not in owner.get("/api/keys").json()["results"][0]

    robot = Client(HTTP_HOST="sarah.localhost")
    assert robot.get(ENDPOINT, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert robot.get(ENDPOINT, HTTP_AUTHORIZATION=f"Bearer {raw}x").status_code == 401
    assert robot.get(ENDPOINT, HTTP_AUTHORIZATION="Bearer not-a-key").status_code == 401
    assert robot.get(ENDPOINT).status_code == 200  # no key: the public API of the site's pages

    assert owner.delete(f"/api/keys/{response.json()['id']}").status_code == 200
    assert robot.get(ENDPOINT, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_keys_do_not_work_on_another_site(sarah_site, mike_site):
    raw = create_key(signed_in(sarah_site, "inv3b@example.com", plan="investor_3")).json()["key"]
    robot = Client(HTTP_HOST=mike_site.get_primary_domain().domain)
    assert robot.get(ENDPOINT, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_each_key_is_rate_limited(sarah_site, settings, one_rate_window):
    settings.API_KEY_RATE_PER_MINUTE = 3
    raw = create_key(signed_in(sarah_site, "inv3c@example.com", plan="investor_3")).json()["key"]
    robot = Client(HTTP_HOST="sarah.localhost")
    statuses = [robot.get(ENDPOINT, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = robot.get(ENDPOINT, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert 0 < int(limited["Retry-After"]) <= 60


def test_a_lapsed_plan_disables_its_keys(sarah_site):
    owner_email = "inv3d@example.com"
    raw = create_key(signed_in(sarah_site, owner_email, plan="investor_3")).json()["key"]
    with schema_context(sarah_site.schema_name):
        Subscription.objects.filter(user__email=owner_email).update(status=Subscription.Status.CANCELED)
    response = Client(HTTP_HOST="sarah.localhost").get(ENDPOINT, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403 and response.json()["upgrade"] is True


@pytest.mark.parametrize("body", [b"not json", b'{"name": 5}', b'{"name": "' + b"x" * 81 + b'"}'])
def test_bad_create_requests_are_400(sarah_site, body):
    client = signed_in(sarah_site, f"inv3e-{len(body)}@example.com", plan="investor_3")
    assert client.post("/api/keys", data=body, content_type="application/json").status_code == 400
