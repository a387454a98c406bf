"""Mail sent for a site comes from that site: its name as the sender's name, Reply-To its agent,
its name in the greeting (never the bare host), its colours in the HTML part. And what a new
user tripped over elsewhere: the footer's MLS credit, the site's own error pages."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

PASSWORD = "visitor-pass-2026-long"


def _signup(host: str, email: str) -> Any:
    client = Client(HTTP_HOST=host)
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD, "role": "end_user"}
    )
    assert response.status_code == 302, response.content[:500]
    return mail.outbox[-1]


def test_verification_mail_comes_from_the_agent_site(sarah_site: Any) -> None:
    message = _signup("sarah.localhost", "new.buyer@example.com")
    assert message.from_email.startswith('"Sarah Chen Real Estate" <') or message.from_email.startswith(
        "Sarah Chen Real Estate <"
    )
    assert message.reply_to == ["sarah@example.com"]
    assert "Hello from Sarah Chen Real Estate!" in message.body
    assert "Hello from sarah.localhost" not in message.body and "ChatRealty" not in message.body
    assert "Sarah Chen, DRE #01987654" in message.body
    html = message.alternatives[0][0]
    assert "#9f1239" in html and "Sarah Chen Real Estate" in html and "Desert Modern Realty" in html


def test_password_reset_mail_comes_from_the_site(mike_site: Any) -> None:
    _signup("mike.localhost", "reset.me@example.com")
    mail.outbox.clear()
    Client(HTTP_HOST="mike.localhost").post("/accounts/password/reset/", {"email": "reset.me@example.com"})
    message = mail.outbox[-1]
    assert "Mike Alvarez Homes" in message.from_email and message.reply_to == ["mike@example.com"]
    assert "Mike Alvarez Homes" in message.body and re.search(
        r"http://mike\.localhost/accounts/password/reset/key/", message.body
    )
    assert "#1e40af" in message.alternatives[0][0]


def test_flagship_mail_comes_from_the_flagship(public_tenant: Any) -> None:
    message = _signup("localhost", "flagship.buyer@example.com")
    assert "JPS Realtor" in message.from_email and "Hello from JPS Realtor!" in message.body


def test_lead_notice_comes_from_the_site_with_reply_to_the_visitor(sarah_site: Any, in_schema: Any) -> None:
    from leads.models import Lead
    from leads.notices import lead_notify_agent

    with in_schema(sarah_site):
        lead = Lead.objects.create(
            source=Lead.Source.SHOWING_REQUEST, name="Bo Buyer", email="bo@example.com", message="Saturday?"
        )
        mail.outbox.clear()
        assert lead_notify_agent(lead_id=lead.pk)
    message = mail.outbox[-1]
    assert message.to == ["sarah@example.com"] and message.reply_to == ["bo@example.com"]
    assert "Sarah Chen Real Estate" in message.from_email and "showing request from Bo Buyer" in message.subject
    assert "#9f1239" in message.alternatives[0][0]


def test_footer_credits_only_the_sites_own_feeds(
    site_client: Any, sarah_site: Any, mike_site: Any, public_tenant: Any
) -> None:
    def credit(tenant: Any) -> str:
        html = site_client(tenant).get("/search/").content.decode()
        return re.search(r'data-testid="mls-credit">([^<]*)<', html).group(1)

    assert "Greater Palm Springs MLS" in credit(sarah_site) and "CRMLS" not in credit(sarah_site)  # GPS only
    assert "CRMLS" in credit(mike_site) and "Greater Palm Springs" in credit(mike_site)
    assert "CRMLS" in credit(public_tenant) and "Greater Palm Springs" in credit(public_tenant)


def test_the_sites_own_error_pages(site_client: Any, sarah_site: Any, settings: Any) -> None:
    settings.DEBUG = False
    response = site_client(sarah_site).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "Sarah Chen Real Estate" in html and "Page not found" in html
    assert "URLconf" not in html and "Using the URLconf" not in html

    from themes.errors import server_error

    request = site_client(sarah_site).get("/").wsgi_request
    page = server_error(request)
    assert page.status_code == 500 and b"Something went wrong" in page.content
    assert b"Sarah Chen Real Estate" in page.content and b"--brand:#9f1239" in page.content
