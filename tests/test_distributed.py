"""Training and colorizing under torchrun: 2 CPU processes (gloo) against 1, on real photos."""

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from colorizer_app.model.model_file import read_model_file

SIZE = 48


def torchrun(*args, cwd, processes=2, timeout=240):
    """`torchrun --standalone --nproc-per-node N -m colorizer_app ...` as a person types it."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc-per-node={processes}", "-m", "colorizer_app", *map(str, args)]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def colorizer(*args, cwd, timeout=240, pythonpath=None):
    cmd = [sys.executable, "-m", "colorizer_app", *map(str, args)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def photos(tmp_path_factory, data_dir):
    folder = tmp_path_factory.mktemp("dist") / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:24]:
        Image.open(src).resize((96, 64)).save(folder / src.name, quality=92)
    return folder


def _losses(path):
    return np.array(read_model_file(path).metadata["history"]["losses"])


def test_two_processes_train_what_one_does(photos, tmp_path):
    train = ["train", photos, "--preset", "tiny", "--size", SIZE, "--batch", 4, "--steps", 6,
             "--epochs", 100, "--device", "cpu"]  # fmt: skip
    one = colorizer(*train, "-o", "one.pt", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    two = torchrun(*train, "-o", "two.pt", "--cache", "cache", cwd=tmp_path)
    assert two.returncode == 0, two.stderr
    other_seed = colorizer(*train, "-o", "seed1.pt", "--seed", 1, cwd=tmp_path)
    assert other_seed.returncode == 0

    # one model file (and its checkpoint), written once, by the first process
    assert sorted(p.name for p in tmp_path.glob("two.*")) == ["two.ckpt", "two.pt"]
    assert two.stderr.count("world size 2") == 1 and two.stderr.count("Wrote two.pt") == 1
    assert read_model_file(tmp_path / "two.pt").metadata["processes"] == 2
    # the classifiers' outputs were computed in two shares and merged into one cache file
    assert [p.name.startswith("classifier-") for p in (tmp_path / "cache").iterdir()] == [
        True,
        True,
    ]  # one file per classifier of the tiny preset, no parts left behind

    # Same data order, same crops, same starting weights, gradients averaged over the global
    # batch: the loss of every step matches. The first step's loss is computed before any
    # update, on the same photos and crops with the same weights; only BatchNorm's statistics
    # differ (2 photos per process instead of 4: SyncBatchNorm does not run on CPUs), which
    # moves it by well under 1%. Later steps inherit that small difference through Adam, so
    # they may differ by a few percent; another seed (another order and other crops) moves
    # the same losses by 10-50%, so a few percent is a match, not chance.
    a, b, c = (
        _losses(tmp_path / "one.ckpt"),
        _losses(tmp_path / "two.ckpt"),
        _losses(tmp_path / "seed1.ckpt"),
    )
    assert len(a) == len(b) == 6
    assert abs(a[0] - b[0]) / a[0] < 0.01
    assert np.max(np.abs(a - b) / a) < 0.10
    assert np.mean(np.abs(a - b) / a) < 0.25 * np.mean(np.abs(a - c) / a)


def test_a_run_resumes_with_another_number_of_processes(photos, tmp_path):
    train = ["train", photos, "--preset", "tiny", "--size", SIZE, "--batch", 4, "--epochs", 100,
             "--device", "cpu", "-o", "run.pt", "--checkpoint-every", 1]  # fmt: skip
    first = torchrun(*train, "--steps", 3, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert read_model_file(tmp_path / "run.ckpt").metadata["steps"] == 3
    again = colorizer(*train, "--steps", 6, "--resume", cwd=tmp_path)  # one process now
    assert again.returncode == 0, again.stderr
    assert read_model_file(tmp_path / "run.pt").metadata["steps"] == 6
    assert len(_losses(tmp_path / "run.ckpt")) == 6  # the curve goes on from step 3


def test_an_archive_is_shared_between_processes(tmp_path, data_dir, tiny_model_path):
    scans = tmp_path / "scans"
    (scans / "box2").mkdir(parents=True)
    for i, src in enumerate(sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:40]):
        folder = scans / ("box2" if i % 3 == 0 else "")
        Image.open(src).convert("L").resize((90, 60)).save(folder / f"scan{i:02d}.jpg")
    out = tmp_path / "out"
    run = torchrun("colorize", scans, "-o", out, "--model", tiny_model_path, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert len(written) == 40 == len(set(written))  # each photo once, no collisions
    assert run.stderr.count("Colorized 40, skipped 0") == 1  # summed up once, by the first
    assert "on 2 processes" in run.stderr

    # resumable as ever: a second run skips everything; a failure on any process is the run's
    (scans / "box2" / "broken.jpg").write_bytes(b"not a photo")
    again = torchrun("colorize", scans, "-o", out, "--model", tiny_model_path, cwd=tmp_path)
    assert again.returncode == 1, again.stderr
    assert "Colorized 0, skipped 40 (already there), failed 1" in again.stderr
    assert "broken.jpg" in again.stderr


def test_sigterm_stops_every_process_after_the_step_with_a_checkpoint(photos, tmp_path):
    """What torchrun sends its processes when the run is stopped (Ctrl+C, a scheduler)."""
    import signal

    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2",
           "-m", "colorizer_app", "train", str(photos), "--preset", "tiny", "--size", str(SIZE),
           "--batch", "4", "--epochs", "100000", "--device", "cpu", "-o", "stop.pt",
           "--checkpoint-every", "1"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for line in proc.stderr:  # blocks until the first step is reported: no polling
        if line.startswith("train ["):
            break
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    model = read_model_file(tmp_path / "stop.pt")  # the first process wrote what it had
    assert model.metadata["stopped_early"] is True
    assert read_model_file(tmp_path / "stop.ckpt").metadata["steps"] == model.metadata["steps"]
