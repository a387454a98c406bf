"""An agent goes from a network account to a live branded site, and into its admin by a
one-time link instead of a second password."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Role
from accounts.services import user_create
from tenants.models import SiteApplication, Tenant

PASSWORD = "network-pass-2026-long"


@pytest.fixture
def network_client(db):
    user_create(email="new.agent@example.com", password=PASSWORD, email_verified=True, full_name="Nia Agent")
    client = Client(HTTP_HOST="localhost")
    assert client.post("/accounts/login/", {"login": "new.agent@example.com", "password": PASSWORD}).status_code == 302
    return client


def fill_wizard(client, subdomain="nia"):
    assert client.post("/network/start/site/", {"name": "Nia Homes", "subdomain": subdomain}).status_code == 302
    brand = {"primary_color": "#047857", "accent_color": "#b45309", "font": "inter", "tagline": "Desert homes"}
    assert client.post("/network/start/brand/", brand).status_code == 302
    assert (
        client.post(
            "/network/start/market/", {"mls_sources": ["gps"], "featured_subdivisions": "PGA West, Trilogy"}
        ).status_code
        == 302
    )


def test_non_agents_give_license_and_brokerage_first(network_client):
    response = network_client.get("/network/start/site/")
    assert response.status_code == 302 and response["Location"] == "/network/agent/"
    response = network_client.post("/network/agent/", {"full_name": "Nia Agent", "license_number": "", "brokerage": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"license_number", "brokerage"}
    response = network_client.post(
        "/network/agent/", {"full_name": "Nia Agent", "license_number": "DRE 0200", "brokerage": "Nia Realty"}
    )
    assert response.status_code == 302
    from accounts.models import User

    assert User.objects.get(email="new.agent@example.com").role == Role.AGENT


@pytest.mark.parametrize(
    "subdomain, error",
    [("www", "reserved"), ("Sarah Homes!", "lowercase"), ("sarah", "taken"), ("ab", "lowercase")],
)
def test_site_step_rejects_bad_or_taken_addresses(network_client, subdomain, error):
    network_client.post("/network/agent/", {"full_name": "N", "license_number": "DRE 1", "brokerage": "B"})
    response = network_client.post("/network/start/site/", {"name": "Nia Homes", "subdomain": subdomain})
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["subdomain"]).lower()


def test_wizard_is_saved_per_step_and_launches_a_live_site(network_client, django_capture_on_commit_callbacks):
    network_client.post(
        "/network/agent/", {"full_name": "Nia Agent", "license_number": "DRE 0200", "brokerage": "Nia Realty"}
    )
    network_client.post("/network/start/site/", {"name": "Nia Homes", "subdomain": "nia"})
    application = SiteApplication.objects.get(user__email="new.agent@example.com")
    assert application.data["site"] == {"name": "Nia Homes", "subdomain": "nia"}
    review = network_client.get("/network/start/review/")
    assert review.context["missing"] == ["brand", "market"]
    assert network_client.post("/network/launch/").status_code == 302  # back to review with an error
    assert SiteApplication.objects.get(pk=application.pk).status == SiteApplication.Status.DRAFT

    fill_wizard(network_client)
    with django_capture_on_commit_callbacks(execute=True):
        assert network_client.post("/network/launch/").status_code == 302
    application.refresh_from_db()
    assert application.status == SiteApplication.Status.LIVE, application.error
    tenant = application.tenant
    assert tenant.slug == "nia" and tenant.mls_sources == ["gps"]
    assert tenant.featured_subdivisions == ["PGA West", "Trilogy"]
    assert tenant.owner.email == "new.agent@example.com"
    home = Client(HTTP_HOST="nia.localhost").get("/")
    assert home.status_code == 200
    assert b"Nia Homes" in home.content and b"--brand:#047857" in home.content
    assert b"Nia Homes" in network_client.get("/network/dashboard/").content


def test_one_time_link_opens_the_site_admin_once(network_client, django_capture_on_commit_callbacks):
    network_client.post(
        "/network/agent/", {"full_name": "Nia Agent", "license_number": "DRE 0200", "brokerage": "Nia Realty"}
    )
    fill_wizard(network_client, subdomain="nia-two")
    with django_capture_on_commit_callbacks(execute=True):
        network_client.post("/network/launch/")
    application = SiteApplication.objects.get(user__email="new.agent@example.com")
    response = network_client.post(f"/network/sites/{application.pk}/admin/")
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith("http://nia-two.localhost")
    path = re.sub(r"^https?://[^/]+", "", link)

    on_site = Client(HTTP_HOST="nia-two.localhost")
    assert on_site.get(path).status_code == 302
    assert on_site.get("/cms/").status_code == 200  # the agent is in their site's admin
    with schema_context(application.tenant.schema_name):
        from accounts.models import User

        assert User.objects.get(email="new.agent@example.com").is_staff

    replay = Client(HTTP_HOST="nia-two.localhost").get(path)
    assert replay.status_code == 403
    elsewhere = Client(HTTP_HOST="sarah.localhost").get(path)
    assert elsewhere.status_code == 403


def test_someone_elses_site_admin_link_cannot_be_requested(network_client, db):
    other = user_create(
        email="other@example.com", password=PASSWORD, role=Role.AGENT, license_number="1", brokerage="b"
    )
    tenant = Tenant.objects.get(slug="sarah")
    application = SiteApplication.objects.create(user=other, status=SiteApplication.Status.LIVE, tenant=tenant)
    assert network_client.post(f"/network/sites/{application.pk}/admin/").status_code == 404


def test_wizard_site_goes_offline_after_the_trial_unless_the_agent_pays(
    network_client, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from tenants.services import site_trials_expire

    network_client.post(
        "/network/agent/", {"full_name": "Nia Agent", "license_number": "DRE 0200", "brokerage": "Nia Realty"}
    )
    fill_wizard(network_client, subdomain="nia-trial")
    with django_capture_on_commit_callbacks(execute=True):
        network_client.post("/network/launch/")
    tenant = Tenant.objects.get(slug="nia-trial")
    assert (tenant.is_active, tenant.plan_status) == (True, "trial")
    assert site_trials_expire() == 0  # still inside the trial
    assert site_trials_expire(now=timezone.now() + dt.timedelta(days=15)) == 1
    tenant.refresh_from_db()
    assert not tenant.is_active
    assert Client(HTTP_HOST="nia-trial.localhost").get("/").status_code == 503
