"""SVG chart of a portfolio home's value history (server-side, like the other invest charts):
the stored CMA estimates as a line over time with their range as a band, and the purchase
price as a dashed reference line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from .charts import _k


def value_history_svg(
    history: Sequence[Any], *, purchase_cents: int, purchase_date: date, primary: str = "#0f766e"
) -> str:
    """``history``: rows with ``day``, ``value_cents``, ``low_cents``, ``high_cents``."""
    points = [(h.day, h.value_cents / 100, h.low_cents, h.high_cents) for h in history]
    if not points:
        return '<p class="small muted">No value history yet: the home is valued after each closed-sales update.</p>'
    price = purchase_cents / 100
    values = [v for _, v, _, _ in points]
    lows = [lo / 100 for _, _, lo, _ in points if lo is not None]
    highs = [hi / 100 for _, _, _, hi in points if hi is not None]
    lo_v, hi_v = min(values + lows + [price]), max(values + highs + [price])
    pad = (hi_v - lo_v) * 0.08 or hi_v * 0.05 or 1.0
    lo_v, hi_v = lo_v - pad, hi_v + pad
    first, last = points[0][0], points[-1][0]
    span_days = max((last - first).days, 1)
    left, right, top, bottom, width, height = 70, 620, 30, 220, 640, 256

    def x(d: date) -> float:
        if len(points) == 1:
            return (left + right) / 2
        return left + (d - first).days / span_days * (right - left)

    def y(v: float) -> float:
        return bottom - (v - lo_v) / (hi_v - lo_v) * (bottom - top)

    change = values[-1] - price
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-labelledby="val-title val-desc" class="invest-chart" font-family="sans-serif" font-size="11" '
        "data-value-history>",
        '<title id="val-title">Estimated value over time</title>',
        f'<desc id="val-desc">{len(points)} estimates from {first.isoformat()} to {last.isoformat()}: latest '
        f"{escape(_k(values[-1]))}, {escape(_k(change))} against the purchase price of {escape(_k(price))} "
        f"({purchase_date.isoformat()}).</desc>",
    ]
    out += [_gridline(left, right, y(v), v) for v in (lo_v + (hi_v - lo_v) * i / 4 for i in range(5))]
    band = [(d, lo / 100, hi / 100) for d, _, lo, hi in points if lo is not None and hi is not None]
    if len(band) > 1:
        upper = " ".join(f"{x(d):.1f},{y(hi):.1f}" for d, _, hi in band)
        lower = " ".join(f"{x(d):.1f},{y(lo):.1f}" for d, lo, _ in reversed(band))
        out.append(f'<polygon points="{upper} {lower}" fill="{escape(primary)}" fill-opacity="0.12"/>')
    out.append(
        f'<line x1="{left}" y1="{y(price):.1f}" x2="{right}" y2="{y(price):.1f}" stroke="#b45309" '
        'stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    pts = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v, _, _ in points)
    out.append(f'<polyline points="{pts}" fill="none" stroke="{escape(primary)}" stroke-width="2"/>')
    for d, v, _, _ in points[-60:]:
        out.append(
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.5" fill="{escape(primary)}">'
            f"<title>{d.isoformat()}: {escape(_k(v))}</title></circle>"
        )
    out.append(f'<text x="{left}" y="{height - 8}" fill="#4b5563">{first.isoformat()}</text>')
    out.append(f'<text x="{right}" y="{height - 8}" text-anchor="end" fill="#4b5563">{last.isoformat()}</text>')
    out.append(_legend(left, primary))
    out.append("</svg>")
    return "".join(out)


def _gridline(left: float, right: float, at: float, v: float) -> str:
    return (
        f'<line x1="{left}" y1="{at:.1f}" x2="{right}" y2="{at:.1f}" stroke="#e5e7eb"/>'
        f'<text x="{left - 6}" y="{at + 4:.1f}" text-anchor="end" fill="#4b5563">{escape(_k(v))}</text>'
    )


def _legend(left: float, primary: str) -> str:
    return (
        f'<line x1="{left}" y1="13" x2="{left + 14}" y2="13" stroke="{escape(primary)}" stroke-width="2"/>'
        f'<text x="{left + 18}" y="17" fill="#111827">Estimated value</text>'
        f'<line x1="{left + 130}" y1="13" x2="{left + 144}" y2="13" stroke="#b45309" stroke-width="1.5" '
        'stroke-dasharray="6 4"/>'
        f'<text x="{left + 148}" y="17" fill="#111827">Purchase price</text>'
    )
