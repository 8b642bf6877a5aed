"""Writing colorized copies: the format asked for, the original's metadata kept where the format
allows it, never over the original, always atomically (core/fileio.py)."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .errors import ImageSaveError
from .fileio import same_file, write_atomically

FORMAT_BY_SUFFIX = {  # what we write; more formats are read (GIF, AVIF, HEIC)
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
    ".webp": "WEBP",
}
SUFFIX_BY_FORMAT = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif", "BMP": ".bmp", "WEBP": ".webp"}
_ALPHA_FORMATS = {"PNG", "TIFF", "WEBP"}
SIXTEEN_BIT_FORMATS = {"PNG", "TIFF"}


# ICC device classes a photo's profile may have: input, display, output, colour space (not a
# device link, an abstract or a named-colour profile, which describe no image's colours).
_IMAGE_PROFILE_CLASSES = {b"scnr", b"mntr", b"prtr", b"spac"}


def copyable_icc(icc: bytes | None) -> tuple[bytes | None, str | None]:
    """The original's ICC profile if an RGB copy can carry it, and else why not (for the
    photo's line). Only a profile that littlecms opens and that describes RGB is copied: a
    copy is always RGB, so a Gray or CMYK profile would misdescribe it (lcms builds no
    transform, libpng warns), and a damaged one is junk in every copy. Without one, the copy
    is read as sRGB, the colour space the model's colours are made in."""
    if not icc:
        return None, None
    damaged = (None, "its ICC profile is damaged and was not copied (the copy is sRGB)")
    if len(icc) < 132 or icc[36:40] != b"acsp" or int.from_bytes(icc[:4], "big") > len(icc):
        return damaged
    space = icc[16:20].decode("latin-1").strip() or "unnamed"
    if icc[16:20] != b"RGB ":
        return None, (
            f"its {space} ICC profile was not copied: the copy is RGB, which it cannot describe "
            "(the copy is sRGB)"
        )
    if icc[12:16] not in _IMAGE_PROFILE_CLASSES:
        return damaged
    try:
        from PIL import ImageCms

        ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except Exception:  # littlecms's refusal, whatever its kind: the profile is not usable
        return damaged
    return icc, None


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def _add_png_metadata(png: bytes, exif: bytes | None, icc: bytes | None) -> bytes:
    """Insert iCCP and eXIf chunks right after IHDR (OpenCV writes neither)."""
    ihdr_end = 8 + 4 + 4 + 13 + 4
    chunks = b""
    if icc:
        chunks += _png_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(icc))
    if exif:
        payload = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
        chunks += _png_chunk(b"eXIf", payload)
    return png[:ihdr_end] + chunks + png[ihdr_end:]


