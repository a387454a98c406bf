"""Writes of the platform admin: suspend, restore, export and delete sites; disable users and
change roles; moderate reported pages. Every action is logged (``AdminAction``).

Rules: admins and superadmins run the platform; only superadmins delete sites or change roles;
nobody changes their own role or disables themselves; a site is deleted only after an export
of it made in the last 24 hours.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Role
from platform_admin.models import AdminAction, PageReport, SiteExport
from tenants.models import Tenant

EXPORT_FRESH_FOR = timedelta(hours=24)


def _log(actor: Any, action: str, target: str, **detail: Any) -> None:
    AdminAction.objects.create(
        actor=actor,
        actor_email=actor.email,
        action=action,
        target=target,
        detail=json.loads(json.dumps(detail, cls=DjangoJSONEncoder)),
    )


def _require(actor: Any, *roles: str) -> None:
    if not (actor.is_authenticated and (actor.is_superuser or actor.role in roles)):
        raise PermissionDenied("Your account can't do this.")


def _agent_site(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug, kind=Tenant.Kind.AGENT_SITE).first()
    if tenant is None:
        raise ValidationError("No such agent site.")
    return tenant


@transaction.atomic
def site_suspend(*, actor: Any, slug: str, reason: str = "") -> Tenant:
    _require(actor, Role.SUPERADMIN, Role.ADMIN)
    tenant = _agent_site(slug)
    tenant.is_active = False
    tenant.plan_status = Tenant.PlanStatus.SUSPENDED
    tenant.save(update_fields=["is_active", "plan_status", "updated_at"])  # the save clears every host cache
    _log(actor, "site_suspend", slug, reason=reason)
    return tenant


@transaction.atomic
def site_restore(*, actor: Any, slug: str) -> Tenant:
    """Serve the site again; its plan state comes back from its owner's Agent plan."""
    _require(actor, Role.SUPERADMIN, Role.ADMIN)
    tenant = _agent_site(slug)
    tenant.is_active = True
    tenant.plan_status = Tenant.PlanStatus.ACTIVE
    tenant.save(update_fields=["is_active", "plan_status", "updated_at"])
    if tenant.owner is not None:
        from billing.selectors import agent_site_state

        active, status = agent_site_state(user=tenant.owner)
        if status != "canceled":
            Tenant.objects.filter(pk=tenant.pk).update(plan_status=status)
    _log(actor, "site_restore", slug)
    return tenant


def _rows(model: Any) -> list[dict[str, Any]]:
    return list(model._default_manager.values())


