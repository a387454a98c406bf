"""Writes for visitors' listing activity."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from listings.models import Favorite, SavedSearch, Swipe


@transaction.atomic
def swipe_record(*, listing_key: str, direction: str, user: Any = None, anonymous_id: str = "") -> Swipe:
    """Record a like or pass; a like by a signed-in user also becomes a favourite."""
    owner = user if user is not None and user.is_authenticated else None
    if owner is None and not anonymous_id:
        raise ValueError("A swipe needs a user or an anonymous id.")
    swipe = Swipe.objects.create(
        user=owner, anonymous_id="" if owner else anonymous_id, listing_key=listing_key, direction=direction
    )
    if owner is not None and direction == Swipe.Direction.LIKE:
        Favorite.objects.get_or_create(user=owner, listing_key=listing_key)
    return swipe


def swipes_merge_anonymous(user: Any, anonymous_id: str) -> int:
    """Move an anonymous visitor's swipes to ``user``; their likes become favourites."""
    swipes = Swipe.objects.select_for_update().filter(anonymous_id=anonymous_id, user__isnull=True)
    liked = set(swipes.filter(direction=Swipe.Direction.LIKE).values_list("listing_key", flat=True))
    moved = swipes.update(user=user, anonymous_id="")
    for key in liked:
        Favorite.objects.get_or_create(user=user, listing_key=key)
    return moved


# ---- favourites ------------------------------------------------------------------------------


def favorite_add(*, user: Any, listing_key: str) -> tuple[Favorite, bool]:
    return Favorite.objects.get_or_create(user=user, listing_key=listing_key)


def favorite_remove(*, user: Any, listing_key: str) -> int:
    deleted, _ = Favorite.objects.filter(user=user, listing_key=listing_key).delete()
    return deleted


@transaction.atomic
def swipe_upsert(*, listing_key: str, direction: str, user: Any = None, anonymous_id: str = "") -> Swipe:
    """Like ``swipe_record``, but a second swipe on the same card changes the first."""
    owner = user if user is not None and user.is_authenticated else None
    qs = Swipe.objects.filter(listing_key=listing_key)
    qs = qs.filter(user=owner) if owner else qs.filter(user__isnull=True, anonymous_id=anonymous_id)
    existing = qs.first() if (owner or anonymous_id) else None
    if existing is None:
        return swipe_record(listing_key=listing_key, direction=direction, user=user, anonymous_id=anonymous_id)
    if existing.direction != direction:
        existing.direction = direction
        existing.save(update_fields=["direction"])
    if owner is not None and direction == Swipe.Direction.LIKE:
        Favorite.objects.get_or_create(user=owner, listing_key=listing_key)
    return existing


# ---- saved searches --------------------------------------------------------------------------


class SavedSearchDenied(Exception):
    """The plan does not allow this (another saved search, SMS alerts)."""

    def __init__(self, code: str, message: str, entitlement: Any, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.entitlement = entitlement
        self.fields = fields or {}


@transaction.atomic
def saved_search_create(
    *, user: Any, name: str, query: dict[str, list[str]], frequency: str = "daily", sms_enabled: bool = False
) -> SavedSearch:
    """Create a saved search within the plan's limits (``billing`` entitlements).

    ``query`` is already validated (``listings.saved_queries.saved_query_from``): name -> raw values.
    Raises ``SavedSearchDenied`` when the plan's ceiling is reached or SMS is not included."""
    # Serialise concurrent creations by the same user so the ceiling holds.
    from django.contrib.auth import get_user_model

    from billing.plans import Feature
    from billing.selectors import entitlement_check
    from listings.filter_gate import advanced_filters_check

    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    in_use = SavedSearch.objects.filter(user=user).count()
    ent = entitlement_check(user=user, feature=Feature.SAVED_SEARCHES, in_use=in_use)
    if not ent.allowed:
        raise SavedSearchDenied(
            "limit_reached", f"Your plan includes {ent.limit} saved searches; delete one or upgrade.", ent
        )
    denied = advanced_filters_check(user=user, params=query)
    if denied is not None:
        raise SavedSearchDenied("upgrade_required", denied.message, denied.entitlement, denied.as_fields())
    if sms_enabled:
        sms = entitlement_check(user=user, feature=Feature.SMS_ALERTS)
        if not sms.allowed:
            raise SavedSearchDenied("sms_not_included", "SMS alerts come with the Ultimate plan and above.", sms)
    if frequency not in SavedSearch.Frequency.values:
        frequency = SavedSearch.Frequency.DAILY
    return SavedSearch.objects.create(
        user=user, name=name[:120] or "My search", query=query, frequency=frequency, sms_enabled=sms_enabled
    )


def saved_search_delete(*, user: Any, pk: int) -> int:
    deleted, _ = SavedSearch.objects.filter(user=user, pk=pk).delete()
    return deleted


def saved_search_settings_update(*, user: Any, pk: int, frequency: str | None, sms_enabled: bool) -> SavedSearch | None:
    """Change how a user's saved search alerts them; None when it is not theirs. Raises
    ``SavedSearchDenied`` (nothing changed) when SMS is switched on without the plan for it."""
    from billing.plans import Feature
    from billing.selectors import entitlement_check

    saved = SavedSearch.objects.filter(user=user, pk=pk).first()
    if saved is None:
        return None
    if sms_enabled and not saved.sms_enabled:
        sms = entitlement_check(user=user, feature=Feature.SMS_ALERTS)
        if not sms.allowed:
            raise SavedSearchDenied("sms_not_included", "SMS alerts come with the Ultimate plan and above.", sms)
    if frequency in SavedSearch.Frequency.values:
        saved.frequency = frequency
    saved.sms_enabled = sms_enabled
    saved.save(update_fields=["frequency", "sms_enabled"])
    return saved
