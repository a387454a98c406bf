"""Reading the feature switches of ``config/settings/features.py`` (see there)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


def feature_on(name: str) -> bool:
    """Whether the product feature ``name`` is built and shown. An unknown name is an error, so
    a typo cannot hide (or show) something silently."""
    try:
        return bool(settings.FEATURES[name])
    except KeyError:
        raise ImproperlyConfigured(f"unknown feature {name!r}: see config/settings/features.py") from None


def features(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``{% if features.chat %}``."""
    return {"features": dict(settings.FEATURES)}
