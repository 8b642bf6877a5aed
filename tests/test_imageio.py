import errno
import io
import os

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms, ImageOps

from colorizer_app.core.errors import ImageLoadError, ImageSaveError
from colorizer_app.core.imageio import load_image, save_image

from .conftest import real_rgb


@pytest.fixture
def photo():
    return real_rgb("coffee")  # 400x600 RGB, a real photograph


def _exif_with_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    exif[0x010F] = "TestCam"  # Make
    return exif.tobytes()


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tif", ".bmp", ".webp"])
def test_loads_common_formats(tmp_path, photo, suffix):
    path = tmp_path / f"photo{suffix}"
    Image.fromarray(photo).save(path, quality=95) if suffix != ".webp" else Image.fromarray(
        photo
    ).save(path, lossless=True)
    image = load_image(path)
    assert image.rgb.shape == photo.shape and image.rgb.dtype == np.uint8
    assert np.abs(image.rgb.astype(int) - photo).mean() < 3


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_applied_like_pillow(tmp_path, photo, orientation):
    path = tmp_path / "rotated.jpg"
    Image.fromarray(photo).save(path, quality=95, exif=_exif_with_orientation(orientation))
    expected = np.asarray(ImageOps.exif_transpose(Image.open(path)))
    image = load_image(path)
    assert image.rgb.shape == expected.shape
    assert np.abs(image.rgb.astype(int) - expected).mean() < 1
    # saved EXIF is upright now: orientation reset, other tags kept
    saved = Image.Exif()
    saved.load(image.exif)
    assert saved[0x0112] == 1 and saved[0x010F] == "TestCam"


def test_sixteen_bit_png_with_alpha_round_trips(tmp_path, photo):
    rgb16 = photo.astype(np.uint16) * 257 + 3
    alpha = np.linspace(0, 65535, photo.shape[1]).astype(np.uint16)[None].repeat(photo.shape[0], 0)
    src = tmp_path / "deep.png"
    cv2.imwrite(str(src), np.dstack([rgb16[:, :, ::-1], alpha]))
    image = load_image(src)
    assert image.rgb.dtype == np.uint16 and image.bit_depth == 16
    assert np.array_equal(image.rgb, rgb16) and np.array_equal(image.alpha, alpha)
    for suffix in (".png", ".tif"):
        out = save_image(tmp_path / f"out{suffix}", image.rgb, like=image)
        back = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
        assert back.dtype == np.uint16 and back.shape[2] == 4
        assert np.array_equal(back[:, :, 3], alpha)
        assert np.array_equal(back[:, :, 2::-1], rgb16)


def test_gray_palette_and_alpha_pngs(tmp_path, photo):
    gray = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    Image.fromarray(gray).save(tmp_path / "gray.png")
    image = load_image(tmp_path / "gray.png")
    assert image.was_grayscale and image.rgb.shape == photo.shape
    assert np.array_equal(image.rgb[:, :, 0], gray) and np.array_equal(image.rgb[:, :, 2], gray)

    Image.fromarray(photo).convert("P", palette=Image.Palette.ADAPTIVE).save(tmp_path / "pal.png")
    assert load_image(tmp_path / "pal.png").rgb.shape == photo.shape

    rgba = Image.fromarray(photo).convert("RGBA")
    rgba.putalpha(128)
    rgba.save(tmp_path / "alpha.png")
    image = load_image(tmp_path / "alpha.png")
    assert image.alpha is not None and (image.alpha == 128).all()
    out = save_image(tmp_path / "alpha_out.png", image.rgb, like=image)
    assert Image.open(out).mode == "RGBA"
    jpg = save_image(tmp_path / "alpha_out.jpg", image.rgb, like=image)  # JPEG has no alpha
    assert Image.open(jpg).mode == "RGB"


def test_icc_profile_and_exif_kept_on_save(tmp_path, photo):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    src = tmp_path / "tagged.jpg"
    Image.fromarray(photo).save(src, icc_profile=icc, exif=_exif_with_orientation(1))
    image = load_image(src)
    for suffix in (".jpg", ".png", ".tif", ".webp"):
        out = save_image(tmp_path / f"copy{suffix}", image.rgb, like=image)
        with Image.open(out) as im:
            assert im.info.get("icc_profile") == icc, suffix
            assert im.getexif().get(0x010F) == "TestCam", suffix
    out16 = save_image(tmp_path / "copy16.png", image.rgb.astype(np.uint16) * 257, like=image)
    with Image.open(out16) as im:
        assert im.info.get("icc_profile") == icc
        assert im.getexif().get(0x010F) == "TestCam"


