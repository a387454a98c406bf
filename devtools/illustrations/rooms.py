"""Rooms inside (one-point perspective) and the places outside: backyard, pool, view, aerial."""

from __future__ import annotations

from devtools.illustrations.canvas import Canvas, H, W, mix
from devtools.illustrations.exterior import ACCENTS, WALLS, agave, backdrop, palm
from devtools.illustrations.facts import ListingFacts

FLOORS = ("#c8a47e", "#d6c3a5", "#b08968", "#e7e0d4", "#a3a3a3")
BACK = (200.0, 150.0, 600.0, 400.0)  # the back wall


def room(c: Canvas, f: ListingFacts) -> tuple[str, str]:
    """Floor, ceiling, side walls and a back wall with a window; returns (wall, accent)."""
    wall, accent = c.rng.choice(WALLS), c.rng.choice(ACCENTS)
    x0, y0, x1, y1 = BACK
    c.rect(0, 0, W, H, mix(wall, "#000000", 0.12))
    c.poly([(0, 0), (W, 0), (x1, y0), (x0, y0)], mix(wall, "#ffffff", 0.5))
    c.poly([(0, H), (W, H), (x1, y1), (x0, y1)], c.rng.choice(FLOORS))
    for k in range(1, 8):  # floor boards towards the back wall
        c.line([(x0 + (x1 - x0) * k / 8, y1), (W * k / 8, H)], mix("#000000", "#ffffff", 0.75), width=1)
    c.rect(x0, y0, x1, y1, wall)
    c.poly([(0, 0), (x0, y0), (x0, y1), (0, H)], mix(wall, "#000000", 0.06))
    c.poly([(W, 0), (x1, y0), (x1, y1), (W, H)], mix(wall, "#000000", 0.09))
    sky = "#f9c38a" if c.rng.random() < 0.3 else "#a5d0ef"
    c.rect(x0 + 110, y0 + 40, x1 - 110, y0 + 170, sky, outline="#ffffff")
    c.poly(
        [(x0 + 110, y0 + 170), (x0 + 170, y0 + 120), (x0 + 240, y0 + 150), (x1 - 110, y0 + 110), (x1 - 110, y0 + 170)],
        "#9b8bb4" if f.desert else "#8aa39b",
    )
    c.line([((x0 + x1) / 2, y0 + 40), ((x0 + x1) / 2, y0 + 170)], "#ffffff", width=4)
    return wall, accent


def living(c: Canvas, f: ListingFacts) -> None:
    _, accent = room(c, f)
    c.ellipse(180, 470, 620, 570, mix(accent, "#ffffff", 0.6))
    c.rounded(230, 330, 570, 420, 18, accent)
    c.rounded(215, 370, 585, 450, 16, mix(accent, "#000000", 0.15))
    c.rect(330, 480, 470, 500, "#78350f")
    c.line([(660, 300), (660, 470)], "#44403c", width=4)
    c.poly([(630, 300), (690, 300), (675, 260), (645, 260)], "#fef3c7")


def kitchen(c: Canvas, f: ListingFacts) -> None:
    wall, accent = room(c, f)
    x0, y0, x1, y1 = BACK
    cabinets = mix(accent, "#ffffff", 0.35)
    c.rect(x0, y1 - 110, x1, y1, cabinets)
    c.rect(x0, y1 - 118, x1, y1 - 106, "#e7e5e4")
    c.rect(x0, y0, x0 + 100, y0 + 90, cabinets)
    c.rect(x1 - 100, y0, x1, y0 + 90, cabinets)
    c.rect(150, 450, 650, 540, cabinets)
    c.rect(140, 436, 660, 452, "#f5f5f4")
    for x in (300, 400, 500):
        c.line([(x, 0), (x, 240)], "#44403c", width=2)
        c.poly([(x - 22, 240), (x + 22, 240), (x + 12, 222), (x - 12, 222)], "#fbbf24")


def dining(c: Canvas, f: ListingFacts) -> None:
    _, accent = room(c, f)
    c.poly([(220, 440), (580, 440), (620, 480), (180, 480)], "#92400e")
    for x in (230, 330, 470, 570):
        c.rect(x - 4, 480, x + 4, 540, "#78350f")
    for x in (250, 400, 550):
        c.rounded(x - 30, 380, x + 30, 440, 8, accent)
    c.line([(400, 0), (400, 200)], "#44403c", width=2)
    c.ellipse(350, 190, 450, 240, "#fde68a")


