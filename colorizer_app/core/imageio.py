"""Reading photos, whatever a person drops in (saving: imagesave.py).

Pillow (a scikit-image dependency) reads headers and metadata and decodes 8-bit files; OpenCV
decodes PNG and TIFF, the formats that carry 16 bits per channel, which Pillow would cut to 8.
Every write goes to a temporary file in the destination folder and is renamed into place.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ImageLoadError
from .fileio import walk_files, write_atomically  # noqa: F401 - importable from here

# Saving lives in imagesave; its names stay importable from here, where callers look first.
from .imagesave import (  # noqa: F401
    FORMAT_BY_SUFFIX,
    SIXTEEN_BIT_FORMATS,
    SUFFIX_BY_FORMAT,
    copyable_icc,
    encode_image,
    gray_icc,
    same_file,
    save_image,
    to_uint8,
)
from .photo_meta import (
    ORIENTATION_TAG,
    X_RESOLUTION,
    Y_RESOLUTION,
    apply_orientation,
    exif_for_copy,
    png_texts,
    resolution,
    xmp_of,
)
from .sample_range import (
    black_where_white_is_zero,
    is_plain_tiff,
    read_tiff_samples,
    to_uint16,
)
from .unreadable import incomplete, why_unreadable

DEFAULT_MAX_PIXELS = 200_000_000
IMAGE_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".tif",
    ".tiff",
    ".bmp",
    ".webp",
    ".gif",
    ".avif",
    ".heic",
    ".heif",
)
# A JPEG cannot hold more than a few hundred pixels per byte (each 8x8 block costs bits);
# one that claims far more is lying about its size, and decoding it costs seconds and gigabytes.
_JPEG_MAX_PIXELS_PER_BYTE = 1500
# Colour (not a toned print) when a and b vary this much (Lab units, std) across the photo.
_COLOUR_AB_STD = 6.0


# The note on a colour (or sepia) photo given to be colorized; a repair alone keeps them (batch).
ALREADY_IN_COLOUR = "already in colour or toned (sepia): its colours are replaced by new ones"


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
    gray_icc: bytes | None = None  # a Gray profile, for a gray copy (not `icc`: copies are RGB)
    format: str = "PNG"
    was_grayscale: bool = False
    # The scan's resolution, dots per inch (x, y), where the file says it: a copy that keeps it
    # prints at the size the original does (a historical society prints its 600 dpi scans).
    dpi: tuple[float, float] | None = None
    xmp: bytes | None = None  # its XMP packet: an archive's title, rights, accession number
    texts: dict[str, str] = field(default_factory=dict)  # a PNG's text chunks, for a PNG copy
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


def _split_channels(pixels: np.ndarray, bgr: bool) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """Decoded pixels (HxW, HxWx2/3/4) -> (rgb HxWx3, alpha or None, was_grayscale)."""
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        # OpenCV's copy into three channels: a quarter of np.repeat's time (6 ms for 12 MP).
        return cv2.cvtColor(pixels.reshape(pixels.shape[:2]), cv2.COLOR_GRAY2RGB), None, True
    channels = pixels.shape[2]
    if channels == 2:
        return np.repeat(pixels[:, :, :1], 3, axis=2), pixels[:, :, 1].copy(), True
    alpha = pixels[:, :, 3].copy() if channels == 4 else None
    if channels == 3 and bgr and pixels.flags.c_contiguous and pixels.flags.writeable:
        # In place: a second copy of a 150 MP photo is 450 MB.
        return cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB, dst=pixels), alpha, False
    color = pixels[:, :, :3]
    if bgr:
        color = color[:, :, ::-1]
    return np.ascontiguousarray(color), alpha, False


def _png_chunks_fit(data: bytes) -> bool:
    """Every chunk of a PNG lies within the file, up to IEND. OpenCV trusts a chunk's length
    field: a 67-byte file claiming a 4 GB chunk made it allocate 4 GB and spin for seconds."""
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if pos + 12 + length > len(data):
            return False
        if data[pos + 4 : pos + 8] == b"IEND":
            return True
        pos += 12 + length
    return False


def _decode_with_opencv(data: bytes) -> np.ndarray | None:
    """OpenCV's decode, or None where Pillow should decide (and name what is wrong)."""
    if data.startswith(b"\x89PNG") and not _png_chunks_fit(data):
        return None
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
        return np.asarray(im, dtype=np.float32)  # its range is read by to_uint16
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "PA":
        im = im.convert("RGBA")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        im = im.convert("RGB")  # CMYK, YCbCr, 1-bit...
    return _pillow_pixels(im)


def _pillow_pixels(im: Image.Image, rows: int = 1024) -> np.ndarray:
    """An 8-bit Pillow image's pixels, copied out strip by strip: np.asarray of a whole
    150 MP image goes through two full copies of its bytes (860 MB on top of Pillow's own)."""
    w, h = im.size
    bands = len(im.getbands())
    out = np.empty((h, w, bands) if bands > 1 else (h, w), np.uint8)
    for y in range(0, h, rows):
        out[y : y + rows] = np.asarray(im.crop((0, y, w, min(h, y + rows))))
    return out