def test_bad_files_raise_clear_errors(tmp_path, photo):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "notes.jpg"
    text.write_text("this is not a photo")
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="JPEG")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    # cut inside its header (a trial's, behind a 10 KB EXIF block, was said to have a header
    # that "cannot be read", not to be cut short)
    header_cut = tmp_path / "header_cut.jpg"
    header_cut.write_bytes(buf.getvalue()[:120])
    scrambled = tmp_path / "scrambled.jpg"  # whole, but its header is damaged
    scrambled.write_bytes(b"\xff\xd8" + bytes(200) + buf.getvalue()[-2:])
    # whole and damaged, padded to a card's block after its end (a review: called incomplete)
    padded = tmp_path / "padded.jpg"
    padded.write_bytes(b"\xff\xd8" + bytes(200) + buf.getvalue()[-2:] + bytes(4096))
    cases = {
        empty: "empty",
        text: "not an image",
        truncated: "an incomplete JPEG file (it stops after",
        header_cut: "an incomplete JPEG file (it stops after 1 KB",
        scrambled: "a damaged JPEG file",
        padded: "a damaged JPEG file",
        tmp_path / "missing.jpg": "not found",
    }
    for path, words in cases.items():
        with pytest.raises(ImageLoadError) as info:
            load_image(path)
        assert str(path) in str(info.value) and words in str(info.value)


def test_decompression_bomb_limit(tmp_path):
    path = tmp_path / "big.png"
    Image.new("L", (5000, 5000)).save(path)  # 25 MP, tiny on disk
    with pytest.raises(ImageLoadError, match="too large.*25 MP"):
        load_image(path, max_pixels=20_000_000)
    assert load_image(path, max_pixels=30_000_000).size == (5000, 5000)


def test_never_writes_over_the_original(tmp_path, photo):
    src = tmp_path / "original.png"
    Image.fromarray(photo).save(src)
    before = src.read_bytes()
    image = load_image(src)
    with pytest.raises(ImageSaveError, match="original"):
        save_image(src, image.rgb, like=image)
    with pytest.raises(ImageSaveError, match="original"):
        save_image(tmp_path / "." / "original.png", image.rgb, like=image)
    assert src.read_bytes() == before


def test_failed_write_leaves_no_half_file(tmp_path, photo, monkeypatch):
    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ImageSaveError, match="disk is full"):
        save_image(tmp_path / "out.jpg", photo)
    assert list(tmp_path.iterdir()) == []


def test_saved_files_get_ordinary_permissions(tmp_path, photo):
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"x")  # what a plain write gets under this process's umask
    out = save_image(tmp_path / "copy.png", photo)
    assert out.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    out.chmod(0o640)
    save_image(tmp_path / "copy.png", photo)  # replacing keeps the file's permissions
    assert out.stat().st_mode & 0o777 == 0o640
    assert not list(tmp_path.glob(".*.part"))


# ---- issue 26, item 8: every kind of TIFF sample, scaled from its own range -------------------


@pytest.mark.parametrize(
    "kind",
    ["uint32", "uint32 rgb", "int32", "int32 positive", "int16", "int8", "float -1..1",
     "float -1..1 rgb", "float16", "float 0..255"],
)  # fmt: skip
def test_tiff_samples_of_every_kind_read_right(tmp_path, kind):
    import tifffile

    gray = cv2.cvtColor(real_rgb("coffee"), cv2.COLOR_RGB2GRAY)[::2, ::2]
    g = gray.astype(np.float64) / 255.0
    samples = {
        "uint32": (g * 4294967295).round().astype(np.uint32),
        "uint32 rgb": np.dstack([(g * 4294967295).round().astype(np.uint32)] * 3),
        "int32": (g * 4294967295 - 2147483648).round().astype(np.int32),
        "int32 positive": (g * 2147483647).round().astype(np.int32),
        "int16": (g * 65535 - 32768).round().astype(np.int16),
        "int8": (g * 255 - 128).round().astype(np.int8),
        "float -1..1": (g * 2 - 1).astype(np.float32),
        "float -1..1 rgb": np.dstack([(g * 2 - 1).astype(np.float32)] * 3),
        "float16": g.astype(np.float16),
        "float 0..255": (g * 255).astype(np.float32),
    }[kind]
    path = tmp_path / "scan.tif"
    tifffile.imwrite(path, samples, photometric="rgb" if samples.ndim == 3 else "minisblack")
    image = load_image(path)
    top = 65535.0 if image.rgb.dtype == np.uint16 else 255.0
    got = image.rgb.astype(np.float64) / top
    assert (image.rgb == top).mean() < 0.02  # was 58-83% white
    assert np.abs(got - g[:, :, None]).max() < 2e-3, kind


def test_tiff_samples_in_no_photo_range_are_refused(tmp_path):
    import tifffile

    path = tmp_path / "odd.tif"
    tifffile.imwrite(path, np.linspace(-500, 9000, 64 * 48, dtype=np.float32).reshape(48, 64))
    with pytest.raises(ImageLoadError, match="from -500 to 9000"):
        load_image(path)


