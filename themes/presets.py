"""The three site layouts an agent picks from in the wizard (and later in Settings → Branding).

A preset is a layout, not a palette: it decides the header (bar or centred), the home page's
hero (full-width search band, split with the agent's photo, or a dark full-bleed banner), the
card shape and the type scale. Colours and the font stay the agent's own choice on top of it;
each preset proposes defaults the wizard fills in when it is picked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    description: str
    primary_color: str
    accent_color: str
    font: str


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "classic",
            "Classic",
            "A search band across the top, a header bar with your logo, listings in a grid.",
            "#1d4ed8",
            "#f59e0b",
            "inter",
        ),
        Preset(
            "modern",
            "Modern",
            "Split hero with your photo beside the search, a centred header, rounded cards.",
            "#0f766e",
            "#ea580c",
            "montserrat",
        ),
        Preset(
            "luxury",
            "Luxury",
            "Dark full-bleed banner, serif headings, wide photographs and quiet lines.",
            "#1c1917",
            "#b45309",
            "lora",
        ),
    )
}
PRESET_CHOICES = [(p.key, p.name) for p in PRESETS.values()]
DEFAULT_PRESET = "classic"
