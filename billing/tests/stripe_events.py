"""Stripe's documented event objects (``fixtures/stripe/``), filled in for one test and signed
the way Stripe signs webhooks (``t=<unix>,v1=<HMAC-SHA256 of "<t>.<payload>">``)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from functools import cache
from pathlib import Path
from typing import Any

from billing.tests.conftest import WEBHOOK_SECRET

FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
MONTH = 30 * 86400


@cache
def _raw(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def stripe_event(name: str, *, schema: str, user_id: int, created: int, suffix: str = "") -> dict[str, Any]:
    """The fixture event ``name`` for ``user_id`` on site ``schema``, stamped ``created``, with
    the subscription period starting then; ``suffix`` makes ids unique per test."""
    event = copy.deepcopy(_raw(name))
    event["id"] += suffix
    event["created"] = created
    obj = event["data"]["object"]
    metadata = {"schema": schema, "user_id": str(user_id), "plan": "pro"}
    if obj["object"] == "subscription":
        obj["id"] += suffix
        obj["customer"] += suffix
        obj["metadata"] = metadata
        obj["created"] = obj["start_date"] = obj["billing_cycle_anchor"] = created
        for item in obj["items"]["data"]:
            item["current_period_start"], item["current_period_end"] = created, created + MONTH
    else:  # invoice
        obj["id"] += suffix
        obj["customer"] += suffix
        details = obj["parent"]["subscription_details"]
        details["subscription"] += suffix
        details["metadata"] = metadata
        obj["created"] = created
        for line in obj["lines"]["data"]:
            line["period"] = {"start": created, "end": created + MONTH}
    return event


def subscription_of(event: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(event["data"]["object"])


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def delivery(event: dict[str, Any]) -> dict[str, Any]:
    """What the webhook pump posts: the payload exactly as signed."""
    payload = json.dumps(event, indent=2)
    return {"type": event["type"], "event_id": event["id"], "payload": payload, "signature": sign(payload)}
