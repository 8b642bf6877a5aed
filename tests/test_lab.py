import cv2
import numpy as np
import pytest
import torch
from skimage import color

from colorizer_app.core import lab

from .conftest import real_rgb


def _photos(data_dir):
    photos = [real_rgb("astronaut"), real_rgb("coffee"), real_rgb("chelsea")]
    for name in ("kodak24/kodim03.png", "mcmaster/1.png"):
        bgr = cv2.imread(str(data_dir / name))
        assert bgr is not None, name
        photos.append(bgr[:, :, ::-1].copy())
    return photos


def test_rgb_to_lab_matches_scikit_image_on_real_photos(data_dir):
    for rgb in _photos(data_dir):
        ours = lab.rgb_to_lab(rgb)
        ref = color.rgb2lab(rgb)
        assert np.abs(ours - ref).max(axis=(0, 1)).max() < 0.5


def test_lab_to_rgb_matches_scikit_image(data_dir):
    for rgb in _photos(data_dir)[:3]:
        ref_lab = color.rgb2lab(rgb).astype(np.float32)
        ours = lab.lab_to_rgb(ref_lab)
        ref = color.lab2rgb(ref_lab)
        # 0.5 Lab units of the contract, expressed back in Lab
        assert np.abs(color.rgb2lab(ours) - color.rgb2lab(ref)).max() < 0.5


def test_torch_lab_agrees_with_opencv():
    rgb = real_rgb("coffee")
    ours = lab.rgb_to_lab(rgb)
    t = torch.from_numpy(lab.to_float01(rgb).transpose(2, 0, 1))[None]
    tl = lab.rgb_to_lab_torch(t)[0].numpy().transpose(1, 2, 0)
    assert np.abs(tl - ours).max() < 0.5
    back = lab.lab_to_rgb_torch(lab.rgb_to_lab_torch(t))
    assert (back - t).abs().max() < 2e-3


def test_normalisation_maps_to_unit_range():
    l = np.array([0.0, 50.0, 100.0], np.float32)
    assert np.allclose(lab.normalize_l(l), [-1, 0, 1])
    assert np.allclose(lab.denormalize_l(lab.normalize_l(l)), l)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_compose_keeps_l_and_dtype(dtype):
    rgb = real_rgb("astronaut")
    rgb = rgb if dtype == np.uint8 else rgb.astype(np.uint16) * 257
    l_full = lab.rgb_to_l(rgb)
    ab = np.zeros(rgb.shape[:2] + (2,), np.float32)
    ab[..., 0] = 10
    out = lab.compose_l_ab(l_full, ab, dtype)
    assert out.dtype == dtype and out.shape == rgb.shape
    # out-of-gamut pixels are clipped, which moves their L a little; the rest keep it
    assert np.median(np.abs(lab.rgb_to_l(out) - l_full)) < 0.3


def test_gray_rgb_of_l_is_what_a_gray_photo_looks_like():
    gray = np.linspace(0, 255, 256).astype(np.uint8)[None].repeat(3, 0)
    rgb = np.dstack([gray] * 3)
    l_norm = torch.from_numpy(lab.normalize_l(lab.rgb_to_l(rgb)))[None, None]
    back = lab.l_norm_to_gray_rgb(l_norm)[0, 0].numpy() * 255
    assert np.abs(back - gray).max() < 1.0


def test_l_of_a_gray_photo_from_the_table_is_the_float_conversion_exactly(data_dir):
    truth = cv2.imread(str(data_dir / "kodak24" / "kodim05.png"))
    gray = np.repeat(cv2.cvtColor(truth, cv2.COLOR_BGR2GRAY)[:, :, None], 3, 2)
    assert lab.gray_plane(gray) is not None
    exact = cv2.cvtColor(gray.astype(np.float32) * np.float32(1 / 255), cv2.COLOR_RGB2Lab)
    assert np.array_equal(lab.rgb_to_l(gray), exact[:, :, 0])
    assert np.array_equal(lab.rgb_to_l(gray[:, :, 0]), exact[:, :, 0])
    # one pixel with colour: the photo is not gray, and its L is still the float conversion's
    gray[3, 4] = (200, 10, 10)
    assert lab.gray_plane(gray) is None
    exact = cv2.cvtColor(gray.astype(np.float32) * np.float32(1 / 255), cv2.COLOR_RGB2Lab)
    assert np.abs(lab.rgb_to_l(gray) - exact[:, :, 0]).max() < 1e-4


