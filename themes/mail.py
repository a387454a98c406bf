"""Mail sent for a site carries the site's identity: its name as the sender's name, its agent's
address as Reply-To, its colours and logo in the HTML part, its address in the links.

The sender's address stays the platform's (``SITE_MAIL_FROM_ADDRESS``, the address part of
``DEFAULT_FROM_EMAIL``): mail "from" an agent's own domain would fail SPF/DKIM at the receiver.
Replies go to the agent (``Reply-To``). Code with a request uses ``mail_identity(request=...)``;
tasks, which run inside the site's schema, get the current schema's branding.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import escape, linebreaks

from themes.branding import FLAGSHIP, Branding


@dataclass(frozen=True)
class MailIdentity:
    branding: Branding
    site_url: str  # scheme://host[:port], no trailing slash

    @property
    def from_email(self) -> str:
        address = getattr(settings, "SITE_MAIL_FROM_ADDRESS", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        return formataddr((self.branding.site_name, address))

    @property
    def reply_to(self) -> list[str]:
        return [self.branding.contact_email] if self.branding.contact_email else []

    @property
    def host(self) -> str:
        return self.site_url.split("://", 1)[-1]

    def absolute(self, url: str) -> str:
        return url if not url or url.startswith(("http://", "https://")) else f"{self.site_url}{url}"


def _schema_branding_and_url() -> tuple[Branding, str]:
    """The branding and address of the site whose schema the connection is on (no request)."""
    from django.db import connection
    from wagtail.models import Site

    from themes.branding import branding_from_setting
    from themes.models import SiteBranding

    if getattr(connection, "schema_name", "public") == settings.PUBLIC_SCHEMA_NAME:
        url = f"{settings.SITE_SCHEME}://{settings.FLAGSHIP_DOMAIN}{settings.SITE_PORT_SUFFIX}"
        setting = SiteBranding.objects.filter(site__is_default_site=True).first()
        return (branding_from_setting(setting, is_flagship=True) if setting else FLAGSHIP), url
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return FLAGSHIP, ""
    url = f"{settings.SITE_SCHEME}://{site.hostname}{settings.SITE_PORT_SUFFIX}"
    return branding_from_setting(SiteBranding.for_site(site)), url


def mail_identity(*, request: HttpRequest | None = None) -> MailIdentity:
    if request is not None and getattr(request, "tenant", None) is not None:
        from themes.branding import branding_for_request

        return MailIdentity(branding=branding_for_request(request), site_url=f"{request.scheme}://{request.get_host()}")
    branding, url = _schema_branding_and_url()
    return MailIdentity(branding=branding, site_url=url)


def branded_html(*, identity: MailIdentity, body_html: str, preheader: str = "") -> str:
    """``body_html`` inside the site's mail layout (header with logo or initials in the brand
    colour, footer with the agent, licence and brokerage, as IDX rules ask)."""
    return render_to_string(
        "themes/email/branded.html",
        {
            "b": identity.branding,
            "logo_url": identity.absolute(identity.branding.logo_url),
            "site_url": identity.site_url,
            "body_html": body_html,
            "preheader": preheader,
        },
    )


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs, links made clickable (escaped first)."""
    import re

    html = linebreaks(escape(text))
    return re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', html)


def site_mail(
    *,
    subject: str,
    to: list[str],
    text: str,
    html: str | None = None,
    identity: MailIdentity | None = None,
    headers: dict[str, Any] | None = None,
) -> EmailMultiAlternatives:
    """A message from the site: its name as sender, Reply-To its agent, the HTML part in its
    layout (``html`` is the body; the plain text becomes one when none is given)."""
    identity = identity or mail_identity()
    message = EmailMultiAlternatives(
        subject, text, identity.from_email, to, reply_to=identity.reply_to, headers=headers or {}
    )
    message.attach_alternative(
        branded_html(identity=identity, body_html=html if html is not None else text_to_html(text)), "text/html"
    )
    return message
