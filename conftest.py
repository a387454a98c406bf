"""Root fixtures: the test database with the public tenant, the site template and two agent
sites (sarah, mike), the listings store, and clients bound to a site's host name."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Tenant

T = TypeVar("T")

pytest_plugins = ["tests.e2e.fixtures"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """pytest-django creates the test database only for runs holding a ``django_db`` test;
    fixtures built on ``django_db_setup`` (the sites, ``mongo_db``) need it too, so a run of
    only such tests would otherwise set up sites in the development database."""
    for item in items:
        if "django_db_setup" in getattr(item, "fixturenames", ()) and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)
    # Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    # for the rest of the session, and async code tested after it (async_to_sync) would refuse
    # to run there. A stable sort keeps pytest-django's ordering within each group.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Sites are created once per session, outside the per-test transactions."""
    from devtools.demo import DEMO_SITES
    from tenants.services import tenant_create, tenant_public_ensure, tenant_template_ensure

    with django_db_blocker.unblock():
        tenant_public_ensure()
        tenant_template_ensure()
        for site in DEMO_SITES:
            if not Tenant.objects.filter(slug=site.subdomain).exists():
                tenant_create(site=site)
    yield


@pytest.fixture(scope="session")
def mongo_db(django_db_setup: None) -> Iterator[Any]:
    """This run's own database on the listings store, dropped at the end."""
    from listings.store import get_client, get_db

    db = get_db()
    yield db
    get_client().drop_database(settings.MONGODB_DB)


@pytest.fixture(autouse=True)
def _public_schema_after_test() -> Iterator[None]:
    yield
    if connection.connection is not None or connection.schema_name != "public":
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with this run's cache keys gone (sessions, rate limits), without
    touching other processes' keys in the shared Redis."""
    yield
    import redis

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = list(client.scan_iter(match=f"*:{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def in_own_thread(fn: Callable[[], T]) -> T:
    """Run ``fn`` on a fresh thread with database connections of its own, closed afterwards:
    its rows are committed at once (a server process or another thread sees them), no session
    is left to keep the test database from being dropped, and Django's async guard stays quiet
    when a browser test left Playwright's event loop on the test thread."""

    def run() -> T:
        from django.db import connections

        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@contextmanager
def fake_spark_feed(settings: Any, *, seed: int, sizes: dict[str, tuple[int, int]], name: str) -> Iterator[str]:
    """The fake Spark feed serving its sources from a thread, the MLS settings pointing at it,
    and a store database of the test's own (dropped afterwards); yields the feed's URL."""
    from devtools.spark import FakeSpark, serve_in_thread
    from listings.store import get_client

    server, url = serve_in_thread(FakeSpark(seed=seed, sizes=sizes, keys={f"{s}-secret": s for s in sizes}))
    settings.MLS_SOURCES = {
        source: {
            "name": source.upper(),
            "protocol": "spark",
            "url": url,
            "token": f"{source}-secret",
            "user_agent": "tests/1.0",
        }
        for source in sizes
    }
    settings.MONGODB_DB = f"{name}_{uuid.uuid4().hex[:8]}"
    settings.MLS_GEO_INDEX = False
    try:
        yield url
    finally:
        get_client().drop_database(settings.MONGODB_DB)
        server.shutdown()
        server.server_close()


@pytest.fixture
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate counters' clock stands still, so a fixed window cannot turn in the middle of a
    test that counts requests up to a limit (the counters still expire in Redis in real time)."""
    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def public_tenant(db: None) -> Tenant:
    return Tenant.objects.get(schema_name=settings.PUBLIC_SCHEMA_NAME)


@pytest.fixture
def sarah_site(db: None) -> Tenant:
    return Tenant.objects.get(slug="sarah")


@pytest.fixture
def mike_site(db: None) -> Tenant:
    return Tenant.objects.get(slug="mike")


def host_of(tenant: Tenant) -> str:
    return tenant.get_primary_domain().domain


@pytest.fixture
def site_client() -> Any:
    """``site_client(tenant)``: a test client whose requests go to that site's host."""

    def make(tenant: Tenant) -> Client:
        return Client(HTTP_HOST=host_of(tenant))

    return make


@contextmanager
def in_site(tenant: Tenant) -> Iterator[None]:
    with schema_context(tenant.schema_name):
        yield


@pytest.fixture
def in_schema() -> Any:
    return in_site
