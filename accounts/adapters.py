from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.core.mail import EmailMessage, EmailMultiAlternatives
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

    # -- mail: verification, password reset, login codes... as the site that sends them ------
    def _identity(self) -> Any:
        from themes.mail import mail_identity

        return mail_identity(request=getattr(allauth_context, "request", None))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth names the site by its host ("Hello from sarah.localhost:8000!"): name it as
        its branding does, and send from it."""
        identity = self._identity()
        ctx = {
            "request": getattr(allauth_context, "request", None),
            "email": email,
            "current_site": SimpleNamespace(name=identity.branding.site_name, domain=identity.host),
            "branding": identity.branding,
            "site_url": identity.site_url,
        }
        ctx.update(context)
        self._branded(self.render_mail(template_prefix, email, ctx), identity).send()

    def _branded(self, message: EmailMessage, identity: Any) -> EmailMessage:
        """The message from the site (sender name, Reply-To), with an HTML part in its layout
        when allauth rendered only text."""
        from themes.mail import site_mail

        if isinstance(message, EmailMultiAlternatives) and message.alternatives:
            message.from_email, message.reply_to = identity.from_email, identity.reply_to
            return message
        return site_mail(
            subject=str(message.subject),
            to=list(message.to),
            text=str(message.body),
            identity=identity,
            headers=dict(message.extra_headers),
        )
