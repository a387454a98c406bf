"""Writes: a site's logo, favicon and agent photo as Wagtail images of its own schema."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image
from wagtail.images import get_image_model
from wagtail.models import Site


def _image(title: str, name: str, data: bytes) -> object:
    with Image.open(io.BytesIO(data)) as probe:
        width, height = probe.size
    image = get_image_model()(title=title)
    image.file.save(name, ContentFile(data), save=False)
    # Set after the file: saving it re-reads the dimensions through the storage, which may not
    # be able to open it yet inside the provisioning transaction's schema.
    image.width, image.height = width, height
    image.save()
    return image


def site_branding_images_set(*, logo_png: bytes | None, favicon_png: bytes | None, photo_jpeg: bytes | None) -> None:
    """Store prepared images (``themes.images``) in the current schema and point the site's
    branding at them (its media folder is the schema's: ``TenantFileSystemStorage``)."""
    from themes.models import SiteBranding

    site = Site.objects.get(is_default_site=True)
    branding = SiteBranding.for_site(site)
    if logo_png:
        branding.logo = _image(f"{branding.site_name} logo", "logo.png", logo_png)
    if favicon_png:
        branding.favicon = _image(f"{branding.site_name} icon", "favicon.png", favicon_png)
    if photo_jpeg:
        branding.agent_photo = _image(branding.agent_name or "Agent photo", "agent.jpg", photo_jpeg)
    branding.save()
