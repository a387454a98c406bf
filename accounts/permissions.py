"""One permission layer for roles: a decorator for views and a mixin for class-based views.

API requests get JSON (401 when signed out, 403 when the role is wrong); pages redirect to the
login page or show a friendly 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.models import Role

ViewFunc = Callable[..., HttpResponse]


def is_api_request(request: HttpRequest) -> bool:
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def user_has_role(user: Any, roles: tuple[str, ...]) -> bool:
    if not user.is_authenticated:
        return False
    return not roles or user.has_role(*roles)


def deny(request: HttpRequest, roles: tuple[str, ...]) -> HttpResponse:
    if not request.user.is_authenticated:
        if is_api_request(request):
            return JsonResponse(
                {"error": "authentication_required", "message": "Sign in to use this endpoint."}, status=401
            )
        return redirect_to_login(request.get_full_path())
    message = "Your account does not have access to this."
    if is_api_request(request):
        return JsonResponse({"error": "forbidden", "message": message, "roles": list(roles)}, status=403)
    return render(request, "errors/403.html", {"message": message}, status=403)


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Allow signed-in users with one of ``roles`` (any signed-in user when none are given)."""

    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_has_role(request.user, roles):
                return deny(request, roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


login_required = role_required()


class RoleRequiredMixin:
    """Class-based view counterpart of :func:`role_required`; set ``required_roles``."""

    required_roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_has_role(request.user, self.required_roles):
            return deny(request, self.required_roles)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
