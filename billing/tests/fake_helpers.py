"""Helpers for driving the fake Stripe from tests: plain HTTP, like a browser or a cron would."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from devtools.stripe import FakeStripe


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(url: str, *, data: dict[str, Any] | None = None) -> tuple[int, dict[str, str], str]:
    """GET (or POST a form to) ``url`` without following redirects."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with _opener.open(urllib.request.Request(url, data=body), timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def control(fake: FakeStripe, endpoint: str, /, **data: Any) -> dict[str, Any]:
    status, _, body = http(f"{fake.url}/_control/{endpoint}", data={k: str(v) for k, v in data.items()})
    assert status == 200, body
    return json.loads(body)


def deliveries(fake: FakeStripe, since: int = 0) -> list[dict[str, Any]]:
    fake.flush()
    status, _, body = http(f"{fake.url}/_control/deliveries?since={since}")
    assert status == 200, body
    return json.loads(body)["data"]


def pay_checkout(checkout_url: str, *, card: str = "4242 4242 4242 4242") -> tuple[int, str]:
    """Submit the fake hosted Checkout page's form as a visitor would."""
    status, headers, body = http(checkout_url, data={"card_number": card, "email": "buyer@example.com"})
    return status, headers.get("Location", body)
