"""Street views: the home's front in its type's shape and its era's style, and an empty lot."""

from __future__ import annotations

from devtools.illustrations.canvas import Canvas, H, W, mix
from devtools.illustrations.facts import ListingFacts

WALLS = ("#f4ead5", "#efe2c9", "#e8d3b5", "#f1f0ea", "#dfe6e3", "#f5dcc4", "#e6e0d4", "#d9cbb4")
ACCENTS = ("#0f766e", "#c2410c", "#1d4ed8", "#a16207", "#be185d", "#4d7c0f", "#f59e0b", "#0e7490")
ROOFS = {"spanish": "#b4532a", "midcentury": "#f5f5f4", "ranch": "#6b5b4b", "contemporary": "#3f3f46"}
GROUND_Y = 470


def backdrop(c: Canvas, f: ListingFacts, *, horizon: float = 380) -> None:
    """Sky, far mountains (purple in the desert, green-grey on the coast) and the ground."""
    evening = c.rng.random() < 0.25
    c.sky("#f9a87a" if evening else "#7cb4e6", "#fde4c4" if evening else "#d8ecfb", horizon)
    ridge = "#9b8bb4" if f.desert else "#8aa39b"
    peaks = [(0.0, horizon)]
    x = 0.0
    while x < W:
        x += c.rng.uniform(60, 150)
        peaks.append((x, horizon - c.rng.uniform(60, 170 if f.desert else 110)))
    peaks += [(W, horizon), (W, horizon + 1)]
    c.poly(peaks, ridge)
    c.rect(0, horizon, W, H, "#e9d8b4" if f.desert else "#9fbf7a")


def palm(c: Canvas, x: float, base: float, height: float) -> None:
    top = base - height
    c.poly([(x - 5, base), (x + 5, base), (x + 3, top), (x - 1, top)], "#8b6b4a")
    for dx, dy in ((-50, 18), (-38, 34), (50, 18), (38, 34), (-20, 40), (22, 40), (0, -12)):
        c.line([(x + 1, top), (x + dx * 0.55, top + dy * 0.25 - 10), (x + dx, top + dy)], "#3f7d3a", width=7)


def agave(c: Canvas, x: float, base: float, size: float) -> None:
    for dx in (-1.0, -0.5, 0.0, 0.5, 1.0):
        c.poly([(x - 4, base), (x + 4, base), (x + dx * size, base - size * (1.2 - abs(dx) * 0.5))], "#5f8f6a")


def _windows(c: Canvas, x0: float, x1: float, y: float, n: int, h: float, style: str) -> None:
    if n <= 0:
        return
    gap = (x1 - x0) / n
    glass = "#9cc3dc"
    for i in range(n):
        cx = x0 + gap * (i + 0.5)
        w = min(gap * 0.62, 120 if style == "contemporary" else 70)
        if style == "spanish":
            c.rect(cx - w / 2, y + w / 2, cx + w / 2, y + h, glass, outline="#7c5a3a")
            c.ellipse(cx - w / 2, y, cx + w / 2, y + w, glass)
        else:
            c.rect(cx - w / 2, y, cx + w / 2, y + h, glass, outline="#ffffff" if style != "ranch" else "#6b5b4b")


def _roof(c: Canvas, f: ListingFacts, x0: float, x1: float, top: float) -> None:
    style, colour = f.style, ROOFS[f.style]
    if style == "midcentury":
        if f.seed() % 2:  # butterfly
            mid = (x0 + x1) / 2
            c.poly(
                [(x0 - 30, top - 34), (mid, top - 6), (x1 + 30, top - 34), (x1 + 30, top - 22), (x0 - 30, top - 22)],
                colour,
            )
            c.line([(x0 - 30, top - 34), (mid, top - 6), (x1 + 30, top - 34)], "#78716c", width=3)
        else:  # flat with a deep overhang
            c.rect(x0 - 40, top - 18, x1 + 40, top, colour, outline="#a8a29e")
    elif style == "contemporary":
        c.rect(x0 - 12, top - 14, x1 + 12, top, colour)
    else:
        pitch = 60 if style == "ranch" else 42
        c.poly([(x0 - 24, top), ((x0 + x1) / 2, top - pitch), (x1 + 24, top)], colour)
        if style == "spanish":
            for i in range(1, 9):
                y = top - pitch * i / 9
                c.line([(x0 - 24 + (x1 - x0) * i / 18, y), (x1 + 24 - (x1 - x0) * i / 18, y)], "#8f3b1c", width=2)


