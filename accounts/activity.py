"""A registry of models that record what anonymous visitors do.

Apps register their models (chat conversations, swipes) in ``AppConfig.ready``; the accounts
service moves matching rows to the user's account when the visitor signs up or logs in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

Merger = Callable[[Any, str], int]


@dataclass(frozen=True)
class AnonymousActivity:
    label: str
    merge: Merger


_registry: dict[str, AnonymousActivity] = {}


def register_anonymous_activity(label: str, *, model: type[Model] | None = None, merge: Merger | None = None) -> None:
    """Register either a model with ``anonymous_id`` and ``user`` fields, or a merge function
    ``merge(user, anonymous_id) -> rows moved`` for models with uniqueness rules to respect."""
    if merge is None:
        if model is None:
            raise ValueError("Give a model or a merge function.")

        activity_model: type[Model] = model

        def merge(user: Any, anonymous_id: str) -> int:
            manager = activity_model._default_manager
            return manager.filter(anonymous_id=anonymous_id, user__isnull=True).update(user=user)

    _registry[label] = AnonymousActivity(label=label, merge=merge)


def registered_activities() -> list[AnonymousActivity]:
    return list(_registry.values())