def test_gray_is_checked_in_every_strip_and_every_channel(monkeypatch):
    monkeypatch.setattr(lab, "STRIP_PIXELS", 20_000)  # many strips
    gray3 = np.repeat(real_rgb("camera")[:, :, None], 3, 2)
    assert lab.is_gray(gray3) and np.array_equal(lab.gray_plane(gray3), gray3[:, :, 0])
    for channel in (1, 2):  # blue alone, green alone, in the last row of the last strip
        tinted = gray3.copy()
        tinted[-1, -1, channel] ^= 1
        assert not lab.is_gray(tinted) and lab.gray_plane(tinted) is None


def test_small_l_of_a_large_gray_photo_is_that_of_its_colour_copy(monkeypatch):
    rgb = cv2.resize(real_rgb("camera"), (900, 700), interpolation=cv2.INTER_LINEAR)
    gray3 = np.repeat(rgb[:, :, None], 3, 2)
    monkeypatch.setattr(lab, "EXACT_SMALL_L_PIXELS", 100_000)  # the shrunk-copy branch
    one = lab.rgb_to_small_l(gray3, (56, 72))
    gray3[0, 0, 1] += 1  # no longer gray: all three channels are shrunk
    three = lab.rgb_to_small_l(gray3, (56, 72))
    assert np.abs(one - three).max() < 0.01


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_compose_in_strips_on_threads_writes_every_row_once(dtype, monkeypatch):
    """Many strips on several workers, in place over the photo: the same result as one strip."""
    rgb = real_rgb("astronaut")
    rgb = rgb if dtype == np.uint8 else rgb.astype(np.uint16) * 257
    l_full = lab.rgb_to_l(rgb)
    ab = np.dstack([np.linspace(-40, 40, 512 * 512).reshape(512, 512)] * 2).astype(np.float32)
    whole = lab.compose_l_ab(l_full, ab, dtype)
    monkeypatch.setattr(lab, "STRIP_PIXELS", 512 * 20)  # 26 strips, the last one short
    monkeypatch.setattr(lab, "WORKERS", 3)
    out = rgb.copy()
    lab.compose_rows(
        512, 512, lambda y, n: l_full[y : y + n], lambda y, n, _l: [ab[y : y + n, :, 0].copy(),
        ab[y : y + n, :, 1].copy()], dtype, out=out,
    )  # fmt: skip
    assert np.array_equal(out, whole)


def test_a_16_bit_gray_scan_keeps_its_tones_through_l_and_back():
    """An archivist's 16-bit gray master came back with 513 gray levels of its 46,565: OpenCV's
    float conversion reads sRGB's curve from a table of 1024 steps. L of 16-bit pixels is worked
    out in full now; a gray level comes back within a few of its 65,536."""
    levels = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    rgb = np.repeat(levels[:, :, None], 3, axis=2)
    l = lab.rgb_to_l(rgb)
    assert len(np.unique(l)) == 65536
    assert np.abs(l - color.rgb2lab(rgb / 65535.0)[..., 0]).max() < 0.01  # skimage's, in float64
    back = lab.compose_l_ab_rows(l, lambda y, n: np.zeros((n, 256, 2), np.float32), np.uint16)
    assert np.abs(back[..., 0].astype(np.int64) - levels).max() <= 8
    # 8-bit photos keep the L the models learnt (OpenCV's, to the bit)
    gray8 = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2)
    assert np.array_equal(
        lab.rgb_to_l(gray8)[0],
        cv2.cvtColor(gray8.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[0, :, 0],
    )
