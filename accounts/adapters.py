from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from security.client_ip import client_ip, client_ip_key
from security.redirects import is_safe_redirect


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.full_name = data.get("full_name", "")
        user.role = data.get("role") or user.role
        user.license_number = data.get("license_number", "")
        user.brokerage = data.get("brokerage", "")
        if commit:
            user.save()
        return user

    def get_client_ip(self, request: HttpRequest) -> str:
        """The one client address (``security.client_ip``) for allauth's limits and logs:
        behind nginx on a unix socket ``REMOTE_ADDR`` is empty, and allauth would refuse
        every login, sign-up and reset with 403. With no trustworthy address at all (a
        misconfigured ``TRUSTED_PROXY_COUNT``, logged) such requests share one bucket."""
        return client_ip(request) or client_ip_key(request)

    def is_safe_url(self, url: str) -> bool:
        """``next`` after login, sign-up and logout: this site only. allauth would also
        accept every host under a ``.chatrealty.io`` entry of ``ALLOWED_HOSTS``, that is any
        other agent's site."""
        return is_safe_redirect(self.request, url)
