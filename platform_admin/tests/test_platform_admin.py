"""The platform admin: every site with its state, owner, domains, last sync and leads; suspend,
restore, export and delete (superadmins only, export first); users on every site found by email
and disabled; roles changed only by superadmins and never their own; sync runs with errors;
reported pages moderated."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.services import user_create
from mls_sync.models import SyncRun
from platform_admin.models import PageReport, SiteExport
from tenants.models import Tenant
from tenants.provisioning import provisioning_leftovers
from tenants.services import SiteBrandingInput, SiteInput, SiteOwnerInput, tenant_create

PASSWORD = "platform-pass-2026-long"


def _staff(email: str, role: str) -> tuple[User, Client]:
    user = user_create(
        email=email,
        password=PASSWORD,
        role=role,
        is_staff=True,
        is_superuser=role == Role.SUPERADMIN,
        email_verified=True,
    )
    client = Client(HTTP_HOST="localhost")
    assert client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    return user, client


@pytest.fixture
def superadmin(public_tenant: Any) -> tuple[User, Client]:
    return _staff("root@example.com", Role.SUPERADMIN)


@pytest.fixture
def admin(public_tenant: Any) -> tuple[User, Client]:
    return _staff("moderator@example.com", Role.ADMIN)


def _lead(tenant: Tenant, **fields: Any) -> None:
    from django.apps import apps

    model = apps.get_model("leads", "Lead") if apps.is_installed("leads") else apps.get_model("cms", "Lead")
    with schema_context(tenant.schema_name):
        model.objects.create(source="contact_form", name="Lee", email="lee@example.com", message="Hi", **fields)


def test_only_admins_see_the_platform_admin(public_tenant: Any) -> None:
    user_create(
        email="agent.x@example.com",
        password=PASSWORD,
        role=Role.AGENT,
        license_number="1",
        brokerage="b",
        email_verified=True,
    )
    client = Client(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"login": "agent.x@example.com", "password": PASSWORD})
    assert client.get("/platform/").status_code == 403
    assert Client(HTTP_HOST="localhost").get("/platform/").status_code == 302  # to the login page
    assert Client(HTTP_HOST="sarah.localhost").get("/platform/").status_code == 404  # network only


def test_sites_table(admin: Any, sarah_site: Tenant) -> None:
    _, client = admin
    _lead(sarah_site)
    _lead(sarah_site)
    SyncRun.objects.create(source="gps", mode="incremental", status="ok", finished_at="2026-12-01T10:00:00Z")
    html = client.get("/platform/").content.decode()
    row = html[html.index('data-site="sarah"') :]
    row = row[: row.index("</tr>")]
    assert "Sarah Chen Real Estate" in row and "sarah.localhost" in row
    assert '<td data-testid="leads">2</td>' in row and "2026-12-01" in row
    assert 'data-site="mike"' in html and "(flagship)" in html


def test_suspend_and_restore(admin: Any, sarah_site: Tenant) -> None:
    _, client = admin
    client.post("/platform/sites/sarah/suspend/")
    assert Client(HTTP_HOST="sarah.localhost").get("/").status_code == 503
    client.post("/platform/sites/sarah/restore/")
    assert Client(HTTP_HOST="sarah.localhost").get("/").status_code == 200


def _doomed_site() -> Tenant:
    tenant = tenant_create(
        site=SiteInput(
            name="Doomed Homes",
            subdomain="doomed",
            branding=SiteBrandingInput(site_name="Doomed Homes"),
            owner=SiteOwnerInput(email="doomed@example.com", password=None, full_name="D"),
            mls_sources=["gps"],
        )
    )
    _lead(tenant, phone="555")
    with schema_context(tenant.schema_name):
        user_create(email="visitor@example.com", password=PASSWORD)
    return tenant


def test_delete_needs_a_superadmin_and_an_export(admin: Any, superadmin: Any) -> None:
    _doomed_site()
    _, moderator = admin
    _, root = superadmin
    response = moderator.post("/platform/sites/doomed/delete/", {"export_id": "0"}, follow=True)
    assert "can&#x27;t do this" in response.content.decode() and Tenant.objects.filter(slug="doomed").exists()
    response = root.post("/platform/sites/doomed/delete/", {"export_id": "0"}, follow=True)
    assert "Export the site first" in response.content.decode() and Tenant.objects.filter(slug="doomed").exists()
    root.post("/platform/sites/doomed/export/")
    export = SiteExport.objects.get(site_slug="doomed")
    download = root.get(f"/platform/exports/{export.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert {"pages.json", "leads.csv", "leads.json", "users.json", "activity.json", "site.json"} <= set(
        archive.namelist()
    )
    assert "lee@example.com" in archive.read("leads.csv").decode()
    emails = {u["email"] for u in json.loads(archive.read("users.json"))}
    assert {"doomed@example.com", "visitor@example.com"} <= emails
    assert "password" not in archive.read("users.json").decode()
    pages = json.loads(archive.read("pages.json"))
    assert any(p["title"] == "Doomed Homes" for p in pages) and any(p["slug"] == "contact" for p in pages)
    assert moderator.get(f"/platform/exports/{export.pk}/").status_code == 200  # admins may download
    assert Client(HTTP_HOST="localhost").get(f"/platform/exports/{export.pk}/").status_code == 302
    root.post("/platform/sites/doomed/delete/", {"export_id": str(export.pk)})
    assert provisioning_leftovers(subdomain="doomed") == {
        "tenant": False,
        "domain": False,
        "schema": False,
        "media": False,
    }
    assert root.get(f"/platform/exports/{export.pk}/").status_code == 200  # the export outlives the site


def test_users_across_the_network(admin: Any, superadmin: Any, sarah_site: Tenant) -> None:
    moderator_user, moderator = admin
    root_user, root = superadmin
    user_create(email="same.person@example.com", password=PASSWORD, email_verified=True)
    with schema_context("sarah"):
        sarahs = user_create(email="same.person@example.com", password=PASSWORD, email_verified=True)
    html = moderator.get("/platform/users/", {"email": "same.person"}).content.decode()
    assert html.count("same.person@example.com") == 2 and ">sarah<" in html and ">network<" in html
    moderator.post("/platform/users/action/", {"schema": "sarah", "user_id": sarahs.pk, "action": "disable"})
    on_sarah = Client(HTTP_HOST="sarah.localhost")
    refused = on_sarah.post("/accounts/login/", {"login": "same.person@example.com", "password": PASSWORD})
    assert refused["Location"] == "/accounts/inactive/"  # allauth's "this account is inactive"
    network = Client(HTTP_HOST="localhost")  # the network account is another account: untouched
    assert (
        network.post("/accounts/login/", {"login": "same.person@example.com", "password": PASSWORD}).status_code == 302
    )
    # Admins can't escalate themselves (or anyone), nor disable a superadmin or themselves.
    moderator.post(
        "/platform/users/action/",
        {"schema": "public", "user_id": moderator_user.pk, "action": "role", "role": "superadmin"},
    )
    moderator_user.refresh_from_db()
    assert (moderator_user.role, moderator_user.is_superuser) == (Role.ADMIN, False)
    moderator.post("/platform/users/action/", {"schema": "public", "user_id": root_user.pk, "action": "disable"})
    moderator.post("/platform/users/action/", {"schema": "public", "user_id": moderator_user.pk, "action": "disable"})
    root_user.refresh_from_db()
    moderator_user.refresh_from_db()
    assert root_user.is_active and moderator_user.is_active
    # A superadmin changes others' roles, never their own.
    root.post(
        "/platform/users/action/",
        {"schema": "public", "user_id": moderator_user.pk, "action": "role", "role": "end_user"},
    )
    moderator_user.refresh_from_db()
    assert (moderator_user.role, moderator_user.is_staff) == (Role.END_USER, False)
    root.post(
        "/platform/users/action/", {"schema": "public", "user_id": root_user.pk, "action": "role", "role": "end_user"}
    )
    root_user.refresh_from_db()
    assert root_user.role == Role.SUPERADMIN


def test_sync_runs_with_their_errors(admin: Any) -> None:
    _, client = admin
    SyncRun.objects.create(
        source="crmls", mode="full", status="failed", errors=3, error="HTTP 503 from Spark after 5 tries"
    )
    html = client.get("/platform/syncs/").content.decode()
    assert "HTTP 503 from Spark after 5 tries" in html and "Failed" in html


def test_reported_page_is_unpublished_by_a_moderator(admin: Any, sarah_site: Tenant) -> None:
    _, client = admin
    visitor = Client(HTTP_HOST="sarah.localhost")
    assert 'href="/report/?path=/about/"' in visitor.get("/about/").content.decode()
    assert visitor.post("/report/", {"path": "/about/", "reason": "nope"}).status_code == 400
    response = visitor.post("/report/", {"path": "/about/", "reason": "misleading", "message": "Fake license number"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    visitor.post("/report/", {"path": "/blog/", "reason": "spam"})
    report = PageReport.objects.get(path="/about/")
    assert report.tenant == sarah_site and report.page_id
    html = client.get("/platform/reports/").content.decode()
    assert "Fake license number" in html and "Misleading listing information" in html
    client.post(f"/platform/reports/{report.pk}/", {"action": "unpublish"})
    assert Client(HTTP_HOST="sarah.localhost").get("/about/").status_code == 404
    other = PageReport.objects.get(path="/blog/")
    client.post(f"/platform/reports/{other.pk}/", {"action": "dismiss"})
    other.refresh_from_db()
    assert other.status == "dismissed" and Client(HTTP_HOST="sarah.localhost").get("/blog/").status_code == 200
