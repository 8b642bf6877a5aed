"""Seconds per photo and peak memory when colorizing 1, 12 and 40 MP photos on the CPU.

Each size runs in a fresh process, so its peak resident memory is its own. Targets on a 2-core
machine: 12 MP in at most 2 s, 40 MP with peak memory under 2.5 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import RESULTS, machine

SCRIPT = r"""
import json, resource, sys, time
import cv2, numpy as np
from skimage import data
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
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"mp": round(w * h / 1e6, 1), "size": f"{w}x{h}", "seconds": min(times),
                  "peak_mb": peak, "peak_mb_before_colorize": before}))
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
        f"\ncolorize {result['mp']} MP ({result['size']}): {result['seconds']:.2f} s, "
        f"peak memory {result['peak_mb']:.0f} MB  [{result['machine']}]"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"colorize-{megapixels}mp.json").write_text(json.dumps(result, indent=1))
