"""Bad and awkward inputs, made on the fly (no binary blobs in git).

`make_photos(folder)` writes more than 50 kinds of photo files a person might drop in (every bit
depth and channel layout, EXIF orientations, ICC profiles, odd names, lying and broken files,
bombs) and returns what each should give; `make_model_files(folder, good)` writes broken or
malicious model files made from a good one.

  .venv/bin/python -m tests.badfiles.generate OUT   # write them all to OUT, to try by hand
"""

from __future__ import annotations

import copy
import io
import pickle
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageCms

ORIENTATION = 0x0112


@dataclass
class Expect:
    ok: bool  # colorized, or named on one failure line
    size: tuple[int, int] | None = None  # (width, height) of the output, after orientation
    bit_depth: int = 8
    alpha: bool = False
    icc: bool = False
    exif_tag: tuple[int, str] | None = None  # an EXIF tag the output must still carry
    note: str | None = None  # words the photo's line must hold


def _photo(w: int = 96, h: int = 64) -> np.ndarray:
    """A real-looking colour photo (scikit-image's astronaut), at w x h."""
    from skimage import data

    return cv2.resize(data.astronaut(), (w, h), interpolation=cv2.INTER_AREA)


def _gray(w: int = 96, h: int = 64) -> np.ndarray:
    return cv2.cvtColor(_photo(w, h), cv2.COLOR_RGB2GRAY)


def _save(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _exif(orientation: int | None = None, **tags) -> bytes:
    e = Image.Exif()
    if orientation is not None:
        e[ORIENTATION] = orientation
    for code, value in tags.items():
        e[int(code.lstrip("t"))] = value
    return e.tobytes()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _png_with_chunk(chunk: bytes) -> bytes:
    ok, buf = cv2.imencode(".png", _photo()[:, :, ::-1])
    png = buf.tobytes()
    end = 8 + 4 + 4 + 13 + 4
    return png[:end] + chunk + png[end:]


def _tiff(pixels: np.ndarray, **kw) -> bytes:
    import tifffile

    buf = io.BytesIO()
    tifffile.imwrite(buf, pixels, **kw)
    return buf.getvalue()


def ztxt_bomb_png() -> bytes:
    """A valid photo whose zTXt chunk inflates past Pillow's text limit (ValueError in Pillow)."""
    return _png_with_chunk(
        _chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * (80 << 20), 9))
    )


def iccp_bomb_png() -> bytes:
    """A valid photo whose ICC profile chunk inflates to 80 MB."""
    return _png_with_chunk(_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(b"\0" * (80 << 20), 9)))


def corrupt_middle_jpeg(good: bytes) -> bytes:
    """A JPEG with 40 bytes of its entropy-coded middle overwritten: libjpeg decodes it with a
    "Corrupt JPEG data" warning that must reach the photo's line."""
    rng = np.random.default_rng(1)
    data = bytearray(good)
    mid = len(data) // 2
    for i in rng.integers(mid - 200, mid + 200, 40):
        data[i] = int(rng.integers(0, 256))
    return bytes(data)


def truncated_ihdr_png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR\x00\x00"


def _lying_jpeg() -> bytes:
    """A tiny JPEG whose header claims 12000 x 12000 pixels."""
    jpg = bytearray(_save(Image.fromarray(_gray(16, 16)), "JPEG", quality=30))
    i = jpg.index(b"\xff\xc0")
    jpg[i + 5 : i + 9] = struct.pack(">HH", 12000, 12000)
    return bytes(jpg)


