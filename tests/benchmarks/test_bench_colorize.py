"""Seconds per photo and peak memory when colorizing 1, 12, 40 and 150 MP photos on the CPU.

The scan (a gray JPEG, as a black-and-white scan is) is written by another process first, so the
measuring process holds only what the pipeline itself needs. "file to file" is what a person waits
for and the same code as `colorizer colorize`: read the JPEG, colorize over the decoded pixels,
write the JPEG; its peak resident memory is the whole process's (torch and the model included) from
the file's read to its write, the floor's own run beside it counted apart. "colorize" is the
Colorizer alone on pixels in memory, timed afterwards. "floor" is the file work alone, timed in the
same run, each repeat right beside a file-to-file one: OpenCV decoding the JPEG and encoding a
colour JPEG as the app writes it (quality 95, no chroma subsampling). Every figure is printed as a
ratio to it, which means the same on any machine; the medians of the repeats are reported. On a
machine busy with other work, torch's threads wait on each other and the network's wall time
swells, so the ratio of CPU seconds (both threads counted) is printed beside it. Targets: file to
file at most 4x the floor at 12 and 40 MP; peak memory at most the decoded photo plus 1.5 GB at any
size up to the 200 MP limit (150 MP: 1.72 GB at most).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import machine, save_result

MAKE = r"""
import sys, cv2
from skimage import data
mp = float(sys.argv[1]); w = int(round((mp * 1e6 * 1.5) ** 0.5)); h = int(round(w / 1.5))
gray = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY)  # a black-and-white scan
cv2.imwrite(sys.argv[2], cv2.resize(gray, (w, h), interpolation=cv2.INTER_LINEAR),
            [cv2.IMWRITE_JPEG_QUALITY, 92])
"""

SCRIPT = r"""
import json, resource, statistics, sys, tempfile, time
from pathlib import Path
import cv2
import numpy as np
from colorizer_app.core.imageio import load_image, save_image
from colorizer_app.engine.colorizer import Colorizer

def peak_mb():
    # This process's own high-water mark (ru_maxrss may count the parent's memory at fork).
    try:
        return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def reset_peak():
    # Linux: 5 in clear_refs sets the high-water mark back to what the process holds now, so
    # the file to file's peak is its own, not the floor's run just before it (OpenCV's colour
    # decode and encode of a 150 MP scan took the process higher than colorizing did).
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False

def floor(src):
    # Decode + encode of the same photo, nothing else: what no colorizer can go under.
    t, cpu = time.perf_counter(), time.process_time()
    bgr = cv2.imdecode(np.fromfile(src, np.uint8), cv2.IMREAD_COLOR)
    ok, _ = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 95,
                         cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444])
    assert ok
    return time.perf_counter() - t, time.process_time() - cpu

model, src, mp = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
repeats = 5 if mp < 20 else 3 if mp < 100 else 1
c = Colorizer(model, device="cpu")
c.colorize(np.zeros((512, 768, 3), np.uint8))  # warm-up: first-call allocations
floor(src)
before = peak_mb()
files, floors, files_cpu, floors_cpu, peaks, floor_peaks = [], [], [], [], [], []
for _ in range(repeats):
    resets = reset_peak()
    wall, cpu = floor(src)
    floor_peaks.append(peak_mb())
    floors.append(wall)
    floors_cpu.append(cpu)
    resets = reset_peak() and resets
    t, cpu = time.perf_counter(), time.process_time()
    image = load_image(src)
    rgb = c.colorize(image.rgb, in_place=True)
    save_image(Path(tempfile.mkdtemp()) / "scan_colorized.jpg", rgb, like=image)
    files.append(time.perf_counter() - t)
    files_cpu.append(time.process_time() - cpu)
    peaks.append(peak_mb())
    photo_mb = image.rgb.nbytes / 2**20
    del image, rgb
peak = max(peaks) if resets else peak_mb()  # without a reset: the floor's peak counts too
image = load_image(src)
times = []
for _ in range(repeats):
    t = time.perf_counter(); out = c.colorize(image.rgb); times.append(time.perf_counter() - t)
    del out
h, w = image.rgb.shape[:2]
med = statistics.median
print(json.dumps({"mp": round(w * h / 1e6, 1), "size": f"{w}x{h}", "seconds": med(times),
                  "file_to_file_seconds": med(files), "floor_seconds": med(floors),
                  "file_to_floor": med(f / g for f, g in zip(files, floors)),
                  "colorize_to_floor": med(times) / med(floors), "repeats": repeats,
                  "file_to_floor_cpu": med(f / g for f, g in zip(files_cpu, floors_cpu)),
                  "peak_mb": peak, "photo_mb": photo_mb, "peak_mb_before_colorize": before,
                  "floor_peak_mb": max(floor_peaks) if resets else None,
                  "load_average": open("/proc/loadavg").read().split()[0]}))
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
        f"\ncolorize {result['mp']} MP ({result['size']}): {result['seconds']:.2f} s "
        f"({result['colorize_to_floor']:.1f}x floor), file to file "
        f"{result['file_to_file_seconds']:.2f} s = {result['file_to_floor']:.1f}x the floor "
        f"{result['floor_seconds']:.3f} s (median of {result['repeats']}; in CPU time "
        f"{result['file_to_floor_cpu']:.1f}x), peak memory "
        f"{result['peak_mb']:.0f} MB (photo {result['photo_mb']:.0f} MB + "
        f"{result['peak_mb'] - result['photo_mb']:.0f}; the floor's own "
        f"{result['floor_peak_mb'] or 0:.0f} MB), load {result['load_average']}"
        f"  [{result['machine']}]"
    )
    save_result(f"colorize-{megapixels}mp", result)
