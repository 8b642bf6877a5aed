"""What the network's input size costs: a 12 MP photo colorized with the network seeing its
longest side at 160, 224 (the shipped model's own), 256, 320 and 448 px (`--render-size`).

The quality half of the choice is measured on the validation split with `colorizer evaluate
--render-size` (models/README.md); this is the time half, on this machine's CPU.
"""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from skimage import data

from colorizer_app.engine.colorizer import Colorizer

from .conftest import machine, save_result


@pytest.fixture(scope="module")
def photo_12mp() -> np.ndarray:
    return cv2.resize(data.astronaut(), (4243, 2829), interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize("size", [160, 224, 256, 320, 448])
def test_render_size_time(offline_model, photo_12mp, size):
    c = Colorizer(offline_model, device="cpu", render_size=size)
    small = cv2.resize(photo_12mp, (size, size * 2 // 3), interpolation=cv2.INTER_AREA)
    c.colorize(small)  # warm-up
    times = []
    for _ in range(3):
        t = time.perf_counter()
        out = c.colorize(photo_12mp)
        times.append(time.perf_counter() - t)
    assert out.shape == photo_12mp.shape
    network = []
    for _ in range(3):
        t = time.perf_counter()
        c.colorize(small)
        network.append(time.perf_counter() - t)
    result = {
        "render_size": size,
        "seconds_12mp": min(times),
        "seconds_at_render_size": min(network),
        "machine": machine(),
    }
    print(
        f"\nrender size {size}: 12 MP in {min(times):.2f} s; a photo of that size alone "
        f"{min(network):.3f} s  [{result['machine']}]"
    )
    save_result(f"render-size-{size}", result)
