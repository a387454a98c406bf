"""Writes for accounts: merging anonymous activity, creating users with roles."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from accounts.activity import registered_activities
from accounts.models import Role, User

logger = logging.getLogger(__name__)


@transaction.atomic
def visitor_merge_anonymous_activity(*, user: User, anonymous_id: str | None) -> dict[str, int]:
    """Attach everything done under ``anonymous_id`` in the current site to ``user``.

    Idempotent: rows already owned by a user are left alone, so calling it on every login
    is safe.
    """
    if not anonymous_id or not user.is_authenticated:
        return {}
    moved = {activity.label: activity.merge(user, anonymous_id) for activity in registered_activities()}
    if any(moved.values()):
        logger.info("merged anonymous activity", extra={"user_id": user.pk, "moved": moved})
    return moved


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: str = Role.END_USER,
    full_name: str = "",
    license_number: str = "",
    brokerage: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    email_verified: bool = False,
    **extra: Any,
) -> User:
    """Create a user of the current schema, validated (agents need license and brokerage)."""
    from allauth.account.models import EmailAddress

    user = User(
        email=email.strip().lower(),
        role=role,
        full_name=full_name,
        license_number=license_number,
        brokerage=brokerage,
        is_staff=is_staff,
        is_superuser=is_superuser,
        **extra,
    )
    user.full_clean(exclude=["password"])
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user
