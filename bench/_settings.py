"""Production settings, unchanged, except that collected static files go to a private
directory (``BENCH_STATIC_ROOT``) so a benchmark never rewrites another process's
``var/static``. Everything else (DEBUG off, whitenoise manifest storage, security middleware,
JSON logging, persistent DB connections) is exactly what users get."""

from config.settings.production import *  # noqa: F403
from config.settings.production import env

STATIC_ROOT = env.path("BENCH_STATIC_ROOT", default="/tmp/chatrealty-bench-static/default")
# One load generator is one client address: the per-address limits (security/policy.py) would
# answer 429 after the first few hundred requests. RATELIMIT_ENABLE=true measures with them.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=False)
