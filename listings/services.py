"""Writes for visitors' listing activity."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from listings.models import Favorite, Swipe


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
