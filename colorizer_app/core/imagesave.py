"""Writing colorized copies: the format asked for, the original's metadata kept where the format
allows it, never over the original, always atomically (core/fileio.py)."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .errors import ImageSaveError
from .fileio import same_file, write_atomically
from .photo_meta import ORIENTATION_TAG, X_RESOLUTION, XMP_KEY, Y_RESOLUTION

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
GRAY_FORMATS = {"PNG", "JPEG", "TIFF", "BMP"}  # WebP's are RGB


# ICC device classes a photo's profile may have: input, display, output, colour space (not a
# device link, an abstract or a named-colour profile, which describe no image's colours).
_IMAGE_PROFILE_CLASSES = {b"scnr", b"mntr", b"prtr", b"spac"}


def profile_not_copied(space: str) -> str:
    """A photo's line where its profile describes another colour space than an RGB copy's."""
    return (
        f"its {space} ICC profile was not copied: the copy is RGB, which it cannot describe "
        "(the copy is sRGB)"
    )


def gray_icc(icc: bytes | None) -> bytes | None:
    """The original's profile where it is a usable Gray one: a gray copy (a gray scan restored
    without colour) carries it, as the scan did."""
    return icc if icc and _whole(icc) and icc[16:20] == b"GRAY" and _opens(icc) else None


def _whole(icc: bytes) -> bool:
    return len(icc) >= 132 and icc[36:40] == b"acsp" and int.from_bytes(icc[:4], "big") <= len(icc)


def _opens(icc: bytes) -> bool:
    """A profile of an image's kind that littlecms opens."""
    if icc[12:16] not in _IMAGE_PROFILE_CLASSES:
        return False
    try:
        from PIL import ImageCms

        ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except Exception:  # littlecms's refusal, whatever its kind: the profile is not usable
        return False
    return True


def copyable_icc(icc: bytes | None) -> tuple[bytes | None, str | None]:
    """The original's ICC profile if an RGB copy can carry it, and else why not (for the
    photo's line). Only a profile that littlecms opens and that describes RGB is copied: a
    copy is always RGB, so a Gray or CMYK profile would misdescribe it (lcms builds no
    transform, libpng warns), and a damaged one is junk in every copy. Without one, the copy
    is read as sRGB, the colour space the model's colours are made in."""
    if not icc:
        return None, None
    damaged = (None, "its ICC profile is damaged and was not copied (the copy is sRGB)")
    if not _whole(icc):
        return damaged
    space = icc[16:20].decode("latin-1").strip() or "unnamed"
    if icc[16:20] != b"RGB ":
        return None, profile_not_copied(space)
    return (icc, None) if _opens(icc) else damaged


def _exif_body(exif: bytes) -> bytes:
    """EXIF's TIFF structure, without the "Exif\\0\\0" that JPEG's APP1 puts before it."""
    return exif[6:] if exif.startswith(b"Exif\x00\x00") else exif


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


Dpi = tuple[float, float]
_INCH_M = 0.0254


@dataclass(frozen=True)
class Words:
    """What a copy says of the photo besides its pixels and colours: its XMP packet and a
    PNG's text chunks (an archive's title, rights, accession number)."""

    xmp: bytes | None = None
    texts: tuple[tuple[str, str], ...] = ()


def _png_text(key: str, text: str) -> bytes:
    """tEXt where Latin-1 holds it, else iTXt (UTF-8, uncompressed, no language)."""
    try:
        return _png_chunk(b"tEXt", key.encode("latin-1") + b"\0" + text.encode("latin-1"))
    except UnicodeEncodeError:
        head = key.encode("latin-1", "replace") + b"\0\0\0\0\0"
        return _png_chunk(b"iTXt", head + text.encode("utf-8"))