def to_uint8(a: np.ndarray) -> np.ndarray:
    """uint8 as it is, uint16 rounded to 8 bits (the one place pixels lose depth)."""
    return a if a.dtype == np.uint8 else ((a.astype(np.uint32) + 128) // 257).astype(np.uint8)


def encode_image(
    rgb: np.ndarray,
    fmt: str,
    alpha: np.ndarray | None = None,
    exif: bytes | None = None,
    icc: bytes | None = None,
    quality: int = 95,
) -> bytes:
    """Pixels + metadata -> the bytes of a file of format `fmt`."""
    fmt = fmt.upper()
    if fmt not in SUFFIX_BY_FORMAT:
        raise ValueError(f"unsupported output format {fmt!r}")
    if alpha is not None and fmt not in _ALPHA_FORMATS:
        alpha = None
    if alpha is not None and alpha.dtype != rgb.dtype:
        alpha = (alpha.astype(np.uint16) * 257) if rgb.dtype == np.uint16 else to_uint8(alpha)

    if rgb.dtype == np.uint16 and fmt == "TIFF":
        return _encode_tiff16(rgb, alpha, exif, icc)
    if rgb.dtype == np.uint16 and fmt in SIXTEEN_BIT_FORMATS:
        pixels = rgb[:, :, ::-1]
        if alpha is not None:
            pixels = np.dstack([pixels, alpha])
        ok, buf = cv2.imencode(".png", np.ascontiguousarray(pixels))
        if not ok:
            raise ValueError("OpenCV could not encode the image")
        data = buf.tobytes()
        return _add_png_metadata(data, exif, icc)  # OpenCV writes neither

    rgb8 = to_uint8(rgb)
    im = Image.fromarray(rgb8, "RGB")
    if alpha is not None:
        im.putalpha(Image.fromarray(to_uint8(alpha), "L"))
    options: dict = {}
    if icc and fmt != "BMP":
        options["icc_profile"] = icc
    if exif and fmt != "BMP":
        options["exif"] = exif
    if fmt == "JPEG":
        options.update(quality=int(quality), subsampling=0 if quality >= 90 else 2)
    elif fmt == "WEBP":
        options.update(quality=int(quality))
    elif fmt == "TIFF":
        options.update(compression="tiff_deflate")
    out = io.BytesIO()
    im.save(out, format=fmt, **options)
    return out.getvalue()


# EXIF tags of the main image directory that a 16-bit TIFF copy carries over (text tags).
_TIFF_TEXT_TAGS = {270: "description", 305: "software", 306: "datetime"}
_TIFF_EXTRA_TEXT_TAGS = (271, 272, 315, 33432)  # camera make, model, artist, copyright


def _encode_tiff16(
    rgb: np.ndarray, alpha: np.ndarray | None, exif: bytes | None, icc: bytes | None
) -> bytes:
    """16-bit TIFF with its ICC profile and the photo's main EXIF text tags (OpenCV writes
    neither; Pillow cannot write 16-bit RGB)."""
    import tifffile

    pixels = rgb if alpha is None else np.dstack([rgb, alpha])
    kwargs: dict = {"description": None, "software": None, "datetime": None}
    extratags = []
    if exif:
        tags = Image.Exif()
        try:
            tags.load(exif)
        except Exception:  # unreadable EXIF: the pixels and the profile still go
            tags = Image.Exif()
        for code, name in _TIFF_TEXT_TAGS.items():
            if isinstance(tags.get(code), str) and tags[code].isascii():
                kwargs[name] = tags[code]
        for code in _TIFF_EXTRA_TEXT_TAGS:
            value = tags.get(code)
            if isinstance(value, str) and value.isascii():
                extratags.append((code, "s", 0, value, True))
    out = io.BytesIO()
    tifffile.imwrite(
        out,
        np.ascontiguousarray(pixels),
        photometric="rgb",
        compression="zlib",
        iccprofile=icc or None,
        extrasamples=("unassalpha",) if alpha is not None else None,
        extratags=extratags,
        metadata=None,
        **kwargs,
    )
    return out.getvalue()


def save_image(
    dest: str | os.PathLike,
    rgb: np.ndarray,
    like=None,
    quality: int = 95,
    fmt: str | None = None,
) -> Path:
    """Save a colorized copy. Keeps alpha, bit depth, EXIF and ICC of `like` where the format can.

    Never writes over `like.path` (the original).
    """
    dest = Path(dest)
    if like is not None and same_file(dest, like.path):
        raise ImageSaveError(
            dest, "refusing to write over the original photo; choose another name or folder"
        )
    fmt = (fmt or FORMAT_BY_SUFFIX.get(dest.suffix.lower()) or "").upper()
    if fmt not in SUFFIX_BY_FORMAT:
        raise ImageSaveError(dest, "unknown output format; use .jpg, .png, .tif, .bmp or .webp")
    try:
        data = encode_image(
            rgb,
            fmt,
            alpha=like.alpha if like is not None else None,
            exif=like.exif if like is not None else None,
            icc=like.icc if like is not None else None,
            quality=quality,
        )
    except (ValueError, OSError) as exc:  # an encoder's refusal is this photo's message
        raise ImageSaveError(dest, f"could not be encoded as {fmt} ({exc}); try PNG") from exc
    write_atomically(dest, data)
    return dest
