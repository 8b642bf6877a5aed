"""Held-out scores for restoration (the README's and models/README's tables).

    python -m tests.tools.restore_eval [--detector models/damage_detector.pt] [--tune]

Photos never used in training (BSDS500 test, Kodak24), damaged by synth.HELD_OUT (other shapes,
widths and contrasts than training's), faded and grained by the held-out fading and grain. --tune
first chooses the classical detector's settings on training-style damage over BSDS500 val.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

import numpy as np

from colorizer_app.core.imageio import load_image
from colorizer_app.core.lab import rgb_to_l
from colorizer_app.restore import repair, synth
from colorizer_app.restore.detect import Classical, Learned, find_damage
from colorizer_app.restore.measure import MaskScore, psnr_l
from colorizer_app.restore.options import RestoreOptions
from colorizer_app.restore.pipeline import restore_l

DATA = Path(os.environ.get("COLORIZER_DATA", "../shared/data"))


def held_out_photos(n_bsds: int, n_kodak: int) -> list[Path]:
    bsds = sorted((DATA / "bsds500" / "test").glob("*.jpg"))[:n_bsds]
    kodak = sorted((DATA / "kodak24").glob("*.png"))[:n_kodak]
    return bsds + kodak


def tune_classical(n: int) -> Classical:
    """Best F1 on training-style damage over BSDS500 val (never the held-out style)."""
    paths = sorted((DATA / "bsds500" / "val").glob("*.jpg"))[:n]
    samples = []
    for i, p in enumerate(paths):
        l = rgb_to_l(load_image(p).rgb)
        samples.append(synth.damage(l, np.random.default_rng(1000 + i), synth.TRAINING))
    best: tuple[float, Classical] = (-1.0, Classical())
    grid = itertools.product((5, 7), (2.0, 2.5, 3.0), (1.0, 2.0), (8,), (2.5, 3.0, 4.0))
    for size, threshold, floor, area, thickness in grid:
        det = Classical(size, threshold, floor, area, max_thickness=thickness)
        score = sum((MaskScore.of(det.mask(s.l), s.mask) for s in samples), MaskScore())
        if score.f1 > best[0]:
            best = (score.f1, det)
    print(f"classical tuned on {len(samples)} training-style photos: {best[1]} F1 {best[0]:.3f}")
    return best[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--detector", type=Path)
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--bsds", type=int, default=40)
    ap.add_argument("--kodak", type=int, default=12)
    ap.add_argument("--masks-only", action="store_true", help="mask scores and Telea fills only")
    args = ap.parse_args()
    classical = tune_classical(30) if args.tune else Classical()
    detectors: dict[str, Classical | Learned] = {"classical": classical}
    if args.detector:
        detectors["learned"] = Learned.load(args.detector)
    photos = held_out_photos(args.bsds, args.kodak)
    strict = {k: MaskScore() for k in detectors}
    loose = {k: MaskScore() for k in detectors}
    psnr: dict[str, list[float]] = {}
    seconds = {k: 0.0 for k in detectors}

    def add(name: str, value: float) -> None:
        psnr.setdefault(name, []).append(value)

    for i, path in enumerate(photos):
        clean = rgb_to_l(load_image(path).rgb)
        rng = np.random.default_rng(5000 + i)
        hurt = synth.damage(clean, rng, synth.HELD_OUT)
        add("damaged", psnr_l(hurt.l, clean))
        add("filled, true mask (telea)", psnr_l(repair.inpaint(hurt.l, hurt.mask), clean))
        for name, det in detectors.items():
            t = time.perf_counter()
            found = find_damage(hurt.l, det)
            seconds[name] += time.perf_counter() - t
            strict[name] += MaskScore.of(found, hurt.mask)
            loose[name] += MaskScore.of(found, hurt.mask, tolerance=1)
            wide = repair.widen(found, 1)
            if args.masks_only:
                add(f"filled, {name} mask (telea)", psnr_l(repair.inpaint(hurt.l, wide), clean))
                continue
            for method in ("telea", "ns"):
                add(
                    f"filled, {name} mask ({method})",
                    psnr_l(repair.inpaint(hurt.l, wide, method), clean),
                )
            both = restore_l(hurt.l, RestoreOptions(scratches=True, grain=True), det, wide)
            add(f"filled + grain, {name} mask", psnr_l(both.l, clean))
        if args.masks_only:
            print(f"{i + 1}/{len(photos)} {path.name}", flush=True)
            continue
        # Fading and grain on their own, and a clean photo through every step.
        faded = synth.fade(clean, rng, held_out=True)
        add("faded", psnr_l(faded, clean))
        add("faded, levelled", psnr_l(repair.repair_fading(faded), clean))
        grainy = synth.add_grain(clean, rng, rng.uniform(2.0, 6.0), rng.uniform(0.5, 1.2))
        add("grainy", psnr_l(grainy, clean))
        add("grainy, denoised", psnr_l(repair.repair_grain(grainy), clean))
        for name, det in detectors.items():
            same = restore_l(clean, RestoreOptions(True, True, True), det)
            add(f"clean photo through all, {name}", psnr_l(same.l, clean))
        print(f"{i + 1}/{len(photos)} {path.name}", flush=True)

    print(f"\nheld-out photos: {len(photos)} (BSDS500 test {args.bsds}, Kodak24 {args.kodak})")
    for name in detectors:
        per = seconds[name] / len(photos)
        print(
            f"{name:>10}: strict {strict[name]}  | within 1 px {loose[name]}  ({per:.3f} s/photo)"
        )
    for name, values in psnr.items():
        v = np.array(values)
        finite = v[np.isfinite(v)]
        shown = f"{finite.mean():.2f}" if len(finite) else "inf"
        print(f"{name:<40} PSNR {shown} dB (min {v.min():.2f}; {np.isinf(v).sum()} unchanged)")


if __name__ == "__main__":
    main()
