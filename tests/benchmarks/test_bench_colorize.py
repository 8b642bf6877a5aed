"""Seconds per photo and peak memory when colorizing 1, 12, 40 and 150 MP photos on the CPU.

The scan is written by another process first, so the measuring process holds only what the
pipeline itself needs. "file to file" is what a person waits for and the same code as
`colorizer colorize`: read the JPEG, colorize over the decoded pixels, write the JPEG; its peak
resident memory is the whole process's (torch and the model included). "colorize" is the
Colorizer alone on pixels in memory, timed afterwards. Targets on a 2-core machine: 12 MP file
to file in at most 1.5 s; peak memory at most the decoded photo plus 1.5 GB at any size up to
the 200 MP limit.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import RESULTS, machine

MAKE = r"""
import sys, cv2
from skimage import data
mp = float(sys.argv[1]); w = int(round((mp * 1e6 * 1.5) ** 0.5)); h = int(round(w / 1.5))
rgb = cv2.resize(data.astronaut(), (w, h), interpolation=cv2.INTER_LINEAR)
cv2.imwrite(sys.argv[2], rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
"""

SCRIPT = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
import numpy as np
from colorizer_app.core.imageio import load_image, save_image
from colorizer_app.engine.colorizer import Colorizer

def peak_mb():
    # This process's own high-water mark (ru_maxrss may count the parent's memory at fork).
    try:
        return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

model, src, mp = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
c = Colorizer(model, device="cpu")
c.colorize(np.zeros((512, 768, 3), np.uint8))  # warm-up: first-call allocations
before = peak_mb()
files = []
for _ in range(3 if mp < 20 else 1):
    t = time.perf_counter()
    image = load_image(src)
    rgb = c.colorize(image.rgb, in_place=True)
    save_image(Path(tempfile.mkdtemp()) / "scan_colorized.jpg", rgb, like=image)
    files.append(time.perf_counter() - t)
    photo_mb = image.rgb.nbytes / 2**20
    del image, rgb
peak = peak_mb()
image = load_image(src)
times = []
for _ in range(3 if mp < 20 else 1):
    t = time.perf_counter(); out = c.colorize(image.rgb); times.append(time.perf_counter() - t)
    del out
h, w = image.rgb.shape[:2]
print(json.dumps({"mp": round(w * h / 1e6, 1), "size": f"{w}x{h}", "seconds": min(times),
                  "file_to_file_seconds": min(files), "peak_mb": peak, "photo_mb": photo_mb,
                  "peak_mb_before_colorize": before}))
"""


@pytest.mark.parametrize("megapixels", [1, 12, 40, 150])
def test_colorize_speed_and_memory(offline_model, megapixels, tmp_path):
    src = tmp_path / "scan.jpg"
    subprocess.run([sys.executable, "-c", MAKE, str(megapixels), str(src)], check=True)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(offline_model), str(src), str(megapixels)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["machine"] = machine()
    print(
        f"\ncolorize {result['mp']} MP ({result['size']}): {result['seconds']:.2f} s, file to "
        f"file {result['file_to_file_seconds']:.2f} s, peak memory {result['peak_mb']:.0f} MB "
        f"(photo {result['photo_mb']:.0f} MB + {result['peak_mb'] - result['photo_mb']:.0f})"
        f"  [{result['machine']}]"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"colorize-{megapixels}mp.json").write_text(json.dumps(result, indent=1))