def _add_png_metadata(
    png: np.ndarray,
    exif: bytes | None,
    icc: bytes | None,
    dpi: Dpi | None,
    words: Words,
) -> bytes:
    """Insert iCCP, eXIf, pHYs (the resolution, in pixels per metre), the XMP's iTXt and the
    text chunks right after IHDR (OpenCV writes none of them)."""
    view = png.reshape(-1).data
    ihdr_end = 8 + 4 + 4 + 13 + 4
    chunks = b""
    if icc:
        chunks += _png_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(icc))
    if exif:
        chunks += _png_chunk(b"eXIf", _exif_body(exif))
    if dpi:
        per_metre = (round(d / _INCH_M) for d in dpi)
        chunks += _png_chunk(b"pHYs", struct.pack(">IIB", *per_metre, 1))
    if words.xmp:
        chunks += _png_chunk(b"iTXt", XMP_KEY.encode() + b"\0\0\0\0\0" + words.xmp)
    for key, text in words.texts:
        chunks += _png_text(key, text)
    return b"".join([view[:ihdr_end], chunks, view[ihdr_end:]])


def _jfif_density(app0: bytes, dpi: Dpi) -> bytes:
    """A JFIF APP0 segment (OpenCV's says 1:1, no unit) saying `dpi`: after the marker,
    length, "JFIF\0" and version (11 bytes) come units (1: dots per inch) and the two
    densities (16 bits each)."""
    x, y = (min(65535, max(1, round(d))) for d in dpi)
    return app0[:11] + struct.pack(">BHH", 1, x, y) + app0[16:]


def _bmp_resolution(bmp: np.ndarray, dpi: Dpi) -> bytes:
    """A BMP's bytes with its info header's resolution (pixels per metre, at bytes 38-45)."""
    data = bytearray(bmp.reshape(-1).data)
    struct.pack_into("<ii", data, 38, *(round(d / _INCH_M) for d in dpi))
    return bytes(data)


_JPEG_SEGMENT_MAX = 65533  # a marker segment's payload: 65535 less its own length field
_ICC_PART = _JPEG_SEGMENT_MAX - 14  # "ICC_PROFILE\0", this part's number and the count


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


_XMP_JPEG = b"http://ns.adobe.com/xap/1.0/\0"


def _fits_jpeg(xmp: bytes) -> bool:
    """Whether the XMP fits the one APP1 segment a JPEG copy gets (extended XMP, split over
    several, is not written)."""
    return len(_XMP_JPEG) + len(xmp) <= _JPEG_SEGMENT_MAX


def xmp_not_copied(xmp: bytes | None, fmt: str) -> str | None:
    """What a copy in `fmt` says when the photo's XMP cannot go with it (a BMP holds none, a
    JPEG 64 KB of it); an archive's XMP had been dropped without a word."""
    if not xmp or fmt not in ("JPEG", "BMP") or (fmt == "JPEG" and _fits_jpeg(xmp)):
        return None
    why = "a BMP holds none" if fmt == "BMP" else "a JPEG holds 64 KB of it"
    return f"its XMP ({len(xmp) / 1024:.0f} KB) is not in the copy: {why}; save as TIFF to keep it"


def _add_jpeg_metadata(
    jpeg: np.ndarray,
    exif: bytes | None,
    icc: bytes | None,
    dpi: Dpi | None,
    xmp: bytes | None,
) -> bytes:
    """Insert APP1 Exif and XMP segments and the ICC profile's APP2 segments (a profile over
    64 KB split in numbered parts, as ICC.1 Annex B says) after SOI and JFIF's APP0, which
    says `dpi`: OpenCV's own metadata writer refuses a profile over 64 KB."""
    view = jpeg.reshape(-1).data
    segments = []
    if exif:
        payload = b"Exif\x00\x00" + _exif_body(exif)
        if len(payload) > _JPEG_SEGMENT_MAX:
            raise ValueError("EXIF data is too long for JPEG (over 64 KB)")
        segments.append(_jpeg_segment(0xE1, payload))
    if xmp and _fits_jpeg(xmp):  # one too large is said on the photo's line (xmp_not_copied)
        segments.append(_jpeg_segment(0xE1, _XMP_JPEG + xmp))
    if icc:
        parts = [icc[i : i + _ICC_PART] for i in range(0, len(icc), _ICC_PART)]
        if len(parts) > 255:
            raise ValueError("ICC profile is too long for JPEG")
        for number, part in enumerate(parts, 1):
            header = b"ICC_PROFILE\x00" + bytes((number, len(parts)))
            segments.append(_jpeg_segment(0xE2, header + part))
    at, head = 2, bytes(view[:2])  # after SOI, and after JFIF's APP0 when OpenCV wrote one
    if bytes(view[2:4]) == b"\xff\xe0":
        at = 4 + int.from_bytes(view[4:6], "big")
        head += bytes(view[2:at])
        if dpi and head[6:11] == b"JFIF\x00" and at >= 20:
            head = head[:2] + _jfif_density(head[2:], dpi)
    elif dpi:  # no JFIF header of OpenCV's to say it in: one of ours
        app0 = _jpeg_segment(0xE0, b"JFIF\x00\x01\x01" + bytes(7))
        head += _jfif_density(app0, dpi)
    return b"".join([head, *segments, view[at:]])


