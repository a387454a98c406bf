"""A backing service that cannot be reached is a 503 with ``Retry-After`` (``core.errors.is_outage``,
``themes.errors.server_error``), never a 500: the listing page and the listing API while the
listings store is down (a private SecantusDB, stopped for real), JSON under ``/api/``; a bug
stays a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.utils import OperationalError
from django.test import Client

from core.errors import is_outage
from listings.store import get_db
from listings.tests.conftest import Server

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_down(store_server: Server) -> None:
    """The listings store went away after serving: its breaker knows it is down."""
    get_db()["t"].insert_one({"_id": 1})
    store_server.lost()


def _client(tenant: Any) -> Client:
    return Client(HTTP_HOST=tenant.get_primary_domain().domain, raise_request_exception=False)


def test_listing_page_while_the_store_is_down_is_503_in_the_sites_layout(sarah_site: Any, store_down: None) -> None:
    response = _client(sarah_site).get("/listings/some-home-123/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Back in a moment" in page and 'data-testid="error-503"' in page


def test_listing_api_while_the_store_is_down_is_json_503(sarah_site: Any, store_down: None) -> None:
    response = _client(sarah_site).get("/api/listings/some-home-123")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "unavailable"
    assert response["Retry-After"] == "5"


def test_a_bug_is_still_a_500() -> None:
    assert not is_outage(ValueError("bug"))
    assert not is_outage(None)


def test_only_lost_connections_count_as_database_outages() -> None:
    import psycopg

    lost = OperationalError("connection refused")
    lost.__cause__ = psycopg.OperationalError("connection refused")
    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    assert is_outage(lost)
    assert not is_outage(deadlock)