def load_image(path: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read a photo; raise ImageLoadError naming the path and the reason if it can't be."""
    path = Path(path)
    try:
        # Only regular files: a FIFO or a device given by name would block or never end.
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ImageLoadError(
                path, "not a regular file (a pipe, socket or device); give the photo file itself"
            )
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
        with _c_stderr_captured() as c_lines, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            image = _decode(path, data, max_pixels)
        texts = [str(w.message).strip().splitlines()[0] for w in caught if str(w.message).strip()]
        for text in texts + c_lines:
            if text and f"decoder warning: {text}" not in image.notes:
                image.notes.append(f"decoder warning: {text}")
        return image
    except ImageLoadError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ImageLoadError(
            path,
            "too large or too deeply nested to decode "
            f"({type(exc).__name__}); scale it down or re-export it",
        ) from exc
    except Exception as exc:
        # Decoders raise ValueError, SyntaxError, struct.error, EOFError, ... on hostile input:
        # every one of them is this photo's problem, never the batch's.
        raise ImageLoadError(
            path,
            f"the file is corrupt or not a supported image "
            f"({type(exc).__name__}: {exc}); try the original file again",
        ) from exc


# fd 2 belongs to the whole process: one decode at a time captures it. A decode on another
# thread meanwhile (the Restore panel's beside the colorize worker) goes on uncaptured, its C
# messages reaching the terminal as they would without capture; two captures overlapping left
# fd 2 pointing at a deleted file for the rest of the run (a review).
_capturing = threading.Lock()


@contextlib.contextmanager
def _c_stderr_captured():
    """What C decoders (libtiff, libjpeg, libpng) print straight to the process's stderr while a
    photo is decoded, as lines for that photo's message instead of raw text in the terminal."""
    lines: list[str] = []
    capture = _start_capture() if _capturing.acquire(blocking=False) else None
    try:
        yield lines
    finally:
        if capture is not None:
            saved, sink = capture
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read(4096).decode("utf-8", "replace")
            sink.close()
            lines += [t.strip() for t in text.splitlines() if t.strip()][:3]
            _capturing.release()


def _start_capture() -> tuple[int, IO[bytes]] | None:
    """fd 2 sent to a temporary file: (the real fd 2 kept, the file), taking `_capturing` with
    it; None, the lock given back, where it cannot be (no stderr at all: a windowed app on
    Windows, where sys.stderr is None; no temporary folder; no file descriptor left)."""
    saved: int | None = None
    sink: IO[bytes] | None = None
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
        saved = os.dup(2)
        sink = tempfile.TemporaryFile()
        os.dup2(sink.fileno(), 2)
    except (OSError, ValueError):
        if saved is not None:
            os.close(saved)
        if sink is not None:
            sink.close()
        _capturing.release()
        return None
    return saved, sink


def _decode(path: Path, data: bytes, max_pixels: int) -> LoadedImage:
    try:
        im = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError) as exc:
        if data[:4] in (b"II*\x00", b"MM\x00*"):  # a TIFF Pillow cannot open (float RGB, ...)
            pixels, bgr = _decode_with_opencv(data), True
            if pixels is None:  # 32-bit integers, float16...: tifffile reads every kind
                pixels, bgr = _tiff_samples_or_none(path, data, max_pixels), False
            if pixels is not None:
                if pixels.shape[0] * pixels.shape[1] > max_pixels:
                    raise ImageLoadError(path, "too large; scale it down") from exc
                rgb, alpha, was_gray = _split_channels(to_uint16(path, pixels), bgr=bgr)
                return LoadedImage(path, rgb, alpha, format="TIFF", was_grayscale=was_gray)
        raise ImageLoadError(path, why_unreadable(path, data, HEIF_READABLE)) from exc
    notes: list[str] = []
    with im:
        width, height = im.size
        if width * height > max_pixels:
            raise ImageLoadError(
                path,
                f"too large: {width}x{height} = {_megapixels(width * height, max_pixels)}, over "
                f"the limit of {max_pixels / 1e6:g} MP; scale it down",
            )
        if width < 1 or height < 1:
            raise ImageLoadError(path, f"has no pixels ({width}x{height}); re-export it")
        fmt = (im.format or "PNG").upper()
        if fmt == "JPEG" and width * height > 4096 + _JPEG_MAX_PIXELS_PER_BYTE * len(data):
            raise ImageLoadError(
                path,
                f"claims {width}x{height} pixels in only {len(data)} bytes: "
                "the file is damaged or not a real photo; try the original",
            )
        frames = getattr(im, "n_frames", 1) or 1
        if frames > 1:
            notes.append(
                f"first {'frame' if fmt in ('GIF', 'WEBP', 'PNG') else 'page'} of {frames} only"
            )
        dpi = resolution(im.info.get("dpi"))
        xmp, texts = xmp_of(im.info), png_texts(im.info) if fmt == "PNG" else {}
        profile = im.info.get("icc_profile") or None
        icc, icc_note = copyable_icc(profile)
        gray_profile = gray_icc(profile)
        if icc_note:
            notes.append(icc_note)
        try:
            exif = im.getexif()
        except Exception:  # malformed EXIF must not cost the photo
            exif = Image.Exif()
        try:
            orientation = int(exif.get(ORIENTATION_TAG, 1) or 1)
        except (TypeError, ValueError):
            orientation = 1
        # OpenCV for what may hold 16 bits; Pillow for CMYK/Lab TIFFs, whose four channels
        # OpenCV would hand back as if the fourth were transparency.
        deep = fmt in SIXTEEN_BIT_FORMATS and im.mode not in ("CMYK", "LAB", "YCbCr", "1", "P")
        # JPEG too (gray and RGB; Pillow keeps CMYK): libjpeg's "Corrupt JPEG data" warnings,
        # which Pillow swallows, reach the photo's notes through OpenCV, and the decoded photo
        # is the only copy of its pixels.
        plain_jpeg = fmt == "JPEG" and im.mode in ("L", "RGB")
        pixels = _decode_with_opencv(data) if deep or plain_jpeg else None
        bgr = pixels is not None
        tags = dict(getattr(im, "tag_v2", {})) if fmt == "TIFF" else {}
        if fmt == "TIFF" and not (X_RESOLUTION in tags and Y_RESOLUTION in tags):
            dpi = None  # Pillow says (1, 1) for a TIFF that gives none: copies printed 1 dpi
        # OpenCV and Pillow both stand a TIFF upright as they read it; tifffile does not.
        turned_by_reader = fmt == "TIFF"
        if fmt == "TIFF" and not is_plain_tiff(tags):
            # Samples Pillow and OpenCV would cut (32-bit, signed, normalised to [-1, 1]).
            pixels, bgr = read_tiff_samples(path, data, max_pixels), False
            turned_by_reader = False
        elif pixels is not None and tags:
            pixels = black_where_white_is_zero(pixels, tags)
        if pixels is None:
            try:
                pixels = _decode_with_pillow(im)
            except (OSError, ValueError, SyntaxError) as exc:
                raise ImageLoadError(
                    path,
                    incomplete(str(fmt), data)
                    or f"the file is truncated or corrupt ({exc}); try the original file again",
                ) from exc
            if turned_by_reader:  # Pillow 13 turns a TIFF as it loads it and drops the tag
                turned_by_reader = im.getexif().get(ORIENTATION_TAG, 1) in (1, None)
        pixels = to_uint16(path, pixels)

    rgb, alpha, was_gray = _split_channels(pixels, bgr=bgr)
    if dpi is not None and orientation in (5, 6, 7, 8):  # a quarter turn: across was down
        dpi = (dpi[1], dpi[0])
    if turned_by_reader:
        orientation = 1  # turned twice, a palette or CMYK TIFF came out upside down
    if orientation != 1:
        rgb = apply_orientation(rgb, orientation)
        alpha = apply_orientation(alpha, orientation) if alpha is not None else None
    if not was_gray and _is_colour(rgb):
        notes.append(ALREADY_IN_COLOUR)
    return LoadedImage(
        path=path,
        rgb=rgb,
        alpha=alpha,
        exif=exif_for_copy(exif),
        icc=icc,
        gray_icc=gray_profile,
        format=fmt if fmt in SUFFIX_BY_FORMAT else "PNG",
        was_grayscale=was_gray,
        dpi=dpi,
        xmp=xmp,
        texts=texts,
        notes=notes,
    )


