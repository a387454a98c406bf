"""Signal receivers: thin, they only call services."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in, user_signed_up
from django.dispatch import receiver

from accounts.services import visitor_merge_anonymous_activity


@receiver(user_signed_up)
@receiver(user_logged_in)
def merge_anonymous_activity(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None:
        visitor_merge_anonymous_activity(user=user, anonymous_id=getattr(request, "anonymous_id", None))
