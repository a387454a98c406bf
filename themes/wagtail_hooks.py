"""Wagtail admin hooks of the themes: Settings → Branding warns when the chosen colours fall
below WCAG AA (the contrast ratio is computed here, on the server) each time the settings open,
which includes right after a save (Wagtail returns to the settings), and says which readable
shade the site uses meanwhile. A warning, not a refusal:
an agent's brand colours are theirs, and the pages stay AA through the derived shades."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.admin import messages

from themes.contrast import branding_contrast_notes
from themes.models import SiteBranding


def _warn(request: HttpRequest, instance: Any) -> None:
    if not isinstance(instance, SiteBranding):
        return
    for note in branding_contrast_notes(primary=instance.primary_color, accent=instance.accent_color):
        messages.warning(request, note)


@hooks.register("before_edit_setting")
def branding_contrast_on_open(request: HttpRequest, instance: Any) -> None:
    if request.method == "GET":  # a POST's colours are warned about on the page it returns to
        _warn(request, instance)
