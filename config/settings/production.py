"""Production: refuses to start without its secrets; passes ``manage.py check --deploy``."""

from config.hosts import AllowedHosts

from .base import *
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")  # no default: a missing key stops the process
ALLOWED_HOSTS = AllowedHosts(env.list("DJANGO_ALLOWED_HOSTS"))  # + verified custom domains (config/hosts.py)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")  # billing cannot run without them
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# gunicorn on a unix socket behind nginx (platform/nginx): REMOTE_ADDR is empty and nginx's
# X-Forwarded-For entry is the client (config/settings/security.py).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
SITE_SCHEME = env("SITE_SCHEME", default="https")
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default=EMAIL_BACKEND)
