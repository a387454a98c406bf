"""Custom domains: add, verify by DNS TXT, serve (apex and www), remove; the TLS ``ask`` answer.

Verification: the agent publishes ``TXT _chatrealty-verify.<domain> "chatrealty-verify=<token>"``
(the token is per site and domain). Once seen, the domain and its ``www.`` become ``Domain``
rows of the site. A domain verified by one site can't be added to another. Removing a domain
deletes its rows and bumps the network's host version (``core.netversion.HOSTS``), so every
process stops serving it on its next request, and the TLS ``ask`` endpoint says no at once.
"""

from __future__ import annotations

import ipaddress
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.netversion import HOSTS
from tenants.dns import DnsUnavailable, dns_resolver
from tenants.models import CustomDomain, Domain, Tenant

TXT_PREFIX = "_chatrealty-verify"
TXT_VALUE = "chatrealty-verify={token}"
MAX_PER_SITE = 5
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domain_normalize(raw: str) -> str:
    """``https://WWW.Homes-By-Sarah.com/path`` → ``homes-by-sarah.com`` (IDNA for non-ASCII);
    a ValidationError for anything that is not a public domain name."""
    text = (raw or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).split("/", 1)[0].split("?", 1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    if text.startswith("www."):
        text = text[4:]
    if not text:
        raise ValidationError("Enter a domain such as homesbysarah.com.", code="required")
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise ValidationError("Enter a domain name, not an IP address.", code="ip")
    try:
        ascii_host = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError("That is not a valid domain name.", code="invalid") from exc
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError("That is not a valid domain name.", code="invalid")
    if not re.fullmatch(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}", labels[-1]):
        raise ValidationError("That domain has no valid top-level part (.com, .realty…).", code="invalid")
    ours = {settings.PLATFORM_BASE_DOMAIN.lower(), settings.FLAGSHIP_DOMAIN.lower(), "localhost"}
    if any(ascii_host == d or ascii_host.endswith("." + d) for d in ours):
        raise ValidationError("That address belongs to the platform; use a domain you own.", code="ours")
    return ascii_host


def txt_record(domain: CustomDomain) -> tuple[str, str]:
    """(name, value) of the TXT record the agent publishes."""
    return f"{TXT_PREFIX}.{domain.host}", TXT_VALUE.format(token=domain.token)


@transaction.atomic
def custom_domain_add(*, tenant: Tenant, raw: str) -> CustomDomain:
    host = domain_normalize(raw)
    if CustomDomain.objects.filter(host=host, status=CustomDomain.Status.VERIFIED).exclude(tenant=tenant).exists():
        raise ValidationError("This domain is connected to another site.", code="taken")
    if Domain.objects.filter(domain__in=[host, f"www.{host}"]).exclude(tenant=tenant).exists():
        raise ValidationError("This domain is connected to another site.", code="taken")
    existing = CustomDomain.objects.filter(tenant=tenant, host=host).first()
    if existing is not None:
        return existing
    if CustomDomain.objects.filter(tenant=tenant).count() >= MAX_PER_SITE:
        raise ValidationError(f"A site can have up to {MAX_PER_SITE} domains.", code="too_many")
    return CustomDomain.objects.create(tenant=tenant, host=host, token=secrets.token_hex(16))


def custom_domain_verify(*, domain: CustomDomain) -> CustomDomain:
    """Look the TXT record up; when it is there, serve the domain (apex and www)."""
    if domain.status == CustomDomain.Status.VERIFIED:
        return domain
    name, value = txt_record(domain)
    try:
        found = dns_resolver().txt(name)
    except DnsUnavailable:
        error = "We couldn't reach DNS just now; try again in a minute."
    else:
        error = "" if value in found else f"No TXT record “{value}” at {name} yet (DNS changes can take an hour)."
    domain.checked_at = timezone.now()
    domain.last_error = error
    if error:
        domain.save(update_fields=["checked_at", "last_error"])
        return domain
    try:
        with transaction.atomic():
            if (
                Domain.objects.filter(domain__in=[domain.host, f"www.{domain.host}"])
                .exclude(tenant=domain.tenant)
                .exists()
            ):
                raise IntegrityError("served by another site")
            domain.status = CustomDomain.Status.VERIFIED
            domain.verified_at = domain.checked_at
            domain.save(update_fields=["status", "verified_at", "checked_at", "last_error"])
            for host in (domain.host, f"www.{domain.host}"):
                Domain.objects.get_or_create(domain=host, defaults={"tenant": domain.tenant, "is_primary": False})
    except IntegrityError:
        domain.refresh_from_db()
        domain.last_error = "This domain is connected to another site."
        domain.save(update_fields=["last_error"])
        return domain
    HOSTS.bump()
    return domain


@transaction.atomic
def custom_domain_remove(*, domain: CustomDomain) -> None:
    """Stop serving the domain everywhere, at once (every process's host cache is dropped on
    its next request when the transaction commits)."""
    Domain.objects.filter(tenant=domain.tenant, domain__in=[domain.host, f"www.{domain.host}"]).delete()
    domain.delete()
    transaction.on_commit(HOSTS.bump)


def tls_allowed(*, host: str) -> bool:
    """Caddy's on-demand TLS ``ask``: issue a certificate only for a host we serve: a verified
    custom domain (or its www) or a platform subdomain of a live site."""
    host = (host or "").strip().lower().rstrip(".")
    if not host or len(host) > 253:
        return False
    domain = Domain.objects.filter(domain=host).select_related("tenant").first()
    if domain is None or domain.tenant.kind == Tenant.Kind.TEMPLATE:
        return False
    apex = host[4:] if host.startswith("www.") else host
    base = settings.PLATFORM_BASE_DOMAIN.lower()
    if host.endswith("." + base) or host in (
        settings.FLAGSHIP_DOMAIN.lower(),
        f"www.{settings.FLAGSHIP_DOMAIN.lower()}",
    ):
        return True
    return CustomDomain.objects.filter(tenant=domain.tenant, host=apex, status=CustomDomain.Status.VERIFIED).exists()