def to_uint8(a: np.ndarray) -> np.ndarray:
    """uint8 as it is, uint16 rounded to 8 bits (the one place pixels lose depth)."""
    return a if a.dtype == np.uint8 else ((a.astype(np.uint32) + 128) // 257).astype(np.uint8)


_SWAP_STRIP_BYTES = 1 << 17
_WEBP_MAX_SIDE = 16383


def _swap_red_and_blue(pixels: np.ndarray) -> None:
    """RGB <-> BGR in the array's own buffer, a few rows at a time through a small scratch strip
    (in cache: about 5 ms for 12 MP, where OpenCV's in-place conversion of the whole photo
    takes 60 ms and a copy adds 3 bytes a pixel)."""
    rows = max(1, _SWAP_STRIP_BYTES // max(1, pixels.strides[0]))
    scratch = np.empty((min(rows, len(pixels)), *pixels.shape[1:]), pixels.dtype)
    for y in range(0, len(pixels), rows):
        strip = pixels[y : y + rows]
        swapped = scratch[: len(strip)]
        cv2.cvtColor(strip, cv2.COLOR_RGB2BGR, dst=swapped)
        np.copyto(strip, swapped)


@contextmanager
def _in_opencv_order(rgb: np.ndarray) -> Iterator[np.ndarray]:
    """The photo as OpenCV's encoders take it (BGR), without a copy of a photo that may be
    150 MP: its own rows with red and blue swapped while the encoder runs, and swapped back
    afterwards, whatever happens. A photo we may not write to is copied instead."""
    if not (rgb.flags.c_contiguous and rgb.flags.writeable):
        yield np.ascontiguousarray(rgb[:, :, ::-1])
        return
    _swap_red_and_blue(rgb)
    try:
        yield rgb
    finally:
        _swap_red_and_blue(rgb)


def _opencv_encode(
    rgb: np.ndarray, alpha: np.ndarray | None, suffix: str, params: list[int], meta: dict
) -> np.ndarray:
    """OpenCV's encoding of the photo (plus alpha) as `suffix`; `meta` maps OpenCV's metadata
    kinds to the bytes it writes itself. Returns the encoded bytes as an array (not copied)."""
    if rgb.ndim == 2:  # one gray channel: no order to change
        return _encoded(suffix, rgb, params, meta)
    if alpha is not None:  # with alpha, one copy in OpenCV's order (Pillow made one too)
        return _encoded(suffix, np.dstack([rgb[:, :, ::-1], alpha]), params, meta)
    with _in_opencv_order(rgb) as bgr:
        return _encoded(suffix, bgr, params, meta)


def _encoded(suffix: str, pixels: np.ndarray, params: list[int], meta: dict) -> np.ndarray:
    try:
        if meta:
            kinds, data = list(meta), [np.frombuffer(b, np.uint8) for b in meta.values()]
            ok, buf = cv2.imencodeWithMetadata(suffix, pixels, kinds, data, params)
        else:
            ok, buf = cv2.imencode(suffix, pixels, params)
    except cv2.error as exc:  # e.g. WebP over 16383 px: the photo's message, not a crash
        raise ValueError(str(exc).strip().splitlines()[-1]) from exc
    if not ok:
        raise ValueError("OpenCV could not encode the image")
    return buf


def encode_image(
    rgb: np.ndarray,
    fmt: str,
    alpha: np.ndarray | None = None,
    exif: bytes | None = None,
    icc: bytes | None = None,
    quality: int = 95,
    dpi: Dpi | None = None,
    words: Words | None = None,
) -> bytes:
    """Pixels + metadata -> the bytes of a file of format `fmt`; `words`: its XMP (JPEG, PNG,
    TIFF, WebP) and text chunks (PNG). `rgb` may be one gray channel (H x W, no alpha): a gray
    file, without an RGB profile, which it may not carry.

    Encoded from the photo's own buffer, not a copy (a 150 MP photo is 429 MB): OpenCV's
    encoders take BGR, so red and blue of a writable `rgb` are swapped in place while it is
    encoded and swapped back before this returns. Do not read `rgb` from another thread
    meanwhile."""
    fmt = fmt.upper()
    if fmt not in SUFFIX_BY_FORMAT:
        raise ValueError(f"unsupported output format {fmt!r}")
    if alpha is not None and fmt not in _ALPHA_FORMATS:
        alpha = None
    if fmt not in SIXTEEN_BIT_FORMATS:
        rgb = to_uint8(rgb)
    if alpha is not None and alpha.dtype != rgb.dtype:
        alpha = (alpha.astype(np.uint16) * 257) if rgb.dtype == np.uint16 else to_uint8(alpha)
    if rgb.ndim == 2:  # a gray copy: a Gray profile, never an RGB one
        alpha, icc = None, gray_icc(icc)
    words = words or Words()

    if fmt == "TIFF":
        return _encode_tiff(rgb, alpha, exif, icc, dpi, words.xmp)
    if fmt == "PNG":
        # 8 bits at zlib's level 6, as Pillow wrote them before; 16 bits with OpenCV's defaults.
        params = [cv2.IMWRITE_PNG_COMPRESSION, 6] if rgb.dtype == np.uint8 else []
        png = _opencv_encode(rgb, alpha, ".png", params, {})
        return _add_png_metadata(png, exif, icc, dpi, words)  # OpenCV writes none of them
    if fmt == "JPEG":
        full_colour = quality >= 90  # no chroma subsampling at high quality, as before
        sampling = (
            cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444
            if full_colour
            else cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420
        )
        params = [
            cv2.IMWRITE_JPEG_QUALITY,
            int(quality),
            cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
            sampling,
        ]
        jpeg = _opencv_encode(rgb, None, ".jpg", params, {})
        return _add_jpeg_metadata(jpeg, exif, icc, dpi, words.xmp)
    if fmt == "WEBP":
        if max(rgb.shape[:2]) > _WEBP_MAX_SIDE:
            raise ValueError(f"WebP holds at most {_WEBP_MAX_SIDE} pixels a side")
        meta = {}
        if exif:
            meta[cv2.IMAGE_METADATA_EXIF] = _exif_body(exif)
        if icc:
            meta[cv2.IMAGE_METADATA_ICCP] = icc
        if words.xmp:
            meta[cv2.IMAGE_METADATA_XMP] = words.xmp
        params = [cv2.IMWRITE_WEBP_QUALITY, min(int(quality), 100)]  # over 100: lossless
        return _opencv_encode(rgb, alpha, ".webp", params, meta).tobytes()
    bmp = _opencv_encode(rgb, None, ".bmp", [], {})  # BMP: its resolution, no other metadata
    return _bmp_resolution(bmp, dpi) if dpi else bmp.tobytes()


# EXIF tags of the main image directory that a TIFF copy carries over: text, and the numbers
# that say how it is shown and printed (orientation, resolution). The EXIF directory's own tags
# (exposure, the date taken) and GPS have no place in a TIFF's main directory.
_TIFF_TEXT_TAGS = {270: "description", 305: "software", 306: "datetime"}
_TIFF_EXTRA_TEXT_TAGS = (271, 272, 315, 33432)  # camera make, model, artist, copyright
_RESOLUTION_UNIT = 296
_XMP_TAG = 700


def _encode_tiff(
    rgb: np.ndarray,
    alpha: np.ndarray | None,
    exif: bytes | None,
    icc: bytes | None,
    dpi: Dpi | None = None,
    xmp: bytes | None = None,
) -> bytes:
    """TIFF (8 or 16 bits, deflate) straight from the photo's rows, with its ICC profile and
    the main EXIF directory's text, orientation and resolution (tifffile: Pillow copies the
    photo first, cannot write 16-bit RGB and refuses EXIF with an EXIF or GPS directory)."""
    import tifffile

    pixels = rgb if alpha is None else np.dstack([rgb, alpha])
    kwargs: dict = {"description": None, "software": False, "datetime": None}
    extratags: list[tuple] = []
    tags = Image.Exif()
    if exif:
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
    if isinstance(tags.get(ORIENTATION_TAG), int) and 1 <= tags[ORIENTATION_TAG] <= 8:
        extratags.append((ORIENTATION_TAG, "H", 1, tags[ORIENTATION_TAG], True))
    try:
        resolution = (float(tags[X_RESOLUTION]), float(tags[Y_RESOLUTION]))
        unit = int(tags.get(_RESOLUTION_UNIT, 2))
        if all(r > 0 for r in resolution) and unit in (1, 2, 3):
            kwargs.update(resolution=resolution, resolutionunit=unit)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        pass  # no resolution in the EXIF, or one that is not a number
    if dpi:  # the one the other formats' copies say (a JFIF's over its EXIF's; turned upright)
        kwargs.update(resolution=dpi, resolutionunit=2)
    if xmp:
        extratags.append((_XMP_TAG, "B", len(xmp), xmp, True))
    out = io.BytesIO()
    tifffile.imwrite(
        out,
        np.ascontiguousarray(pixels),
        photometric="rgb" if pixels.ndim == 3 else "minisblack",
        compression="zlib",
        iccprofile=icc or None,
        extrasamples=("unassalpha",) if alpha is not None else None,
        extratags=extratags,
        metadata=None,
        **kwargs,
    )
    return out.getvalue()


def can_write_gray(like, fmt: str) -> bool:
    """Whether a copy of `like` in `fmt` can be one gray channel: a format that has gray files,
    no transparency to keep, and no RGB profile, which a gray file cannot carry (a gray scan
    tagged sRGB or Adobe RGB stays RGB, its profile with it). save_image decides by this; a
    batch says its notes by it."""
    return fmt in GRAY_FORMATS and (like is None or (like.alpha is None and not like.icc))


def save_image(
    dest: str | os.PathLike,
    rgb: np.ndarray,
    like=None,
    quality: int = 95,
    fmt: str | None = None,
    gray: bool = False,
) -> Path:
    """Save a colorized copy. Keeps alpha, bit depth, EXIF, ICC and resolution (dpi) of `like`
    where the format can. `gray`: `rgb` is neutral and is written as one gray channel (a
    repaired gray scan stays a gray file, a third of the size), unless `like` has alpha.

    Never writes over `like.path` (the original).
    """
    dest = Path(dest)
    _never_over(dest, like)
    fmt = (fmt or FORMAT_BY_SUFFIX.get(dest.suffix.lower()) or "").upper()
    if fmt not in SUFFIX_BY_FORMAT:
        raise ImageSaveError(dest, "unknown output format; use .jpg, .png, .tif, .bmp or .webp")
    alpha = like.alpha if like is not None else None
    icc = like.icc if like is not None else None
    if gray and rgb.ndim == 3 and can_write_gray(like, fmt):
        rgb, icc = rgb[:, :, 0], like.gray_icc if like is not None else None
    try:
        data = encode_image(
            rgb,
            fmt,
            alpha=alpha,
            exif=like.exif if like is not None else None,
            icc=icc,
            quality=quality,
            dpi=like.dpi if like is not None else None,
            words=Words(like.xmp, tuple(like.texts.items())) if like is not None else None,
        )
    except (ValueError, OSError) as exc:  # an encoder's refusal is this photo's message
        raise ImageSaveError(dest, f"could not be encoded as {fmt} ({exc}); try PNG") from exc
    write_atomically(dest, data)
    return dest


def copy_file(dest: str | os.PathLike, like) -> Path:
    """The photo's own file as its copy, byte for byte (nothing in it was changed), written to a
    temporary name and renamed; never over `like.path`, as save_image."""
    dest = Path(dest)
    _never_over(dest, like)
    write_atomically(dest, Path(like.path).read_bytes())
    return dest


def _never_over(dest: Path, like) -> None:
    if like is not None and same_file(dest, like.path):
        raise ImageSaveError(
            dest, "refusing to write over the original photo; choose another name or folder"
        )
