"""Insurance card photos: decode, check and re-encode an uploaded image (pure: Pillow only).

Every upload is *decoded* (not trusted by its name or content type): JPEG and PNG, and HEIC
only if this Pillow decodes it without plugins. Decompression bombs are refused
(``MAX_PIXELS``, set on Pillow explicitly). The result is a fresh JPEG: EXIF orientation
applied first, then every bit of metadata dropped (EXIF, GPS, ICC, comments), long side at
most ``MAX_SIDE`` pixels.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

#: The largest upload accepted, in bytes (said on the page).
MAX_BYTES = 10 * 1024 * 1024
MAX_BYTES_LABEL = "10 MB"
#: Decoded size limit: 40 megapixels (a phone's 200 MP sensor still bins to far less).
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000
JPEG_QUALITY = 85
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "MPO", "HEIF"})

NOT_AN_IMAGE = "This file is not a photo we can read. Please send a JPEG or PNG photo."
TOO_LARGE = f"This photo is larger than {MAX_BYTES_LABEL}. Please send a smaller photo."
TOO_MANY_PIXELS = "This image is too large to process. Please send an ordinary photo of the card."


class PhotoRefused(ValueError):
    """The upload is not an acceptable photo; ``str(exc)`` is the message for the field."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def read_limited(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """The upload's bytes, refused beyond ``limit`` (read at most one byte past it)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PhotoRefused(TOO_LARGE)
    return data


def clean_photo(data: bytes) -> CleanPhoto:
    """Decode ``data`` and return it re-encoded as a metadata-free JPEG, or raise PhotoRefused."""
    if not data:
        raise PhotoRefused(NOT_AN_IMAGE)
    # Pillow's own bomb guard, set explicitly (its default is 89 MP): an error above twice
    # this, a warning (refused below) above it.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns between MAX_IMAGE_PIXELS and twice it: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise PhotoRefused(NOT_AN_IMAGE)
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoRefused(TOO_MANY_PIXELS)
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, PhotoRefused):
            raise
        raise PhotoRefused(NOT_AN_IMAGE) from exc
    rgb = upright.convert("RGB")
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the pixels only: nothing of the original's info travels with it.
    bare = Image.new("RGB", rgb.size)
    bare.paste(rgb)
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), bare.width, bare.height)
