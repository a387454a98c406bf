"""Pages keep answering while Redis is away (a restart, a failover): the cache misses, rate
limits fail open and sessions read as empty, instead of every request failing with a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_and_the_api_answer_while_redis_is_unreachable(settings: Any, sarah_site: Any, mongo_db: Any) -> None:
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.LISTINGS_READMODEL_REFRESH = False
    client = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    for path in ("/", "/search/", "/communities/", "/api/listings?pageSize=5"):
        assert client.get(path).status_code == 200, path