def _garage(c: Canvas, x0: float, base: float, doors: int, wall: str) -> float:
    """Garage doors from ``x0``; returns where they end."""
    width = 110 * max(1, min(doors, 2)) + (40 if doors >= 3 else 0)
    c.rect(x0, base - 118, x0 + width, base, mix(wall, "#000000", 0.06))
    c.rect(x0 + 12, base - 92, x0 + width - 12, base, "#e7e5e4", outline="#a8a29e")
    for k in range(1, 5):
        y = base - 92 + 18.4 * k
        c.line([(x0 + 12, y), (x0 + width - 12, y)], "#a8a29e", width=2)
    c.poly([(x0 + 12, base), (x0 + width - 12, base), (x0 + width + 30, H), (x0 - 30, H)], "#cfc6b8")
    return x0 + width


def house(c: Canvas, f: ListingFacts) -> None:
    """A detached home, a duplex or a manufactured home, wide by its living area."""
    wall, accent = c.rng.choice(WALLS), c.rng.choice(ACCENTS)
    stories = 1 if f.subtype == "Manufactured Home" else f.stories
    width = max(300.0, min(560.0, 260 + f.sqft / 9))
    story_h = 92 if f.subtype == "Manufactured Home" else 120
    garage_w = (
        0.0
        if f.garage == 0 or f.subtype == "Manufactured Home"
        else 110 * min(f.garage, 2) + (40 if f.garage >= 3 else 0)
    )
    x0 = (W - width - garage_w) / 2
    x1 = x0 + width
    top = GROUND_Y - story_h * stories
    _roof(c, f, x0, x1 + garage_w if f.style != "spanish" else x1, top)
    c.rect(x0, top, x1, GROUND_Y, wall)
    if f.style == "midcentury":  # breeze-block screen
        for i in range(4):
            for j in range(3):
                c.ellipse(
                    x0 + 14 + i * 22, top + 22 + j * 26, x0 + 30 + i * 22, top + 38 + j * 26, mix(wall, "#000000", 0.15)
                )
    if f.style == "contemporary" and stories == 2:
        c.rect(x0 + width * 0.55, top - 10, x1 + 8, top + story_h, mix(wall, "#3f3f46", 0.55))
    per_floor = max(1, min(4, round(max(f.beds, 1) / stories) + (1 if f.beds > 3 else 0)))
    doors = 2 if f.subtype == "Duplex" else 1
    for floor in range(stories):
        y = top + floor * story_h + 26
        _windows(
            c,
            x0 + (120 if f.style == "midcentury" and floor == 0 else 20),
            x1 - 20,
            y,
            per_floor,
            story_h - 62,
            f.style,
        )
    door_xs = (
        [x0 + width * 0.3, x0 + width * 0.7]
        if doors == 2
        else [x0 + width * (0.62 if f.style == "midcentury" else 0.5)]
    )
    for dx in door_xs:
        c.rect(dx - 24, GROUND_Y - 86, dx + 24, GROUND_Y, accent)
        c.ellipse(dx + 12, GROUND_Y - 46, dx + 18, GROUND_Y - 40, "#fde68a")
        c.poly([(dx - 24, GROUND_Y), (dx + 24, GROUND_Y), (dx + 44, H), (dx - 44, H)], "#d6cfc2")
    if f.subtype == "Manufactured Home":
        c.rect(x0, GROUND_Y - 12, x1, GROUND_Y, "#a8a29e")
    if garage_w:
        _garage(c, x1, GROUND_Y, f.garage, wall)


def condo(c: Canvas, f: ListingFacts) -> None:
    """A three-storey condominium building with balconies."""
    wall, accent = c.rng.choice(WALLS), c.rng.choice(ACCENTS)
    x0, x1, top = 140.0, 660.0, 120.0
    c.rect(x0 - 10, top - 16, x1 + 10, top, ROOFS[f.style] if f.style != "midcentury" else "#e7e5e4")
    c.rect(x0, top, x1, GROUND_Y, wall)
    for floor in range(3):
        y = top + 22 + floor * 116
        for k in range(5):
            cx = x0 + 52 + k * 104
            c.rect(cx - 30, y, cx + 30, y + 70, "#9cc3dc", outline="#ffffff")
            if floor < 2:
                c.rect(cx - 40, y + 70, cx + 40, y + 82, mix(wall, "#000000", 0.25))
    c.rect(W / 2 - 34, GROUND_Y - 90, W / 2 + 34, GROUND_Y, accent)
    c.rect(W / 2 - 60, GROUND_Y - 110, W / 2 + 60, GROUND_Y - 90, mix(accent, "#000000", 0.2))


