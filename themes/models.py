"""Per-site branding, edited in Wagtail under Settings → Branding."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from themes.presets import DEFAULT_PRESET, PRESET_CHOICES

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a six-digit hex colour such as #1d4ed8.")

FONT_CHOICES = [
    ("inter", "Inter (clean sans-serif)"),
    ("lora", "Lora (classic serif)"),
    ("montserrat", "Montserrat (geometric sans-serif)"),
]


@register_setting(icon="pick")
class SiteBranding(BaseSiteSetting):
    """The look of one site: name, logo, colours, font and contact details shown on every page."""

    site_name = models.CharField(max_length=120, default="My Real Estate Site")
    tagline = models.CharField(max_length=200, blank=True)
    logo = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    logo_text = models.CharField(max_length=40, blank=True, help_text="Shown when no logo image is set.")
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A square image; derived from the logo when the site is launched.",
    )
    agent_photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preset = models.CharField(
        "Layout", max_length=20, choices=PRESET_CHOICES, default=DEFAULT_PRESET, help_text="The site's layout."
    )
    primary_color = models.CharField(max_length=7, default="#1d4ed8", validators=[hex_colour])
    accent_color = models.CharField(max_length=7, default="#f59e0b", validators=[hex_colour])
    font = models.CharField(max_length=20, choices=FONT_CHOICES, default="inter")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    office_address = models.CharField(max_length=200, blank=True)
    agent_name = models.CharField(max_length=120, blank=True)
    license_number = models.CharField(max_length=32, blank=True)
    brokerage = models.CharField(max_length=120, blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("site_name"),
                FieldPanel("tagline"),
                FieldPanel("logo"),
                FieldPanel("logo_text"),
                FieldPanel("favicon"),
                FieldPanel("agent_photo"),
            ],
            "Identity",
        ),
        MultiFieldPanel(
            [FieldPanel("preset"), FieldPanel("primary_color"), FieldPanel("accent_color"), FieldPanel("font")],
            "Layout, colours and type",
        ),
        MultiFieldPanel(
            [
                FieldPanel("agent_name"),
                FieldPanel("license_number"),
                FieldPanel("brokerage"),
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("office_address"),
            ],
            "Agent and contact",
        ),
    ]

    class Meta:
        verbose_name = "Branding"
