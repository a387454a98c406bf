"""The agent's custom domains, from the network dashboard (public schema)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import login_required
from config.features import feature_on
from tenants.domains import custom_domain_add, custom_domain_remove, custom_domain_verify, txt_record
from tenants.models import CustomDomain, SiteApplication, Tenant


def _site_of(request: HttpRequest, application_id: int) -> tuple[SiteApplication, Tenant]:
    if not feature_on("custom_domains"):
        raise Http404("Custom domains are not offered")
    application = get_object_or_404(
        SiteApplication.objects.select_related("tenant"),
        pk=application_id,
        user=request.user,
        status=SiteApplication.Status.LIVE,
    )
    if application.tenant is None:
        raise Http404("No site")
    return application, application.tenant


@login_required
def domains(request: HttpRequest, application_id: int) -> HttpResponse:
    application, tenant = _site_of(request, application_id)
    error = ""
    if request.method == "POST":
        try:
            added = custom_domain_add(tenant=tenant, raw=request.POST.get("domain", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Now add the DNS record below for {added.host}, then press Verify.")
            return redirect("network_domains", application_id=application.pk)
    rows = [(d, *txt_record(d)) for d in CustomDomain.objects.filter(tenant=tenant)]
    return render(
        request,
        "network/domains.html",
        {
            "application": application,
            "site": tenant,
            "rows": rows,
            "error": error,
            "value": request.POST.get("domain", ""),
        },
        status=400 if error else 200,
    )


def _domain_of(request: HttpRequest, application_id: int, domain_id: int) -> tuple[SiteApplication, CustomDomain]:
    application, tenant = _site_of(request, application_id)
    return application, get_object_or_404(CustomDomain, pk=domain_id, tenant=tenant)


@require_POST
@login_required
def domain_verify(request: HttpRequest, application_id: int, domain_id: int) -> HttpResponse:
    application, domain = _domain_of(request, application_id, domain_id)
    domain = custom_domain_verify(domain=domain)
    if domain.status == CustomDomain.Status.VERIFIED:
        messages.success(request, f"{domain.host} and www.{domain.host} now show your site.")
    else:
        messages.error(request, domain.last_error)
    return redirect("network_domains", application_id=application.pk)


@require_POST
@login_required
def domain_remove(request: HttpRequest, application_id: int, domain_id: int) -> HttpResponse:
    application, domain = _domain_of(request, application_id, domain_id)
    host = domain.host
    custom_domain_remove(domain=domain)
    messages.success(request, f"{host} no longer shows your site.")
    return redirect("network_domains", application_id=application.pk)
