"""One storage and one image pipeline for marketplace uploads (rental photos, provider logos).

Uploads are decoded with Pillow, turned upright (EXIF), converted to RGB and re-encoded as JPEG
at fixed sizes: what is stored and served is always an image we wrote, never the upload's
bytes, so a file that merely claims to be an image cannot be served back."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.deconstruct import deconstructible
from django.views.static import serve
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
URL_PREFIX = "/marketplace-media/"


@deconstructible
class MarketplaceStorage(FileSystemStorage):
    """``MEDIA_ROOT/marketplace/``, served at ``/marketplace-media/`` on every site."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(Path(settings.MEDIA_ROOT) / "marketplace")

    @property
    def location(self) -> str:  # type: ignore[override]
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self) -> str:  # type: ignore[override]
        return URL_PREFIX


marketplace_storage = MarketplaceStorage()


def image_open(upload: object) -> Image.Image:
    """Decode an upload; ``ValidationError`` for anything that is not a sane image."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"Images can be at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    try:
        image: Image.Image = Image.open(upload)  # type: ignore[arg-type]
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError("This image is too large (more than 40 megapixels).")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError("This file is not an image we can read (use JPEG, PNG or WebP).") from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    return image.convert("RGB")


def image_resized(image: Image.Image, *, box: tuple[int, int], quality: int = 82) -> ContentFile:
    """A JPEG of ``image`` fitted inside ``box`` (never enlarged)."""
    copy = image.copy()
    copy.thumbnail(box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return ContentFile(out.getvalue())


def image_store(image: Image.Image, *, folder: str, sizes: dict[str, tuple[int, int]]) -> dict[str, str]:
    """Write one JPEG per size under ``folder``; returns {size name: stored name}."""
    stem = uuid.uuid4().hex
    return {
        name: marketplace_storage.save(f"{folder}/{stem}-{name}.jpg", image_resized(image, box=box))
        for name, box in sizes.items()
    }


def marketplace_media_serve(request: HttpRequest, path: str) -> HttpResponseBase:
    """Dev and fallback serving (nginx serves the folder directly in production). ``serve``
    normalises the path and refuses anything outside the folder."""
    if not path.endswith(".jpg"):
        raise Http404("Not a marketplace image.")
    response = serve(request, path, document_root=marketplace_storage.location)
    response["Cache-Control"] = "public, max-age=604800, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
