"""The network's pages (public schema): agent landing, agent details, dashboard (the wizard
itself is in ``tenants.wizard_views``)."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import login_required
from tenants.forms import AgentDetailsForm
from tenants.login_links import login_link_token
from tenants.models import SiteApplication
from tenants.onboarding import agent_details_save


def network_home(request: HttpRequest) -> HttpResponse:
    return render(request, "network/home.html")


@login_required
def agent_details(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required let only signed-in users through
    initial = {"full_name": user.full_name, "license_number": user.license_number, "brokerage": user.brokerage}
    form = AgentDetailsForm(request.POST or None, initial={**initial, "phone": user.phone})
    if request.method == "POST" and form.is_valid():
        try:
            agent_details_save(user=user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("network_step", step="site")
    return render(request, "network/agent_details.html", {"form": form})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    applications = SiteApplication.objects.filter(user=user).select_related("tenant")
    return render(request, "network/dashboard.html", {"applications": applications, "port": settings.SITE_PORT_SUFFIX})


@require_POST
@login_required
def open_site_admin(request: HttpRequest, application_id: int) -> HttpResponse:
    application = get_object_or_404(
        SiteApplication, pk=application_id, user=request.user, status=SiteApplication.Status.LIVE
    )
    tenant = application.tenant
    if tenant is None:
        raise Http404("No site")
    token = login_link_token(schema_name=tenant.schema_name, email=request.user.email)  # type: ignore[union-attr]
    scheme = "https" if request.is_secure() else "http"
    target = request.POST.get("next", "")
    suffix = f"?next={target}" if target in ("/crm/", "/analytics/") else ""
    return redirect(
        f"{scheme}://{tenant.get_primary_domain().domain}{settings.SITE_PORT_SUFFIX}/network-login/{token}/{suffix}"
    )
