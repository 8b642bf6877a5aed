"""How long adding or moving a colour pin takes to show, for a 12 MP photo on the CPU.

What the app does on each pin edit: solve the hints on their small grid and re-render the
screen-sized preview (ColorizedPhoto.render); the network does not run again. Target on a 2-core
machine: at most 300 ms. Saving applies the same hints at full resolution (timed too).
"""

from __future__ import annotations

import time

import cv2
import numpy as np
from skimage import data

from colorizer_app.core.imageio import save_image
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.engine.session import colorize_for_view, save_colorized

from .conftest import machine, save_result, timed_pin_edits


def test_pin_edit_re_renders_a_12mp_preview(offline_model, tmp_path):
    w, h = 4243, 2828  # 12 MP
    rgb = cv2.resize(data.astronaut(), (w, h), interpolation=cv2.INTER_LINEAR)
    src = tmp_path / "scan.png"
    save_image(src, rgb)
    colorizer = Colorizer(offline_model, device="cpu")
    photo = colorize_for_view(colorizer, src)
    edits, pins = timed_pin_edits(photo, w, h)
    t = time.perf_counter()
    save_colorized(photo, tmp_path / "out.jpg", 1.0, 92)
    save_s = time.perf_counter() - t
    result = {
        "photo": f"{w}x{h}",
        "preview": f"{photo.preview_rgb.shape[1]}x{photo.preview_rgb.shape[0]}",
        "pins": len(pins),
        "median_ms": 1000 * float(np.median(edits)),
        "worst_ms": 1000 * float(np.max(edits)),
        "save_s": save_s,
        "machine": machine(),
    }
    print(
        f"\npin edit, 12 MP photo ({result['preview']} preview): median "
        f"{result['median_ms']:.0f} ms, worst {result['worst_ms']:.0f} ms over 12 edits; "
        f"save with {len(pins)} pins {save_s:.2f} s  [{result['machine']}]"
    )
    save_result("pin-edit-12mp", result)