def test_over_the_pixel_limit_says_by_how_much(tmp_path):
    """14143 x 14142 is 200,010,306 pixels: not "200 MP, over the limit of 200 MP"."""
    import struct
    import zlib

    buf = io.BytesIO()
    Image.fromarray(np.zeros((1, 1), np.uint8)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[16:24] = struct.pack(">II", 14143, 14142)  # IHDR's width and height
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    path = tmp_path / "huge.png"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageLoadError) as err:
        load_image(path)
    assert "14143x14142 = 200.01 MP, over the limit of 200 MP" in str(err.value)


def test_a_folder_is_listed_as_a_file_manager_lists_it(tmp_path):
    """scan2 before scan10, and names with capitals among the others (a trial's list put
    Großmutter before broken); the same order every time."""
    from colorizer_app.core.photo_files import find_images

    names = ["scan10.png", "scan2.png", "Großmutter 1932.png", "broken.png", "scan1.png", "a²b.png"]
    for name in names:
        Image.new("L", (8, 8)).save(tmp_path / name)
    found = [p.name for p in find_images([tmp_path])]
    assert found == [
        "a²b.png", "broken.png", "Großmutter 1932.png", "scan1.png", "scan2.png", "scan10.png"
    ]  # fmt: skip


def test_an_empty_ending_among_the_outputs_leaves_out_nothing_but_the_outputs(tmp_path):
    """A review: an empty ending in the tuple matched every name and left every photo out."""
    from colorizer_app.core.photo_files import find_images

    for name in ("grandma.png", "grandma_restored.png"):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / name)
    left_out: list = []
    found = find_images([tmp_path], ("", "_restored"), left_out)
    assert [p.name for p in found] == ["grandma.png"]
    assert [p.name for p in left_out] == ["grandma_restored.png"]


def test_photos_load_in_a_windowed_app_with_no_stderr(tmp_path, photo, monkeypatch):
    """A review: under pythonw and the installer's windowed build sys.stderr is None, and every
    photo failed with "AttributeError: 'NoneType' object has no attribute 'flush'"."""
    path = tmp_path / "scan.png"
    Image.fromarray(photo).save(path)
    monkeypatch.setattr("sys.stderr", None)
    assert load_image(path).size == (photo.shape[1], photo.shape[0])


def test_decodes_on_two_threads_leave_stderr_where_it_was(tmp_path, photo, monkeypatch):
    """A review: two loads at once (the colorize worker and the Restore panel) left fd 2 on a
    deleted temporary file for the rest of the run; a failed temporary file leaked an fd."""
    import threading

    path = tmp_path / "scan.png"
    Image.fromarray(photo).save(path)
    before = os.readlink("/proc/self/fd/2")
    failures: list[BaseException] = []

    def load_many():
        try:
            for _ in range(40):
                load_image(path)
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            failures.append(exc)

    threads = [threading.Thread(target=load_many) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and os.readlink("/proc/self/fd/2") == before

    open_fds = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "no such folder"))
    for _ in range(3):
        assert load_image(path).size == (photo.shape[1], photo.shape[0])
    assert len(os.listdir("/proc/self/fd")) == open_fds


def _packed_gray_tiff(path, bits: int, values: list[int]) -> None:
    """A one-row gray TIFF of `bits`-bit samples, packed as a scanner writes them (Pillow and
    tifffile write no 2, 4 or 12-bit TIFFs)."""
    import struct

    packed, acc, held = bytearray(), 0, 0
    for v in values:
        acc, held = (acc << bits) | v, held + bits
        while held >= 8:
            held -= 8
            packed.append((acc >> held) & 0xFF)
    if held:
        packed.append((acc << (8 - held)) & 0xFF)
    tags = [(256, 3, len(values)), (257, 3, 1), (258, 3, bits), (259, 3, 1), (262, 3, 1),
            (273, 4, 0), (277, 3, 1), (278, 3, 1), (279, 4, len(packed))]  # fmt: skip
    start = 8 + 2 + 12 * len(tags) + 4
    out = bytearray(b"II*\x00" + struct.pack("<IH", 8, len(tags)))
    for tag, kind, value in tags:
        value = start if tag == 273 else value
        out += struct.pack(
            "<HHIHH" if kind == 3 else "<HHII", tag, kind, 1, value, *([0] * (kind == 3))
        )
    path.write_bytes(bytes(out + struct.pack("<I", 0) + packed))


