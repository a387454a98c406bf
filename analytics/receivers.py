"""Events that other apps' models announce (swipes, favourites, chat messages, CMA reports,
leads, sign-ups), recorded through their save signals so those apps need not know analytics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_save

from analytics.models import Kind


def _record(kind: str, key: str = "") -> None:
    from analytics.middleware import current_request
    from analytics.recorder import record, record_request
    from core.tenancy import current_schema

    if not settings.ANALYTICS_ENABLED:
        return
    request = current_request.get()
    if request is not None:
        record_request(request, kind=kind, key=key)
    else:
        record(schema_name=current_schema(), kind=kind, key=key)


def _on_save(kind: str, key_of: Callable[[Any], str] | None = None) -> Any:
    def receiver(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
        if created and not raw:
            _record(kind, key_of(instance) if key_of else "")

    return receiver


def connect() -> None:
    from chat.models import Message
    from cma.models import CmaReport
    from leads.models import Lead
    from listings.models import Favorite, Swipe

    def chat_message(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
        if created and not raw and instance.role == Message.Role.USER:
            _record(Kind.CHAT_MESSAGE)

    hooks = [
        (Swipe, _on_save(Kind.SWIPE, lambda s: s.listing_key)),
        (Favorite, _on_save(Kind.FAVORITE, lambda f: f.listing_key)),
        (CmaReport, _on_save(Kind.CMA_REPORT)),
        (Lead, _on_save(Kind.LEAD, lambda lead: lead.source)),
        (Message, chat_message),
    ]
    for model, receiver in hooks:
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"analytics_{model._meta.label}")
    from accounts.models import User

    post_save.connect(_on_save(Kind.SIGN_UP), sender=User, weak=False, dispatch_uid="analytics_sign_up")
