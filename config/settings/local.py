"""Local development and the demo."""

import warnings

from .base import *
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The demo runs with DEBUG off (platform/demo.sh): WhiteNoise then serves static files straight
# from the apps and node_modules, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Under the demo's uvicorn, WhiteNoise answers with a synchronous file iterator, which Django
# reads whole before sending (harmless for local files) and warns about once per process.
# Production serves static files from nginx, and its chat streams are asynchronous.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
SITE_PORT_SUFFIX = env("SITE_PORT_SUFFIX", default=":8000")
# The local fakes stand in for Stripe unless real keys are in the environment.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="http://127.0.0.1:12111")
# ... and the local fake Spark server for the seed's MLSs (it accepts their ids as keys).
for _sid in ("gps", "crmls"):
    if _sid in MLS_SOURCES and not MLS_SOURCES[_sid]["token"]:
        MLS_SOURCES[_sid]["token"] = _sid
MLS_GEO_INDEX = env.bool("MLS_GEO_INDEX", default=False)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_local")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_local")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
# Hosts try calendar sync against feeds on this machine in dev.
RENTALS_ICAL_ALLOW_PRIVATE_HOSTS = env.bool("RENTALS_ICAL_ALLOW_PRIVATE_HOSTS", default=True)
