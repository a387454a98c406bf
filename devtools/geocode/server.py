"""A local geocoder speaking OpenCage's API, for dev, demo and tests (stdlib only, no Django).

    python -m devtools.geocode --port 8767 [--places places.json]

``GET /geocode/v1/json?q=...&key=...`` answers as OpenCage does: ``{"results": [...],
"status": {"code", "message"}, "total_results"}`` with ``geometry.lat/lng``, ``components``
(``_type``, ``_category``, city, postcode, state, country_code) and ``confidence``; 400 for a
missing query, 401 for a missing or "invalid" key, 402 for the key "quota". A query
"lat,lng" is a reverse lookup: points in the Pacific (west of a coarse US west-coast line) or
at 0,0 are a ``body_of_water``; other points are a road in the nearest known city. Forward
lookups: places registered with ``POST /_control/places`` ({address: {lat, lng, city,
postcode}}) or ``--places`` first; a query naming an ocean or sea is water; a query without
letters or digits finds nothing; anything else lands at a stable point in the Coachella
Valley derived from its hash (so the same address always geocodes the same).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# (lat, lon) along the US west coast, north to south: west of this line is the Pacific.
COAST = [
    (48.4, -124.7),
    (46.2, -124.0),
    (42.0, -124.3),
    (40.0, -124.1),
    (38.5, -123.2),
    (37.8, -122.5),
    (36.6, -121.9),
    (35.5, -121.0),
    (34.5, -120.5),
    (34.4, -119.7),
    (34.0, -118.5),
    (33.7, -118.2),
    (33.0, -117.3),
    (32.5, -117.12),
]
CITIES = [
    ("Palm Springs", "92262", 33.8303, -116.5453),
    ("Cathedral City", "92234", 33.7797, -116.4653),
    ("Rancho Mirage", "92270", 33.7397, -116.4128),
    ("Palm Desert", "92260", 33.7222, -116.3745),
    ("Indian Wells", "92210", 33.7178, -116.3414),
    ("La Quinta", "92253", 33.6634, -116.3100),
    ("Indio", "92201", 33.7206, -116.2156),
    ("Los Angeles", "90012", 34.0522, -118.2437),
    ("San Diego", "92101", 32.7157, -117.1611),
    ("Irvine", "92618", 33.6846, -117.8265),
]
VALLEY = (33.70, 33.86, -116.55, -116.30)  # where unknown addresses land
WATER_WORDS = re.compile(r"\b(ocean|sea|bay|lake)\b", re.I)


def coast_lon(lat: float) -> float | None:
    for (la1, lo1), (la2, lo2) in zip(COAST, COAST[1:], strict=False):
        if la2 <= lat <= la1:
            return lo1 + (lo2 - lo1) * (lat - la1) / (la2 - la1)
    return None


def in_pacific(lat: float, lon: float) -> bool:
    if abs(lat) < 0.5 and abs(lon) < 0.5:  # "Null Island"
        return True
    edge = coast_lon(lat)
    if edge is not None:
        return lon < edge
    return lon < -125.0 and lat > 0


def water(lat: float, lon: float, name: str = "Pacific Ocean") -> dict[str, Any]:
    return {
        "components": {"_type": "body_of_water", "_category": "natural/water", "body_of_water": name},
        "confidence": 1,
        "formatted": name,
        "geometry": {"lat": lat, "lng": lon},
    }


def road(lat: float, lon: float, *, label: str | None = None, city: tuple[str, str] | None = None) -> dict[str, Any]:
    if city is None:
        name, postcode, *_ = min(CITIES, key=lambda c: (c[2] - lat) ** 2 + (c[3] - lon) ** 2)
    else:
        name, postcode = city
    return {
        "components": {
            "_type": "building" if label else "road",
            "_category": "building" if label else "road",
            "city": name,
            "postcode": postcode,
            "state": "California",
            "state_code": "CA",
            "country_code": "us",
        },
        "confidence": 9 if label else 7,
        "formatted": f"{label + ', ' if label else ''}{name}, CA {postcode}, United States of America",
        "geometry": {"lat": round(lat, 7), "lng": round(lon, 7)},
    }


class Geocoder:
    def __init__(self, places: dict[str, dict[str, Any]] | None = None) -> None:
        self.places = {self.norm(k): v for k, v in (places or {}).items()}
        self.requests = 0
        self.lock = threading.Lock()

    @staticmethod
    def norm(q: str) -> str:
        return " ".join(re.findall(r"[0-9a-z]+", q.casefold()))

    def lookup(self, q: str) -> list[dict[str, Any]]:
        m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[,+ ]\s*(-?\d+(?:\.\d+)?)\s*", q)
        if m:
            lat, lon = float(m.group(1)), float(m.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return []
            return [water(lat, lon) if in_pacific(lat, lon) else road(lat, lon)]
        key = self.norm(q)
        if not key:
            return []
        if key in self.places:
            p = self.places[key]
            lat, lon = float(p["lat"]), float(p["lng"])
            if p.get("water"):
                return [water(lat, lon, str(p.get("name") or "Pacific Ocean"))]
            return [road(lat, lon, label=q.split(",")[0].strip(), city=(p.get("city", ""), p.get("postcode", "")))]
        if WATER_WORDS.search(q) and not re.search(r"\d", q):
            return [water(33.9, -120.0)]
        h = hashlib.sha256(key.encode()).digest()
        lat = VALLEY[0] + (VALLEY[1] - VALLEY[0]) * h[0] / 255
        lon = VALLEY[2] + (VALLEY[3] - VALLEY[2]) * h[1] / 255
        return [road(lat, lon, label=q.split(",")[0].strip())]


def make_handler(app: Geocoder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def send(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/geocode/v1/json":
                return self.send(404, {"status": {"code": 404, "message": "not found"}})
            qs = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            key = qs.get("key", "")
            if not key or key == "invalid":
                return self.send(401, {"status": {"code": 401, "message": "invalid API key"}, "results": []})
            if key == "quota":
                return self.send(402, {"status": {"code": 402, "message": "quota exceeded"}, "results": []})
            q = qs.get("q", "").strip()
            if not q:
                return self.send(400, {"status": {"code": 400, "message": "missing query"}, "results": []})
            with app.lock:
                app.requests += 1
            results = app.lookup(q)[: int(qs.get("limit") or 10)]
            return self.send(
                200, {"results": results, "status": {"code": 200, "message": "OK"}, "total_results": len(results)}
            )

        def do_POST(self) -> None:
            if self.path != "/_control/places":
                return self.send(404, {"status": {"code": 404, "message": "not found"}})
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            with app.lock:
                app.places.update({app.norm(k): v for k, v in body.items()})
            return self.send(200, {"places": len(app.places), "requests": app.requests})

    return Handler


def serve_in_thread(app: Geocoder, *, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer((host, port), make_handler(app))
    threading.Thread(target=server.serve_forever, name="fake-geocoder", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--places", help="JSON file: {address: {lat, lng, city, postcode}}")
    args = parser.parse_args(argv)
    places: dict[str, Any] = {}
    if args.places:
        with open(args.places) as fh:
            places = json.load(fh)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Geocoder(places)))
    print(f"fake geocoder on http://{args.host}:{args.port}/geocode/v1/json", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
