from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.geocode.server import Geocoder, serve_in_thread
from listings.tests.pages_support import clear_store, load_store, pages_urls  # noqa: F401

from .support import cma_store_documents


@pytest.fixture(scope="module")
def cma_store(django_db_setup: None, django_db_blocker: Any, mongo_db: Any) -> Iterator[Any]:
    active, closed = cma_store_documents()
    load_store(active, closed=closed)
    yield active, closed
    clear_store()


@pytest.fixture(scope="session")
def fake_geocoder() -> Iterator[tuple[Geocoder, str]]:
    app = Geocoder()
    server, url = serve_in_thread(app)
    yield app, url
    server.shutdown()


@pytest.fixture
def geocoding(settings: Any, fake_geocoder: tuple[Geocoder, str]) -> Geocoder:
    app, url = fake_geocoder
    settings.GEOCODER_BASE_URL = url
    settings.GEOCODER_API_KEY = "test-key"
    return app
