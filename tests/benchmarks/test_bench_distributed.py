"""One process against two under torchrun, on this machine's CPUs: training images/s (offline
preset, 128 px, global batch 20) and archive colorizing photos/s (48 Kodak-sized scans).

On a CPU machine both processes share its cores (torchrun gives each one thread; one process
alone uses them all), so this shows the overhead of the process group more than a speed-up; on
several GPUs each process has its own. Printed, not asserted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from PIL import Image

from colorizer_app.model.model_file import read_model_file

from .conftest import machine, save_result


def _run(args, processes, cwd):
    launcher = [sys.executable, "-m", "colorizer_app"]
    if processes > 1:
        launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                    f"--nproc-per-node={processes}", "-m", "colorizer_app"]  # fmt: skip
    proc = subprocess.run([*launcher, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ}, timeout=1800)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_one_process_against_two(data_dir, tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, src in enumerate(sorted((data_dir / "kodak24").glob("*.png")) * 2):
        Image.open(src).convert("L").save(scans / f"scan{i:02d}.jpg", quality=90)
    result = {"machine": machine()}
    for processes in (1, 2):
        out = tmp_path / f"train{processes}.pt"
        _run(["train", data_dir / "imagenet", "--preset", "offline", "--size", 128, "--batch", 20,
              "--steps", 16, "--epochs", 100, "--limit", 200, "--device", "cpu", "-o", out,
              "--cache", tmp_path / "cache"], processes, tmp_path)  # fmt: skip
        meta = read_model_file(out).metadata
        result[f"train_images_per_s_{processes}"] = meta["steps"] * 20 / meta["seconds"]
        log = _run(["colorize", scans, "-o", tmp_path / f"out{processes}"], processes, tmp_path)
        seconds = float(re.search(r"failed \d+ in ([\d.]+) s", log).group(1))
        result[f"colorize_photos_per_s_{processes}"] = 48 / seconds
    print(
        "\ntorchrun on the CPU: training {:.1f} -> {:.1f} images/s, colorizing {:.1f} -> {:.1f} "
        "photos/s (1 -> 2 processes)  [{}]".format(
            result["train_images_per_s_1"],
            result["train_images_per_s_2"],
            result["colorize_photos_per_s_1"],
            result["colorize_photos_per_s_2"],
            result["machine"],
        )  # fmt: skip
    )
    save_result("distributed", result)
