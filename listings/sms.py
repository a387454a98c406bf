"""Text messages through a provider interface (``settings.SMS_BACKEND``).

``console`` (the default in dev and tests) logs the message and keeps it in ``outbox``; a
provider backend is any importable class path with the same ``send`` method.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SmsMessage:
    to: str
    body: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> bool: ...


# Messages sent by the console backend in this process (tests read it).
outbox: list[SmsMessage] = []


class ConsoleBackend:
    def send(self, message: SmsMessage) -> bool:
        outbox.append(message)
        log.info("sms to %s: %s", message.to, message.body)
        return True


BACKENDS = {"console": "listings.sms.ConsoleBackend"}


def get_backend() -> SmsBackend:
    name = getattr(settings, "SMS_BACKEND", "console") or "console"
    return import_string(BACKENDS.get(name, name))()


def sms_send(*, to: str, body: str) -> bool:
    if not to:
        return False
    return bool(get_backend().send(SmsMessage(to=to, body=body[:480])))
