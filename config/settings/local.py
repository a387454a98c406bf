"""Local development and the demo."""

from .base import *
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SITE_PORT_SUFFIX = env("SITE_PORT_SUFFIX", default=":8000")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