def townhouses(c: Canvas, f: ListingFacts) -> None:
    """A row of attached two-storey townhomes; the one for sale in the middle."""
    walls = [c.rng.choice(WALLS) for _ in range(4)]
    accent = c.rng.choice(ACCENTS)
    unit_w, top = 180.0, GROUND_Y - 240
    x = (W - unit_w * 4) / 2
    for k in range(4):
        x0, x1 = x + k * unit_w, x + (k + 1) * unit_w
        c.poly(
            [(x0 - 4, top), ((x0 + x1) / 2, top - 50), (x1 + 4, top)],
            ROOFS["ranch"] if f.style != "spanish" else ROOFS["spanish"],
        )
        c.rect(x0, top, x1, GROUND_Y, walls[k], outline=mix(walls[k], "#000000", 0.25))
        _windows(c, x0 + 10, x1 - 10, top + 24, 2, 58, f.style)
        door = accent if k == 1 else mix(walls[k], "#000000", 0.35)
        c.rect(x0 + 20, GROUND_Y - 82, x0 + 62, GROUND_Y, door)
        c.rect(x0 + 84, GROUND_Y - 96, x1 - 14, GROUND_Y - 30, "#9cc3dc", outline="#ffffff")


def lot(c: Canvas, f: ListingFacts) -> None:
    """An empty lot: corner stakes with flags, a sign, desert plants."""
    c.poly([(120, 430), (680, 430), (780, 590), (20, 590)], "#dcc79d")
    for x, y in ((120, 430), (680, 430), (780, 590), (20, 590)):
        c.line([(x, y), (x, y - 40)], "#78350f", width=4)
        c.poly([(x, y - 40), (x + 22, y - 33), (x, y - 26)], "#f97316")
    c.rect(380, 330, 388, 470, "#57534e")
    c.rect(310, 320, 460, 390, "#ffffff", outline="#1f2937")
    c.text(330, 334, "LOT", 40, "#1f2937")
    for _ in range(7):
        agave(c, c.rng.uniform(40, 760), c.rng.uniform(450, 580), c.rng.uniform(14, 26))


def front(c: Canvas, f: ListingFacts) -> None:
    backdrop(c, f, horizon=GROUND_Y - 120)
    if f.is_land:
        lot(c, f)
        return
    c.rect(0, GROUND_Y, W, H, "#d9c9a3" if f.desert else "#86b05f")
    if f.subtype == "Condominium":
        condo(c, f)
    elif f.subtype == "Townhouse":
        townhouses(c, f)
    else:
        house(c, f)
    if f.desert:
        palm(c, 70, GROUND_Y + 10, 260)
        agave(c, 740, GROUND_Y + 40, 24)
    else:
        c.ellipse(20, GROUND_Y - 150, 140, GROUND_Y - 20, "#4d7c3a")
        c.rect(74, GROUND_Y - 30, 86, GROUND_Y + 10, "#78350f")


def community(c: Canvas, f: ListingFacts) -> None:
    """The neighbourhood: a street of low houses between palms."""
    backdrop(c, f, horizon=300)
    c.poly([(340, 300), (460, 300), (760, H), (40, H)], "#9ca3af")
    c.line([(400, 310), (400, H)], "#fde68a", width=4)
    for side in (-1, 1):
        for k in range(4):
            depth = 1 - k * 0.22
            cx = W / 2 + side * (230 + 120 * depth) * depth
            w, h = 150 * depth, 70 * depth
            base = 300 + 220 * depth
            c.rect(cx - w / 2, base - h, cx + w / 2, base, c.rng.choice(WALLS))
            c.poly(
                [(cx - w / 2 - 8, base - h), (cx, base - h - 30 * depth), (cx + w / 2 + 8, base - h)], ROOFS[f.style]
            )
            if f.desert:
                palm(c, cx + side * w * 0.7, base + 4, 190 * depth)
