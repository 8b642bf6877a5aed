"""Guided against bilinear upsampling of the network's colour, on real photos at 1024 px.

  .venv/bin/python -m tests.tools.upsample_psnr MODEL [FOLDER...]
Each photo is scaled to a 1024 px longest side, colorized from its L alone (the network sees its
usual small copy), its colour brought to 1024 px both ways, and scored in RGB against the truth;
also the time each way takes at 12 MP.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import cv2
import numpy as np

from colorizer_app.core import lab
from colorizer_app.core.imageio import load_image, to_uint8
from colorizer_app.core.photo_files import find_images
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.training.metrics import psnr

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COLORIZER_DATA", ROOT.parent / "shared" / "data"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("folders", nargs="*")
    parser.add_argument("--side", type=int, default=1024)
    args = parser.parse_args()
    folders = [Path(f) for f in args.folders] or [
        DATA / "kodak24",
        DATA / "mcmaster",
        DATA / "sun_hays80",
    ]
    c = Colorizer(args.model, device="cpu")
    scores: dict[str, list[float]] = {"bilinear": [], "guided": []}
    for path in find_images(folders):
        rgb = to_uint8(load_image(path).rgb)
        h, w = rgb.shape[:2]
        s = args.side / max(h, w)
        truth = cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
        l_full = lab.rgb_to_l(truth)
        ab = c.predict_ab(truth, l_full)
        for mode in scores:
            out = Colorizer.compose(truth, ab, l_full=l_full, upsample=mode)
            scores[mode].append(psnr(out, truth))
    n = len(scores["guided"])
    for mode, v in scores.items():
        print(f"{mode:9s} PSNR {np.mean(v):.3f} dB over {n} photos at {args.side} px")
    big = cv2.resize(truth, (4243, 2829), interpolation=cv2.INTER_LINEAR)
    l_big = lab.rgb_to_l(big)
    ab = c.predict_ab(big, l_big)
    for mode in scores:
        t = time.perf_counter()
        Colorizer.compose(big, ab, l_full=l_big, upsample=mode)
        print(f"{mode:9s} compose 12 MP: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
