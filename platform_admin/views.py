"""The platform admin's pages (network host, /platform/): sites, users, sync runs, reports;
and the "Report this page" form every site offers its visitors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from platform_admin import selectors, services
from platform_admin.models import AdminAction, PageReport, SiteExport
from tenants.models import Tenant

staff_only = role_required(Role.SUPERADMIN, Role.ADMIN)


def _act(request: HttpRequest, done: str, action: Any, **kwargs: Any) -> bool:
    try:
        action(actor=request.user, **kwargs)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "Your account can't do this.")
        return False
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


@staff_only
def sites(request: HttpRequest) -> HttpResponse:
    return render(request, "platform_admin/sites.html", {"rows": selectors.sites_overview(), "section": "sites"})


@staff_only
def site_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = get_object_or_404(Tenant, slug=slug, kind=Tenant.Kind.AGENT_SITE)
    row = next((r for r in selectors.sites_overview() if r.tenant.pk == tenant.pk), None)
    return render(
        request,
        "platform_admin/site.html",
        {
            "row": row,
            "site": tenant,
            "exports": SiteExport.objects.filter(tenant=tenant)[:5],
            "reports": PageReport.objects.filter(tenant=tenant)[:20],
            "actions": AdminAction.objects.filter(target=slug)[:20],
            "can_delete": request.user.is_superuser or getattr(request.user, "role", "") == Role.SUPERADMIN,
            "section": "sites",
        },
    )


@require_POST
@staff_only
def site_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    if action == "suspend":
        _act(request, "Site suspended: visitors see “temporarily unavailable”.", services.site_suspend, slug=slug)
    elif action == "restore":
        _act(request, "Site restored.", services.site_restore, slug=slug)
    elif action == "export":
        _act(request, "Export ready: download it below.", services.site_export, slug=slug)
    elif action == "delete":
        export_id = request.POST.get("export_id", "")
        if _act(
            request,
            f"Site {slug} deleted.",
            services.site_delete,
            slug=slug,
            export_id=int(export_id) if export_id.isdigit() else 0,
        ):
            return redirect("platform_sites")
    else:
        raise Http404("No such action")
    return redirect("platform_site", slug=slug)


@staff_only
def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    export = get_object_or_404(SiteExport, pk=export_id)
    path = Path(export.path)
    if not path.is_file():
        raise Http404("The file is gone")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip")


@staff_only
def users(request: HttpRequest) -> HttpResponse:
    email = request.GET.get("email", "")[:254]
    found = selectors.users_find(email=email) if email else []
    return render(
        request,
        "platform_admin/users.html",
        {"email": email, "found": found, "roles": Role.choices, "section": "users", "me": request.user.pk},
    )


@require_POST
@staff_only
def user_action(request: HttpRequest) -> HttpResponse:
    schema, user_id = request.POST.get("schema", ""), request.POST.get("user_id", "")
    action = request.POST.get("action", "")
    if not user_id.isdigit():
        raise Http404("No such user")
    if action in ("disable", "enable"):
        _act(
            request,
            "Account disabled." if action == "disable" else "Account enabled.",
            services.user_set_active,
            schema=schema,
            user_id=int(user_id),
            active=action == "enable",
        )
    elif action == "role":
        _act(request, "Role changed.", services.user_role_set, user_id=int(user_id), role=request.POST.get("role", ""))
    else:
        raise Http404("No such action")
    return redirect(f"/platform/users/?email={request.POST.get('email', '')}")


@staff_only
def syncs(request: HttpRequest) -> HttpResponse:
    return render(request, "platform_admin/syncs.html", {"runs": selectors.sync_runs(), "section": "syncs"})


@staff_only
def reports(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    rows = PageReport.objects.select_related("tenant").filter(status=status)[:100]
    return render(request, "platform_admin/reports.html", {"rows": rows, "status": status, "section": "reports"})


@require_POST
@staff_only
def report_action(request: HttpRequest, report_id: int) -> HttpResponse:
    unpublish = request.POST.get("action") == "unpublish"
    _act(
        request,
        "Page unpublished." if unpublish else "Report dismissed.",
        services.page_report_handle,
        report_id=report_id,
        unpublish=unpublish,
    )
    return redirect("platform_reports")


# ---- on every site ------------------------------------------------------------------------


def _wagtail_page_id(request: HttpRequest, path: str) -> int | None:
    """The id of the site's Wagtail page at ``path`` (agent sites have a page tree)."""
    if connection.schema_name == "public":  # type: ignore[attr-defined]
        return None
    from wagtail.models import Site

    site = Site.find_for_request(request)
    if site is None:
        return None
    try:
        route = site.root_page.specific.route(request, [p for p in path.split("/") if p])
    except Http404:
        return None
    return int(route.page.pk) if hasattr(route, "page") else int(route[0].pk)


def report_page(request: HttpRequest) -> HttpResponse:
    """A visitor reports the page they were on; moderators see it in the platform admin."""
    path = request.POST.get("path") or request.GET.get("path") or "/"
    if not path.startswith("/") or not url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        path = "/"
    reasons = PageReport.Reason.choices
    if request.method == "POST":
        tenant = getattr(request, "tenant", None)
        page_id = _wagtail_page_id(request, path)
        try:
            services.page_report_create(
                tenant=tenant,
                path=path,
                reason=request.POST.get("reason", ""),
                message=request.POST.get("message", ""),
                reporter_email=request.POST.get("email", ""),
                page_id=page_id,
            )
        except ValidationError as exc:
            return render(
                request,
                "platform_admin/report_page.html",
                {"path": path, "reasons": reasons, "errors": exc.messages},
                status=400,
            )
        return render(request, "platform_admin/report_page.html", {"path": path, "sent": True})
    return render(request, "platform_admin/report_page.html", {"path": path, "reasons": reasons})
