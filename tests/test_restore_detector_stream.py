"""Training the damage detector as a GPU machine runs it (issue 28): new damage for every step
made by worker processes, several networks on the same crops, four-scale networks, numbered
checkpoints, and a stop that keeps what was learnt. Run here on the CPU, small and short."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from colorizer_app.core.imageio import load_image
from colorizer_app.core.lab import rgb_to_l
from colorizer_app.restore import synth, train_detector
from colorizer_app.restore.crop_stream import DamagedCrops
from colorizer_app.restore.detect import DamageNet, Learned, find_damage, l_to_input
from tests.conftest import ROOT


def test_a_four_scale_detector_file_answers_as_its_network(tmp_path, data_dir):
    """A file of a deeper network (depth in the payload) loads as that network, folded for speed,
    and answers on a photo whose sides are no multiple of its eight-fold reduction."""
    torch.manual_seed(0)
    net = DamageNet(8, depth=4)
    for module in net.modules():  # batch norms with statistics of their own, as a trained one
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
    path = tmp_path / "deep.pt"
    train_detector.save(net, path, 0.5, {})
    l = rgb_to_l(load_image(data_dir / "kodak24" / "kodim05.png").rgb)[:203, :301].copy()
    plain_net = DamageNet(8, depth=4)
    plain_net.load_state_dict({k: v.float() for k, v in torch.load(path)["state"].items()})
    detector = Learned.load(path)
    assert detector.net.depth == 4
    h, w = l.shape
    padded = np.pad(l, ((0, (-h) % 8), (0, (-w) % 8)), mode="reflect")
    with torch.inference_mode():
        plain = torch.sigmoid(plain_net.eval()(l_to_input(padded)))[0, 0, :h, :w].numpy()
    assert np.abs(detector.probability_at(l) - plain).max() < 1e-4
    for shape in ((1, 1), (5, 7), (9, 900)):  # thin and tiny photos too
        assert find_damage(np.full(shape, 50.0, np.float32), detector).shape == shape


def test_streamed_crops_are_new_each_time_and_a_seed_repeats_them(data_dir):
    paths = sorted((data_dir / "kodak24").glob("*.png"))[:3]

    def first_twelve(seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        stream = iter(DamagedCrops(paths, synth.CRAZED, 64, 0.0, 0.5, seed))
        return [next(stream) for _ in range(12)]

    first, again, other = first_twelve(3), first_twelve(3), first_twelve(4)
    for (x, m), (x2, m2), (x3, _) in zip(first, again, other, strict=True):
        assert torch.equal(x, x2) and torch.equal(m, m2)  # repeatable
        assert not torch.equal(x, x3)  # another seed, other crops
    crops = torch.stack([x for x, _ in first])
    assert crops.shape == (12, 1, 64, 64) and crops.min() >= -1 and crops.max() <= 1
    assert len({c.numpy().tobytes() for c in crops}) == 12  # no crop seen twice
    assert 0 < float(torch.stack([m for _, m in first]).mean()) < 0.5  # damage, drawn and marked


def test_several_networks_learn_from_one_stream_and_keep_checkpoints(tmp_path, data_dir):
    out = tmp_path / "det.pt"
    code = train_detector.main(
        [
            str(out), str(data_dir / "bsds500" / "train"),
            "--val", str(data_dir / "kodak24"),
            "--stream", "--workers", "1", "--crop", "64", "--batch", "4", "--every", "2",
            "--nets", "8x3", "8x4@1e-3", "init",
            "--init", str(ROOT / "models" / "damage_detector.pt"),
            "--minutes", "0.1", "--style", "crazed", "--soften", "0.5",
        ]
    )  # fmt: skip
    assert code == 0
    for spec, depth in (("8x3", 3), ("8x4", 4), ("init", 3)):
        payload = torch.load(tmp_path / f"det-{spec}.pt", weights_only=True)
        assert payload["depth"] == depth
        assert payload["info"]["crops"] == "streamed" and payload["info"]["steps"] >= 2
        assert 0.2 <= payload["threshold"] <= 0.9 and "validation" in payload["info"]
        assert Learned.load(tmp_path / f"det-{spec}-step2.pt").net.depth == depth
    assert not out.exists()  # several networks: each under its own name


def test_a_stopped_run_writes_what_it_learnt(tmp_path, data_dir):
    """Ctrl+C (or a time limit's SIGINT) in the middle of a long run: the networks are written,
    with the steps they took, and the run ends cleanly, however it was started."""
    out = tmp_path / "det.pt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [
        sys.executable, "-m", "colorizer_app.restore.train_detector", str(out),
        str(data_dir / "bsds500" / "train"), "--val", str(data_dir / "kodak24"),
        "--stream", "--workers", "1", "--crop", "64", "--batch", "4", "--every", "1",
        "--minutes", "30",
    ]  # fmt: skip
    # Started as a script's background job is (SIGINT ignored, inherited): a fresh-clone
    # `make test` run that way saw the stopped run go on training for 5 minutes.
    run = subprocess.Popen(
        argv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "det-step2.pt").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (tmp_path / "det-step2.pt").exists(), "no step was taken in two minutes"
        run.send_signal(signal.SIGINT)
        text = run.communicate(timeout=300)[0].decode()  # a loaded machine is slow to end
    finally:
        run.kill()
    assert run.returncode == 0, text
    assert "stopped after" in text and f"wrote {out}" in text
    payload = torch.load(out, weights_only=True)
    assert payload["info"]["steps"] >= 2


def test_a_stream_of_photos_none_of_which_reads_says_so(tmp_path):
    """Not a trainer waiting for ever on a batch that never comes (a review)."""
    broken = tmp_path / "a.jpg"
    broken.write_bytes(b"not a photo")
    stream = iter(DamagedCrops([broken], synth.CRAZED, 64, 0.0, 0.0, seed=0))
    with pytest.raises(ValueError, match="could be read"):
        next(stream)


def test_two_networks_of_one_shape_are_refused_before_training(tmp_path, data_dir, capsys):
    kodak = str(data_dir / "kodak24")
    argv = [str(tmp_path / "det.pt"), kodak, "--val", kodak, "--nets", "8x3@1e-3", "8x3@2e-3"]
    with pytest.raises(SystemExit):
        train_detector.main(argv)
    assert "would write one file" in capsys.readouterr().err and not list(tmp_path.iterdir())
