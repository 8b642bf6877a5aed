"""A picture grid of the real historical photos colorized by a model: for models/README.md.

  .venv/bin/python -m tests.tools.old_photos_grid MODEL OUT.jpg [--cell 220] [--public-domain]
Each cell: the scan, then the colorized photo, side by side.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import cv2
import numpy as np

from colorizer_app.core.imageio import load_image, to_uint8, write_atomically
from colorizer_app.core.photo_files import find_images
from colorizer_app.engine.colorizer import Colorizer

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COLORIZER_DATA", ROOT.parent / "shared" / "data"))


# The old photos that are public domain (../shared/data/README.md): only these may be shipped.
PUBLIC_DOMAIN = (
    "Broadway at the United States Hotel",
    "Buffalo Bank",
    "Detroit circa 1915",
    "Helen Keller meeting Charlie Chaplin",
    "February 1936",
)


def fit(rgb: np.ndarray, side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = side / max(h, w)
    small = cv2.resize(
        rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA
    )
    cell = np.full((side, side, 3), 255, np.uint8)
    y, x = (side - small.shape[0]) // 2, (side - small.shape[1]) // 2
    cell[y : y + small.shape[0], x : x + small.shape[1]] = small
    return cell


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("out")
    parser.add_argument("--cell", type=int, default=200)
    parser.add_argument("--columns", type=int, default=4)
    parser.add_argument(
        "--public-domain",
        action="store_true",
        help="only the photos that may be shipped (../shared/data/README.md): for the README",
    )
    args = parser.parse_args()
    colorizer = Colorizer(args.model, device="cpu")
    pairs = []
    for path in find_images([DATA / "old_photos"]):
        if args.public_domain and not any(k in path.name for k in PUBLIC_DOMAIN):
            continue
        image = load_image(path)
        rgb = to_uint8(image.rgb)
        pairs.append(np.hstack([fit(rgb, args.cell), fit(colorizer.colorize(rgb), args.cell)]))
    rows = []
    for i in range(0, len(pairs), args.columns):
        row = pairs[i : i + args.columns]
        row += [np.full_like(pairs[0], 255)] * (args.columns - len(row))
        rows.append(
            np.hstack([np.pad(p, ((4, 4), (4, 4), (0, 0)), constant_values=255) for p in row])
        )
    grid = np.vstack(rows)
    ok, buf = cv2.imencode(".jpg", grid[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 82])
    assert ok
    write_atomically(Path(args.out), buf.tobytes())
    print(f"{args.out}: {grid.shape[1]}x{grid.shape[0]}, {len(pairs)} photos")


if __name__ == "__main__":
    main()
