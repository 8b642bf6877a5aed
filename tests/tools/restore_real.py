"""The real scratched prints (old_photos/*old_w_scratch*) as restoration sees them: each row the
print, the damage found over it (red) and the repaired print, for looking at.

    python -m tests.tools.restore_real OUT.png [--steps all] [--detector FILE.pt]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import cv2
import numpy as np

from colorizer_app.engine.restoring import restore_preview
from colorizer_app.restore.detect import Learned
from colorizer_app.restore.pipeline import RestoreOptions

DATA = Path(os.environ.get("COLORIZER_DATA", "../shared/data"))
ROW_HEIGHT = 360


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--steps", default="all")
    ap.add_argument("--detector", type=Path, help="a detector file (default: the shipped one)")
    args = ap.parse_args()
    options = RestoreOptions.parse(args.steps)
    detector = Learned.load(args.detector) if args.detector else None
    rows = []
    for path in sorted((DATA / "old_photos").glob("*old_w_scratch*")):
        original, repaired, mask = restore_preview(path, options, None, detector)
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


if __name__ == "__main__":
    main()
