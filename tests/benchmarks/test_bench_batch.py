"""Photos per second over a batch of 48 Kodak-sized (768x512) gray scans, file to file, as
`colorizer colorize` runs it (engine.batch.run_jobs: read, colorize, write a JPEG), the model
already loaded. Each run is a fresh process. With COLORIZER_BENCH_BASELINE set to another
checkout of the project (e.g. a detached worktree of main), that checkout's code is measured in
the same run, turn about with this one, and the ratio printed: the figure then means the same
on a busy machine. Target (issue 29): at least 1.5x the photos per second of the code before.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import cv2

from .conftest import machine, save_result

SCRIPT = r"""
import json, sys, tempfile, time
from pathlib import Path
from colorizer_app.engine.batch import plan_jobs, run_jobs
from colorizer_app.engine.colorizer import Colorizer

c = Colorizer(sys.argv[1], device="cpu")
folder = Path(sys.argv[2])
run_jobs(c, plan_jobs(sorted(folder.glob("*.jpg"))[:2], Path(tempfile.mkdtemp())))  # warm-up
jobs = plan_jobs([folder], Path(tempfile.mkdtemp()))
t = time.perf_counter()
result = run_jobs(c, jobs)
seconds = time.perf_counter() - t
assert len(result.done) == len(jobs), result.failed
print(json.dumps({"photos": len(jobs), "seconds": seconds}))
"""


def _run(checkout: Path, model: Path, folder: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(model), str(folder)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=checkout,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result["photos"] / result["seconds"]


def test_batch_photos_per_second(offline_model, data_dir, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    for k, path in enumerate(sorted((data_dir / "kodak24").glob("*.png")) * 2):
        gray = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2GRAY)
        gray = cv2.resize(gray, (768, 512), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(folder / f"scan{k:02d}.jpg"), gray, [cv2.IMWRITE_JPEG_QUALITY, 92])
    here = Path(__file__).resolve().parents[2]
    baseline = os.environ.get("COLORIZER_BENCH_BASELINE")
    rounds = int(os.environ.get("COLORIZER_BENCH_ROUNDS", "3"))
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(_run(here, offline_model, folder))
        if baseline:
            theirs.append(_run(Path(baseline), offline_model, folder))
    result = {
        "photos_per_second": statistics.median(ours),
        "runs": ours,
        "load_average": Path("/proc/loadavg").read_text().split()[0],
        "machine": machine(),
    }
    line = f"\nbatch of 48 gray 768x512 scans: {result['photos_per_second']:.2f} photos/s"
    if theirs:
        result["baseline_photos_per_second"] = statistics.median(theirs)
        result["baseline_runs"] = theirs
        result["ratio"] = statistics.median(o / t for o, t in zip(ours, theirs, strict=True))
        line += (
            f", {result['baseline_photos_per_second']:.2f} photos/s for {baseline}: "
            f"{result['ratio']:.2f}x (median of {rounds} turns)"
        )
    print(f"{line}, load {result['load_average']}  [{result['machine']}]")
    save_result("batch", result)
