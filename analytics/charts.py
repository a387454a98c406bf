"""Charts drawn on the server as SVG (no JavaScript needed); every chart sits beside a table
with the same numbers for screen readers and for reading exact values."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

W, H, PAD = 640, 220, 36


def line_chart(*, title: str, labels: Sequence[str], values: Sequence[int], testid: str) -> SafeString:
    top = max(max(values, default=0), 1)
    n = max(len(values) - 1, 1)
    points = " ".join(
        f"{PAD + i * (W - 2 * PAD) / n:.1f},{H - PAD - v * (H - 2 * PAD) / top:.1f}" for i, v in enumerate(values)
    )
    ticks = "".join(
        f'<text x="{PAD + i * (W - 2 * PAD) / n:.1f}" y="{H - 12}" font-size="11" text-anchor="middle">'
        f"{escape(labels[i])}</text>"
        for i in sorted({0, len(labels) // 2, len(labels) - 1})
        if 0 <= i < len(labels)
    )
    return mark_safe(
        f'<svg class="crm-chart" data-testid="{escape(testid)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {W} {H}" width="{W}" height="{H}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#888"/>'
        f'<text x="4" y="{PAD - 8}" font-size="11">{top:,}</text>'
        f'<polyline fill="none" stroke="var(--brand-ink, #1a5fb4)" stroke-width="2.5" points="{points}"/>'
        f"{ticks}</svg>"
    )


def bar_chart(*, title: str, items: Sequence[tuple[str, int]], testid: str) -> SafeString:
    top = max((v for _, v in items), default=0) or 1
    row = 26
    height = max(len(items), 1) * row + 8
    label_w = 170
    bars = "".join(
        f'<g data-value="{v}"><text x="{label_w - 6}" y="{i * row + 18}" font-size="12" text-anchor="end">'
        f"{escape(label[:26])}</text>"
        f'<rect x="{label_w}" y="{i * row + 5}" height="18" width="{max(v * (W - label_w - 60) / top, 1):.1f}" '
        f'fill="var(--brand-ink, #1a5fb4)" rx="3"/>'
        f'<text x="{label_w + v * (W - label_w - 60) / top + 6:.1f}" y="{i * row + 18}" font-size="12">{v:,}</text></g>'
        for i, (label, v) in enumerate(items)
    )
    return mark_safe(
        f'<svg class="crm-chart" data-testid="{escape(testid)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {W} {height}" width="{W}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{bars}</svg>"
    )