def _megapixels(pixels: int, limit: int) -> str:
    """`pixels` in MP with as many decimals as it takes to differ from `limit` (200,010,306
    pixels is "200.01 MP", never "200 MP, over the limit of 200 MP")."""
    for decimals in range(7):
        shown = f"{pixels / 1e6:.{decimals}f}"
        if float(shown) * 1e6 > limit or pixels <= limit:
            return f"{shown} MP"
    return f"{pixels:,} pixels"


def _tiff_samples_or_none(path: Path, data: bytes, max_pixels: int) -> np.ndarray | None:
    """tifffile's reading of a TIFF, or None where it cannot (a damaged file: said as such)."""
    try:
        return read_tiff_samples(path, data, max_pixels)
    except ImageLoadError:
        raise
    except Exception:  # tifffile's many errors on a damaged file: the caller names it
        return None


def _is_colour(rgb: np.ndarray) -> bool:
    """A colour photo, not a gray or toned (sepia, cyanotype) print: its ab vary."""
    h, w = rgb.shape[:2]
    step = max(1, max(h, w) // 96)
    small = np.ascontiguousarray(rgb[::step, ::step])
    f = small.astype(np.float32) * (1.0 / (65535.0 if small.dtype == np.uint16 else 255.0))
    ab = cv2.cvtColor(f, cv2.COLOR_RGB2Lab)[:, :, 1:].reshape(-1, 2)
    return float(np.sqrt(ab.var(0).sum())) > _COLOUR_AB_STD
