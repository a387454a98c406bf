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
    out.append(_legend(left, primary, accent))
    out.append(f'<text x="{(left + right) / 2}" y="{height - 6}" text-anchor="middle" fill="#4b5563">Year</text>')
    out.append("</svg>")
    return "".join(out)


def _legend(left: float, primary: str, accent: str) -> str:
    items = [("Equity", primary, "rect"), ("Value", "#111827", "line"), ("Cumulative cash flow", accent, "dash")]
    out, lx = [], left
    for label, colour, kind in items:
        mark = (
            f'<rect x="{lx}" y="8" width="12" height="10" fill="{escape(colour)}" fill-opacity="0.75"/>'
            if kind == "rect"
            else f'<line x1="{lx}" y1="13" x2="{lx + 14}" y2="13" stroke="{escape(colour)}" stroke-width="2"'
            + (' stroke-dasharray="5 3"' if kind == "dash" else "")
            + "/>"
        )
        out.append(mark + f'<text x="{lx + 18}" y="17" fill="#111827">{escape(label)}</text>')
        lx += 40 + 7 * len(label)
    return "".join(out)


def _fmt(kind: str, v: float) -> str:
    if kind == "money":
        return _k(v)
    if kind == "ratio":
        return f"{v * 100:.1f}%"
    return f"{v:,.1f}" if abs(v) < 10 and v != int(v) else f"{v:,.0f}"


def trend_svg(
    rows: list[dict[str, Any]],
    field: str,
    title: str,
    *,
    kind: str = "count",
    bars: bool = False,
    colour: str = "#0f766e",
) -> str:
    """One metric by month: a line (bars for counts), the first and last month labelled."""
    points = [(i, float(r[field])) for i, r in enumerate(rows) if r.get(field) is not None]
    ident = f"t-{escape(field)}"
    if not points:
        return f'<p class="small muted">No {escape(title.lower())} in this period.</p>'
    vals = [v for _, v in points]
    lo, hi = (0.0 if bars or kind == "count" else min(vals)), max(vals)
    if hi == lo:
        hi = lo + 1
    pad = (hi - lo) * 0.08
    lo, hi = (lo if bars or kind == "count" else lo - pad), hi + pad
    left, right, top, bottom, width, height = 58, 330, 12, 130, 340, 160
    n = max(len(rows), 1)

    def x(i: float) -> float:
        return left + (i + 0.5) * (right - left) / n

    def y(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    last_v = points[-1][1]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" font-family="sans-serif" font-size="10">',
        f'<title id="{ident}-t">{escape(title)} by month</title>',
        f'<desc id="{ident}-d">{escape(title)} from {escape(rows[0]["month"])} to {escape(rows[-1]["month"])}; '
        f"latest {escape(_fmt(kind, last_v))}.</desc>",
    ]
    for t in (lo, (lo + hi) / 2, hi):
        out.append(
            f'<line x1="{left}" y1="{y(t):.1f}" x2="{right}" y2="{y(t):.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 4}" y="{y(t) + 3:.1f}" text-anchor="end" fill="#4b5563">{escape(_fmt(kind, t))}</text>'
        )
    if bars:
        bw = (right - left) / n * 0.7
        for i, v in points:
            out.append(
                f'<rect x="{x(i) - bw / 2:.1f}" y="{y(v):.1f}" width="{bw:.1f}" height="{bottom - y(v):.1f}" fill="{escape(colour)}"/>'
            )
    else:
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{escape(colour)}" stroke-width="2"/>')
    out.append(f'<text x="{left}" y="{height - 8}" fill="#4b5563">{escape(rows[0]["month"])}</text>')
    out.append(
        f'<text x="{right}" y="{height - 8}" text-anchor="end" fill="#4b5563">{escape(rows[-1]["month"])}</text>'
    )
    out.append("</svg>")
    return "".join(out)


TREND_CHARTS = (
    ("median_price", "Median sale price", "money", False),
    ("median_ppsf", "Median $ per sq ft", "money", False),
    ("sales", "Sales", "count", True),
    ("median_dom", "Median days on market", "count", False),
    ("sale_to_list", "Sale-to-list ratio", "ratio", False),
    ("inventory", "Homes for sale (month end)", "count", True),
    ("months_of_supply", "Months of supply", "count", False),
    ("rent_median", "Median rent (leased)", "money", False),
)
