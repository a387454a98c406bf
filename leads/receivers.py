"""Sign-ups and saved searches are leads too: they arrive through other apps' signals, so those
apps need not know about leads."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from django.db.models.signals import post_save
from django.dispatch import receiver

from leads.models import Lead


@receiver(user_signed_up, dispatch_uid="leads_sign_up")
def lead_on_sign_up(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from leads.services import lead_create

    lead_create(
        source=Lead.Source.SIGN_UP,
        name=user.get_full_name() if user.full_name else "",
        email=user.email,
        phone=getattr(user, "phone", "") or "",
        message="Created an account on the site.",
        user=user,
    )


def lead_on_saved_search(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    from leads.services import lead_create

    user = instance.user
    lead_create(
        source=Lead.Source.SAVED_SEARCH,
        name=user.full_name,
        email=user.email,
        phone=user.phone,
        message=f"Saved a search: {instance.name}",
        user=user,
        data={"saved_search": instance.pk, "query": instance.query},
    )


def connect() -> None:
    # A lazy sender ("app.Model"): leads does not import listings (listings imports leads).
    post_save.connect(lead_on_saved_search, sender="listings.SavedSearch", dispatch_uid="leads_saved_search")
