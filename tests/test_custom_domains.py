"""Custom domains: added in the dashboard, verified by a DNS TXT record (a fake resolver), then
served (apex and www); the TLS ``ask`` endpoint says yes only for hosts we serve; a domain
someone else verified can't be taken; removal stops it at once in every process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from typing import Any, ClassVar

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import user_create
from config.hosts import AllowedHosts
from tenants.domains import domain_normalize, txt_record
from tenants.models import CustomDomain, Domain, SiteApplication, Tenant

PASSWORD = "network-pass-2026-long"


class FakeResolver:
    """TXT records by name, as a zone would hold them; ``down`` makes DNS unreachable."""

    records: ClassVar[dict[str, list[str]]] = {}
    down = False

    def txt(self, name: str) -> list[str]:
        from tenants.dns import DnsUnavailable

        if FakeResolver.down:
            raise DnsUnavailable("timeout")
        return list(FakeResolver.records.get(name, []))


@pytest.fixture(autouse=True)
def fake_dns(settings: Any) -> Any:
    # Production's list names the platform's hosts only; verified custom domains are admitted
    # per request (config/hosts.py, docs/tenancy.md).
    settings.ALLOWED_HOSTS = AllowedHosts([".localhost", "localhost", "127.0.0.1", "testserver"])
    settings.DNS_RESOLVER = f"{__name__}.FakeResolver"
    FakeResolver.records, FakeResolver.down = {}, False
    return FakeResolver


def _owner_of(slug: str, email: str) -> tuple[Client, SiteApplication]:
    user = user_create(
        email=email, password=PASSWORD, role=Role.AGENT, license_number="1", brokerage="b", email_verified=True
    )
    tenant = Tenant.objects.get(slug=slug)
    application = SiteApplication.objects.create(user=user, status=SiteApplication.Status.LIVE, tenant=tenant)
    client = Client(HTTP_HOST="localhost")
    assert client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    return client, application


@pytest.fixture
def sarah_owner(db: None) -> tuple[Client, SiteApplication]:
    return _owner_of("sarah", "sarah.owner@example.com")


@pytest.fixture
def mike_owner(db: None) -> tuple[Client, SiteApplication]:
    return _owner_of("mike", "mike.owner@example.com")


def _publish(domain: CustomDomain) -> None:
    name, value = txt_record(domain)
    FakeResolver.records[name] = ["v=spf1 -all", value]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HomesBySarah.com", "homesbysarah.com"),
        ("https://www.homesbysarah.com/about?x=1", "homesbysarah.com"),
        ("homes-by-sarah.realty.", "homes-by-sarah.realty"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_domains_are_normalised(raw: str, expected: str) -> None:
    assert domain_normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "localhost",
        "192.168.1.10",
        "no-dot",
        "bad_label.com",
        "-bad.com",
        "x.c0m",
        "sarah.localhost",
        "a" * 64 + ".com",
    ],
)
def test_bad_domains_are_refused(db: None, raw: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        domain_normalize(raw)


def test_verify_then_serve_apex_and_www_then_remove(sarah_owner: Any) -> None:
    client, application = sarah_owner
    base = f"/network/sites/{application.pk}/domains/"
    assert client.post(base, {"domain": "https://www.HomesBySarah.com/"}).status_code == 302
    domain = CustomDomain.objects.get(host="homesbysarah.com")
    page = client.get(base).content.decode()
    name, value = txt_record(domain)
    assert name in page and value in page and "Waiting for the DNS record" in page
    # Not published yet: a clear error, nothing served.
    client.post(f"{base}{domain.pk}/verify/")
    domain.refresh_from_db()
    assert domain.status == "pending" and "No TXT record" in domain.last_error
    assert Client(HTTP_HOST="homesbysarah.com").get("/").status_code == 404  # not an allowed host
    FakeResolver.down = True
    client.post(f"{base}{domain.pk}/verify/")
    domain.refresh_from_db()
    assert domain.status == "pending" and "couldn't reach DNS" in domain.last_error
    FakeResolver.down = False
    _publish(domain)
    client.post(f"{base}{domain.pk}/verify/")
    domain.refresh_from_db()
    assert domain.status == "verified"
    for host in ("homesbysarah.com", "www.homesbysarah.com"):
        response = Client(HTTP_HOST=host).get("/")
        assert response.status_code == 200 and b"Sarah Chen Real Estate" in response.content
        assert Client(HTTP_HOST="127.0.0.1").get("/.well-known/chatrealty/tls-ask", {"domain": host}).status_code == 200
    client.post(f"{base}{domain.pk}/remove/")
    assert not CustomDomain.objects.filter(host="homesbysarah.com").exists()
    assert not Domain.objects.filter(domain__endswith="homesbysarah.com").exists()
    assert Client(HTTP_HOST="homesbysarah.com").get("/").status_code == 404
    assert (
        Client(HTTP_HOST="127.0.0.1").get("/.well-known/chatrealty/tls-ask", {"domain": "homesbysarah.com"}).status_code
        == 404
    )


def test_tls_ask_says_no_to_hosts_we_do_not_serve(db: None) -> None:
    ask = Client(HTTP_HOST="127.0.0.1")
    for host in ("evil.example", "", "tenant_template", "x" * 300):
        assert ask.get("/.well-known/chatrealty/tls-ask", {"domain": host}).status_code == 404
    assert ask.get("/.well-known/chatrealty/tls-ask", {"domain": "sarah.localhost"}).status_code == 200


def test_a_domain_someone_else_verified_cannot_be_taken(sarah_owner: Any, mike_owner: Any) -> None:
    sarah, sarah_app = sarah_owner
    mike, mike_app = mike_owner
    sarah.post(f"/network/sites/{sarah_app.pk}/domains/", {"domain": "desertdreams.com"})
    # Mike adds it too before Sarah verifies: both wait; the first to prove it wins.
    mike.post(f"/network/sites/{mike_app.pk}/domains/", {"domain": "desertdreams.com"})
    sarahs = CustomDomain.objects.get(host="desertdreams.com", tenant__slug="sarah")
    mikes = CustomDomain.objects.get(host="desertdreams.com", tenant__slug="mike")
    _publish(sarahs)
    sarah.post(f"/network/sites/{sarah_app.pk}/domains/{sarahs.pk}/verify/")
    _publish(mikes)  # even with his own record published, the domain is Sarah's
    mike.post(f"/network/sites/{mike_app.pk}/domains/{mikes.pk}/verify/")
    mikes.refresh_from_db()
    assert mikes.status == "pending" and "another site" in mikes.last_error
    response = mike.post(f"/network/sites/{mike_app.pk}/domains/", {"domain": "www.desertdreams.com"})
    assert response.status_code == 400 and "connected to another site" in response.content.decode()
    assert Client(HTTP_HOST="desertdreams.com").get("/").content.count(b"Sarah Chen Real Estate")
    # Nor can he touch Sarah's rows through his own dashboard.
    assert mike.post(f"/network/sites/{mike_app.pk}/domains/{sarahs.pk}/remove/").status_code == 404
    assert mike.post(f"/network/sites/{sarah_app.pk}/domains/").status_code == 404


PROCESS = textwrap.dedent(
    """
    import os, sys, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from tenants.domains import custom_domain_remove
    from tenants.models import CustomDomain, Domain, Tenant
    setup_test_environment()
    from django.conf import settings
    from config.hosts import AllowedHosts
    settings.ALLOWED_HOSTS = AllowedHosts(settings.ALLOWED_HOSTS)  # as production has it
    host = sys.argv[1]
    for line in sys.stdin:
        command = line.strip()
        if command == "add":
            tenant = Tenant.objects.get(slug="mike")
            CustomDomain.objects.create(tenant=tenant, host=host, token="t", status="verified")
            Domain.objects.create(domain=host, tenant=tenant, is_primary=False)
            print("added", flush=True)
        elif command == "get":
            print(Client(HTTP_HOST=host).get("/").status_code, flush=True)
        elif command == "remove":
            for domain in CustomDomain.objects.filter(host=host):
                custom_domain_remove(domain=domain)
            Domain.objects.filter(domain=host).delete()
            print("removed", flush=True)
    """
)


class _Process:
    """Another app process on the test database (its own connection, its own host cache)."""

    def __init__(self, host: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PROCESS, host], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def ask(self, command: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.mark.parametrize("check_seconds", [0.0, 0.5])
def test_removing_a_domain_stops_it_in_another_process_within_the_bound(
    django_db_setup: None, settings: Any, check_seconds: float
) -> None:
    """A web process that has the host cached (30 s TTL here) stops serving it once another
    process removed the domain: the network's host version moved, and the web process reads
    it at least every ``TENANT_HOST_VERSION_CHECK_SECONDS`` (with 0: on its very next request)."""
    import os

    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "TEST_RUN_ID": settings.CACHES["default"]["KEY_PREFIX"].removeprefix("test"),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MONGODB_TEST_DB": settings.MONGODB_DB,
        "TENANT_HOST_CACHE_SECONDS": "30",
        "TENANT_HOST_VERSION_CHECK_SECONDS": str(check_seconds),
        "DJANGO_ALLOWED_HOSTS": ".localhost,localhost",
    }
    web, admin = _Process("mikehomes.com", env), _Process("mikehomes.com", env)
    try:
        assert admin.ask("add") == "added"
        assert web.ask("get") == "200"  # now cached in the web process
        assert web.ask("get") == "200"
        assert admin.ask("remove") == "removed"
        time.sleep(check_seconds)
        assert web.ask("get") == "404"
    finally:
        admin.ask("remove")
        web.close()
        admin.close()


def test_only_verified_custom_domains_join_the_allowed_hosts(db: None) -> None:
    """Django's host check stays on: the platform's hosts and a verified custom domain (and
    its www) answer; a domain routed but not verified, or any other host, is refused before
    routing (django-tenants answers a disallowed host with a bare 404); and the admitted host
    is admitted for its own request only."""
    from django.conf import settings
    from django.http.request import validate_host

    sarah = Tenant.objects.get(slug="sarah")
    CustomDomain.objects.create(tenant=sarah, host="sarahsells.com", token="t", status="verified")
    for host in ("sarahsells.com", "www.sarahsells.com"):
        Domain.objects.create(domain=host, tenant=sarah, is_primary=False)
    Domain.objects.create(domain="unverified-homes.com", tenant=sarah, is_primary=False)  # no proof
    hosts = ("sarah.localhost", "sarahsells.com", "www.sarahsells.com:443", "unverified-homes.com", "evil.example")
    answers = {host: Client(HTTP_HOST=host).get("/") for host in hosts}
    assert {h: r.status_code for h, r in answers.items()} == {
        "sarah.localhost": 200,
        "sarahsells.com": 200,
        "www.sarahsells.com:443": 200,
        "unverified-homes.com": 404,
        "evil.example": 404,
    }
    assert b"Sarah Chen Real Estate" in answers["sarahsells.com"].content
    assert answers["unverified-homes.com"].content == b""  # refused, not routed to Sarah's site
    assert not validate_host("sarahsells.com", settings.ALLOWED_HOSTS)  # outside a request
