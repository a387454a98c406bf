"""Sign-up → verification mail → login → TOTP enrolment → login with the second factor."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django_tenants.utils import schema_context

from accounts.models import Role, User

PASSWORD = "a-long-enough-pass-2026"


def totp_now(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def verification_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def signup(client, email, **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "role": Role.END_USER, **extra}
    return client.post("/accounts/signup/", data)


def test_signup_verify_login_and_two_factor(sarah_site, site_client):
    client = site_client(sarah_site)
    response = signup(client, "new.buyer@example.com", full_name="New Buyer")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session  # verification is mandatory

    assert len(mail.outbox) == 1
    link = verification_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]

    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": "new.buyer@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]

    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == 302:  # enrolling a factor asks for the password again
        assert page["Location"].startswith("/accounts/reauthenticate/")
        assert client.post(page["Location"], {"password": PASSWORD}).status_code == 302
        page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302
    with schema_context(sarah_site.schema_name):
        user = User.objects.get(email="new.buyer@example.com")
        types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
        assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}

    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": "new.buyer@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    with schema_context(sarah_site.schema_name):
        recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
        code = recovery.wrap().get_unused_codes()[0]
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_by_emailed_six_digit_code(sarah_site, site_client):
    with schema_context(sarah_site.schema_name):
        from accounts.services import user_create

        user_create(email="code.user@example.com", password=PASSWORD, email_verified=True)
    client = site_client(sarah_site)
    response = client.post("/accounts/login/code/", {"email": "code.user@example.com"})
    assert response.status_code == 302
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.parametrize("seconds_later, signed_in", [(540, True), (660, False)])
def test_login_code_expires_after_ten_minutes(sarah_site, site_client, seconds_later, signed_in):
    import time
    from unittest import mock

    from allauth.account.internal.flows import code_verification

    with schema_context(sarah_site.schema_name):
        from accounts.services import user_create

        user_create(email="late.user@example.com", password=PASSWORD, email_verified=True)
    client = site_client(sarah_site)
    client.post("/accounts/login/code/", {"email": "late.user@example.com"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    later = time.time() + seconds_later
    with mock.patch.object(code_verification.time, "time", return_value=later):
        client.post("/accounts/login/code/confirm/", {"code": code})
    assert ("_auth_user_id" in client.session) is signed_in


def test_email_verification_links_expire_after_24_hours(sarah_site, site_client):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    client = site_client(sarah_site)
    signup(client, "slow.reader@example.com")
    link = verification_link(mail.outbox[-1])
    with mock.patch("django.core.signing.time.time", return_value=(timezone.now() + timedelta(hours=25)).timestamp()):
        response = client.post(link)
    assert "_auth_user_id" not in client.session
    with schema_context(sarah_site.schema_name):
        from allauth.account.models import EmailAddress

        assert not EmailAddress.objects.get(email="slow.reader@example.com").verified
    assert response.status_code in (200, 302, 404)


def test_agent_signup_requires_license_and_brokerage(sarah_site, site_client):
    client = site_client(sarah_site)
    response = signup(client, "agent.x@example.com", role=Role.AGENT)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "license_number" in errors and "brokerage" in errors
    response = signup(client, "agent.x@example.com", role=Role.AGENT, license_number="DRE 1", brokerage="B Realty")
    assert response.status_code == 302
    with schema_context(sarah_site.schema_name):
        agent = User.objects.get(email="agent.x@example.com")
        assert (agent.role, agent.license_number, agent.brokerage) == (Role.AGENT, "DRE 1", "B Realty")


def test_failed_logins_are_rate_limited(sarah_site, site_client):
    with schema_context(sarah_site.schema_name):
        from accounts.services import user_create

        user_create(email="target@example.com", password=PASSWORD, email_verified=True)
    client = site_client(sarah_site)
    statuses = [
        client.post("/accounts/login/", {"login": "target@example.com", "password": "wrong"}).status_code
        for _ in range(7)
    ]
    assert (
        429 in statuses
        or "Too many failed login attempts"
        in client.post("/accounts/login/", {"login": "target@example.com", "password": PASSWORD}).content.decode()
    )


@pytest.mark.parametrize("hasher", ["argon2"])
def test_production_passwords_are_hashed_with_argon2(hasher):
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
