"""The branding a page renders with: the site's SiteBranding (the flagship's too, in the public
schema), or the flagship's defaults while the public schema has none."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.tenancy import current_schema, process_cache_allowed
from themes.contrast import AA_NON_TEXT, readable_shade


@dataclass(frozen=True)
class Branding:
    site_name: str
    tagline: str
    logo_url: str
    logo_text: str
    primary_color: str
    accent_color: str
    font: str
    contact_email: str
    contact_phone: str
    agent_name: str
    license_number: str
    brokerage: str
    is_flagship: bool
    preset: str = "classic"
    favicon_url: str = ""
    apple_touch_icon_url: str = ""
    agent_photo_url: str = ""
    # The primary colour darkened until white text on it reaches 4.5:1 (themes.contrast), derived
    # when the branding is saved (the cache entry is rebuilt then): map cluster labels use it.
    primary_readable: str = ""
    # The accent darkened to 3:1 on white (focus rings, outlines) and to 4.5:1 under white text
    # (badges and pins labelled in white), likewise.
    accent_visible: str = ""
    accent_readable: str = ""


FLAGSHIP = Branding(
    site_name=settings.FLAGSHIP_NAME,
    tagline="Desert living, found faster.",
    logo_url="",
    logo_text="JPS",
    primary_color="#0f766e",
    accent_color="#ea580c",
    font="inter",
    contact_email="hello@jpsrealtor.com",
    contact_phone="(760) 555-0100",
    agent_name="Joseph Sardella",
    license_number="DRE #02106916",
    brokerage="eXp Realty of Southern California",
    is_flagship=True,
    primary_readable=readable_shade("#0f766e"),
    accent_visible=readable_shade("#ea580c", ratio=AA_NON_TEXT),
    accent_readable=readable_shade("#ea580c"),
)


CACHE_KEY = "themes:branding:v4:{schema}"  # bump when Branding's fields change
CACHE_TTL_S = 600  # a safety net: saving a site's branding, Site or an image drops the entry
CACHE_MAX_HOSTS = 16  # hosts (with ports) of one schema kept; more start the map afresh
# Each process also keeps what it read for a few seconds: a Redis round trip and unpickling
# cost ~0.3 ms of every page. Saving a branding clears this process's copy at once; other
# processes follow within LOCAL_TTL_S.
LOCAL_TTL_S = 5.0
LOCAL_MAX = 256
_local: dict[tuple[str, str], tuple[float, Branding]] = {}


def branding_for_request(request: HttpRequest) -> Branding:
    """The branding of the site serving ``request``: from the cache (one entry per tenant
    schema, a ``{host: Branding}`` map), else from the site's ``SiteBranding`` (two queries:
    the Wagtail Site of the host and its setting row). ``branding_cache_clear`` drops a
    schema's entry when its branding, a Site or an image (the logo) changes."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return FLAGSHIP
    from django.core.cache import cache

    # The schema is in the key twice: the cache's key function adds the connection's, and the
    # key names the request's site, so a mismatch could only miss, never show another site's.
    key = CACHE_KEY.format(schema=tenant.schema_name)
    host = request.get_host()
    shareable = process_cache_allowed()
    local = _local.get((tenant.schema_name, host)) if shareable else None
    if local is not None and local[0] > time.monotonic():
        return local[1]
    cached = cache.get(key)
    if isinstance(cached, dict) and isinstance(cached.get(host), Branding):
        if shareable:
            _local_put((tenant.schema_name, host), cached[host])
        return cached[host]
    branding = _branding_from_db(request)
    hosts = cached if isinstance(cached, dict) and len(cached) < CACHE_MAX_HOSTS else {}
    cache.set(key, {**hosts, host: branding}, CACHE_TTL_S)
    return branding


def _local_put(key: tuple[str, str], branding: Branding) -> None:
    if len(_local) >= LOCAL_MAX:
        _local.clear()
    _local[key] = (time.monotonic() + LOCAL_TTL_S, branding)


def branding_cache_clear() -> None:
    """Forget the current schema's cached branding (after a save, and again on commit so a
    request that read the old rows meanwhile cannot keep them cached)."""
    from django.core.cache import cache
    from django.db import transaction

    schema = current_schema()
    key = CACHE_KEY.format(schema=schema)

    def forget() -> None:
        cache.delete(key)
        for local in [k for k in list(_local) if k[0] == schema]:
            _local.pop(local, None)

    forget()
    transaction.on_commit(forget)


def _branding_from_db(request: HttpRequest) -> Branding:
    from wagtail.models import Site

    from themes.models import SiteBranding

    if getattr(request, "tenant", None) is not None and request.tenant.is_public:  # type: ignore[attr-defined]
        # The flagship's editors may not have saved a setting yet: its defaults until then.
        site = Site.find_for_request(request)
        setting = SiteBranding.objects.filter(site=site).first() if site is not None else None
        return branding_from_setting(setting, is_flagship=True) if setting is not None else FLAGSHIP
    return branding_from_setting(SiteBranding.for_request(request))


def flagship_branding_defaults() -> dict[str, Any]:
    """``SiteBranding`` fields of the flagship before its editors change them (seeding)."""
    keep = (
        *("site_name", "tagline", "logo_text", "primary_color", "accent_color", "font", "preset"),
        *("contact_phone", "agent_name", "license_number", "brokerage"),
    )
    values: dict[str, Any] = {name: getattr(FLAGSHIP, name) for name in keep}
    # The brokerage's inbox: the flagship's showing requests and contact forms are mailed here.
    values["contact_email"] = settings.FLAGSHIP_LEADS_EMAIL or FLAGSHIP.contact_email
    return values


def branding_from_setting(setting: Any, *, is_flagship: bool = False) -> Branding:
    """The Branding of a site's ``SiteBranding`` row (image URLs are Wagtail renditions)."""
    logo_url = setting.logo.get_rendition("height-80").url if setting.logo_id else ""
    favicon = setting.favicon if setting.favicon_id else None
    photo = setting.agent_photo.get_rendition("fill-400x400").url if setting.agent_photo_id else ""
    return Branding(
        site_name=setting.site_name,
        tagline=setting.tagline,
        logo_url=logo_url,
        logo_text=setting.logo_text or setting.site_name[:2].upper(),
        primary_color=setting.primary_color,
        accent_color=setting.accent_color,
        font=setting.font,
        contact_email=setting.contact_email,
        contact_phone=setting.contact_phone,
        agent_name=setting.agent_name,
        license_number=setting.license_number,
        brokerage=setting.brokerage,
        is_flagship=is_flagship,
        preset=setting.preset,
        favicon_url=favicon.get_rendition("fill-32x32|format-png").url if favicon else "",
        apple_touch_icon_url=favicon.get_rendition("fill-180x180|format-png").url if favicon else "",
        agent_photo_url=photo,
        primary_readable=readable_shade(setting.primary_color),
        accent_visible=readable_shade(setting.accent_color, ratio=AA_NON_TEXT),
        accent_readable=readable_shade(setting.accent_color),
    )
