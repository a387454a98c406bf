"""Experiment: the benchmark's production settings plus the proposed home-page speed-ups
(docs/benchmarks.md): django-tenants' TENANT_LIMIT_SET_CALLS, and the host -> tenant lookup
cached per process. Not what users get today; never used for the reported numbers."""

from bench._settings import *  # noqa: F403

TENANT_LIMIT_SET_CALLS = True
MIDDLEWARE = [
    "bench._tuned.CachedSiteTenantMiddleware" if m == "tenants.middleware.SiteTenantMiddleware" else m
    for m in MIDDLEWARE  # noqa: F405
]
