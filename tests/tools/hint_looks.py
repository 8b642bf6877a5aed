"""What a colour pin does, the propagation beside a hint network (issue 27), on the photos a
person would try: the synthetic wall and Helen Keller's skirt with one wine-red pin.

    python -m tests.tools.hint_looks OUT [HINT_MODEL]

Without HINT_MODEL the shipped default's own answer is used (its built-in companion if it has
one, with the propagation on top, as the app answers pins). Writes OUT/skirt.png (automatic |
propagation alone | network and propagation, one pin) and prints the wall's
and the skirt's figures: the pinned region's share of the pin's chroma and hue difference, how
far the other side moved (a share of the pin's chroma).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from colorizer_app.core import lab
from colorizer_app.core.hints import Hint, apply_hints
from colorizer_app.core.imageio import load_image, save_image
from colorizer_app.engine.catalog import resolve_model
from colorizer_app.engine.colorizer import Colorizer
from tests.conftest import DATA
from tests.test_hint_wall import BLUE, pin_effect, wall

KELLER = "DDColor_test_images_Helen Keller meeting Charlie Chaplin in 1919.jpg"
WINE = "#722f37"
SKIRT_PIN = (545, 330)
SKIRT = np.s_[250:420, 505:590]  # the skirt below her hands
GROUND = np.s_[300:420, 462:492]  # the dark ground between the two figures
TROUSERS = np.s_[300:420, 380:440]  # Chaplin's trousers


def propagated(colorizer: Colorizer, rgb: np.ndarray, hints) -> np.ndarray:
    l_full = lab.rgb_to_l(rgb)
    l_small = colorizer.small_l(rgb, l_full)
    ab = apply_hints(colorizer.predict_small(l_small), l_small, hints, rgb.shape[1::-1])
    return Colorizer.compose(rgb, ab, 1.0, l_full, colorizer.upsample)


def main(out: Path, hint_model: str | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    network = Colorizer(hint_model or "default", device="cpu")
    plain_path = Path(tempfile.mkdtemp()) / "no-companion.pt"
    shutil.copyfile(resolve_model("default").path, plain_path)
    plain = Colorizer(plain_path, device="cpu")  # the same weights, no companion: propagation
    print("network takes hints:", network.takes_hints)
    for name, c in (("propagation", plain), ("network and propagation", network)):
        chroma, hue, moved = pin_effect(c, wall(), Hint.pin(130, 150, BLUE))
        print(f"wall, {name}: chroma share {chroma:.2f}, hue {hue:+.0f} deg, far side {moved:.2f}")
    rgb = load_image(DATA / "old_photos" / KELLER).rgb
    pin = Hint.pin(*SKIRT_PIN, WINE)
    auto = plain.colorize(rgb)
    shots = [auto, propagated(plain, rgb, [pin]), network.colorize(rgb, hints=[pin])]
    want = np.array(pin.ab)
    for name, shot in zip(
        ("automatic", "propagation", "network and propagation"), shots, strict=True
    ):
        figures = []
        for region, where in (("skirt", SKIRT), ("ground", GROUND), ("trousers", TROUSERS)):
            got = lab.rgb_to_lab(np.ascontiguousarray(shot[where]))[:, :, 1:].reshape(-1, 2)
            base = lab.rgb_to_lab(np.ascontiguousarray(auto[where]))[:, :, 1:].reshape(-1, 2)
            toward = ((got - base) @ want).mean() / (want @ want)
            figures.append(f"{region} {toward:.2f}")
        print(f"skirt, {name}: moved towards the pin's colour (share): {', '.join(figures)}")
    row = np.concatenate(shots, 1)
    for i in range(len(shots)):
        cv2.circle(row, (SKIRT_PIN[0] + i * rgb.shape[1], SKIRT_PIN[1]), 6, (255, 255, 255), 2)
    save_image(out / "skirt.png", row)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
