from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from themes.branding import branding_for_request


def branding(request: HttpRequest) -> dict[str, Any]:
    return {"branding": SimpleLazyObject(lambda: branding_for_request(request))}
