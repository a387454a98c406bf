"""Wagtail admin menu items for the CRM pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from wagtail.admin.menu import MenuItem

from core.tenancy import current_schema


class SiteOnlyMenuItem(MenuItem):
    """CRM pages live on agent sites; the flagship (public schema) has none yet."""

    def is_shown(self, request: HttpRequest) -> bool:
        return current_schema() != settings.PUBLIC_SCHEMA_NAME
