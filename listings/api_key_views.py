"""Managing one's API keys (signed-in users, JSON)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from accounts.permissions import login_required
from billing.decorators import entitlement_denied_response
from listings.api_keys import ApiKeyNotAllowed, api_key_create, api_key_revoke
from listings.models import ApiKey


def _key_json(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.pk,
        "name": key.name,
        "prefix": f"cr_{key.prefix}",
        "createdAt": key.created_at.isoformat(),
        "lastUsedAt": key.last_used_at.isoformat() if key.last_used_at else None,
    }


def _browser(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "application/json" not in accept


@require_http_methods(["GET", "POST"])
@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and _browser(request):
        return redirect("listings:api_keys_page")  # a person, not a program: the page
    if request.method == "GET":
        keys = ApiKey.objects.filter(user=request.user, revoked_at=None)  # type: ignore[misc]
        return JsonResponse({"results": [_key_json(k) for k in keys]})
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "invalid_json", "message": "Send a JSON object.", "fields": {}}, status=400)
    name = body.get("name", "") if isinstance(body, dict) else ""
    if not isinstance(name, str) or len(name) > 80:
        return JsonResponse(
            {"error": "invalid_parameters", "message": "Bad name.", "fields": {"name": "Up to 80 characters."}},
            status=400,
        )
    try:
        key, raw = api_key_create(user=request.user, name=name)
    except ApiKeyNotAllowed as exc:
        return entitlement_denied_response(exc.entitlement)
    return JsonResponse({**_key_json(key), "key": raw}, status=201)


@require_http_methods(["DELETE"])
@login_required
def api_key_detail(request: HttpRequest, key_id: int) -> JsonResponse:
    if not api_key_revoke(user=request.user, key_id=key_id):
        return JsonResponse({"error": "not_found", "message": "No such key.", "fields": {}}, status=404)
    return JsonResponse({"revoked": True})
