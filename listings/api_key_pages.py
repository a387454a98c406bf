"""The API keys page (signed-in users, HTML): list, create (the key shown once, with a copy
button), revoke. The JSON endpoints at ``/api/keys`` do the same for programs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from billing.plans import Feature
from billing.selectors import entitlement_check
from listings.api_keys import ApiKeyNotAllowed, api_key_create, api_key_revoke
from listings.models import ApiKey


@require_http_methods(["GET", "POST"])
def api_keys_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access = entitlement_check(user=request.user, feature=Feature.API_ACCESS)
    created, raw, error, status = None, "", "", 200
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if len(name) > 80:
            error, status = "A key's name is at most 80 characters.", 400
        else:
            try:
                created, raw = api_key_create(user=request.user, name=name)
            except ApiKeyNotAllowed:
                error, status = "API keys come with the Investor 3 plan.", 403
    keys = ApiKey.objects.filter(user=request.user, revoked_at=None)  # type: ignore[misc]
    context = {"keys": keys, "access": access, "created": created, "raw": raw, "error": error}
    response = render(request, "listings/api_keys.html", context, status=status)
    if raw:
        response["Cache-Control"] = "no-store"  # the key is shown once, never from a cache
    return response


@require_POST
def api_key_revoke_page(request: HttpRequest, key_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/api-keys/")
    if api_key_revoke(user=request.user, key_id=key_id):
        messages.success(request, "The key was revoked: programs using it are refused from now on.")
    else:
        messages.error(request, "No such key.")
    return redirect("listings:api_keys_page")