def test_two_and_four_bit_tiffs_read_and_sixteen_bit_white_is_zero_is_no_negative(tmp_path):
    """A review: 2 and 4-bit scans were refused as corrupt; a 16-bit gray TIFF stored
    white-is-zero came out as its negative; a 12-bit one was called corrupt."""
    import tifffile

    _packed_gray_tiff(tmp_path / "g4.tif", 4, list(range(16)))
    assert load_image(tmp_path / "g4.tif").rgb[0, :, 0].tolist() == [17 * v for v in range(16)]
    _packed_gray_tiff(tmp_path / "g2.tif", 2, [0, 1, 2, 3])
    assert load_image(tmp_path / "g2.tif").rgb[0, :, 0].tolist() == [0, 85, 170, 255]

    stored = np.zeros((4, 6), np.uint16)
    stored[:, :3] = 65535  # white-is-zero: the left half is black
    tifffile.imwrite(tmp_path / "miw.tif", stored, photometric="miniswhite")
    rgb = load_image(tmp_path / "miw.tif").rgb
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[0, 5].tolist() == [65535] * 3

    _packed_gray_tiff(tmp_path / "g12.tif", 12, list(range(0, 4096, 256)))
    with pytest.raises(ImageLoadError, match="12-bit samples .* re-export it as 8 or 16 bit"):
        load_image(tmp_path / "g12.tif")


@pytest.mark.parametrize("mode", ["L", "RGB", "P", "CMYK", "I"])
def test_a_turned_tiff_of_any_kind_stands_upright_once(tmp_path, mode):
    """A scanner's TIFF stored on its side (orientation 6, 300 x 150 dpi): palette and CMYK
    ones came out upside down (Pillow turns a TIFF as it reads it, and it was turned again), and
    their dpi no longer matched their pixels."""
    import tifffile

    a = np.zeros((60, 100), np.uint8)
    a[:10, :10] = 255  # a white corner, top left as stored: top right when stood upright
    path = tmp_path / f"side_{mode}.tif"
    if mode == "I":  # 32-bit samples: read by tifffile, which turns nothing itself
        tifffile.imwrite(path, a.astype(np.int32) << 23, extratags=[(274, "H", 1, 6, True)],
                         resolution=(300, 150), resolutionunit=2)  # fmt: skip
    else:
        tags = {274: 6, 282: 300, 283: 150, 296: 2}
        Image.fromarray(a).convert(mode).save(path, tiffinfo=tags)
    photo = load_image(path)
    assert photo.rgb.shape[:2] == (100, 60)
    corner = photo.rgb[:10, -10:].mean() / photo.rgb.max()
    assert corner > 0.9 and photo.rgb[-10:, :10].max() == 0, mode
    assert photo.dpi == (150.0, 300.0)  # across the upright photo is what was down


def test_a_tiff_that_gives_no_resolution_gets_copies_that_give_none(tmp_path):
    """A TIFF without resolution tags (OpenCV writes none): Pillow says 1 dpi for it, and its
    copies said 1 dpi, a 300 px photo printed 300 inches wide."""
    cv2.imwrite(str(tmp_path / "scan.tif"), cv2.cvtColor(real_rgb(), cv2.COLOR_RGB2BGR))
    photo = load_image(tmp_path / "scan.tif")
    assert photo.dpi is None
    for suffix in (".png", ".jpg", ".tif", ".bmp"):
        with Image.open(save_image(tmp_path / f"copy{suffix}", photo.rgb, like=photo)) as im:
            assert "dpi" not in im.info, suffix  # (a TIFF's "resolution" 1 with no unit: none)
            assert im.info.get("jfif_unit", 0) == 0 and im.getexif().get(296, 1) == 1, suffix


def test_imagemagicks_raw_exif_in_a_png_goes_with_no_copy(tmp_path):
    """ImageMagick keeps a PNG's EXIF as a "Raw profile type exif" text chunk: its orientation
    6 stood the photo upright, and the chunk copied as it came had ImageMagick turn the upright
    copy again."""
    from PIL import PngImagePlugin

    exif = Image.Exif()
    exif[0x0112] = 6
    body = b"Exif\0\0" + exif.tobytes()
    said = PngImagePlugin.PngInfo()
    said.add_text("Raw profile type exif", f"\nexif\n{len(body):8d}\n{body.hex()}\n", zip=True)
    said.add_text("Title", "Buffalo bank 1908")
    scan = tmp_path / "scan.png"
    Image.fromarray(real_rgb()[:60, :100]).save(scan, pnginfo=said)
    photo = load_image(scan)
    assert photo.rgb.shape[:2] == (100, 60)  # stood upright by it
    with Image.open(save_image(tmp_path / "copy.png", photo.rgb, like=photo)) as im:
        assert (
            "Raw profile type exif" not in im.info and im.info.get("Title") == "Buffalo bank 1908"
        )
        assert ImageOps.exif_transpose(im).size == (60, 100)
