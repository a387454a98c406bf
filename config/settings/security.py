"""The client address behind proxies and the rate-limit layer (``security`` app).

``TRUSTED_PROXY_COUNT``: how many proxies of ours append to ``X-Forwarded-For`` in front of
the app (nginx alone: 1; a CDN or load balancer in front of nginx: 2). 0 trusts no header and
takes ``REMOTE_ADDR`` (runserver, tests); production defaults to 1, since gunicorn listens on a
unix socket behind nginx and ``REMOTE_ADDR`` is empty there. django-allauth reads the same
``ALLAUTH_`` settings, so its limits and ours see one address (``security.client_ip``).
"""

from config.env import env

ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# A single header a trusted proxy sets to the client address instead (e.g. "X-Real-IP",
# "CF-Connecting-IP"); empty: use X-Forwarded-For as above.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default="") or None

# django-ratelimit: counters in the shared Redis cache, its "ip" key from security.client_ip.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "security.client_ip.ratelimit_ip"
# A failed counter read (a key expiring between add and incr) lets that request through.
RATELIMIT_FAIL_OPEN = True
