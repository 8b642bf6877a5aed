"""Seconds per photo and peak memory when colorizing 1, 12 and 40 MP photos on the CPU.

Each size runs in a fresh process, so its peak resident memory is its own. "file to file" is what
a person waits for: read the JPEG, colorize, write the JPEG (the same code as `colorizer
colorize`); "colorize" is the Colorizer alone. Targets on a 2-core machine: 12 MP file to file in
at most 1.5 s, 40 MP with peak memory under 2.5 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import RESULTS, machine

SCRIPT = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
import cv2, numpy as np
from skimage import data
from colorizer_app.core.imageio import load_image, save_image
from colorizer_app.engine.colorizer import Colorizer

model, mp = sys.argv[1], float(sys.argv[2])
c = Colorizer(model, device="cpu")
photo = data.astronaut()
w = int(round((mp * 1e6 * 1.5) ** 0.5)); h = int(round(w / 1.5))
rgb = cv2.resize(photo, (w, h), interpolation=cv2.INTER_LINEAR)
c.colorize(rgb[:512, :768])  # warm-up: first-call allocations are not what a batch sees
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times = []
for _ in range(3 if mp < 20 else 1):
    t = time.perf_counter(); out = c.colorize(rgb); times.append(time.perf_counter() - t)
assert out.shape == rgb.shape
del out
folder = Path(tempfile.mkdtemp())
src = folder / "scan.jpg"
cv2.imwrite(str(src), rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
del rgb
files = []
for _ in range(3 if mp < 20 else 1):
    t = time.perf_counter()
    image = load_image(src)
    save_image(folder / "scan_colorized.jpg", c.colorize(image.rgb), like=image)
    files.append(time.perf_counter() - t)
    del image
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"mp": round(w * h / 1e6, 1), "size": f"{w}x{h}", "seconds": min(times),
                  "file_to_file_seconds": min(files), "peak_mb": peak,
                  "peak_mb_before_colorize": before}))
"""


@pytest.mark.parametrize("megapixels", [1, 12, 40])
def test_colorize_speed_and_memory(offline_model, megapixels):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(offline_model), str(megapixels)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["machine"] = machine()
    print(
        f"\ncolorize {result['mp']} MP ({result['size']}): {result['seconds']:.2f} s, file to "
        f"file {result['file_to_file_seconds']:.2f} s, peak memory {result['peak_mb']:.0f} MB"
        f"  [{result['machine']}]"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"colorize-{megapixels}mp.json").write_text(json.dumps(result, indent=1))
