"""Signed unsubscribe links for saved-search alerts (``django.core.signing``), RFC 8058 style.

The token names the site's schema and either one saved search (the link under each search in
a mail) or all of a user's alerts on that site (the ``List-Unsubscribe`` header of a digest,
which covers several searches). Opening the link (GET) only shows a page with a button: mail
scanners and link previewers open links, and must unsubscribe nobody. A POST unsubscribes:
that button, or the mail client's one-click ``List-Unsubscribe=One-Click`` POST, which carries
no cookie or CSRF token (the signed token is the authority).
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.tenancy import current_schema
from listings.models import SavedSearch

SALT = "listings.alerts.unsubscribe"


def unsubscribe_token(*, schema_name: str, saved_search_id: int) -> str:
    return signing.dumps({"s": schema_name, "id": saved_search_id}, salt=SALT, compress=True)


def unsubscribe_all_token(*, schema_name: str, user_id: int) -> str:
    """Every alert of ``user_id`` on this site (a digest's ``List-Unsubscribe``)."""
    return signing.dumps({"s": schema_name, "u": user_id}, salt=SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[str, str, int] | None:
    """(schema, "id" or "u", number) of a valid token, else None."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), str):
        return None
    for kind in ("id", "u"):
        if isinstance(data.get(kind), int) and not isinstance(data.get(kind), bool):
            return data["s"], kind, data[kind]
    return None


def _searches(kind: str, number: int) -> list[SavedSearch]:
    qs = SavedSearch.objects.filter(pk=number) if kind == "id" else SavedSearch.objects.filter(user_id=number)
    return list(qs.order_by("pk"))


def _switch(searches: list[SavedSearch], *, on: bool) -> None:
    for saved in searches:
        if on:
            saved.frequency = SavedSearch.Frequency.DAILY
        else:
            saved.frequency, saved.sms_enabled = SavedSearch.Frequency.NEVER, False
        saved.save(update_fields=["frequency", "sms_enabled"])


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe_read(token)
    if found is None or found[0] != current_schema():
        raise Http404("This unsubscribe link is not valid.")
    searches = _searches(found[1], found[2])
    context: dict[str, Any] = {"searches": searches, "token": token, "all": found[1] == "u", "state": "confirm"}
    if searches and request.method == "POST":
        resubscribe = request.POST.get("action") == "resubscribe"
        _switch(searches, on=resubscribe)
        context["state"] = "resubscribed" if resubscribe else "unsubscribed"
    return render(request, "listings/unsubscribe.html", context)
