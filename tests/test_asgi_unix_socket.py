"""The ASGI service listens on a unix socket in production: pages that look up the Wagtail site
(the flagship's home, every site's branding) must answer there, not fail on the missing port."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from chat.tests.support import asgi_request
from conftest import host_of


@pytest.mark.django_db
@pytest.mark.parametrize("site", ["public_tenant", "sarah_site"])
def test_pages_answer_on_a_unix_socket(site: str, request: pytest.FixtureRequest) -> None:
    tenant = request.getfixturevalue(site)
    status, _headers, _body = async_to_sync(asgi_request)(
        "GET", host_of(tenant), "/", server=("/run/chatrealty/asgi.sock", None)
    )
    assert status == 200
