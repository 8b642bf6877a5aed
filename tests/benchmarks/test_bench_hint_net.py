"""A pin edit on a 12 MP photo with the hint network, beside the propagation, in the same run.

With a model that takes hints (model/hint_decoder.py; the shipped default through its built-in
companion), a pin edit re-runs the decoder on the kept encoder features, spreads the pins over
its answer (core/hints.py) and re-renders the screen-sized preview. Target on a 2-core machine:
at most 300 ms. The propagation (a copy of the same model under another path: no companion) is
timed beside it, as the floor to compare with.
"""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import torch
from skimage import data

from colorizer_app.core.imageio import save_image
from colorizer_app.engine.catalog import open_model, resolve_model
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.engine.session import colorize_for_view
from colorizer_app.model.model_file import save_model
from colorizer_app.training.hint_train import hinted_network

from .conftest import machine, save_result, timed_pin_edits, timed_stroke_edits


def _edits(colorizer: Colorizer, src, w: int, h: int) -> list[float]:
    return timed_pin_edits(colorize_for_view(colorizer, src), w, h)[0]


def test_pin_edit_with_the_hint_network_on_a_12mp_photo(tmp_path):
    w, h = 4243, 2828  # 12 MP
    rgb = cv2.resize(data.astronaut(), (w, h), interpolation=cv2.INTER_LINEAR)
    src = tmp_path / "scan.png"
    save_image(src, rgb)
    shipped = Colorizer("default", device="cpu")
    if not shipped.takes_hints:  # no companion shipped: the default with its joins switched on
        hinted_path = tmp_path / "hinted.pt"  # (random weights: the time is the same)
        net = hinted_network(open_model("default"))
        with torch.no_grad():
            for conv in net.hint_encoder.joins():
                conv.weight.normal_(0, 0.05)
        save_model(net, hinted_path, "scenes", half=True)
        shipped = Colorizer(hinted_path, device="cpu")
    plain_path = tmp_path / "no-companion.pt"
    shutil.copyfile(resolve_model("default").path, plain_path)
    propagation = Colorizer(plain_path, device="cpu")
    assert shipped.takes_hints and not propagation.takes_hints
    net_times = _edits(shipped, src, w, h)
    prop_times = _edits(propagation, src, w, h)
    stroke_times = timed_stroke_edits(colorize_for_view(shipped, src), w, h)
    result = {
        "photo": f"{w}x{h}",
        "hint_network_median_ms": 1000 * float(np.median(net_times)),
        "hint_network_worst_ms": 1000 * float(np.max(net_times)),
        "propagation_median_ms": 1000 * float(np.median(prop_times)),
        "strokes_among_pins_median_ms": 1000 * float(np.median(stroke_times)),
        "strokes_among_pins_worst_ms": 1000 * float(np.max(stroke_times)),
        "machine": machine(),
    }
    print(
        f"\npin edit, 12 MP photo: hint network median {result['hint_network_median_ms']:.0f} ms "
        f"(worst {result['hint_network_worst_ms']:.0f}), propagation "
        f"{result['propagation_median_ms']:.0f} ms; strokes among pins "
        f"{result['strokes_among_pins_median_ms']:.0f} ms (worst "
        f"{result['strokes_among_pins_worst_ms']:.0f}), same run  [{result['machine']}]"
    )
    save_result("pin-edit-hint-net-12mp", result)
