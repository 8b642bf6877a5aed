"""Good prints through restoration: each step alone and all three on clean photos, L PSNR
against the photo as it came (the issue's bar: 35 dB or more), and the worst photos named.

    python -m tests.tools.restore_clean [--per-folder 10] [--no-detector | --detector FILE.pt]

Photos drawn evenly (by a fixed seed) from BSDS500, ImageNet, the scenes, Sun-Hays 80, LFW,
McMaster and Kodak24 in ../shared/data.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from colorizer_app.core.imageio import is_image_path, load_image
from colorizer_app.core.lab import rgb_to_l
from colorizer_app.restore.detect import Classical, Learned, default_detector
from colorizer_app.restore.measure import psnr_l
from colorizer_app.restore.options import RestoreOptions
from colorizer_app.restore.pipeline import restore_l

DATA = Path(os.environ.get("COLORIZER_DATA", "../shared/data"))
FOLDERS = (
    "bsds500/test",
    "bsds500/train",
    "imagenet",
    "scenes/intel_scenes",
    "scenes/urban100",
    "sun_hays80",
    "lfw",
    "mcmaster",
    "kodak24",
)
STEPS = {
    "fading": RestoreOptions(fading=True),
    "grain": RestoreOptions(grain=True),
    "scratches": RestoreOptions(scratches=True),
    "all": RestoreOptions(True, True, True),
}
BAR = 35.0


def clean_photos(per_folder: int, seed: int = 0) -> list[Path]:
    rng = np.random.default_rng(seed)
    out: list[Path] = []
    for folder in FOLDERS:
        found = sorted(p for p in (DATA / folder).rglob("*") if is_image_path(p))
        if len(found) > per_folder:
            found = [found[i] for i in sorted(rng.choice(len(found), per_folder, replace=False))]
        out += found
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-folder", type=int, default=10)
    ap.add_argument("--no-detector", action="store_true", help="the classical detector")
    ap.add_argument("--detector", type=Path, help="a detector file (default: the shipped one)")
    args = ap.parse_args()
    detector = (
        Classical()
        if args.no_detector
        else Learned.load(args.detector)
        if args.detector
        else default_detector()
    )
    scores: dict[str, list[tuple[float, str]]] = {name: [] for name in STEPS}
    photos = clean_photos(args.per_folder)
    for i, path in enumerate(photos):
        l = rgb_to_l(load_image(path).rgb)
        for name, options in STEPS.items():
            value = min(psnr_l(restore_l(l, options, detector).l, l), 99.0)  # 99: unchanged
            scores[name].append((value, f"{path.parent.name}/{path.name}"))
        print(f"{i + 1}/{len(photos)} {path.name}: all {scores['all'][-1][0]:.1f} dB", flush=True)
    print(f"\n{len(photos)} clean photos ({args.per_folder} per folder); 99 = unchanged")
    for name, rows in scores.items():
        v = np.array([s for s, _ in rows])
        worst = ", ".join(f"{n} {s:.1f}" for s, n in sorted(rows)[:3])
        share = np.mean(v >= BAR)
        print(
            f"{name:>9}: at {BAR:.0f} dB or more {share:.1%}, median {np.median(v):.1f}, "
            f"min {v.min():.1f}; unchanged {np.mean(v >= 99):.0%}; worst: {worst}"
        )


if __name__ == "__main__":
    main()
