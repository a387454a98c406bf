"""The settings of a release before the flagship moved onto Wagtail: Wagtail, ``cms`` and
``themes`` were tenant-only, so the public schema's history recorded their migrations without
their tables (the router kept them out). tests/test_migrations_repair.py migrates with these."""

from config.settings.test import *  # noqa: F403
from config.settings.test import SHARED_APPS, TENANT_APPS, WAGTAIL_APPS

SHARED_APPS = [app for app in SHARED_APPS if app not in WAGTAIL_APPS]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]
