"""Colour upsampled along the photo's edges: a red coat does not spill onto a white wall."""

import cv2
import numpy as np

from colorizer_app.core import lab
from colorizer_app.core.guided import GuidedUpsampler, bilinear_strip
from colorizer_app.engine.colorizer import Colorizer

COAT_AB = (60.0, 40.0)


def _coat_and_wall(width=2000, height=300, edge=1037):
    """A dark red coat left of a sharp edge, a white wall right of it; the network's view is
    the truth at 224 px wide (what a perfect network would say at its size)."""
    l = np.where(np.arange(width)[None, :] < edge, 40.0, 92.0).astype(np.float32)
    l = np.repeat(l, height, 0)
    ab = np.zeros((height, width, 2), np.float32)
    ab[:, :edge] = COAT_AB
    small = cv2.resize(ab, (224, round(224 * height / width)), interpolation=cv2.INTER_AREA)
    gray = lab.compose_l_ab(l, np.zeros_like(ab), np.uint8)
    return gray, small, edge


def _spill(out: np.ndarray, edge: int) -> int:
    """Pixels of the wall (along the middle row) that took visible colour."""
    ab = lab.rgb_to_lab(out)[:, :, 1:]
    row = np.hypot(*ab[ab.shape[0] // 2, edge:].T)
    return int(np.sum(row > 5.0))


def test_guided_upsampling_keeps_colour_on_its_side_of_an_edge():
    gray, small, edge = _coat_and_wall()
    bilinear = Colorizer.compose(gray, small, upsample="bilinear")
    guided = Colorizer.compose(gray, small, upsample="guided")
    assert _spill(bilinear, edge) >= 5  # a 9x stretch smears the edge
    assert _spill(guided, edge) <= 1
    # the coat keeps its colour right up to the edge
    ab = lab.rgb_to_lab(guided)[:, :, 1:]
    assert np.allclose(ab[150, : edge - 1].mean(0), COAT_AB, atol=4.0)


def test_flat_regions_get_the_networks_colour_unchanged():
    rng = np.random.default_rng(0)
    l = np.full((400, 600), 55.0, np.float32)
    small = cv2.GaussianBlur(rng.uniform(-30, 30, (40, 60, 2)).astype(np.float32), (0, 0), 3)
    up = GuidedUpsampler(l, small)
    guided = np.concatenate([up.strip(l[y : y + 128], y) for y in range(0, 400, 128)])
    plain = cv2.resize(small, (600, 400), interpolation=cv2.INTER_LINEAR)
    assert np.abs(guided - plain).max() < 1.0


def test_strips_match_a_whole_bilinear_resize():
    rng = np.random.default_rng(1)
    small = cv2.GaussianBlur(rng.uniform(-50, 50, (30, 45, 2)).astype(np.float32), (0, 0), 2)
    whole = cv2.resize(small, (1000, 700), interpolation=cv2.INTER_LINEAR)
    strips = np.concatenate(
        [bilinear_strip(small, 1000, 700, y, min(256, 700 - y)) for y in range(0, 700, 256)]
    )
    assert strips.shape == whole.shape
    assert np.abs(strips - whole).max() < 0.5


def _exact_compose(gray: np.ndarray, ab_small: np.ndarray) -> np.ndarray:
    """The full-resolution path as it was before it was made fast, written out in float: L by
    OpenCV's float conversion, ab = bilinear ab + A * (L - bilinear guide), one float Lab ->
    RGB conversion, rounded. What the fast path must stay close to."""
    h, w = gray.shape[:2]
    l_full = cv2.cvtColor(gray.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[:, :, 0]
    sh, sw = ab_small.shape[:2]
    guide = cv2.resize(l_full, (sw, sh), interpolation=cv2.INTER_AREA)
    box = lambda x: cv2.boxFilter(x, -1, (5, 5), borderType=cv2.BORDER_REFLECT)  # noqa: E731
    mean_i = box(guide)
    var_i = np.maximum(box(guide * guide) - mean_i * mean_i, 0)
    lab_full = np.empty((h, w, 3), np.float32)
    lab_full[:, :, 0] = l_full
    detail = l_full - cv2.resize(guide, (w, h), interpolation=cv2.INTER_LINEAR)
    for c in range(2):
        p = np.ascontiguousarray(ab_small[:, :, c])
        slope = box((box(guide * p) - mean_i * box(p)) / (var_i + 25.0))
        up = cv2.resize(p, (w, h), interpolation=cv2.INTER_LINEAR)
        lab_full[:, :, 1 + c] = up + cv2.resize(slope, (w, h)) * detail
    rgb = np.clip(cv2.cvtColor(lab_full, cv2.COLOR_Lab2RGB), 0, 1)
    return (rgb * 255 + 0.5).astype(np.uint8)


def test_fast_path_stays_within_two_levels_of_the_exact_path_on_real_photos(data_dir, monkeypatch):
    """Kodak24 and McMaster made gray and colorized with their own true colour at the network's
    size (what a perfect network would say): the fast path (colour folded into coefficients at
    the small size, strips on every core, one rounding) against the float path it replaced."""
    photos = sorted((data_dir / "kodak24").glob("*.png"))[::3]
    photos += sorted((data_dir / "mcmaster").glob("*.png"))[::4]
    monkeypatch.setattr(lab, "STRIP_PIXELS", 500 * 16)  # dozens of strips, side by side
    diffs = []
    for path in photos:
        truth = cv2.imread(str(path))[:, :, ::-1]
        gray = np.repeat(cv2.cvtColor(truth, cv2.COLOR_RGB2GRAY)[:, :, None], 3, 2)
        ab_true = lab.rgb_to_lab(np.ascontiguousarray(truth))[:, :, 1:]
        small = cv2.resize(ab_true, (160, 160), interpolation=cv2.INTER_AREA)
        fast = Colorizer.compose(gray.copy(), small, in_place=True)
        exact = _exact_compose(gray, small)
        diffs.append(np.abs(fast.astype(int) - exact.astype(int)).ravel())
    d = np.concatenate(diffs)
    assert len(photos) >= 10
    assert (d <= 2).mean() >= 0.999, (d.max(), (d <= 2).mean())
    assert d.mean() < 0.2 and d.max() <= 6


def test_saturation_folded_into_the_coefficients_scales_the_colour():
    rng = np.random.default_rng(2)
    l = np.full((300, 500), 60.0, np.float32)
    small = cv2.GaussianBlur(rng.uniform(-30, 30, (30, 50, 2)).astype(np.float32), (0, 0), 2)
    plain = GuidedUpsampler(l, small).strip(l[100:200], 100)
    half = GuidedUpsampler(l, small, scale=0.5).strip(l[100:200], 100)
    assert np.abs(half - 0.5 * plain).max() < 1e-3
