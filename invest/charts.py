"""SVG chart of a holding period (page and PDF): equity each year as bars, the property's
value as a line, the cumulative cash flow as a second line. Numbers from the result dict."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any


def _k(x: float) -> str:
    sign = "−" if x < 0 else ""
    x = abs(x)
    return f"{sign}${x / 1e6:.2f}M" if x >= 1e6 else f"{sign}${x / 1e3:,.0f}k" if x >= 1e4 else f"{sign}${x:,.0f}"


def holding_svg(result: dict[str, Any], *, primary: str = "#0f766e", accent: str = "#ea580c") -> str:
    years = result.get("years") or []
    if not years:
        return ""
    value = [float(Decimal(y["value"])) for y in years]
    equity = [float(Decimal(y["equity"])) for y in years]
    cum = [float(Decimal(y["cumulative_cash_flow"])) for y in years]
    hi = max(value + equity + cum + [0.0])
    lo = min(cum + equity + [0.0])
    left, right, top, bottom = 70, 620, 30, 230
    width, height = 640, 270
    span = (hi - lo) or 1.0
    bw = (right - left) / len(years)

    def y(v: float) -> float:
        return bottom - (v - lo) / span * (bottom - top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-labelledby="hold-title hold-desc" class="invest-chart" font-family="sans-serif" font-size="11">',
        '<title id="hold-title">Value, equity and cash flow over the holding period</title>',
        f'<desc id="hold-desc">Year 1 to {len(years)}: equity grows from {escape(_k(equity[0]))} to '
        f"{escape(_k(equity[-1]))}; value reaches {escape(_k(value[-1]))}; cumulative cash flow "
        f"{escape(_k(cum[-1]))}.</desc>",
    ]
    for i in range(5):
        v = lo + span * i / 4
        out.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{right}" y2="{y(v):.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#4b5563">{escape(_k(v))}</text>'
        )
    for i, e in enumerate(equity):
        x0 = left + i * bw + bw * 0.15
        top_y, base = min(y(e), y(0)), max(y(e), y(0))
        out.append(
            f'<rect x="{x0:.1f}" y="{top_y:.1f}" width="{bw * 0.7:.1f}" height="{base - top_y:.1f}" '
            f'fill="{escape(primary)}" fill-opacity="0.75"><title>Year {i + 1} equity {escape(_k(e))}</title></rect>'
        )
        if len(years) <= 15 or (i + 1) % 5 == 0:
            out.append(
                f'<text x="{x0 + bw * 0.35:.1f}" y="{bottom + 14}" text-anchor="middle" fill="#4b5563">{i + 1}</text>'
            )

    def line(vals: list[float], colour: str, dash: str = "") -> str:
        pts = " ".join(f"{left + (i + 0.5) * bw:.1f},{y(v):.1f}" for i, v in enumerate(vals))
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<polyline points="{pts}" fill="none" stroke="{escape(colour)}" stroke-width="2"{extra}/>'

    out.append(line(value, "#111827"))
    out.append(line(cum, accent, "5 3"))
    legend = [("Equity", primary, "rect"), ("Value", "#111827", "line"), ("Cumulative cash flow", accent, "dash")]
    lx = left
    for label, colour, kind in legend:
        mark = (
            f'<rect x="{lx}" y="8" width="12" height="10" fill="{escape(colour)}" fill-opacity="0.75"/>'
            if kind == "rect"
            else f'<line x1="{lx}" y1="13" x2="{lx + 14}" y2="13" stroke="{escape(colour)}" stroke-width="2"'
            + (' stroke-dasharray="5 3"' if kind == "dash" else "")
            + "/>"
        )
        out.append(mark + f'<text x="{lx + 18}" y="17" fill="#111827">{escape(label)}</text>')
        lx += 40 + 7 * len(label)
    out.append(f'<text x="{(left + right) / 2}" y="{height - 6}" text-anchor="middle" fill="#4b5563">Year</text>')
    out.append("</svg>")
    return "".join(out)
