"""The damage detector's decision settings, chosen on validation photos damaged by the TRAINING
generator (never the held-out one): the threshold, whether a half-size look is added, and
whether only specks and line-like pieces are kept (and how thin a line must be).

    python -m tests.tools.detector_choose DETECTOR.pt [--photos 24] [--write OUT.pt]
        [--style crazed]

Whole BSDS500 val photos (the trainer's own validation crops are 96 px, too small for a
half-size look), each damaged by synth.TRAINING; F1 pooled over the pixels. --write saves a
copy of the detector with the best settings (a shipped file is never written: the guard).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import cv2
import numpy as np
import torch

from colorizer_app.core.builtin_files import check_not_builtin
from colorizer_app.core.imageio import load_image
from colorizer_app.core.lab import rgb_to_l
from colorizer_app.restore import synth
from colorizer_app.restore.detect import COARSE_MIN_SIDE, Learned, drop_small, keep_lines
from colorizer_app.restore.measure import MaskScore

DATA = Path(os.environ.get("COLORIZER_DATA", "../shared/data"))
THRESHOLDS = np.round(np.arange(0.3, 0.91, 0.05), 2)
SCALES = ((1.0,), (1.0, 0.5))
NEAR = 0.005  # F1 this close to the best counts as as good
# Keep only specks and line-like pieces (detect.keep_lines), or not (None): the mean thickness
# allowed, in pixels of the detector's copy; specks up to SPECK_AREA pixels are kept whatever
# their shape.
THICKNESS = (None, 3.5, 4.0, 5.0)
SPECK_AREA = 20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("detector", type=Path)
    ap.add_argument("--photos", type=int, default=24)
    ap.add_argument("--write", type=Path)
    ap.add_argument(
        "--style",
        choices=sorted(n for n in synth.STYLES if n != synth.HELD_OUT.name),
        default=synth.TRAINING.name,
    )
    args = ap.parse_args()
    if args.write:
        check_not_builtin(args.write)
    det = Learned.load(args.detector)
    rows = []
    for i, path in enumerate(sorted((DATA / "bsds500" / "val").glob("*.jpg"))[: args.photos]):
        l = rgb_to_l(load_image(path).rgb)
        hurt = synth.damage(l, np.random.default_rng(1000 + i), synth.STYLES[args.style])
        fine = det.probability_at(hurt.l)
        h, w = hurt.l.shape
        half = (round(w / 2), round(h / 2))
        coarse = fine
        if max(half) >= COARSE_MIN_SIDE:
            small = cv2.resize(hurt.l, half, interpolation=cv2.INTER_AREA)
            coarse = cv2.resize(det.probability_at(small), (w, h), interpolation=cv2.INTER_LINEAR)
        rows.append((hurt.mask, fine, np.maximum(fine, coarse)))
    scored = []
    for scales in SCALES:
        for t in THRESHOLDS:
            for thickness in THICKNESS:
                score = MaskScore()
                for mask, fine, both in rows:
                    found = (both if len(scales) > 1 else fine) > t
                    if thickness is None:
                        found = drop_small(found, det.min_area)
                    else:
                        found = keep_lines(found, det.min_area, SPECK_AREA, thickness)
                    score += MaskScore.of(found, mask)
                print(f"scales {scales} threshold {t:.2f} lines {thickness}: {score}")
                scored.append((score.f1, float(t), scales, thickness))
    # Where F1 is flat, the highest threshold within NEAR of the best, and of those the strictest
    # shape rule: fewer false marks on a good print (each is filled, and costs it) for no loss
    # that counts.
    top = max(s[0] for s in scored)
    best = max(
        (s for s in scored if s[0] >= top - NEAR),
        key=lambda s: (s[1], -len(s[2]), -(s[3] if s[3] is not None else 99.0)),
    )
    print(
        f"best on {len(rows)} validation photos: F1 {best[0]:.3f} at {best[1]:.2f}, {best[2]}, "
        f"lines {best[3]}"
    )
    if args.write:
        payload = torch.load(args.detector, map_location="cpu", weights_only=True)
        payload["threshold"], payload["scales"] = best[1], list(best[2])
        payload["max_thickness"], payload["speck_area"] = best[3], SPECK_AREA
        payload.setdefault("info", {})["chosen_on_validation_photos"] = round(best[0], 4)
        tmp = args.write.with_name(args.write.name + ".tmp")
        torch.save(payload, tmp)
        os.replace(tmp, args.write)
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