def _user_models() -> list[Any]:
    """Models of a site's schema that record what its users did (a foreign key to the user)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    user_model = get_user_model()
    tenant_apps = {name.rsplit(".", 1)[-1] for name in settings.TENANT_APPS}
    skip = {"accounts", "auth", "admin", "sessions", "contenttypes", "account", "mfa", "wagtailcore", "wagtailadmin"}
    found = []
    for model in apps.get_models():
        label = model._meta.app_label
        if label not in tenant_apps or label in skip or label.startswith("wagtail") or issubclass(model, Page):
            continue  # pages (their owner is an editor) are in pages.json
        if any(getattr(f, "related_model", None) is user_model for f in model._meta.get_fields() if f.is_relation):
            found.append(model)
    return found


def _archive(tenant: Tenant) -> tuple[bytes, dict[str, int]]:
    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    from platform_admin.selectors import _lead_table  # noqa: F401  (the Lead model's app)

    counts: dict[str, int] = {}
    out = io.BytesIO()
    with schema_context(tenant.schema_name), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, data: Any) -> None:
            archive.writestr(name, json.dumps(data, cls=DjangoJSONEncoder, indent=1))

        pages = [p.specific for p in Page.objects.filter(depth__gte=2).order_by("path")]
        # ``to_json`` is Wagtail's own serialisation of a page (as stored in revisions).
        put("pages.json", [{"type": p._meta.label, "url_path": p.url_path, **json.loads(p.to_json())} for p in pages])
        counts["pages"] = len(pages)
        users = list(
            get_user_model().objects.values(
                "id", "email", "full_name", "role", "is_active", "is_staff", "date_joined", "last_login"
            )
        )
        put("users.json", users)
        counts["users"] = len(users)
        from django.apps import apps

        lead_model = apps.get_model("leads", "Lead") if apps.is_installed("leads") else apps.get_model("cms", "Lead")
        leads = _rows(lead_model)
        put("leads.json", leads)
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["created_at", "source", "status", "name", "email", "phone", "listing_key", "message"])
        for lead in leads:
            writer.writerow(
                [
                    lead.get(k, "")
                    for k in ("created_at", "source", "status", "name", "email", "phone", "listing_key", "message")
                ]
            )
        archive.writestr("leads.csv", text.getvalue())
        counts["leads"] = len(leads)
        activity = {m._meta.label: _rows(m) for m in _user_models() if m._meta.label != lead_model._meta.label}
        put("activity.json", activity)
        counts["activity"] = sum(len(v) for v in activity.values())
    site = {
        "name": tenant.name,
        "slug": tenant.slug,
        "schema": tenant.schema_name,
        "plan_status": tenant.plan_status,
        "mls_sources": tenant.mls_sources,
        "owner": tenant.owner.email if tenant.owner else None,
        "domains": [d.domain for d in tenant.domains.all()],
        "exported_at": timezone.now(),
    }
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("site.json", json.dumps(site, cls=DjangoJSONEncoder, indent=1))
    return out.getvalue(), counts


def site_export(*, actor: Any, slug: str) -> SiteExport:
    """Write a zip of the site's pages, leads, users and activity outside the media folders."""
    _require(actor, Role.SUPERADMIN, Role.ADMIN)
    tenant = _agent_site(slug)
    data, counts = _archive(tenant)
    folder = Path(settings.PRIVATE_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}-{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.zip"
    path.write_bytes(data)
    export = SiteExport.objects.create(
        tenant=tenant, site_slug=slug, path=str(path), size=len(data), counts=counts, created_by=actor
    )
    _log(actor, "site_export", slug, export=export.pk, **counts)
    return export


def site_delete(*, actor: Any, slug: str, export_id: int) -> None:
    """Delete a site for good (superadmins only), once it has a fresh export."""
    from tenants.provisioning import site_remove

    _require(actor, Role.SUPERADMIN)
    tenant = _agent_site(slug)
    fresh = SiteExport.objects.filter(
        pk=export_id, tenant=tenant, created_at__gte=timezone.now() - EXPORT_FRESH_FOR
    ).exists()
    if not fresh:
        raise ValidationError("Export the site first (an export of the last 24 hours is required).")
    _log(actor, "site_delete", slug, export=export_id, schema=tenant.schema_name)
    site_remove(tenant=tenant)


def _schema_user(schema: str, user_id: int) -> Any:
    from accounts.models import User

    if not Tenant.objects.filter(schema_name=schema).exclude(kind=Tenant.Kind.TEMPLATE).exists():
        raise ValidationError("No such site.")
    with schema_context(schema):
        user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationError("No such user.")
    return user


def user_set_active(*, actor: Any, schema: str, user_id: int, active: bool) -> None:
    """Disable (or enable) an account on any site; it is signed out at its next request."""
    from accounts.models import User

    _require(actor, Role.SUPERADMIN, Role.ADMIN)
    user = _schema_user(schema, user_id)
    if schema == "public" and user.pk == actor.pk:
        raise PermissionDenied("You can't disable your own account.")
    if schema == "public" and (user.is_superuser or user.role == Role.SUPERADMIN) and not actor.is_superuser:
        raise PermissionDenied("Only a superadmin can disable a superadmin.")
    with schema_context(schema):
        User.objects.filter(pk=user_id).update(is_active=active)
    _log(actor, "user_enable" if active else "user_disable", f"{schema}:{user.email}")


def user_role_set(*, actor: Any, user_id: int, role: str) -> None:
    """Change a network account's role: superadmins only, and never their own."""
    from accounts.models import User

    _require(actor, Role.SUPERADMIN)
    if not actor.is_superuser and actor.role != Role.SUPERADMIN:
        raise PermissionDenied("Only superadmins change roles.")
    if role not in Role.values:
        raise ValidationError("Unknown role.")
    user = _schema_user("public", user_id)
    if user.pk == actor.pk:
        raise PermissionDenied("You can't change your own role.")
    staff = role in (Role.SUPERADMIN, Role.ADMIN)
    with schema_context("public"):
        User.objects.filter(pk=user_id).update(role=role, is_staff=staff, is_superuser=role == Role.SUPERADMIN)
    _log(actor, "user_role", user.email, role=role)


def page_report_create(
    *, tenant: Tenant, path: str, reason: str, message: str = "", reporter_email: str = "", page_id: int | None = None
) -> PageReport:
    report = PageReport(
        tenant=tenant,
        path=path[:500],
        reason=reason,
        message=message[:2000],
        reporter_email=reporter_email,
        page_id=page_id,
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def page_report_handle(*, actor: Any, report_id: int, unpublish: bool) -> PageReport:
    """Dismiss a report, or unpublish the Wagtail page it is about (the site's editors can
    publish it again after fixing it)."""
    _require(actor, Role.SUPERADMIN, Role.ADMIN)
    report = PageReport.objects.select_for_update().select_related("tenant").get(pk=report_id)
    if unpublish:
        if report.page_id is None:
            raise ValidationError("This report is not about an editable page; suspend the site instead.")
        from wagtail.models import Page

        with schema_context(report.tenant.schema_name):
            page = Page.objects.filter(pk=report.page_id).first()
            if page is not None and page.live and page.depth > 2:
                page.specific.unpublish()
            elif page is not None and page.depth <= 2:
                raise ValidationError("The home page can't be unpublished; suspend the site instead.")
    report.status = PageReport.Status.UNPUBLISHED if unpublish else PageReport.Status.DISMISSED
    report.handled_at = timezone.now()
    report.handled_by = actor
    report.save(update_fields=["status", "handled_at", "handled_by"])
    _log(actor, "report_unpublish" if unpublish else "report_dismiss", f"{report.tenant.slug}:{report.path}")
    return report
