"""Prototypes of the home-page speed-ups proposed in docs/benchmarks.md, for experiments only
(``BENCH_SETTINGS=bench._settings_tuned``); the app's own code is unchanged."""

from __future__ import annotations

import time
from typing import Any

from tenants.middleware import SiteTenantMiddleware

_TTL_S = 10.0
_tenants: dict[str, tuple[float, Any]] = {}


class CachedSiteTenantMiddleware(SiteTenantMiddleware):
    """Host -> tenant resolved once per process every ``_TTL_S`` seconds instead of one
    ``tenants_domain JOIN tenants_tenant`` query per request (a real version would also drop
    the entry on Tenant/Domain save, e.g. with a cache version bumped by a signal)."""

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        now = time.monotonic()
        hit = _tenants.get(hostname)
        if hit is not None and hit[0] > now:
            return hit[1]
        tenant = super().get_tenant(domain_model, hostname)
        _tenants[hostname] = (now + _TTL_S, tenant)
        return tenant
