"""Pixels of any numeric type -> 8 or 16 bits, their range read from the data or the type.

TIFF holds samples of many kinds: unsigned and signed integers of 8 to 64 bits, floats of 16 to
64 bits, some normalised to [-1, 1]. Clipping them to 0..65535 turned a 32-bit scan mostly white
and a signed one half black; each kind is scaled from the range it says it has instead, and a
range no photo has is refused with the values named.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .errors import ImageLoadError

_STRIP_ROWS = 512  # rescaled strip by strip: a float64 copy of a whole 200 MP photo is 4.8 GB
_SLACK = 1e-3  # float photos stored as 0..1 overshoot it by rounding


def _plain_top(top: float) -> float:
    """The white of unsigned data whose largest value is `top`: 1, 255 or 65535."""
    return 1.0 if top <= 1.0 + _SLACK else 255.0 if top <= 255.5 else 65535.0


def sample_range(path: Path, pixels: np.ndarray) -> tuple[float, float]:
    """(black, white) of `pixels`: read from the data where the type leaves it open."""
    kind = pixels.dtype.kind
    if kind == "f":
        if not np.isfinite(pixels).all():
            raise ImageLoadError(path, "holds NaN or infinite pixel values; re-export it")
        lo, hi = float(pixels.min(initial=0.0)), float(pixels.max(initial=0.0))
        if lo >= -_SLACK:
            return 0.0, _plain_top(hi)
        if lo >= -1.0 - _SLACK and hi <= 1.0 + _SLACK:
            return -1.0, 1.0  # normalised to [-1, 1]
        raise ImageLoadError(
            path,
            f"holds pixel values from {lo:g} to {hi:g}, a range no photo format uses; "
            "re-export it as 8 or 16 bit",
        )
    if kind in "iu":
        info = np.iinfo(pixels.dtype)
        if kind == "i" and int(pixels.min(initial=0)) < 0:
            return float(info.min), float(info.max)  # signed: the type's whole range
        top = int(pixels.max(initial=0))
        return 0.0, (255.0 if top <= 255 else 65535.0 if top <= 65535 else float(info.max))
    if kind == "b":
        return 0.0, 1.0
    raise ImageLoadError(path, f"unsupported pixel type {pixels.dtype}; re-export as 8 or 16 bit")


def to_uint16(path: Path, pixels: np.ndarray) -> np.ndarray:
    """uint8 and uint16 as they are; anything else scaled from its range (sample_range)."""
    if pixels.dtype in (np.uint8, np.uint16):
        return pixels
    black, white = sample_range(path, pixels)
    if (black, white) == (0.0, 255.0) and pixels.dtype.kind in "iub":
        return pixels.astype(np.uint8)
    if (black, white) == (0.0, 65535.0) and pixels.dtype.kind in "iu":
        return pixels.astype(np.uint16)
    out = np.empty(pixels.shape, np.uint16)
    scale = 65535.0 / (white - black)
    for y in range(0, pixels.shape[0], _STRIP_ROWS):
        strip = (pixels[y : y + _STRIP_ROWS].astype(np.float64) - black) * scale
        out[y : y + _STRIP_ROWS] = np.clip(strip, 0.0, 65535.0) + 0.5
    return out


def is_plain_tiff(tags: dict) -> bool:
    """Whether a TIFF's samples are unsigned 1, 2, 4, 8 or 16 bits, which Pillow and OpenCV read
    right (Pillow spreads 2 and 4 bits over 0-255: a review found them refused as corrupt, sent
    to tifffile, which needs a codec library for them); `tags`: its first page's tags by number
    (Pillow's tag_v2)."""

    def values(code: int, default: int) -> set[int]:
        value = tags.get(code, default)
        return set(value) if isinstance(value, tuple) else {value}

    return values(339, 1) <= {1} and values(258, 1) <= {1, 2, 4, 8, 16}


def black_where_white_is_zero(pixels: np.ndarray, tags: dict) -> np.ndarray:
    """A 16-bit gray TIFF stored white-is-zero (photometric 0) as a person sees it: OpenCV turns
    8-bit ones round but hands 16-bit ones back as stored, a negative (a review)."""
    if tags.get(262) == 0 and pixels.dtype == np.uint16 and pixels.ndim == 2:
        return np.subtract(np.uint16(65535), pixels)
    return pixels


def read_tiff_samples(path: Path, data: bytes, max_pixels: int) -> np.ndarray:
    """The first page of a TIFF as (height, width[, samples]) of whatever type it holds, by
    tifffile: the kinds of sample Pillow and OpenCV cut or cannot read (32-bit integers, signed,
    float16)."""
    import tifffile

    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        page = tif.pages.first
        colour = page.photometric
        if colour not in (tifffile.PHOTOMETRIC.MINISBLACK, tifffile.PHOTOMETRIC.RGB):
            raise ImageLoadError(
                path,
                f"a TIFF of {page.dtype} samples in {getattr(colour, 'name', colour)} colour, "
                "which this app cannot read; re-export it as 8 or 16 bit RGB or gray",
            )
        if page.imagewidth * page.imagelength > max_pixels:
            raise ImageLoadError(path, "too large; scale it down")
        try:
            pixels = page.asarray()
        except NotImplementedError as exc:  # a packing or compression that needs imagecodecs
            raise ImageLoadError(
                path,
                f"a TIFF of {page.bitspersample}-bit samples stored in a way this app cannot "
                "read; re-export it as 8 or 16 bit",
            ) from exc
        if page.planarconfig == tifffile.PLANARCONFIG.SEPARATE and pixels.ndim == 3:
            pixels = np.moveaxis(pixels, 0, -1)  # stored one colour plane after another
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] > 4):
        raise ImageLoadError(path, f"a TIFF of shape {pixels.shape}, not one photo; re-export it")
    return np.ascontiguousarray(pixels)
