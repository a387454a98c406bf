"""The one django-environ ``env`` every settings module reads from."""

import os
from pathlib import Path

import environ

from config.checkout import apply_defaults

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Dev, test, demo and benchmark processes use this checkout's own services (config/checkout.py)
# unless told otherwise; production names its services explicitly.
if os.environ.get("DJANGO_SETTINGS_MODULE") != "config.settings.production":
    apply_defaults()
