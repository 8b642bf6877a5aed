"""Saving from the photo's own buffer (issue 29): every format keeps the metadata a camera
photo brings, and the colorized pixels the caller holds are the same after the save."""

import io

import numpy as np
import pytest
import tifffile
from PIL import Image, ImageCms, TiffImagePlugin

from colorizer_app.core.imageio import load_image, save_image
from colorizer_app.core.imagesave import encode_image

from .conftest import real_rgb

FORMATS = [".jpg", ".png", ".tif", ".webp", ".bmp"]
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _camera_exif() -> bytes:
    """What a camera writes: the main directory, an EXIF directory and a GPS directory."""
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # make
    exif[0x0110] = "Model 7"
    exif[0x8298] = "(c) the family"
    exif[0x0112] = 1  # orientation
    exif[0x011A] = exif[0x011B] = TiffImagePlugin.IFDRational(300)  # 300 dpi
    exif[0x0128] = 2  # inches
    exif.get_ifd(0x8769)[0x9003] = "1962:07:14 15:30:00"  # date taken
    exif.get_ifd(0x8825)[0x0001] = "N"  # GPS latitude's side
    return exif.tobytes()


def _assert_shows(im: Image.Image, rgb: np.ndarray, lossless: bool) -> None:
    back = np.asarray(im.convert("RGB"), int)
    if lossless:
        assert np.array_equal(back, rgb)
    else:  # JPEG and WebP at quality 95; red and blue swapped would be tens of levels off
        assert np.abs(back - rgb).mean() < 3


@pytest.fixture
def camera_photo(tmp_path):
    src = tmp_path / "scan.jpg"
    Image.fromarray(real_rgb("coffee")).save(src, quality=95, exif=_camera_exif(), icc_profile=SRGB)
    return load_image(src)


@pytest.mark.parametrize("suffix", FORMATS)
def test_camera_metadata_kept_in_every_format(tmp_path, camera_photo, suffix):
    colour = camera_photo.rgb.copy()
    out = save_image(tmp_path / f"copy{suffix}", colour, like=camera_photo)
    assert np.array_equal(colour, camera_photo.rgb)  # the caller's pixels, as they were
    with Image.open(out) as im:
        _assert_shows(im, colour, lossless=suffix in (".png", ".tif", ".bmp"))
        if suffix == ".bmp":  # BMP carries no metadata
            return
        exif = im.getexif()
        assert im.info.get("icc_profile") == SRGB
        assert exif.get(0x010F) == "TestCam" and exif.get(0x8298) == "(c) the family"
        assert exif.get(0x011A) == exif.get(0x011B) == 300  # printed at 300 dpi
    if suffix == ".tif":  # a TIFF keeps the main directory's tags, not the EXIF or GPS ones
        with tifffile.TiffFile(out) as tif:
            assert tif.pages[0].tags["Model"].value == "Model 7"
    else:
        assert exif.get_ifd(0x8769).get(0x9003) == "1962:07:14 15:30:00"
        assert exif.get_ifd(0x8825).get(0x0001) == "N"


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_sixteen_bit_copies_keep_metadata(tmp_path, camera_photo, suffix):
    deep = camera_photo.rgb.astype(np.uint16) * 257
    out = save_image(tmp_path / f"deep{suffix}", deep, like=camera_photo)
    with Image.open(out) as im:
        assert im.info.get("icc_profile") == SRGB
        assert im.getexif().get(0x010F) == "TestCam"
        assert im.getexif().get(0x011A) == 300


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP"])
def test_profile_over_64_kb_kept_whole(fmt):
    # JPEG splits such a profile over several APP2 segments; it must come back whole.
    big = bytearray(SRGB + bytes(range(256)) * 400)
    big[:4] = len(big).to_bytes(4, "big")
    data = encode_image(real_rgb("coffee"), fmt, icc=bytes(big))
    with Image.open(io.BytesIO(data)) as im:
        assert im.info.get("icc_profile") == bytes(big)


def test_read_only_and_strided_photos_save_unchanged(tmp_path):
    photo = real_rgb("coffee")
    frozen = photo.copy()
    frozen.setflags(write=False)
    flipped = photo[:, ::-1]  # a view with a negative stride
    for name, rgb in (("frozen.jpg", frozen), ("flipped.png", flipped)):
        with Image.open(save_image(tmp_path / name, rgb)) as im:
            _assert_shows(im, rgb, lossless=name.endswith(".png"))
    assert np.array_equal(photo, frozen)
