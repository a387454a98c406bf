"""A small drawing surface in fixed units (800 x 600), scaled to the size asked for."""

from __future__ import annotations

import random
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

W, H = 800, 600
Point = tuple[float, float]


def mix(a: str, b: str, t: float) -> str:
    """The colour ``t`` of the way from ``a`` to ``b`` (both ``#rrggbb``)."""
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


class Canvas:
    """Draws in 800 x 600 units on an image ``width`` pixels wide (4:3); small sizes are drawn
    at twice the size and scaled down, which smooths the edges Pillow does not anti-alias."""

    def __init__(self, width: int, rng: random.Random) -> None:
        self.width = width
        self.supersample = 2 if width <= 1024 else 1
        self.scale = width * self.supersample / W
        self.image = Image.new("RGB", (round(W * self.scale), round(H * self.scale)), "#ffffff")
        self.draw = ImageDraw.Draw(self.image)
        self.rng = rng

    def _xy(self, points: Sequence[Point]) -> list[tuple[float, float]]:
        s = self.scale
        return [(x * s, y * s) for x, y in points]

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: str, outline: str | None = None) -> None:
        s = self.scale
        width = max(1, round(2 * s)) if outline else 0
        self.draw.rectangle((x0 * s, y0 * s, x1 * s, y1 * s), fill=fill, outline=outline, width=width)

    def rounded(self, x0: float, y0: float, x1: float, y1: float, r: float, fill: str) -> None:
        s = self.scale
        self.draw.rounded_rectangle((x0 * s, y0 * s, x1 * s, y1 * s), radius=r * s, fill=fill)

    def poly(self, points: Sequence[Point], fill: str, outline: str | None = None) -> None:
        self.draw.polygon(self._xy(points), fill=fill, outline=outline)

    def ellipse(self, x0: float, y0: float, x1: float, y1: float, fill: str) -> None:
        s = self.scale
        self.draw.ellipse((x0 * s, y0 * s, x1 * s, y1 * s), fill=fill)

    def line(self, points: Sequence[Point], fill: str, width: float = 2) -> None:
        self.draw.line(self._xy(points), fill=fill, width=max(1, round(width * self.scale)), joint="curve")

    def sky(self, top: str, bottom: str, horizon: float) -> None:
        steps = 24
        for i in range(steps):
            y0, y1 = horizon * i / steps, horizon * (i + 1) / steps + 1
            self.rect(0, y0, W, y1, mix(top, bottom, i / (steps - 1)))

    def text(self, x: float, y: float, words: str, size: float, fill: str) -> tuple[float, float]:
        """Draws ``words``; returns their width and height in units."""
        font = ImageFont.load_default(size=max(8, round(size * self.scale)))
        s = self.scale
        left, top, right, bottom = self.draw.textbbox((x * s, y * s), words, font=font)
        self.draw.text((x * s, y * s), words, font=font, fill=fill)
        return (right - left) / s, (bottom - top) / s

    def label(self, words: str) -> None:
        """The badge that says the picture is an illustration, not a photo of the home."""
        font_size = 22 if self.width >= 400 else 30
        font = ImageFont.load_default(size=max(8, round(font_size * self.scale)))
        s = self.scale
        left, top, right, bottom = self.draw.textbbox((0, 0), words, font=font)
        w, h = (right - left) / s, (bottom - top) / s
        self.rounded(14, H - h - 34, 14 + w + 24, H - 14, 10, "#1f2937")
        self.draw.text(((26 - left / s) * s, (H - h - 24 - top / s) * s), words, font=font, fill="#ffffff")

    def finish(self) -> Image.Image:
        if self.supersample == 1:
            return self.image
        return self.image.resize((self.width, round(self.width * H / W)), Image.Resampling.LANCZOS)
