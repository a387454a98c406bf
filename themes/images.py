"""Checking and preparing the images an agent uploads for their site: a logo and a photo.

Only raster images whose bytes say what their name says are accepted (PNG, JPEG, WebP). SVG
is refused rather than sanitised: it is a document that can carry scripts and external
references, and the theme needs pixels anyway. A file is decoded fully under a pixel budget
(no decompression bombs), then re-encoded from its pixels, so nothing of the original file
(metadata, trailing bytes, a polyglot's second payload) reaches the site. Sizes are the ones
the themes use: the header logo is shown 40 px high (80 px stored for 2x screens, up to 480
px wide), the favicon is derived from the logo (512 px square; Wagtail renders 32 and 180),
the agent photo is a 800 px square.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 MP: any real logo or portrait; far below a decompression bomb
MAX_SIDE = 10_000
FORMATS = {"PNG": ("png",), "JPEG": ("jpg", "jpeg"), "WEBP": ("webp",)}
LOGO_HEIGHT, LOGO_MAX_WIDTH = 160, 960  # 2x of 80 x 480 CSS px
FAVICON_SIDE = 512
PHOTO_SIDE = 800


@dataclass(frozen=True)
class ImageRules:
    label: str
    min_width: int
    min_height: int


LOGO = ImageRules("logo", 64, 32)
PHOTO = ImageRules("photo", 300, 300)


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def image_open_checked(*, data: bytes, filename: str, rules: ImageRules) -> Image.Image:
    """The decoded image, or a ValidationError that says what is wrong with the file."""
    label = rules.label.capitalize()
    extension = _extension(filename)
    if len(data) == 0:
        raise ValidationError(f"The {rules.label} file is empty.", code="empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"{label} files can be up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; this one is "
            f"{len(data) / (1024 * 1024):.1f} MB.",
            code="too_large",
        )
    if extension in ("svg", "svgz") or _looks_like_svg(data):
        raise ValidationError(
            f"SVG files can't be used as a {rules.label} (they can carry scripts). Export it as a PNG.", code="svg"
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            detected = probe.format or ""
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            f"This file is not an image we can read. Upload a PNG, JPEG or WebP {rules.label}.", code="not_image"
        ) from exc
    if detected not in FORMATS:
        raise ValidationError(f"{detected or 'This'} images can't be used; upload a PNG, JPEG or WebP.", code="format")
    if extension not in FORMATS[detected]:
        raise ValidationError(
            f"This file is a {detected} image but its name ends in “.{extension or '(nothing)'}”. "
            "Save it with the right extension and upload it again.",
            code="extension_mismatch",
        )
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ValidationError(
            f"{label} images can be up to {MAX_SIDE} px on a side and 40 megapixels.", code="too_many_pixels"
        )
    if width < rules.min_width or height < rules.min_height:
        raise ValidationError(
            f"This {rules.label} is {width}×{height} px; it needs at least {rules.min_width}×{rules.min_height} px "
            "to look sharp.",
            code="too_small",
        )
    try:
        image = Image.open(io.BytesIO(data))
        image.load()  # decode every byte now: a truncated or corrupt file fails here, not later
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"This {rules.label} file is damaged or incomplete.", code="corrupt") from exc
    return ImageOps.exif_transpose(image) or image


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def logo_prepare(image: Image.Image) -> tuple[bytes, bytes]:
    """(logo PNG at the header's 2x size, square favicon PNG) from a checked logo."""
    rgba = image.convert("RGBA")
    # Trim transparent margins so the logo fills its box.
    box = rgba.getchannel("A").getbbox()
    if box:
        rgba = rgba.crop(box)
    logo = rgba.copy()
    logo.thumbnail((LOGO_MAX_WIDTH, LOGO_HEIGHT), Image.Resampling.LANCZOS)
    side = max(rgba.size)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(rgba, ((side - rgba.width) // 2, (side - rgba.height) // 2))
    favicon = square.resize((FAVICON_SIDE, FAVICON_SIDE), Image.Resampling.LANCZOS)
    return _png(logo), _png(favicon)


def photo_prepare(image: Image.Image) -> bytes:
    """A square JPEG of the agent, centred on the upper part of the picture (faces)."""
    rgb = image.convert("RGB")
    square = ImageOps.fit(rgb, (PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS, centering=(0.5, 0.35))
    out = io.BytesIO()
    square.save(out, "JPEG", quality=86, optimize=True, progressive=True)
    return out.getvalue()
