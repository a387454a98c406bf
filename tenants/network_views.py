"""The network's pages (public schema): agent landing, onboarding wizard, dashboard."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from accounts.permissions import login_required
from tenants.forms import STEP_TITLES, STEPS, AgentDetailsForm, step_initial
from tenants.login_links import login_link_token
from tenants.models import SiteApplication
from tenants.onboarding import (
    agent_details_save,
    application_current,
    application_launch,
    application_missing_steps,
    application_step_save,
)

STEP_ORDER = [*STEPS, "review"]


def _is_agent(user: object) -> bool:
    return getattr(user, "role", None) == Role.AGENT and bool(getattr(user, "license_number", ""))


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
def wizard_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_ORDER:
        raise Http404("No such step")
    if not _is_agent(request.user):
        return redirect("network_agent_details")
    application = application_current(user=request.user)
    context = {"step": step, "steps": [(s, STEP_TITLES[s]) for s in STEP_ORDER], "application": application}
    if step == "review":
        context["missing"] = application_missing_steps(application=application)
        return render(request, "network/review.html", context)
    form = STEPS[step](request.POST or None, initial=step_initial(step, application.data))
    if request.method == "POST" and form.is_valid():
        application_step_save(application=application, step=step, data=form.cleaned_data)
        return redirect("network_step", step=STEP_ORDER[STEP_ORDER.index(step) + 1])
    context["form"] = form
    return render(request, "network/step.html", context)


@require_POST
@login_required
def wizard_launch(request: HttpRequest) -> HttpResponse:
    application = application_current(user=request.user)
    try:
        application_launch(application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("network_step", step="review")
    messages.success(request, "Your site is being set up. It takes a few seconds.")
    return redirect("network_dashboard")


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
    return redirect(
        f"{scheme}://{tenant.get_primary_domain().domain}{settings.SITE_PORT_SUFFIX}/network-login/{token}/"
    )
