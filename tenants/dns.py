"""DNS lookups behind an interface, so custom-domain verification runs against a fake in tests.

``settings.DNS_RESOLVER`` names the class (default: dnspython against the system's resolvers).
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class TxtResolver(Protocol):
    def txt(self, name: str) -> list[str]:
        """The TXT strings at ``name`` ([] when there are none or the name does not exist);
        raises ``DnsUnavailable`` when DNS could not be asked."""
        ...


class DnsUnavailable(Exception):
    pass


class SystemResolver:
    """dnspython with the system's resolvers, a short timeout and no search domains."""

    def __init__(self, timeout: float = 3.0) -> None:
        import dns.resolver

        self._resolver = dns.resolver.Resolver()
        self._resolver.lifetime = timeout

    def txt(self, name: str) -> list[str]:
        import dns.exception
        import dns.resolver

        try:
            answer = self._resolver.resolve(name, "TXT", search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.DNSException as exc:
            raise DnsUnavailable(str(exc)) from exc
        return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def dns_resolver() -> TxtResolver:
    path = getattr(settings, "DNS_RESOLVER", "tenants.dns.SystemResolver")
    return import_string(path)()
