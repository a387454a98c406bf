"""Tests: real Postgres, Redis and SecantusDB; a database of their own per run."""

import os

from .base import *
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_chatrealty")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Each test process works in its own Mongo database and cache namespace.
_run = env("TEST_RUN_ID", default=str(os.getpid()))
MONGODB_DB = env("MONGODB_TEST_DB", default=f"chatrealty_test_{_run}")
CACHES["default"]["KEY_PREFIX"] = f"test{_run}"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = env("MEDIA_ROOT", default=f"/tmp/chatrealty-test-media-{_run}")
CELERY_TASK_ALWAYS_EAGER = True
# Tests that need the refresher start it themselves; others must not react to other runs' events.
LISTINGS_READMODEL_REFRESH = env.bool("LISTINGS_READMODEL_REFRESH", default=False)
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS}
LOG_FORMAT = "text"
LOGGING["handlers"]["console"]["formatter"] = "text"
LOGGING["root"]["level"] = "WARNING"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The browser tests' server process writes its mail to files the test reads.
if env("TEST_EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("TEST_EMAIL_FILE_PATH")
RENTALS_ICAL_ALLOW_PRIVATE_HOSTS = True
# Tests change sites and pages and look at once; the page cache's own tests switch it on.
PAGE_CACHE_SECONDS = env.float("PAGE_CACHE_SECONDS", default=0)
