"""Gray copies of the damage detector's training photos, to carry to a GPU machine for
`train_detector --stream` (models/README.md, damage_detector.pt).

    python -m tests.tools.detector_pack OUT --per-folder 500 --short 360 FOLDER...

Each photo's L as a neutral gray JPEG (quality 85; training blurs and JPEG-compresses crops itself),
its shorter side at most SHORT (crops are cut from copies whose shorter side is at most 420 px),
in OUT/<folder's name>/ (<name>-2/, -3/ for a second folder of that name: bsds500/train and
scenes/train would otherwise write over each other's photos). Photos the clean-print check
looks at (tests/tools/restore_clean.py, at 4 and at 10 a folder) are left out, so that check
stays a check on photos never learnt from;
the held-out set (BSDS500 test, Kodak24) is never a training folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from colorizer_app.core.imageio import is_image_path, load_image
from colorizer_app.core.lab import compose_l_ab, rgb_to_l
from tests.tools.restore_clean import clean_photos

QUALITY = 85


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--per-folder", type=int, default=500)
    ap.add_argument("--short", type=int, default=360)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    checked = {p.resolve() for n in (4, 10) for p in clean_photos(n)}
    rng = np.random.default_rng(args.seed)
    used: set[str] = set()
    for folder in args.folders:
        found = sorted(
            p for p in folder.rglob("*") if is_image_path(p) and p.resolve() not in checked
        )
        if len(found) > args.per_folder:
            found = [found[i] for i in sorted(rng.choice(len(found), args.per_folder, False))]
        name, n = folder.name, 1
        while name in used:
            n += 1
            name = f"{folder.name}-{n}"
        used.add(name)
        dest = args.out / name
        dest.mkdir(parents=True, exist_ok=True)
        written = 0
        for i, path in enumerate(found):
            try:
                l = rgb_to_l(load_image(path).rgb)
            except Exception as exc:  # noqa: BLE001 - a bad photo is left out, and said
                print(f"skipped {path}: {exc}")
                continue
            scale = min(1.0, args.short / min(l.shape))
            if scale < 1.0:
                l = cv2.resize(l, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            # The neutral gray of the same L, which the trainer reads back as this L.
            gray = compose_l_ab(l, np.zeros((*l.shape, 2), np.float32), np.uint8)[..., 0]
            ok = cv2.imwrite(str(dest / f"{i:05d}.jpg"), gray, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
            written += bool(ok)
        print(f"{folder}: {written} of {len(found)} photos", flush=True)


if __name__ == "__main__":
    main()
