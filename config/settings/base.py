"""Settings shared by every environment. Integrations live in their own modules below."""

from typing import Any

from config.env import BASE_DIR, env
from config.hosts import AllowedHosts

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The platform's own hosts; agents' verified custom domains are admitted per request
# (config/hosts.py, tenants.custom_hosts), so this list never has to be "*".
ALLOWED_HOSTS = AllowedHosts(env.list("DJANGO_ALLOWED_HOSTS", default=[".localhost", "localhost", "127.0.0.1"]))
PLATFORM_BASE_DOMAIN = env("PLATFORM_BASE_DOMAIN", default="localhost")
FLAGSHIP_DOMAIN = env("FLAGSHIP_DOMAIN", default="localhost")
FLAGSHIP_NAME = env("FLAGSHIP_NAME", default="JPS Realtor")
# The brokerage's inbox for the flagship's leads (showing requests, contact forms): seeds the
# flagship's branding contact email, which its editors can change in /cms/ settings.
FLAGSHIP_LEADS_EMAIL = env("FLAGSHIP_LEADS_EMAIL", default="hello@jpsrealtor.com")
SITE_PORT_SUFFIX = env("SITE_PORT_SUFFIX", default="")  # ":8000" in dev so links work
SITE_SCHEME = env("SITE_SCHEME", default="http")  # "https" in production: Wagtail page URLs use it

# --- Tenancy -------------------------------------------------------------------------------
# auth, contenttypes and sessions are in both lists: each site keeps its own users, so an
# editor of one site has no account on another (shared auth would let them edit every site).
# Wagtail, cms and themes are in both too: the flagship (public schema) has its own page tree,
# editors and leads, as every site does (docs/tenancy.md, "The flagship on Wagtail").
WAGTAIL_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "cms",
    "themes",
]
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_ratelimit",
    # django-ninja: the API layer (config/api.py); listed for its docs page's static files.
    "ninja",
    "security",
    "listings",
    "mls_sync",
    "billing",
    "chat",
    "cma",
    # Leads (and the CRM): the flagship's in the public schema, each site's in its own.
    "leads",
    "invest",
    "analytics",
    # The marketplace shared by the network: public schema only (docs/marketplace.md).
    "providers",
    "rentals",
    # The platform admin: reported pages, site exports, its action log (public schema only).
    "platform_admin",
    *WAGTAIL_APPS,
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    *WAGTAIL_APPS,
    "leads",
    "analytics",
    "listings",
    "billing",
    "chat",
    "cma",
    "invest",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenants"
# New sites are cloned from a migrated template schema (~1 s here) instead of migrated (~10 s).
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_BASE_SCHEMA = "tenant_template"
# Send SET search_path only when the schema changes, not before every query.
TENANT_LIMIT_SET_CALLS = True
# Free days of the Agent plan's trial when a site is launched from the wizard (the card is taken).
SITE_TRIAL_DAYS = env.int("SITE_TRIAL_DAYS", default=14)
# Custom domains are verified by a DNS TXT record through this resolver class (tests fake it).
DNS_RESOLVER = env("DNS_RESOLVER", default="tenants.dns.SystemResolver")
# Requests per minute allowed to each search-API key (Investor 3).
API_KEY_RATE_PER_MINUTE = env.int("API_KEY_RATE_PER_MINUTE", default=120)
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Seconds each process keeps a host -> site answer (a Redis version drops them at once on changes).
TENANT_HOST_CACHE_SECONDS = env.float("TENANT_HOST_CACHE_SECONDS", default=5.0)
# How often each process reads that Redis version: a removed or moved domain stops being served
# everywhere within this bound (0: on every request, one Redis GET each; tenants/middleware.py).
TENANT_HOST_VERSION_CHECK_SECONDS = env.float("TENANT_HOST_VERSION_CHECK_SECONDS", default=0.25)
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/chatrealty")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    "tenants.custom_hosts.CustomDomainHostMiddleware",
    "config.middleware.HealthCheckMiddleware",
    "tenants.middleware.TlsAskMiddleware",
    "tenants.middleware.SiteTenantMiddleware",
    # Under /api/ every answer is JSON, 404 and 405 included (api/middleware.py).
    "api.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.AnonymousIdMiddleware",
    "tenants.middleware.SiteSuspendedMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # After authentication: limits key on the account too (security/policy.py).
    "security.ratelimit.RateLimitMiddleware",
    # Page views counted off the request path (one Redis push; analytics/).
    "analytics.middleware.AnalyticsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "themes.context_processors.branding",
                "billing.context_processors.billing",
                "config.features.features",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS: list = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Media are written under MEDIA_ROOT/<schema>/ so one site never reads another's files.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# Files never served by a URL (site exports), downloaded through a view that checks the role.
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=str(BASE_DIR / "var" / "private"))
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "core.staticfiles.StaticFilesStorage"},  # whitenoise's, url() remembered
}

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES: dict[str, Any] = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cr"),
        # Keys carry the tenant schema: without it cached pages and images leak across sites.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # A Redis restart must not fail pages: cache reads miss and writes are dropped
            # (logged) until it is back; rate limits fail open, sessions read as empty.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

LOGIN_URL = "account_login"
# Pages restricted to signed-in visitors send them to the site's own login, not Wagtail's.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
LOGIN_REDIRECT_URL = "/"
ANONYMOUS_ID_COOKIE = "anonymous_id"
ANONYMOUS_ID_MAX_AGE = 60 * 60 * 24 * 365

WAGTAIL_SITE_NAME = "ChatRealty"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://localhost:8000")
# Documents are served by Wagtail's view, which applies their privacy settings (never straight
# from MEDIA_ROOT: tenants.views and platform/nginx refuse /media/<schema>/documents/).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Only what a visitor downloads: no HTML, SVG, XML or scripts, which would run on our origin.
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "odt", "rtf", "txt", "csv", "xls", "xlsx", "ods", "ppt", "pptx", "odp"]
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]  # no SVG
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

from .accounts import *  # noqa: E402
from .celery import *  # noqa: E402
from .email import *  # noqa: E402
from .features import *  # noqa: E402
from .geo import *  # noqa: E402
from .llm import *  # noqa: E402
from .logging import *  # noqa: E402
from .marketplace import *  # noqa: E402
from .mls import *  # noqa: E402
from .mongodb import *  # noqa: E402
from .security import *  # noqa: E402
from .sentry import *  # noqa: E402
from .sms import *  # noqa: E402
from .stripe import *  # noqa: E402

# Front-end packages come from npm at install time (package.json) and are served by the app.
NODE_MODULES = BASE_DIR / "node_modules"
_VENDOR_DIRS = {
    "vendor/fonts/inter": "@fontsource/inter",
    "vendor/fonts/lora": "@fontsource/lora",
    "vendor/fonts/montserrat": "@fontsource/montserrat",
    "vendor/maplibre-gl": "maplibre-gl/dist",
    # The offline basemap (listings/static/listings/basemap.js): coastlines, state and county lines.
    "vendor/topojson-client": "topojson-client/dist",
    "vendor/us-atlas": "us-atlas",
    "vendor/world-atlas": "world-atlas",
}
STATICFILES_DIRS += [
    (prefix, NODE_MODULES / rel) for prefix, rel in _VENDOR_DIRS.items() if (NODE_MODULES / rel).is_dir()
]

# Analytics events (analytics/): off turns recording off everywhere (the benchmark compares).
ANALYTICS_ENABLED = env.bool("ANALYTICS_ENABLED", default=True)
