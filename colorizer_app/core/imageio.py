"""Reading and writing photos without ever losing one.

Pillow (a scikit-image dependency) reads headers and metadata and decodes 8-bit files; OpenCV
decodes PNG and TIFF, the formats that carry 16 bits per channel, which Pillow would cut to 8.
Every write goes to a temporary file in the destination folder and is renamed into place.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import struct
import tempfile
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ImageLoadError, ImageSaveError

DEFAULT_MAX_PIXELS = 200_000_000
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif", ".avif",
                  ".heic", ".heif")  # fmt: skip
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
_SIXTEEN_BIT_FORMATS = {"PNG", "TIFF"}
_ORIENTATION_TAG = 0x0112
# TIFF's own layout tags, which Pillow's getexif() returns for TIFF input: written over a new
# image they describe the old one's strips, depth and compression, and the file is unreadable.
_LAYOUT_TAGS = {
    254, 255, 256, 257, 258, 259, 262, 263, 266, 273, 277, 278, 279, 280, 281, 284, 317, 320,
    322, 323, 324, 325, 338, 339, 340, 341, 347, 513, 514, 529, 530, 531, 532, 34675,
}
# A JPEG cannot hold more than a few hundred pixels per byte (each 8x8 block costs bits);
# one that claims far more is lying about its size, and decoding it costs seconds and gigabytes.
_JPEG_MAX_PIXELS_PER_BYTE = 1500
# Colour (not a toned print) when a and b vary this much (Lab units, std) across the photo.
_COLOUR_AB_STD = 6.0


def _register_optional_decoders() -> bool:
    """HEIC/HEIF (phones' photos) where pillow-heif is installed; AVIF is Pillow's own."""
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        return True
    except Exception:  # not installed or no libheif: HEIC files get a clear "unsupported"
        return False


HEIF_READABLE = _register_optional_decoders()
# OpenCV's and libtiff's own lines on stderr would break the progress line; what matters about a
# photo reaches its own message instead.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

# We enforce our own, configurable limit before decoding; Pillow's would fire at another size.
Image.MAX_IMAGE_PIXELS = None


@dataclass
class LoadedImage:
    """A decoded photo, upright, with what is needed to save a faithful colorized copy."""

    path: Path
    rgb: np.ndarray  # HxWx3 uint8 or uint16, EXIF orientation applied
    alpha: np.ndarray | None = None  # HxW, same dtype as rgb
    exif: bytes | None = None  # orientation already reset to 1
    icc: bytes | None = None
    format: str = "PNG"
    was_grayscale: bool = False
    # What the person should know about this photo though it was read: "first page of 3
    # only", "already in colour", a decoder's warning. Shown on its line, never silent.
    notes: list[str] = field(default_factory=list)

    @property
    def bit_depth(self) -> int:
        return 16 if self.rgb.dtype == np.uint16 else 8

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) as shown, after orientation."""
        return self.rgb.shape[1], self.rgb.shape[0]


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def find_images(paths: list[Path]) -> list[Path]:
    """Files and folders (recursive, sorted) -> image files, each once, in a stable order."""
    found: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        p = Path(p)
        candidates = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
        for c in candidates:
            if p.is_dir() and not is_image_path(c):
                continue
            key = c.resolve()
            if key not in seen:
                seen.add(key)
                found.append(c)
    return found


def _apply_orientation(a: np.ndarray, orientation: int) -> np.ndarray:
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


def _split_channels(pixels: np.ndarray, bgr: bool) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """Decoded pixels (HxW, HxWx2/3/4) -> (rgb HxWx3, alpha or None, was_grayscale)."""
    if pixels.ndim == 2:
        return np.repeat(pixels[:, :, None], 3, axis=2), None, True
    channels = pixels.shape[2]
    if channels == 1:
        return np.repeat(pixels, 3, axis=2), None, True
    if channels == 2:
        return np.repeat(pixels[:, :, :1], 3, axis=2), pixels[:, :, 1].copy(), True
    color = pixels[:, :, :3]
    if bgr:
        color = color[:, :, ::-1]
    alpha = pixels[:, :, 3].copy() if channels == 4 else None
    return np.ascontiguousarray(color), alpha, False


def _decode_with_opencv(data: bytes) -> np.ndarray | None:
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None or pixels.dtype not in (np.uint8, np.uint16, np.float32, np.float64):
        return None
    if pixels.ndim == 3 and pixels.shape[2] not in (1, 2, 3, 4):
        return None
    return pixels


def _decode_with_pillow(im: Image.Image) -> np.ndarray:
    im.load()  # raises on truncated or corrupt data
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        return np.asarray(im, dtype=np.uint16)
    if mode == "I":
        return np.clip(np.asarray(im), 0, 65535).astype(np.uint16)
    if mode == "F":
        return np.asarray(im, dtype=np.float32)  # its range is read by _float_to_uint16
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "PA":
        im = im.convert("RGBA")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        im = im.convert("RGB")  # CMYK, YCbCr, 1-bit...
    return np.asarray(im).copy()


def _reset_orientation(exif: Image.Exif) -> bytes | None:
    """The photo's own EXIF for its copy: orientation reset to 1 (the pixels are upright now),
    and never the TIFF layout tags of the original file."""
    for tag in _LAYOUT_TAGS & set(exif):
        del exif[tag]
    if not len(exif):
        return None
    if _ORIENTATION_TAG in exif:
        exif[_ORIENTATION_TAG] = 1
    try:
        return exif.tobytes()
    except Exception:  # a maker note Pillow cannot re-encode: keep the photo, drop its EXIF
        return None


def load_image(path: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read a photo; raise ImageLoadError naming the path and the reason if it can't be."""
    path = Path(path)
    try:
        # Only regular files: a FIFO or a device given by name would block or never end.
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ImageLoadError(path, "not a regular file (a pipe, socket or device); "
                                 "give the photo file itself")  # fmt: skip
        data = path.read_bytes()
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise ImageLoadError(path, "broken link: what it points to is missing") from exc
        raise ImageLoadError(path, "file not found; check the path") from exc
    except IsADirectoryError as exc:
        raise ImageLoadError(path, "is a folder, not a photo") from exc
    except PermissionError as exc:
        raise ImageLoadError(path, "permission denied; check the file's permissions") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ImageLoadError(path, "symlink loop: the link points back at itself") from exc
        raise ImageLoadError(path, f"could not be read ({exc.strerror or exc})") from exc
    if not data:
        raise ImageLoadError(path, "the file is empty (0 bytes); re-export or re-scan it")

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            image = _decode(path, data, max_pixels)
        for w in caught:
            text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else ""
            if text and text not in image.notes:
                image.notes.append(f"decoder warning: {text}")
        return image
    except ImageLoadError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ImageLoadError(path, "too large or too deeply nested to decode "
                             f"({type(exc).__name__}); scale it down or re-export it") from exc
    except Exception as exc:
        # Decoders raise ValueError, SyntaxError, struct.error, EOFError, ... on hostile input:
        # every one of them is this photo's problem, never the batch's.
        raise ImageLoadError(path, f"the file is corrupt or not a supported image "
                             f"({type(exc).__name__}: {exc}); try the original file again") from exc


def _decode(path: Path, data: bytes, max_pixels: int) -> LoadedImage:
    try:
        im = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError) as exc:
        if data[:4] in (b"II*\x00", b"MM\x00*"):  # a TIFF Pillow cannot open (float RGB, ...)
            pixels = _decode_with_opencv(data)
            if pixels is not None:
                if pixels.shape[0] * pixels.shape[1] > max_pixels:
                    raise ImageLoadError(path, "too large; scale it down") from exc
                rgb, alpha, was_gray = _split_channels(_float_to_uint16(path, pixels), bgr=True)
                return LoadedImage(path, rgb, alpha, format="TIFF", was_grayscale=was_gray)
        raise ImageLoadError(path, _unsupported_reason(path, data)) from exc
    notes: list[str] = []
    with im:
        width, height = im.size
        if width * height > max_pixels:
            raise ImageLoadError(
                path,
                f"too large: {width}x{height} = {width * height / 1e6:.0f} MP, over the limit of "
                f"{max_pixels / 1e6:.0f} MP; scale it down or raise the limit",
            )
        if width < 1 or height < 1:
            raise ImageLoadError(path, f"has no pixels ({width}x{height}); re-export it")
        fmt = (im.format or "PNG").upper()
        if fmt == "JPEG" and width * height > 4096 + _JPEG_MAX_PIXELS_PER_BYTE * len(data):
            raise ImageLoadError(path, f"claims {width}x{height} pixels in only {len(data)} bytes: "
                                 "the file is damaged or not a real photo; try the original")
        frames = getattr(im, "n_frames", 1) or 1
        if frames > 1:
            notes.append(f"first {'frame' if fmt in ('GIF', 'WEBP', 'PNG') else 'page'} of "
                         f"{frames} only")  # fmt: skip
        icc = im.info.get("icc_profile") or None
        try:
            exif = im.getexif()
        except Exception:  # malformed EXIF must not cost the photo
            exif = Image.Exif()
        try:
            orientation = int(exif.get(_ORIENTATION_TAG, 1) or 1)
        except (TypeError, ValueError):
            orientation = 1
        # OpenCV for what may hold 16 bits; Pillow for CMYK/Lab TIFFs, whose four channels
        # OpenCV would hand back as if the fourth were transparency.
        deep = fmt in _SIXTEEN_BIT_FORMATS and im.mode not in ("CMYK", "LAB", "YCbCr", "1", "P")
        pixels = _decode_with_opencv(data) if deep else None
        bgr = pixels is not None
        if pixels is None:
            try:
                pixels = _decode_with_pillow(im)
            except (OSError, ValueError, SyntaxError) as exc:
                raise ImageLoadError(
                    path, f"the file is truncated or corrupt ({exc}); try the original file again"
                ) from exc
        pixels = _float_to_uint16(path, pixels)

    rgb, alpha, was_gray = _split_channels(pixels, bgr=bgr)
    if bgr and fmt == "TIFF":
        orientation = 1  # OpenCV's TIFF reader has already turned the pixels upright
    if orientation != 1:
        rgb = _apply_orientation(rgb, orientation)
        alpha = _apply_orientation(alpha, orientation) if alpha is not None else None
    if not was_gray and _is_colour(rgb):
        notes.append("already in colour: its colours are replaced by new ones")
    return LoadedImage(
        path=path,
        rgb=rgb,
        alpha=alpha,
        exif=_reset_orientation(exif),
        icc=icc,
        format=fmt if fmt in SUFFIX_BY_FORMAT else "PNG",
        was_grayscale=was_gray,
        notes=notes,
    )


def _unsupported_reason(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in (".heic", ".heif") or data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        if HEIF_READABLE:
            return "a damaged HEIC/HEIF file (it cannot be decoded); try the original file again"
        return ("a HEIC/HEIF photo, which this installation cannot read; install pillow-heif, "
                "or export it as JPEG")  # fmt: skip
    for magic, kind in _SIGNATURES.items():
        if data.startswith(magic):
            return (f"a damaged {kind} file (its header cannot be read); try the original file "
                    "again")  # fmt: skip
    return "not an image or an unsupported format; use JPEG, PNG, TIFF, BMP, WebP, GIF or AVIF"


_SIGNATURES = {b"\x89PNG": "PNG", b"\xff\xd8": "JPEG", b"II*\x00": "TIFF", b"MM\x00*": "TIFF",
               b"GIF8": "GIF", b"BM": "BMP", b"RIFF": "WebP"}  # fmt: skip


def _float_to_uint16(path: Path, pixels: np.ndarray) -> np.ndarray:
    """Float pixels (TIFF) -> uint16, their range read from the data: [0, 1], [0, 255] or
    [0, 65535]. NaN or infinite pixels are an error for the photo, not a white picture."""
    if pixels.dtype in (np.uint8, np.uint16):
        return pixels
    if pixels.dtype.kind == "f":
        if not np.isfinite(pixels).all():
            raise ImageLoadError(path, "holds NaN or infinite pixel values; re-export it")
        top = float(pixels.max(initial=0.0))
        scale = 1.0 if top <= 1.0 + 1e-3 else 255.0 if top <= 255.5 else 65535.0
        return (np.clip(pixels / scale, 0.0, 1.0) * 65535.0 + 0.5).astype(np.uint16)
    if pixels.dtype.kind in "iu":
        return np.clip(pixels, 0, 65535).astype(np.uint16)
    raise ImageLoadError(path, f"unsupported pixel type {pixels.dtype}; re-export as 8 or 16 bit")


def _is_colour(rgb: np.ndarray) -> bool:
    """A colour photo, not a gray or toned (sepia, cyanotype) print: its ab vary."""
    h, w = rgb.shape[:2]
    step = max(1, max(h, w) // 96)
    small = np.ascontiguousarray(rgb[::step, ::step])
    f = small.astype(np.float32) * (1.0 / (65535.0 if small.dtype == np.uint16 else 255.0))
    ab = cv2.cvtColor(f, cv2.COLOR_RGB2Lab)[:, :, 1:].reshape(-1, 2)
    return float(np.sqrt(ab.var(0).sum())) > _COLOUR_AB_STD


# ---- saving -------------------------------------------------------------------------------------


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
    if rgb.dtype == np.uint16 and fmt in _SIXTEEN_BIT_FORMATS:
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


def _encode_tiff16(rgb: np.ndarray, alpha: np.ndarray | None, exif: bytes | None,
                   icc: bytes | None) -> bytes:  # fmt: skip
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
    tifffile.imwrite(out, np.ascontiguousarray(pixels), photometric="rgb", compression="zlib",
                     iccprofile=icc or None, extrasamples=("unassalpha",) if alpha is not None
                     else None, extratags=extratags, metadata=None, **kwargs)  # fmt: skip
    return out.getvalue()


def _default_mode(dest: Path) -> int:
    try:
        return dest.stat().st_mode & 0o777  # replacing a file keeps its permissions
    except OSError:
        return 0o666 & ~_UMASK


def _read_umask() -> int:
    # Read once, at import: setting the umask to read it is not safe once threads run.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def write_atomically(dest: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `dest`, flush it to disk, and rename it into place."""
    dest = Path(dest)
    folder = dest.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{dest.name}.", suffix=".part")
    except OSError as exc:
        raise ImageSaveError(dest, f"cannot write in {folder} ({exc.strerror or exc})") from exc
    try:
        # mkstemp makes the file private (0600); give it the permissions a plain write would.
        os.chmod(tmp_name, _default_mode(dest))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, dest)
    except BaseException as exc:
        # Any failure, Ctrl+C included, leaves no half-written temporary file behind.
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise
        if exc.errno == errno.ENOSPC:
            raise ImageSaveError(dest, "the disk is full; free some space and save again") from exc
        raise ImageSaveError(dest, f"could not be written ({exc.strerror or exc})") from exc


def same_file(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve() or (
            Path(a).exists() and Path(b).exists() and os.path.samefile(a, b)
        )
    except OSError:
        return False


def save_image(
    dest: str | os.PathLike,
    rgb: np.ndarray,
    like: LoadedImage | None = None,
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
    data = encode_image(
        rgb,
        fmt,
        alpha=like.alpha if like is not None else None,
        exif=like.exif if like is not None else None,
        icc=like.icc if like is not None else None,
        quality=quality,
    )
    write_atomically(dest, data)
    return dest
