"""django-allauth's own limits answer 429 through our handler; its ``Retry-After`` is the time
left in the limit's real window (read from allauth's counters), not a fixed guess."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

PASSWORD = "a-long-enough-pass-2026"


@pytest.fixture(autouse=True)
def _behind_nginx(settings: Any) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def _signed_in(site: Any) -> Client:
    from accounts.services import user_create

    with schema_context(site.schema_name):
        user = user_create(email="lovelace@example.com", password=PASSWORD, email_verified=True)
    client = Client(HTTP_HOST=site.get_primary_domain().domain, REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="203.0.113.60")
    with schema_context(site.schema_name):
        client.force_login(user)
    return client


def test_reauthentication_limit_says_when_its_minute_ends(sarah_site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """allauth allows 10 re-authentications a minute per account; the 11th answers 429 with
    the rest of that minute, and later in the minute with what is left of it."""
    client = _signed_in(sarah_site)
    started = time.time()
    statuses = [client.post("/accounts/reauthenticate/", {"password": "wrong0"}).status_code]
    first_done = time.time()  # the minute started between ``started`` and now
    statuses += [client.post("/accounts/reauthenticate/", {"password": f"wrong{n}"}).status_code for n in range(1, 11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    asked = time.time()
    wait = int(client.post("/accounts/reauthenticate/", {"password": "x"})["Retry-After"])
    answered = time.time()
    # What is left of that minute (the failed-login lockout these wrong passwords also earned
    # lasts 5 minutes: not this limit's answer).
    assert started + 60 - answered - 1 <= wait <= first_done + 60 - asked + 1 and wait <= 60

    later = first_done + 45
    monkeypatch.setattr("security.allauth_limits.time", SimpleNamespace(time=lambda: later))
    response = client.post("/accounts/reauthenticate/", {"password": "x"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 16
    assert "Please slow down" in response.content.decode()


def test_a_limit_whose_counter_cannot_be_found_answers_the_longest_key_window(rf: Any) -> None:
    """A per-key limit we cannot derive the key of: the longest such window (allauth's
    failed-login lock, 5 minutes here), the most the client can have to wait."""
    from security.allauth_limits import allauth_retry_after

    request = rf.post("/accounts/whatever/", {})
    request.user = SimpleNamespace(is_authenticated=False)
    assert allauth_retry_after(request) == 300
