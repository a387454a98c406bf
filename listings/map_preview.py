"""The map page's first view drawn on the server: the clusters, price pins and city names that
the map shows for its opening view, placed in pixels around the view's centre.

The page shows this preview in the map box, and MapLibre (1 MB of script, ~2 s of a phone's main
thread to parse and set up WebGL) starts only when the visitor reaches for the map (hover, touch,
wheel, keyboard focus or a map button). Markers sit at their Web Mercator offset from the centre
at the opening zoom, the scale MapLibre uses (512 px world at zoom 0), so the live map opens under
them at the same place whatever the box's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from listings import selectors
from listings.readmodel.query import SearchQuery

TILE_PX = 512
# The preview's drawn area: wide enough for a desktop's map column; the box clips the rest.
PREVIEW_PX = (2000, 1400)
# Price pins are ~70x26 px: closer ones are one stack pin, as the live map draws them (map.js).
PIN_W, PIN_H = 70, 26
FIT_PADDING_PX, FIT_MAX_ZOOM = 40, 15.0


@dataclass(frozen=True)
class Marker:
    kind: str  # "cluster", "pin" or "stack"
    x: float  # px right of the centre
    y: float  # px below the centre
    lng: float
    lat: float
    text: str
    size: int = 0  # clusters: diameter in px
    slug: str = ""  # pins: the listing
    price: float | None = None

    @property
    def at(self) -> str:
        return f"{self.lng:.6f},{self.lat:.6f}"

    @property
    def style(self) -> str:
        """Inline position (and size): offsets from the box's centre, whatever its size."""
        out = f"left:calc(50% + {self.x:.1f}px);top:calc(50% + {self.y:.1f}px)"
        return out + (f";width:{self.size}px;height:{self.size}px" if self.size else "")


@dataclass(frozen=True)
class MapPreview:
    lng: float
    lat: float
    zoom: float
    markers: list[Marker] = field(default_factory=list)
    places: list[Marker] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """What the preview shows, for screen readers (the markers themselves are hidden)."""
        clusters = sum(1 for m in self.markers if m.kind == "cluster")
        pins = len(self.markers) - clusters
        parts = [f"{clusters} cluster{'s' if clusters != 1 else ''}"] if clusters else []
        parts += [f"{pins} price pin{'s' if pins != 1 else ''}"] if pins else []
        return " and ".join(parts) or "no homes"


def _mercator(lng: float, lat: float, zoom: float) -> tuple[float, float]:
    world = TILE_PX * 2**zoom
    lat = max(-85.05, min(85.05, lat))
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lng + 180) / 360 * world, (1 - y / math.pi) / 2 * world


def fit_view(bounds: tuple[float, float, float, float], px: tuple[int, int]) -> tuple[float, float, float]:
    """(lng, lat, zoom) that MapLibre's fitBounds (padding 40, maxZoom 15) gives in a ``px`` box."""
    w, s, e, n = bounds
    x0, y0 = _mercator(w, n, 0)
    x1, y1 = _mercator(e, s, 0)
    span_x, span_y = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    zoom = math.log2(min((px[0] - 2 * FIT_PADDING_PX) / span_x, (px[1] - 2 * FIT_PADDING_PX) / span_y))
    zoom = max(0.0, min(FIT_MAX_ZOOM, zoom))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    lng = cx / TILE_PX * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * cy / TILE_PX))))
    return lng, lat, zoom


def short_money(n: float | None) -> str:
    """common.js's shortMoney: $1.2M, $450K."""
    if n is None:
        return "–"
    if n >= 1e6:  # JS toFixed rounds halves up (Python's format would round 1.25 to 1.2)
        text = f"{math.floor(n / 1e6 + 0.5)}" if n >= 1e7 else f"{math.floor(n / 1e5 + 0.5) / 10:.1f}"
        return "$" + text.removesuffix(".0") + "M"
    if n >= 1e3:
        return f"${math.floor(n / 1e3 + 0.5)}K"
    return f"${math.floor(n + 0.5)}"


def _place(kind: str, coords: list[float], origin: tuple[float, float], zoom: float, **kw: Any) -> Marker:
    x, y = _mercator(coords[0], coords[1], zoom)
    return Marker(kind=kind, x=round(x - origin[0], 1), y=round(y - origin[1], 1), lng=coords[0], lat=coords[1], **kw)


def _pins(points: list[dict[str, Any]], origin: tuple[float, float], zoom: float, rentals: bool) -> list[Marker]:
    groups: list[list[Marker]] = []
    for f in sorted(points, key=lambda f: -(f["properties"].get("price") or 0)):
        p = f["properties"]
        text = short_money(p.get("price")) + ("/mo" if rentals and p.get("price") is not None else "")
        pin = _place(
            "pin",
            f["geometry"]["coordinates"],
            origin,
            zoom,
            text=text,
            slug=str(p.get("slug") or ""),
            price=p.get("price"),
        )
        hit = next((g for g in groups if abs(g[0].x - pin.x) < PIN_W and abs(g[0].y - pin.y) < PIN_H), None)
        if hit:
            hit.append(pin)
        else:
            groups.append([pin])
    out = []
    for g in groups:
        if len(g) == 1:
            out.append(g[0])
            continue
        lng, lat = sum(m.lng for m in g) / len(g), sum(m.lat for m in g) / len(g)
        prices = [m.price for m in g if m.price is not None]
        low = f" · {short_money(min(prices))}+" if prices else ""
        out.append(_place("stack", [lng, lat], origin, zoom, text=f"{len(g)} homes{low}"))
    return out


def _visible_places(places: list[dict[str, Any]], origin: tuple[float, float], zoom: float) -> list[Marker]:
    # basemap.js's rule: larger places first, more as the map zooms in.
    shown = len(places) if zoom >= 11 else 40 if zoom >= 9 else 12 if zoom >= 7 else 5
    half_w, half_h = PREVIEW_PX[0] / 2, PREVIEW_PX[1] / 2
    out = []
    for p in places[:shown]:
        m = _place("place", [p["lng"], p["lat"]], origin, zoom, text=str(p["name"]))
        if abs(m.x) <= half_w and abs(m.y) <= half_h:
            out.append(m)
    return out


def map_preview(
    *, query: SearchQuery, lng: float, lat: float, zoom: float, places: list[dict[str, Any]], rentals: bool
) -> MapPreview:
    """The markers around (lng, lat) at ``zoom``; ``query`` holds the page's filters and, as its
    bbox, the ``PREVIEW_PX`` area around the centre."""
    fc = selectors.map_clusters(query=query, zoom=zoom)
    origin = _mercator(lng, lat, zoom)
    markers, points = [], []
    for f in fc["features"]:
        p = f["properties"]
        if not p.get("cluster"):
            points.append(f)
            continue
        size = int(min(64, 30 + math.log2(p["point_count"]) * 4))
        markers.append(
            _place(
                "cluster", f["geometry"]["coordinates"], origin, zoom, text=str(p["point_count_abbreviated"]), size=size
            )
        )
    markers += _pins(points, origin, zoom, rentals)
    return MapPreview(lng=lng, lat=lat, zoom=zoom, markers=markers, places=_visible_places(places, origin, zoom))