def photo_kinds() -> dict[str, tuple[bytes, Expect]]:
    """file name -> (its bytes, what it should give). Sizes are (width, height) shown."""
    rgb, gray = _photo(), _gray()
    w, h = 96, 64
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    k: dict[str, tuple[bytes, Expect]] = {}

    def ok(**kw) -> Expect:
        return Expect(True, kw.pop("size", (w, h)), **kw)

    # ---- JPEG -------------------------------------------------------------------------------
    k["gray.jpg"] = (_save(Image.fromarray(gray), "JPEG"), ok())
    k["colour.jpg"] = (_save(Image.fromarray(rgb), "JPEG"), ok(note="already in colour"))
    k["cmyk.jpg"] = (_save(Image.fromarray(gray).convert("CMYK"), "JPEG"), ok())
    k["progressive.jpg"] = (_save(Image.fromarray(gray), "JPEG", progressive=True), ok())
    for o in range(1, 9):
        size = (h, w) if o >= 5 else (w, h)
        k[f"orient{o}.jpg"] = (
            _save(Image.fromarray(gray), "JPEG", exif=_exif(o, t271="Leica")),
            ok(size=size, exif_tag=(271, "Leica")),
        )
    k["icc.jpg"] = (
        _save(Image.fromarray(gray).convert("RGB"), "JPEG", icc_profile=srgb),
        ok(icc=True),
    )
    k["UPPER CASE.JPG"] = (_save(Image.fromarray(gray), "JPEG"), ok())
    k["ünïcödé name.jpeg"] = (_save(Image.fromarray(gray), "JPEG"), ok())
    k["new\nline.jpg"] = (_save(Image.fromarray(gray), "JPEG"), ok())
    k["png inside.jpg"] = (_save(Image.fromarray(gray), "PNG"), ok())
    # ---- PNG --------------------------------------------------------------------------------
    k["rgb8.png"] = (_save(Image.fromarray(np.dstack([gray] * 3)), "PNG"), ok())
    ok16, buf = cv2.imencode(".png", np.dstack([gray] * 3).astype(np.uint16) * 257)
    k["rgb16.png"] = (buf.tobytes(), ok(bit_depth=16))
    k["gray8.png"] = (_save(Image.fromarray(gray), "PNG"), ok())
    _, buf = cv2.imencode(".png", gray.astype(np.uint16) * 257)
    k["gray16.png"] = (buf.tobytes(), ok(bit_depth=16))
    la = Image.fromarray(np.dstack([gray, np.full_like(gray, 128)]), "LA")
    k["gray_alpha.png"] = (_save(la, "PNG"), ok(alpha=True))
    rgba = np.dstack(
        [np.dstack([gray] * 3), np.linspace(0, 255, w, dtype=np.uint8)[None].repeat(h, 0)]
    )
    k["rgba8.png"] = (_save(Image.fromarray(rgba, "RGBA"), "PNG"), ok(alpha=True))
    _, buf = cv2.imencode(".png", rgba.astype(np.uint16) * 257)
    k["rgba16.png"] = (buf.tobytes(), ok(alpha=True, bit_depth=16))
    k["palette.png"] = (_save(Image.fromarray(gray).convert("P"), "PNG"), ok())
    pal = Image.fromarray(gray).convert("P")
    k["palette_transparent.png"] = (_save(pal, "PNG", transparency=0), ok(alpha=True))
    k["onebit.png"] = (_save(Image.fromarray(gray).convert("1"), "PNG"), ok())
    k["iccp.png"] = (
        _save(Image.fromarray(gray).convert("RGB"), "PNG", icc_profile=srgb),
        ok(icc=True),
    )
    k["exif.png"] = (
        _save(Image.fromarray(gray), "PNG", exif=_exif(1, t315="Ann")),
        ok(exif_tag=(315, "Ann")),
    )
    k["one_pixel.png"] = (_save(Image.fromarray(gray[:1, :1]), "PNG"), ok(size=(1, 1)))
    k["thin_strip.png"] = (
        _save(Image.fromarray(cv2.resize(gray, (4000, 3))), "PNG"),
        ok(size=(4000, 3)),
    )
    # ---- TIFF -------------------------------------------------------------------------------
    k["gray8.tif"] = (_save(Image.fromarray(gray), "TIFF"), ok())
    k["onebit.tif"] = (_save(Image.fromarray(gray).convert("1"), "TIFF"), ok())
    k["gray8_deflate.tif"] = (
        _save(Image.fromarray(gray), "TIFF", compression="tiff_deflate"),
        ok(),
    )
    k["rgb8.tif"] = (_save(Image.fromarray(np.dstack([gray] * 3)), "TIFF"), ok())
    k["rgb16.tif"] = (
        _tiff(np.dstack([gray] * 3).astype(np.uint16) * 257, photometric="rgb", iccprofile=srgb),
        ok(bit_depth=16, icc=True),
    )
    k["gray16.tif"] = (
        _tiff(gray.astype(np.uint16) * 257, photometric="minisblack"),
        ok(bit_depth=16),
    )
    k["float01.tif"] = (
        _tiff(gray.astype(np.float32) / 255, photometric="minisblack"),
        ok(bit_depth=16),
    )
    k["float255.tif"] = (_tiff(gray.astype(np.float32), photometric="minisblack"), ok(bit_depth=16))
    k["float_rgb.tif"] = (
        _tiff(np.dstack([gray] * 3).astype(np.float32) / 255, photometric="rgb"),
        ok(bit_depth=16),
    )
    pages = [Image.fromarray(gray), Image.fromarray(255 - gray)]
    k["multipage.tif"] = (
        _save(pages[0], "TIFF", save_all=True, append_images=pages[1:]),
        ok(note="first page of 2"),
    )
    k["orient6.tif"] = (_save(Image.fromarray(gray), "TIFF", exif=_exif(6)), ok(size=(h, w)))
    k["gray_orient8.tif"] = (
        _save(Image.fromarray(gray), "TIFF", exif=_exif(8, t271="Epson")),
        ok(size=(h, w), exif_tag=(271, "Epson")),
    )
    k["cmyk.tif"] = (_save(Image.fromarray(gray).convert("CMYK"), "TIFF"), ok())
    # ---- other formats -----------------------------------------------------------------------
    k["scan.bmp"] = (_save(Image.fromarray(gray), "BMP"), ok())
    k["scan.webp"] = (_save(Image.fromarray(gray), "WEBP", quality=90), ok())
    k["alpha.webp"] = (_save(Image.fromarray(rgba, "RGBA"), "WEBP", lossless=True), ok(alpha=True))
    k["still.gif"] = (_save(Image.fromarray(gray), "GIF"), ok())
    frames = [Image.fromarray(gray), Image.fromarray(255 - gray), Image.fromarray(gray // 2)]
    k["animated.gif"] = (
        _save(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        ok(note="first frame of 3"),
    )
    k["scan.avif"] = (_save(Image.fromarray(np.dstack([gray] * 3)), "AVIF", quality=90), ok())
    import pillow_heif

    pillow_heif.register_heif_opener()
    k["phone.heic"] = (
        _save(Image.fromarray(rgb), "HEIF", quality=90),
        ok(note="already in colour"),
    )
    # ---- broken, lying, hostile -------------------------------------------------------------
    bad = Expect(False)
    good_jpg = _save(Image.fromarray(gray), "JPEG")
    good_png = _save(Image.fromarray(gray), "PNG")
    k["empty.jpg"] = (b"", bad)
    k["empty.tif"] = (b"", bad)
    k["truncated.jpg"] = (good_jpg[: len(good_jpg) // 2], bad)
    k["truncated.png"] = (good_png[: len(good_png) // 2], bad)
    k["corrupt_middle.jpg"] = (
        corrupt_middle_jpeg(_save(Image.fromarray(rgb), "JPEG", quality=90)),
        ok(note="Corrupt JPEG data"),
    )
    k["header_only.png"] = (good_png[:33], bad)
    k["noise.jpg"] = (np.random.default_rng(0).bytes(5000), bad)
    k["text.png"] = (b"this is a shopping list, not a photo\n" * 20, bad)
    k["ztxt_bomb.png"] = (ztxt_bomb_png(), bad)
    k["iccp_bomb.png"] = (iccp_bomb_png(), bad)
    k["truncated_ihdr.png"] = (truncated_ihdr_png(), bad)
    k["bad_crc.png"] = (good_png[:29] + b"\x00\x00\x00\x00" + good_png[33:], bad)
    k["lying_size.jpg"] = (_lying_jpeg(), bad)
    nan = gray.astype(np.float32)
    nan[3, 3] = np.nan
    k["nan.tif"] = (_tiff(nan, photometric="minisblack"), bad)
    k["not_really.heic"] = (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200, bad)
    k["zero_size.bmp"] = (b"BM" + b"\x00" * 60, bad)
    return k


def make_photos(folder: Path) -> dict[str, Expect]:
    folder.mkdir(parents=True, exist_ok=True)
    expectations = {}
    for name, (data, expect) in photo_kinds().items():
        (folder / name).write_bytes(data)
        expectations[name] = expect
    return expectations


class _Boom:
    """Pickled code: a model file must never run it."""

    def __reduce__(self):
        import os

        return (os.system, ("touch /tmp/colorizer-pwned",))


def model_kinds(good_payload: dict) -> dict[str, bytes]:
    """file name -> bytes of a broken or malicious model file."""
    import torch

    def saved(obj) -> bytes:
        buf = io.BytesIO()
        torch.save(obj, buf)
        return buf.getvalue()

    def edit(fn) -> bytes:
        p = copy.deepcopy(good_payload)
        fn(p)
        return saved(p)

    def resealed(fn) -> bytes:
        """An edit with its weights' checksum recomputed, as a careful attacker would."""
        from colorizer_app.model.file_checks import weights_digest

        def sealed(p: dict) -> None:
            fn(p)
            p["metadata"]["weights_sha256"] = weights_digest(p["state_dict"])

        return edit(sealed)

    good = saved(good_payload)
    first = next(iter(good_payload["state_dict"]))
    weights = good_payload["state_dict"]
    first_float = next(k for k, v in weights.items() if v.is_floating_point())
    return {
        "empty.pt": b"",
        "truncated.pt": good[: len(good) // 2],
        "noise.pt": np.random.default_rng(1).bytes(4096),
        "pickled_code.pt": pickle.dumps({"format": "colorizer-model", "x": _Boom()}),
        "torch_pickled_code.pt": saved({"format": "colorizer-model", "x": _Boom()}),
        "no_tag.pt": edit(lambda p: p.pop("format")),
        "future_version.pt": edit(lambda p: p.update(version=99)),
        "config_string.pt": edit(lambda p: p.update(config="big")),
        "state_list.pt": edit(lambda p: p.update(state_dict=[1, 2, 3])),
        "state_non_tensor.pt": edit(lambda p: p["state_dict"].update({first: "weights"})),
        "metadata_string.pt": edit(lambda p: p.update(metadata="hello")),
        "negative_channels.pt": edit(
            lambda p: p["config"].update(encoder_channels=[-8, 16, 16, 16])
        ),
        "wrong_shapes.pt": edit(lambda p: p["state_dict"].update({first: torch.zeros(3, 3)})),
        "nan_weights.pt": edit(lambda p: p["state_dict"][first].fill_(float("nan"))),
        "inf_weights.pt": edit(lambda p: p["state_dict"][first].fill_(float("inf"))),
        "edited_weights.pt": edit(lambda p: p["state_dict"][first].mul_(1.5)),
        "unknown_backbone.pt": edit(lambda p: p["config"].update(backbones=["alexnet"])),
        "unknown_encoder.pt": edit(lambda p: p["config"].update(encoder="resnet9000")),
        "no_preset.pt": edit(lambda p: p.pop("preset")),
        "no_version.pt": edit(lambda p: p.pop("version")),
        "edited_no_checksum.pt": edit(
            lambda p: (p["state_dict"][first].mul_(1.5), p["metadata"].pop("weights_sha256"))
        ),
        "edited_no_metadata.pt": edit(
            lambda p: (p["state_dict"][first].mul_(1.5), p.pop("metadata"))
        ),
        "complex_weights.pt": resealed(
            lambda p: p["state_dict"].update({first_float: weights[first_float].to(torch.cfloat)})
        ),
        "integer_weights.pt": resealed(
            lambda p: p["state_dict"].update({first_float: weights[first_float].to(torch.int32)})
        ),
        # 4096-wide layers claimed by a file of a few hundred kB: 7 GB if it were built.
        "huge_config.pt": edit(
            lambda p: p["config"].update(
                encoder_channels=[4096] * 4, fusion_channels=4096, decoder_channels=[4096] * 3
            )
        ),
    }


def make_model_files(folder: Path, good_model: Path) -> list[Path]:
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    payload = torch.load(good_model, map_location="cpu", weights_only=True)
    paths = []
    for name, data in model_kinds(payload).items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


if __name__ == "__main__":
    out = Path(sys.argv[1])
    print(f"{len(make_photos(out / 'photos'))} photo files in {out / 'photos'}")
