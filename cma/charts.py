"""SVG charts of a report (page and PDF share them): adjusted comp prices against the estimate,
and a schematic map of the comps around the subject. Text is escaped; numbers come from the
report dict only."""

from __future__ import annotations

import math
from html import escape
from typing import Any


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = max(hi - lo, 1.0)
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 1)]


def _scale_bar(reach: float) -> float:
    """A round distance (1, 2 or 5 x 10^k miles) at most half the map's reach, however close
    the comps are."""
    half = reach / 2
    mag = 10 ** math.floor(math.log10(half))
    return max(m * mag for m in (1, 2, 5) if m * mag <= half)


def _k(x: float) -> str:
    return f"${x / 1e6:.2f}M" if x >= 1e6 else f"${x / 1e3:,.0f}k" if x >= 1e4 else f"${x:,.0f}"


def adjusted_prices_svg(result: dict[str, Any], *, primary: str = "#0f766e", accent: str = "#ea580c") -> str:
    """One row per comp: sold price (hollow) -> adjusted price (filled), the estimate as a
    line and the range as a band."""
    comps = result.get("comps") or []
    est, low, high = result.get("estimate"), result.get("low"), result.get("high")
    if not comps or est is None:
        return ""
    values = [v for c in comps for v in (c["price"], c["adjusted"]) if v] + [low or est, high or est]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or est * 0.05
    lo, hi = lo - pad, hi + pad
    left, right, top, row_h = 190, 620, 34, 26
    width, height = 640, top + row_h * len(comps) + 34

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart-title chart-desc" class="cma-chart" font-family="sans-serif" font-size="12">',
        '<title id="chart-title">Comparable sales adjusted to this home</title>',
        f'<desc id="chart-desc">Each comparable sale\'s price (hollow dot) and its price adjusted to this home '
        f"(filled dot), against the estimate {escape(_k(est))} and its range.</desc>",
    ]
    if low is not None and high is not None:
        out.append(
            f'<rect x="{x(low):.1f}" y="{top - 12}" width="{x(high) - x(low):.1f}" height="{row_h * len(comps) + 8}" '
            f'fill="{escape(primary)}" fill-opacity="0.10"/>'
        )
    for t in _nice_ticks(lo, hi):
        out.append(
            f'<line x1="{x(t):.1f}" y1="{top - 12}" x2="{x(t):.1f}" y2="{top + row_h * len(comps) - 4}" stroke="#e5e7eb"/>'
            f'<text x="{x(t):.1f}" y="{height - 12}" text-anchor="middle" fill="#4b5563">{escape(_k(t))}</text>'
        )
    out.append(
        f'<line x1="{x(est):.1f}" y1="{top - 16}" x2="{x(est):.1f}" y2="{top + row_h * len(comps) - 2}" '
        f'stroke="{escape(primary)}" stroke-width="2"/>'
        f'<text x="{x(est):.1f}" y="{top - 20}" text-anchor="middle" fill="{escape(primary)}" font-weight="bold">'
        f"Estimate {escape(_k(est))}</text>"
    )
    for i, c in enumerate(comps):
        y = top + i * row_h + 6
        label = f"{i + 1}. {c.get('address') or c['key']}"
        label = label if len(label) <= 28 else label[:27] + "…"
        out.append(f'<text x="{left - 10}" y="{y + 4}" text-anchor="end" fill="#111827">{escape(label)}</text>')
        if c["price"] and c["adjusted"]:
            out.append(
                f'<line x1="{x(c["price"]):.1f}" y1="{y}" x2="{x(c["adjusted"]):.1f}" y2="{y}" stroke="#9ca3af"/>'
                f'<circle cx="{x(c["price"]):.1f}" cy="{y}" r="4.5" fill="#fff" stroke="#6b7280" stroke-width="1.5"/>'
                f'<circle cx="{x(c["adjusted"]):.1f}" cy="{y}" r="5" fill="{escape(accent)}"/>'
            )
    out.append("</svg>")
    return "".join(out)


def comps_map_svg(result: dict[str, Any], *, primary: str = "#0f766e", accent: str = "#ea580c") -> str:
    """A schematic map (north up, miles to scale) of the subject and its numbered comps."""
    s = result["subject"]
    comps = result.get("comps") or []
    if not comps:
        return ""
    lat0, lon0 = s["lat"], s["lon"]
    k = math.cos(math.radians(lat0))
    pts = [((c["lon"] - lon0) * 69.17 * k, (c["lat"] - lat0) * 69.05) for c in comps]
    reach = max(max(abs(a), abs(b)) for a, b in pts) or 0.5
    reach = max(reach * 1.15, 0.25)
    size, mid = 320, 160

    def xy(dx: float, dy: float) -> tuple[float, float]:
        return mid + dx / reach * (mid - 20), mid - dy / reach * (mid - 20)

    bar = _scale_bar(reach)
    bar_px = bar / reach * (mid - 20)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="100%" role="img" '
        f'aria-label="Schematic map: the home and its {len(comps)} comparable sales, north up" '
        f'class="cma-map-svg" font-family="sans-serif" font-size="11">',
        f'<rect width="{size}" height="{size}" fill="#f9fafb" stroke="#e5e7eb"/>',
        f'<text x="{size - 14}" y="20" text-anchor="middle" fill="#6b7280">N ↑</text>',
        f'<line x1="14" y1="{size - 14}" x2="{14 + bar_px:.1f}" y2="{size - 14}" stroke="#374151" stroke-width="2"/>'
        f'<text x="14" y="{size - 20}" fill="#374151">{bar:g} mi</text>',
    ]
    for i, (dx, dy) in enumerate(pts):
        px, py = xy(dx, dy)
        out.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="9" fill="{escape(accent)}"/>'
            f'<text x="{px:.1f}" y="{py + 4:.1f}" text-anchor="middle" fill="#fff" font-weight="bold">{i + 1}</text>'
        )
    out.append(
        f'<rect x="{mid - 7}" y="{mid - 7}" width="14" height="14" fill="{escape(primary)}" transform="rotate(45 {mid} {mid})"/>'
        f'<text x="{mid}" y="{mid + 22}" text-anchor="middle" fill="{escape(primary)}" font-weight="bold">This home</text>'
    )
    out.append("</svg>")
    return "".join(out)