def bedroom(c: Canvas, f: ListingFacts) -> None:
    _, accent = room(c, f)
    c.rect(230, 300, 570, 420, mix(accent, "#000000", 0.25))  # headboard
    c.rounded(200, 400, 600, 560, 14, "#f5f5f4")
    c.rounded(200, 470, 600, 560, 14, accent)
    c.rounded(250, 380, 380, 430, 16, "#ffffff")
    c.rounded(420, 380, 550, 430, 16, "#ffffff")
    for x in (140, 660):
        c.rect(x - 40, 420, x + 40, 500, "#a16207")
        c.poly([(x - 18, 420), (x + 18, 420), (x + 10, 380), (x - 10, 380)], "#fef3c7")


def bath(c: Canvas, f: ListingFacts) -> None:
    room(c, f)
    c.rect(230, 250, 570, 330, "#cbd5e1", outline="#94a3b8")  # mirror
    c.rect(210, 360, 590, 470, "#f5f5f4", outline="#d6d3d1")
    c.ellipse(330, 350, 470, 380, "#e2e8f0")
    c.rounded(40, 470, 360, 580, 40, "#ffffff")
    c.rounded(60, 480, 340, 520, 20, "#bae6fd")


def den(c: Canvas, f: ListingFacts) -> None:
    _, accent = room(c, f)
    c.rect(40, 160, 170, 520, "#78350f")
    for y in range(190, 520, 66):
        c.rect(50, y, 160, y + 8, "#92400e")
        for k in range(6):
            c.rect(56 + k * 17, y - 46, 68 + k * 17, y, c.rng.choice(ACCENTS))
    c.rect(330, 420, 620, 440, "#a16207")
    c.rect(340, 440, 352, 540, "#78350f")
    c.rect(600, 440, 612, 540, "#78350f")
    c.rect(430, 360, 520, 418, "#1f2937")


def backyard(c: Canvas, f: ListingFacts, *, pool_first: bool) -> None:
    """The back of the home: patio, furniture and the pool when there is one."""
    backdrop(c, f, horizon=260)
    wall = c.rng.choice(WALLS)
    c.rect(0, 120, W, 300, wall)
    c.rect(0, 110, W, 124, "#57534e")
    for x in (120, 330, 540):
        c.rect(x, 160, x + 150, 300, "#9cc3dc", outline="#ffffff")
    c.poly([(0, 300), (W, 300), (W, H), (0, H)], "#d6cfc2" if f.desert else "#86b05f")
    c.poly([(0, 300), (W, 300), (W, 360), (0, 360)], "#cdbfa8")
    if f.pool:
        top = 380 if pool_first else 420
        c.poly([(180, top), (620, top), (720, 585), (80, 585)], "#e7e5e4")
        c.poly([(200, top + 12), (600, top + 12), (690, 572), (110, 572)], "#38bdf8")
        for k in range(4):
            y = top + 40 + k * 36
            c.line([(220 + k * 10, y), (300 + k * 20, y - 6), (380 + k * 20, y)], "#e0f2fe", width=3)
    else:
        c.ellipse(330, 440, 470, 500, "#57534e")
        c.ellipse(350, 430, 450, 470, "#f97316")
    for x in (60, 700):
        c.rect(x, 320, x + 70, 350, c.rng.choice(ACCENTS))
    if f.desert:
        palm(c, 760, 380, 280)
        agave(c, 30, 420, 26)


def view(c: Canvas, f: ListingFacts) -> None:
    backdrop(c, f, horizon=420)
    c.ellipse(560, 70, 660, 170, "#fde68a")
    for k in range(3):
        palm(c, 80 + k * 300 + c.rng.uniform(-40, 40), 560, c.rng.uniform(220, 320))


def aerial(c: Canvas, f: ListingFacts) -> None:
    """From above: the lot, the home's footprint, the pool and the street."""
    c.rect(0, 0, W, H, "#d9c9a3" if f.desert else "#8fb56a")
    c.rect(0, 480, W, H, "#6b7280")
    c.line([(0, 540), (W, 540)], "#fde68a", width=4)
    c.rect(150, 60, 650, 470, mix("#d9c9a3" if f.desert else "#8fb56a", "#ffffff", 0.25), outline="#ffffff")
    if f.is_land:
        return
    width = max(180.0, min(360.0, 140 + f.sqft / 12))
    c.rect(400 - width / 2, 230, 400 + width / 2, 400, "#57534e" if f.style == "contemporary" else "#b4532a")
    c.rect(400 - width / 2, 300, 400 - width / 2 + 90, 400, "#78716c")
    c.rect(400 - width / 2 + 20, 400, 400 - width / 2 + 70, 480, "#a8a29e")
    if f.pool:
        c.rounded(330, 100, 490, 190, 20, "#38bdf8")
    for x, y in ((180, 90), (620, 90), (180, 440), (620, 440)):
        c.ellipse(x - 24, y - 24, x + 24, y + 24, "#3f7d3a")
