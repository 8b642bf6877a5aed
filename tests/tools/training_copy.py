"""A small copy of a training pool to carry to a GPU machine for `colorizer train --stream`.

    python -m tests.tools.training_copy OUT --size 224 --per-folder 2 FOLDER...

Only the colour photos a run learns from and validates on are written (the held-out quarter
and photos stored gray stay behind), each as the stream reads it (shorter side shrunk to SIZE,
then squashed to a square), stored as WebP: about 6 KB a photo at 224 px and quality 70,
against 10 KB as JPEG (the device machine takes 64 MiB a call, the repository included).
Every folder keeps its own name and every photo its name, so the split hashes (data.group_key:
the folder's name and the path inside it) put each photo on the same side as on this machine.
The file keeps its old suffix; images are decoded by their content, not their name.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2

from colorizer_app.core.errors import ColorizerError
from colorizer_app.core.imageio import load_image, to_uint8
from colorizer_app.training.data import list_photo_files, shrink, split_photos, validation_split
from colorizer_app.training.feature_cache import square

QUALITY = 70


def _write(job: tuple[str, str, int, int]) -> int:
    src, dst, size, quality = job
    try:
        image = load_image(src)
    except ColorizerError as exc:
        print(f"skipped {exc}", file=sys.stderr)
        return 0
    if image.was_grayscale:  # as three channels it would be taken for a colour photo there
        print(f"skipped {src}: gray", file=sys.stderr)
        return 0
    rgb = square(shrink(to_uint8(image.rgb), size), size)
    ok, data = cv2.imencode(".webp", rgb[:, :, ::-1], [cv2.IMWRITE_WEBP_QUALITY, quality])
    assert ok, src
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    Path(dst).write_bytes(data.tobytes())
    return len(data)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("folders", nargs="+", type=Path)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--per-folder", type=int, default=None)
    p.add_argument("--split-by", default="folder")
    p.add_argument("--quality", type=int, default=QUALITY, help="WebP quality, 1-100")
    p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args(argv)
    jobs = []
    for folder in a.folders:
        files = list_photo_files([folder], a.split_by, None, a.per_folder)
        pool, _test = split_photos(files)
        train, val = validation_split(pool)
        # Named under OUT by the folder's own name and its parent's (bsds500/train, scenes/camvid).
        target = a.out / folder.resolve().parent.name / folder.name
        for f in train + val:
            jobs.append((str(f.path), str(target / f.path.relative_to(folder)), a.size, a.quality))
        print(f"{folder}: {len(train)} training, {len(val)} validation -> {target}")
    with ProcessPoolExecutor(a.jobs) as ex:
        sizes = list(ex.map(_write, jobs, chunksize=64))
    print(f"{sum(1 for s in sizes if s)} photos, {sum(sizes) / 2**20:.1f} MB in {a.out}")


if __name__ == "__main__":
    main()
