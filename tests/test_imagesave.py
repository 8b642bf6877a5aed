"""Saving from the photo's own buffer (issue 29): every format keeps the metadata a camera
photo brings, and the colorized pixels the caller holds are the same after the save."""

import io
import re

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


@pytest.mark.parametrize("given", [".png", ".jpg"])
@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tif", ".bmp"])
def test_a_scans_resolution_is_kept_so_the_copy_prints_at_its_size(tmp_path, given, suffix):
    """A trial's 600 dpi scans came back from PNG and JPEG with no resolution (TIFF kept it):
    printed, a copy came out at another size. Said without EXIF, as scanners write it: a PNG's
    pHYs chunk, a JPEG's JFIF header."""
    scan = tmp_path / f"scan{given}"
    Image.fromarray(real_rgb()[:64, :96]).save(scan, dpi=(600, 300))
    photo = load_image(scan)
    assert photo.exif is None and photo.dpi is not None
    out = save_image(tmp_path / f"copy{suffix}", photo.rgb, like=photo)
    with Image.open(out) as im:
        assert tuple(round(d) for d in im.info["dpi"]) == (600, 300)


@pytest.mark.parametrize("given", [".jpg", ".tif"])
def test_a_photo_turned_by_its_orientation_keeps_its_resolution_turned(tmp_path, given):
    """A TIFF is turned by OpenCV as it is read, and kept its resolution unturned (a review)."""
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter: stored lying on its side
    scan = tmp_path / f"scan{given}"
    Image.fromarray(real_rgb()[:64, :96]).save(scan, dpi=(600, 300), exif=exif.tobytes())
    photo = load_image(scan)
    assert photo.size == (64, 96) and photo.dpi == (300, 600)
    for suffix in (".png", ".tif"):
        with Image.open(save_image(tmp_path / f"copy{suffix}", photo.rgb, like=photo)) as im:
            assert tuple(round(d) for d in im.info["dpi"]) == (300, 600), suffix


def test_a_tiff_copy_says_the_resolution_the_other_copies_say(tmp_path):
    """A JPEG whose JFIF header says 600 dpi and its EXIF 72 (a camera's default): the PNG and
    JPEG copies said 600, the TIFF copy 72 (a review)."""
    exif = Image.Exif()
    exif[0x011A] = exif[0x011B] = TiffImagePlugin.IFDRational(72)
    exif[0x0128] = 2
    scan = tmp_path / "scan.jpg"
    Image.fromarray(real_rgb()[:64, :96]).save(scan, dpi=(600, 600), exif=exif.tobytes())
    photo = load_image(scan)
    with Image.open(save_image(tmp_path / "copy.tif", photo.rgb, like=photo)) as im:
        assert tuple(round(d) for d in im.info["dpi"]) == (600, 600)


XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Acc. 1987.12.3 — Großmutter'
    '</dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
).encode()


@pytest.mark.parametrize("given", [".jpg", ".tif"])
@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tif", ".webp"])
def test_a_scans_xmp_goes_with_every_copy(tmp_path, given, suffix):
    """An archivist's scans carry their accession number and rights in XMP: every copy, JPEG
    and TIFF, colorized and restored, came without it."""
    scan = tmp_path / f"scan{given}"
    keep = {"xmp": XMP} if given == ".jpg" else {"tiffinfo": {700: XMP}}
    Image.fromarray(real_rgb()[:64, :96]).save(scan, **keep)
    photo = load_image(scan)
    with Image.open(save_image(tmp_path / f"copy{suffix}", photo.rgb, like=photo)) as im:
        assert im.info.get("xmp") == XMP


@pytest.mark.parametrize(
    "said",
    [
        '<rdf:Description tiff:Orientation="6">',
        "<rdf:Description><tiff:Orientation>6</tiff:Orientation>",
    ],
)
@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tif", ".webp"])
def test_a_copy_turned_upright_says_so_in_its_xmp_too(tmp_path, said, suffix):
    """A phone scan stood upright by its orientation 6 (EXIF, and XMP's copy of it): the copy's
    EXIF said 1 but its XMP still said 6, and a program that reads XMP's orientation turns
    the upright copy a quarter more."""
    from PIL import ImageOps

    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        '22-rdf-syntax-ns#" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:dc="http://purl.'
        f'org/dc/elements/1.1/">{said}<dc:title>Acc. 1987.12.4</dc:title></rdf:Description>'
        "</rdf:RDF></x:xmpmeta>"
    )
    exif = Image.Exif()
    exif[0x0112] = 6
    scan = tmp_path / "scan.jpg"
    Image.fromarray(real_rgb()[:64, :96]).save(scan, exif=exif, xmp=xmp.encode())
    photo = load_image(scan)
    assert photo.rgb.shape[:2] == (96, 64)  # stood upright
    with Image.open(save_image(tmp_path / f"copy{suffix}", photo.rgb, like=photo)) as im:
        kept = im.info["xmp"]
        assert b"Acc. 1987.12.4" in kept
        assert re.findall(rb"tiff:Orientation(?:=\"|>)(\d)", kept) == [b"1"]
        assert ImageOps.exif_transpose(im).size == (64, 96)  # upright, as saved


def test_a_pngs_text_goes_with_its_png_copy(tmp_path):
    """A PNG's title and author (tEXt) were dropped from its copies; one not in Latin-1 is
    written as iTXt."""
    from PIL import PngImagePlugin

    said = PngImagePlugin.PngInfo()
    said.add_text("Title", "Buffalo bank 1908")
    said.add_text("Author", "Hist. Soc. of Łódź")
    scan = tmp_path / "scan.png"
    Image.fromarray(real_rgb()[:64, :96]).save(scan, pnginfo=said)
    photo = load_image(scan)
    with Image.open(save_image(tmp_path / "copy.png", photo.rgb, like=photo)) as im:
        assert im.text == {"Title": "Buffalo bank 1908", "Author": "Hist. Soc. of Łódź"}
