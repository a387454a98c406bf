"""Views served on agent sites that belong to the network's flows."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import User
from core.tenancy import current_schema
from tenants.login_links import LoginLinkError, login_link_redeem


def network_login(request: HttpRequest, token: str) -> HttpResponse:
    """Redeem a one-time link from the network dashboard and open this site's admin."""
    try:
        email = login_link_redeem(token=token, schema_name=current_schema())
    except LoginLinkError as exc:
        return render(request, "errors/403.html", {"message": str(exc)}, status=403)
    user = User.objects.filter(email=email, is_staff=True, is_active=True).first()
    if user is None:
        return render(request, "errors/403.html", {"message": "No editor account for you on this site."}, status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # The network dashboard may open the CRM or analytics directly (only those, never elsewhere).
    target = request.GET.get("next", "")
    return redirect(target if target in ("/crm/", "/analytics/") else "/cms/")
