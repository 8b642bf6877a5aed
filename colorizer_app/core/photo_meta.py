"""What a photo carries besides its pixels and keeps in its copies: the EXIF orientation (the
pixels turned upright, the copy's tag reset), the EXIF itself (less a TIFF's layout tags), the
resolution a scanner wrote (turned with the photo), its XMP (an archive's title, rights,
accession number) and a PNG's text chunks."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

ORIENTATION_TAG = 0x0112
X_RESOLUTION, Y_RESOLUTION = 0x011A, 0x011B
# TIFF's own layout tags, which Pillow's getexif() returns for TIFF input: written over a new
# image they describe the old one's strips, depth and compression, and the file is unreadable.
LAYOUT_TAGS = {
    254,
    255,
    256,
    257,
    258,
    259,
    262,
    263,
    266,
    273,
    277,
    278,
    279,
    280,
    281,
    284,
    317,
    320,
    322,
    323,
    324,
    325,
    338,
    339,
    340,
    341,
    347,
    513,
    514,
    529,
    530,
    531,
    532,
    34675,
}
# Blocks a TIFF keeps among its tags, which Pillow's getexif() returns with them: its XMP (700,
# carried apart, whole) and Photoshop's resources (34377: thumbnails, paths). In a copy's EXIF
# they repeated the XMP and could pass the 64 KB a JPEG's EXIF holds: an archive's TIFF master
# with 90 KB of XMP could not be copied to JPEG at all.
FILE_BLOCK_TAGS = {700, 34377}


def apply_orientation(a: np.ndarray, orientation: int) -> np.ndarray:
    """EXIF orientation 1..8 -> upright array (same mapping as PIL.ImageOps.exif_transpose)."""
    ops = {
        2: lambda x: x[:, ::-1],
        3: lambda x: x[::-1, ::-1],
        4: lambda x: x[::-1],
        5: lambda x: np.swapaxes(x, 0, 1),
        6: lambda x: np.rot90(x, k=-1),
        7: lambda x: np.swapaxes(x, 0, 1)[::-1, ::-1],
        8: lambda x: np.rot90(x, k=1),
    }
    op = ops.get(orientation)
    return np.ascontiguousarray(op(a)) if op else a


def exif_for_copy(exif: Image.Exif) -> bytes | None:
    """The photo's own EXIF for its copy: orientation reset to 1 (the pixels are upright now,
    a quarter turn's resolution turned with them), and never the TIFF layout tags of the
    original file or the blocks it keeps among them (FILE_BLOCK_TAGS)."""
    for tag in (LAYOUT_TAGS | FILE_BLOCK_TAGS) & set(exif):
        del exif[tag]
    if not len(exif):
        return None
    if ORIENTATION_TAG in exif:
        if (
            exif.get(ORIENTATION_TAG) in (5, 6, 7, 8)
            and X_RESOLUTION in exif
            and Y_RESOLUTION in exif
        ):
            exif[X_RESOLUTION], exif[Y_RESOLUTION] = exif[Y_RESOLUTION], exif[X_RESOLUTION]
        exif[ORIENTATION_TAG] = 1
    try:
        return exif.tobytes()
    except Exception:  # a maker note Pillow cannot re-encode: keep the photo, drop its EXIF
        return None


def resolution(dpi) -> tuple[float, float] | None:
    """Pillow's `info["dpi"]` (a PNG's pHYs in metres, a JPEG's JFIF density or its EXIF, a
    TIFF's resolution) when it is two sensible numbers; None for none, or nonsense."""
    try:
        x, y = (float(v) for v in dpi)
    except (TypeError, ValueError):
        return None
    return (x, y) if 1.0 <= x <= 100_000 and 1.0 <= y <= 100_000 else None


XMP_KEY = "XML:com.adobe.xmp"  # a PNG's iTXt keyword for XMP


# XMP's copy of the orientation, as an attribute (tiff:Orientation="6") or an element
# (<tiff:Orientation>6</tiff:Orientation>).
_XMP_ORIENTATION = re.compile(rb"(tiff:Orientation\s*=\s*[\"']|<tiff:Orientation>)\s*[0-9]+")


def xmp_of(info: dict) -> bytes | None:
    """The photo's XMP packet, as Pillow read it (JPEG, PNG, TIFF, WebP), for a copy whose
    pixels are upright: its orientation says 1, as the copy's EXIF does. Left at 6, the two
    disagreed, and a program that reads XMP's orientation turns the upright copy again."""
    xmp = info.get("xmp")
    if not isinstance(xmp, (bytes, bytearray)) or not xmp:
        return None
    return _XMP_ORIENTATION.sub(rb"\g<1>1", bytes(xmp))


def png_texts(info: dict) -> dict[str, str]:
    """A PNG's text chunks (a title, an author, a description), less its XMP (kept apart) and
    ImageMagick's "Raw profile type exif/xmp/icc..." copies of its metadata: copied as they
    came, their orientation 6 had ImageMagick turn the upright copy again."""
    return {
        k: v
        for k, v in info.items()
        if isinstance(k, str)
        and isinstance(v, str)
        and 0 < len(k) < 80
        and k != XMP_KEY
        and not k.startswith("Raw profile type ")
    }
