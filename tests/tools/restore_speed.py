"""12 MP restoration beside colorizing alone, in one run (README's figures).

    python -m tests.tools.restore_speed

The couple's scratched print (old_photos) enlarged to 4000 x 3000; each line: (wall s, CPU s).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import cv2

from colorizer_app.core.imageio import load_image
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.restore.detect import default_detector
from colorizer_app.restore.pipeline import RestoreOptions, restore_rgb

DATA = Path(os.environ.get("COLORIZER_DATA", "../shared/data"))


def timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)


def main() -> None:
    name = "Bringing-Old-Photos-Back-to-Life_old_w_scratch_d.png"
    rgb = load_image(DATA / "old_photos" / name).rgb
    big = cv2.resize(rgb, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    detector = default_detector()
    colorizer = Colorizer("default")
    print("colorize (first call)", timed(lambda: colorizer.colorize(big.copy())))
    for steps in ("scratches", "fading", "grain", "all"):
        options = RestoreOptions.parse(steps)
        print(f"restore {steps}", timed(lambda o=options: restore_rgb(big, o, detector)))
    print("colorize", timed(lambda: colorizer.colorize(big.copy())))


if __name__ == "__main__":
    main()
