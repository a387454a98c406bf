"""An agent goes from a network account to a live branded site: the wizard (real uploads,
layouts, autocomplete), the Agent plan's Checkout (trial, card taken) on the fake Stripe, live
provisioning, and into its admin by a one-time link instead of a second password."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import Role
from accounts.services import user_create
from billing.tests.conftest import (  # noqa: F401  (fixtures)
    WebhookPump,
    catalog,
    fake_stripe,
    stripe_settings,
)
from billing.tests.fake_helpers import deliveries, pay_checkout
from tenants.models import SiteApplication, Tenant

PASSWORD = "network-pass-2026-long"


def png(width: int = 400, height: int = 120, colour: str = "#7c3aed", fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, fmt)
    return out.getvalue()


@pytest.fixture
def network_client(db: None, catalog: None) -> Client:  # noqa: F811
    user_create(email="new.agent@example.com", password=PASSWORD, email_verified=True, full_name="Nia Agent")
    client = Client(HTTP_HOST="localhost")
    assert client.post("/accounts/login/", {"login": "new.agent@example.com", "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def agent_client(network_client: Client) -> Client:
    response = network_client.post(
        "/network/agent/", {"full_name": "Nia Agent", "license_number": "DRE 0200", "brokerage": "Nia Realty"}
    )
    assert response.status_code == 302
    return network_client


@pytest.fixture
def webhooks(fake_stripe: Any) -> WebhookPump:  # noqa: F811
    return WebhookPump(fake_stripe, Client(HTTP_HOST="localhost"))


def fill_wizard(client: Client, subdomain: str = "nia", *, logo: bytes | None = None, preset: str = "modern") -> None:
    assert client.post("/network/start/site/", {"name": "Nia Homes", "subdomain": subdomain}).status_code == 302
    brand: dict[str, Any] = {
        "preset": preset,
        "primary_color": "#047857",
        "accent_color": "#b45309",
        "font": "montserrat",
        "tagline": "Desert homes, honestly priced",
        "contact_phone": "760.555.0142",
    }
    if logo is not None:
        brand["logo"] = SimpleUploadedFile("logo.png", logo, content_type="image/png")
    response = client.post("/network/start/brand/", brand)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    response = client.post("/network/start/market/", {"mls_sources": ["gps"], "featured_subdivisions": ""})
    assert response.status_code == 302


def launch_and_pay(client: Client, webhooks: WebhookPump, *, deliver: int = 1) -> SiteApplication:
    """Press "Launch website", pay on the fake Checkout, come back to the progress page;
    the webhooks are delivered ``deliver`` times (Stripe retries, duplicates)."""
    response = client.post("/network/launch/")
    assert response.status_code == 302 and "/checkout/" in response["Location"], response
    status, success_url = pay_checkout(response["Location"])
    assert status == 303
    with TestCase.captureOnCommitCallbacks(execute=True):
        for _ in range(deliver):
            for delivery in deliveries(webhooks.fake, webhooks.seen):
                webhooks.post(delivery)
        webhooks.seen = len(deliveries(webhooks.fake))
        path = re.sub(r"^https?://[^/]+", "", success_url)
        assert client.get(path).status_code == 200
    return SiteApplication.objects.get(user__email="new.agent@example.com", data__site__subdomain__isnull=False)


def test_non_agents_give_license_and_brokerage_first(network_client: Client) -> None:
    response = network_client.get("/network/start/site/")
    assert response.status_code == 302 and response["Location"] == "/network/agent/"
    response = network_client.post("/network/agent/", {"full_name": "Nia Agent", "license_number": "", "brokerage": ""})
    assert set(response.context["form"].errors) == {"license_number", "brokerage"}
    response = network_client.post(
        "/network/agent/",
        {"full_name": "Nia Agent", "license_number": "DRE 0200", "brokerage": "Nia Realty", "phone": "-1"},
    )
    assert "phone" in response.context["form"].errors
    response = network_client.post(
        "/network/agent/",
        {"full_name": "Nia Agent", "license_number": "DRE 0200", "brokerage": "Nia Realty", "phone": "1 760 555 0142"},
    )
    assert response.status_code == 302
    from accounts.models import User

    agent = User.objects.get(email="new.agent@example.com")
    assert agent.role == Role.AGENT and agent.phone == "(760) 555-0142"


@pytest.mark.parametrize(
    "subdomain, error",
    [
        ("www", "reserved"),
        ("admin", "reserved"),
        ("Sarah", "lowercase"),
        ("sarah homes", "letters"),
        ("café", "plain letters"),
        ("a--b", "two hyphens"),
        ("ab", "3-31"),
        ("a" * 32, "3-31"),
        ("-abc", "starting with a letter"),
        ("abc-", "not ending"),
        ("1abc", "starting with a letter"),
        ("sarah", "taken"),
    ],
)
def test_site_step_rejects_bad_or_taken_addresses(agent_client: Client, subdomain: str, error: str) -> None:
    response = agent_client.post("/network/start/site/", {"name": "Nia Homes", "subdomain": subdomain})
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["subdomain"])


def test_site_step_shows_this_deployments_address(agent_client: Client, settings: Any) -> None:
    html = agent_client.get("/network/start/site/").content.decode()
    assert "yourname.localhost" in html and ".chatrealty.io" not in html


def test_an_address_someone_is_paying_for_is_held(agent_client: Client) -> None:
    other = user_create(email="o@example.com", password=PASSWORD, role=Role.AGENT, license_number="1", brokerage="b")
    SiteApplication.objects.create(
        user=other, status=SiteApplication.Status.CHECKOUT, data={"site": {"name": "X", "subdomain": "held-one"}}
    )
    response = agent_client.post("/network/start/site/", {"name": "Nia Homes", "subdomain": "held-one"})
    assert "taken" in " ".join(response.context["form"].errors["subdomain"])


def _upload(client: Client, name: str, data: bytes, field: str = "logo") -> list[str]:
    client.post("/network/start/site/", {"name": "Nia Homes", "subdomain": "nia-up"})
    brand = {"preset": "classic", "primary_color": "#1d4ed8", "accent_color": "#b45309", "font": "inter"}
    response = client.post("/network/start/brand/", {**brand, field: SimpleUploadedFile(name, data)})
    if response.status_code == 302:
        return []
    return list(response.context["form"].errors[field])


@pytest.mark.parametrize(
    "name, data, error",
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        ("logo.png", b'<?xml version="1.0"?><svg><script>alert(1)</script></svg>', "SVG"),
        ("logo.png", png(fmt="JPEG"), "is a JPEG image but its name ends in “.png”"),
        ("logo.jpg", png(), "is a PNG image"),
        ("logo.png", b"MZ\x90\x00 not an image at all", "not an image"),
        ("logo.png", png(20, 10), "at least 64×32"),
        ("logo.png", png()[:200], "damaged"),
        ("logo.gif", b"GIF89a" + b"\x00" * 64, "not an image"),
        ("logo.png", b"\x89PNG" + b"\x00" * (5 * 1024 * 1024 + 10), "up to 5 MB"),
    ],
    ids=["svg-script", "svg-named-png", "jpeg-named-png", "png-named-jpg", "exe", "tiny", "truncated", "gif", "huge"],
)
def test_bad_uploads_are_refused_with_a_reason(agent_client: Client, name: str, data: bytes, error: str) -> None:
    errors = _upload(agent_client, name, data)
    assert errors and error in " ".join(errors), errors
    application = SiteApplication.objects.get(user__email="new.agent@example.com")
    assert "brand" not in application.data


def test_a_good_logo_is_resized_and_gets_a_favicon(agent_client: Client) -> None:
    from django.core.files.storage import default_storage

    assert _upload(agent_client, "logo.png", png(1200, 600)) == []
    brand = SiteApplication.objects.get(user__email="new.agent@example.com").data["brand"]
    with default_storage.open(brand["logo"]) as f:
        logo = Image.open(f)
        assert logo.format == "PNG" and logo.height == 160 and logo.width == 320
    with default_storage.open(brand["favicon"]) as f:
        assert Image.open(f).size == (512, 512)
    assert _upload(agent_client, "me.jpg", png(200, 200, fmt="JPEG"), field="agent_photo")  # too small
    assert _upload(agent_client, "me.jpg", png(900, 1200, fmt="JPEG"), field="agent_photo") == []


def test_review_speaks_words_and_warns_about_contrast(agent_client: Client) -> None:
    agent_client.post("/network/start/site/", {"name": "Nia Homes", "subdomain": "nia-words"})
    brand = {"preset": "luxury", "primary_color": "#fde68a", "accent_color": "#fef3c7", "font": "montserrat"}
    agent_client.post("/network/start/brand/", brand)
    agent_client.post("/network/start/market/", {"mls_sources": ["gps"]})
    html = unescape(agent_client.get("/network/start/review/").content.decode())
    assert "Montserrat" in html and "montserrat" not in html.replace("vendor/fonts/montserrat", "")
    assert "Greater Palm Springs (GPS)" in html and ">gps<" not in html
    assert "Luxury" in html and "nia-words.localhost" in html
    assert "below the 4.5:1 that WCAG AA asks for" in html and "below WCAG AA's 3:1" in html


def test_no_launch_without_paying(agent_client: Client) -> None:
    from tenants.onboarding import LaunchError, application_current, application_launch

    fill_wizard(agent_client, subdomain="nia-unpaid")
    response = agent_client.post("/network/launch/")
    assert response.status_code == 302 and "/checkout/" in response["Location"]
    application = SiteApplication.objects.get(user__email="new.agent@example.com")
    assert application.status == SiteApplication.Status.CHECKOUT
    with pytest.raises(LaunchError, match="Subscribe to the Agent plan"):
        application_launch(application=application_current(user=application.user))
    assert not Tenant.objects.filter(slug="nia-unpaid").exists()


def test_paid_launch_makes_one_site_even_with_duplicated_webhooks(agent_client: Client, webhooks: WebhookPump) -> None:
    fill_wizard(agent_client, subdomain="nia-paid", logo=png(600, 200))
    application = launch_and_pay(agent_client, webhooks, deliver=2)
    assert application.status == SiteApplication.Status.LIVE, application.error
    assert Tenant.objects.filter(slug="nia-paid").count() == 1
    tenant = application.tenant
    assert (tenant.is_active, tenant.plan_status, tenant.owner.email) == (True, "trial", "new.agent@example.com")
    from billing.models import Subscription

    sub = Subscription.objects.get(user__email="new.agent@example.com")
    assert sub.status == "trialing" and sub.plan_key == "agent"
    home = Client(HTTP_HOST="nia-paid.localhost").get("/").content.decode()
    assert "preset-modern" in home and "--brand:#047857" in home and "Desert homes, honestly priced" in home
    # The header link is named by its visible text (the site name): the logo is decorative.
    assert re.search(r'<img src="/media/nia_paid/images/logo[^"]*\.png" alt="" class="brand-logo">', home)
    assert 'rel="icon"' in home and "(760) 555-0142" in home
    assert "Greater Palm Springs MLS" in home and "CRMLS" not in home  # a GPS-only site credits GPS only
    # The progress endpoint says where the site is.
    status = agent_client.get(f"/network/launch/{application.pk}/status/").json()
    assert status["status"] == "live" and status["url"] == "http://nia-paid.localhost/"


def test_abandoned_checkout_resumes_and_one_site_per_plan(agent_client: Client, webhooks: WebhookPump) -> None:
    fill_wizard(agent_client, subdomain="nia-later")
    first = agent_client.post("/network/launch/")["Location"]
    # The agent closes the payment page and comes back later: nothing was charged or made.
    review = agent_client.get("/network/start/review/?checkout=cancelled").content.decode()
    assert "Checkout was cancelled" in review
    assert "Continue to payment" in agent_client.get("/network/dashboard/").content.decode()
    application = launch_and_pay(agent_client, webhooks)
    assert first.rstrip("/").rsplit("/", 1)[-1] != application.checkout_session_id  # a new Checkout
    assert application.status == SiteApplication.Status.LIVE
    assert Tenant.objects.filter(slug="nia-later").exists()
    # The plan's one site is in use: a second launch is refused with a reason, without Checkout.
    fill_wizard(agent_client, subdomain="nia-second")
    response = agent_client.post("/network/launch/", follow=True)
    assert "includes one site" in response.content.decode()
    assert not Tenant.objects.filter(slug="nia-second").exists()


def test_one_time_link_opens_the_site_admin_once(agent_client: Client, webhooks: WebhookPump) -> None:
    fill_wizard(agent_client, subdomain="nia-two")
    application = launch_and_pay(agent_client, webhooks)
    response = agent_client.post(f"/network/sites/{application.pk}/admin/")
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
    assert Client(HTTP_HOST="nia-two.localhost").get(path).status_code == 403
    assert Client(HTTP_HOST="sarah.localhost").get(path).status_code == 403


def test_someone_elses_site_admin_link_cannot_be_requested(network_client: Client) -> None:
    other = user_create(
        email="other@example.com", password=PASSWORD, role=Role.AGENT, license_number="1", brokerage="b"
    )
    tenant = Tenant.objects.get(slug="sarah")
    application = SiteApplication.objects.create(user=other, status=SiteApplication.Status.LIVE, tenant=tenant)
    assert network_client.post(f"/network/sites/{application.pk}/admin/").status_code == 404
