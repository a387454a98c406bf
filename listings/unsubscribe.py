"""Signed one-click unsubscribe links for saved-search alerts (``django.core.signing``).

The token names the site's schema and the saved search; opening the link turns the alerts
off at once (one click) and offers to turn them back on. Mail clients may also POST to the
same URL (RFC 8058 ``List-Unsubscribe-Post``).
"""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from listings.models import SavedSearch

SALT = "listings.alerts.unsubscribe"


def unsubscribe_token(*, schema_name: str, saved_search_id: int) -> str:
    return signing.dumps({"s": schema_name, "id": saved_search_id}, salt=SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[str, int] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not isinstance(data.get("s"), str):
        return None
    return data["s"], data["id"]


@csrf_exempt
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    from tenants.db import current_schema

    found = unsubscribe_read(token)
    if found is None or found[0] != current_schema():
        raise Http404("This unsubscribe link is not valid.")
    saved = SavedSearch.objects.filter(pk=found[1]).first()
    if saved is None:
        return render(request, "listings/unsubscribe.html", {"saved": None, "token": token})
    resubscribe = request.method == "POST" and request.POST.get("action") == "resubscribe"
    if resubscribe:
        saved.frequency = SavedSearch.Frequency.DAILY
        saved.save(update_fields=["frequency"])
    elif saved.frequency != SavedSearch.Frequency.NEVER or saved.sms_enabled:
        saved.frequency = SavedSearch.Frequency.NEVER
        saved.sms_enabled = False
        saved.save(update_fields=["frequency", "sms_enabled"])
    return render(request, "listings/unsubscribe.html", {"saved": saved, "token": token, "resubscribed": resubscribe})
