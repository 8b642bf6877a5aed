"""The real scratched prints (old_photos/*old_w_scratch*) as restoration sees them: each row the
print, the damage found over it (red) and the repaired print, for looking at.

    python -m tests.tools.restore_real OUT.png [--steps all] [--detector FILE.pt] [--score]

--score also measures the damage found against hand-drawn regions of the four prints
(tests/data/real_scratch_regions.json): in background regions where every light line is a crack,
the share of those lines' pixels found (recall, within a pixel); in eyes, mouths, buttons, bows
and embroidery, which have no damage, the share of pixels marked (a false mark there is filled
and smears a feature); and the share marked on the five public-domain old photos, which are not
scratched (people, poles and windows taken for damage).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from colorizer_app.core.lab import rgb_to_l
from colorizer_app.engine.restoring import restore_preview
from colorizer_app.restore.detect import Learned
from colorizer_app.restore.options import RestoreOptions
from tests.conftest import DATA
from tests.tools.old_photos_grid import PUBLIC_DOMAIN

REGIONS = Path(__file__).resolve().parents[1] / "data" / "real_scratch_regions.json"
ROW_HEIGHT = 360


def region_mask(shape: tuple[int, ...], boxes: list[list[int]]) -> np.ndarray:
    out = np.zeros(shape[:2], bool)
    for x0, y0, x1, y1 in boxes:
        out[y0:y1, x0:x1] = True
    return out


def light_lines(rgb: np.ndarray) -> np.ndarray:
    """Pixels lighter than an 11 px disc round them by twice the local fine detail (plus 2 L
    units): inside the damage regions, which hold only smooth background, these are the cracks
    and scratches (looked at on each print when the regions were drawn)."""
    l = cv2.GaussianBlur(rgb_to_l(rgb).astype(np.float32), (3, 3), 0.5)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11))
    white = cv2.morphologyEx(l, cv2.MORPH_TOPHAT, disc)
    fine = np.abs(l - cv2.GaussianBlur(l, (0, 0), 2.0))
    return white > 2.0 * (2.0 + cv2.GaussianBlur(fine, (0, 0), 10.0))


def score(original: np.ndarray, found: np.ndarray | None, regions: dict) -> tuple[float, float]:
    """(share of the damage regions' light lines found within a pixel, share of the intact
    regions' pixels marked)."""
    found = np.zeros(original.shape[:2], bool) if found is None else found
    near = cv2.dilate(found.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    lines = light_lines(original) & region_mask(original.shape, regions["damage"])
    intact = region_mask(original.shape, regions["intact"])
    return float(near[lines].mean()), float(found[intact].mean())


def scratched_prints() -> list[Path]:
    return sorted((DATA / "old_photos").glob("*old_w_scratch*"))


def print_key(path: Path) -> str:
    """The print's letter (a-d), its key in the regions file."""
    return path.stem.rsplit("_", 1)[-1]


def score_all(detector, options: RestoreOptions | None = None) -> tuple[float, float]:
    """`score` averaged over the four prints as the app's preview finds their damage."""
    options = options or RestoreOptions.parse("scratches")
    regions = json.loads(REGIONS.read_text())
    scores = []
    for path in scratched_prints():
        preview = restore_preview(path, options, None, detector)
        original, mask = preview.original, preview.mask
        scores.append(score(original, mask, regions[print_key(path)]))
    found, marked = np.mean(scores, axis=0)
    return float(found), float(marked)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--steps", default="all")
    ap.add_argument("--detector", type=Path, help="a detector file (default: the shipped one)")
    ap.add_argument("--score", action="store_true", help="score against the drawn regions")
    args = ap.parse_args()
    regions = json.loads(REGIONS.read_text())
    scores = []
    options = RestoreOptions.parse(args.steps)
    detector = Learned.load(args.detector) if args.detector else None
    rows = []
    for path in scratched_prints():
        preview = restore_preview(path, options, None, detector)
        original, repaired, mask = preview.original, preview.repaired, preview.mask
        if args.score:
            key = print_key(path)
            found, marked = score(original, mask, regions[key])
            scores.append((found, marked))
            print(f"{key}: cracks found {found:.1%}, intact features marked {marked:.1%}")
        marked = original.copy()
        if mask is not None:
            marked[mask] = (0.5 * marked[mask] + [128, 20, 20]).astype(np.uint8)
        row = np.hstack([original, marked, repaired])
        scale = ROW_HEIGHT / row.shape[0]
        size = (round(row.shape[1] * scale), ROW_HEIGHT)
        rows.append(cv2.resize(row, size, interpolation=cv2.INTER_AREA))
    width = max(r.shape[1] for r in rows)
    grid = np.vstack([np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0))) for r in rows])
    cv2.imwrite(str(args.out), cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
    print(f"wrote {args.out}")
    if scores:
        found, marked = np.mean(scores, axis=0)
        print(f"mean of {len(scores)} prints: cracks found {found:.1%}, intact marked {marked:.1%}")
        shares = [f"{share:.2%}" for share in clean_old_marked(detector, options)]
        print(f"unscratched public-domain old photos, share marked: {', '.join(shares)}")


def clean_old_marked(detector, options: RestoreOptions) -> list[float]:
    """The share of pixels marked on the five public-domain old photos, which have no scratches
    to speak of (a few specks): what Scratches costs a good old print."""
    shares = []
    for path in sorted((DATA / "old_photos").iterdir()):
        if any(key in path.name for key in PUBLIC_DOMAIN):
            mask = restore_preview(path, options, None, detector).mask
            shares.append(0.0 if mask is None else float(mask.mean()))
    return shares


if __name__ == "__main__":
    main()
