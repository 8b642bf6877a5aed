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
