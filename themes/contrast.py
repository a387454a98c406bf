"""WCAG 2.1 contrast checks for a site's colours (the wizard warns; it does not refuse).

The themes put white text on the primary colour (buttons, the header mark, the hero) and use
the primary colour for links on white: both need 4.5:1 (AA, normal text). The accent colour
draws focus rings and badges on white: 3:1 (AA, non-text). ``static/js/contrast.js`` does the
same sums in the browser for the live preview.
"""

from __future__ import annotations

AA_TEXT = 4.5
AA_NON_TEXT = 3.0
WHITE = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast_warnings(*, primary: str, accent: str) -> list[str]:
    """What falls below WCAG AA with these colours, in words an agent can act on."""
    warnings = []
    ratio = contrast_ratio(primary, WHITE)
    if ratio < AA_TEXT:
        warnings.append(
            f"White text on your primary colour has a contrast of {ratio:.1f}:1, below the 4.5:1 "
            "that WCAG AA asks for: buttons and headings will be hard to read. Pick a darker primary colour."
        )
    ratio = contrast_ratio(accent, WHITE)
    if ratio < AA_NON_TEXT:
        warnings.append(
            f"Your accent colour has a contrast of {ratio:.1f}:1 against white, below WCAG AA's 3:1 for "
            "focus outlines and badges. Pick a stronger accent colour."
        )
    return warnings


def readable_shade(colour: str, *, on: str = WHITE, ratio: float = AA_TEXT) -> str:
    """``colour`` darkened just enough (same hue, mixed with black in 2 % steps) for ``on``
    text over it to reach ``ratio``: what the site draws white labels on (map clusters), so an
    agent's light brand colour still gives readable text. ``colour`` itself when it already does."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(51):
        keep = 1 - step / 50
        shade = "#{:02x}{:02x}{:02x}".format(*(int(c * keep + 0.5) for c in (r, g, b)))
        if contrast_ratio(shade, on) >= ratio:
            return shade
    return "#000000"


def branding_contrast_notes(*, primary: str, accent: str) -> list[str]:
    """The warnings for an agent's saved colours (Wagtail's Settings → Branding), each saying
    what the site does about it: text is drawn on a darker shade of the colour, so pages stay
    AA whatever is picked; the brand colour itself still fills borders and charts."""
    notes = []
    for warning in contrast_warnings(primary=primary, accent=accent):
        if warning.startswith("White text"):
            shade = readable_shade(primary)
            warning += f" Until then the site puts white text on a darker shade, {shade} ({contrast_ratio(shade, WHITE):.1f}:1)."
        else:
            shade = readable_shade(accent, ratio=AA_NON_TEXT)
            warning += (
                f" Until then the site draws them in a darker shade, {shade} ({contrast_ratio(shade, WHITE):.1f}:1)."
            )
        notes.append(warning)
    return notes
