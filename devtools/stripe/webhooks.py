"""Sign and deliver events exactly as Stripe does, so ``stripe.Webhook.construct_event``
accepts them: ``Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>``."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


def sign(payload: bytes, *, secret: str, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    signed = f"{ts}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


@dataclass
class Delivery:
    event_id: str
    type: str
    payload: str
    signature: str
    status: int | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "type": self.type,
            "payload": self.payload,
            "signature": self.signature,
            "status": self.status,
            "error": self.error,
        }


@dataclass
class Deliverer:
    """Sends each event to the configured endpoint and keeps a log of every attempt.

    With no URL configured it only records, so tests can fetch the signed payloads from
    ``/_control/deliveries`` and post them through Django's test client."""

    url: str | None
    secret: str
    timeout: float = 10.0
    log: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, event: dict[str, Any]) -> Delivery:
        payload = json.dumps(event, indent=2)
        delivery = Delivery(
            event_id=event["id"],
            type=event["type"],
            payload=payload,
            signature=sign(payload.encode(), secret=self.secret),
        )
        with self._lock:
            self.log.append(delivery)
        if self.url:
            self._post(delivery)
        return delivery

    def _post(self, delivery: Delivery) -> None:
        request = urllib.request.Request(
            self.url or "",
            data=delivery.payload.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": delivery.signature,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                delivery.status = response.status
        except urllib.error.HTTPError as exc:
            delivery.status = exc.code
        except OSError as exc:
            delivery.error = str(exc)
            logger.warning("webhook %s to %s failed: %s", delivery.event_id, self.url, exc)

    def since(self, index: int) -> list[Delivery]:
        with self._lock:
            return self.log[index:]
