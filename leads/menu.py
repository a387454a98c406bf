"""Wagtail admin menu items for the CRM pages."""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.admin.menu import MenuItem

from leads.team import crm_user


class CrmMenuItem(MenuItem):
    """Shown to whoever may open the CRM pages of this site (its owner and agents, the flagship's
    included): an editor who is not on the team would only find a 403 behind it."""

    def is_shown(self, request: HttpRequest) -> bool:
        return crm_user(request.user)
