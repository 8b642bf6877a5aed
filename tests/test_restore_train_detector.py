"""Training the damage detector against what a good print has (issue 28): hard negatives are the
clean crops the detector marks most, mined from photos outside the clean-print check."""

from __future__ import annotations

import numpy as np
import torch

from colorizer_app.restore import train_detector
from colorizer_app.restore.train_detector import hard_negatives, load_net, photo_paths, predict
from tests.conftest import ROOT

DETECTOR = ROOT / "models" / "damage_detector.pt"


def test_hard_negatives_are_the_clean_crops_the_detector_marks_most(data_dir):
    net, threshold = load_net(DETECTOR)
    rng = np.random.default_rng(0)
    paths = photo_paths([str(data_dir / "scenes" / "urban100")], 8, rng)  # railings, windows
    crops, masks = hard_negatives(net, paths, tries=4, keep=6, threshold=threshold, rng=rng)
    assert 1 <= len(crops) <= 6 and crops.shape[1:] == (96, 96)
    assert not masks.any()  # nothing in them is damage: every mark on them is a false one
    marked = (predict(net, crops) > threshold).mean(axis=(1, 2))
    assert (marked > 0).all()
    # The same photos' crops as training draws them: the kept ones are marked more than those.
    rng = np.random.default_rng(0)
    photo_paths([str(data_dir / "scenes" / "urban100")], 8, rng)
    plain, _ = train_detector.make_crops(paths, 4, rng, train_detector.synth.TRAINING, 1.0)
    assert marked.mean() > (predict(net, plain) > threshold).mean()


def test_a_run_with_hard_negatives_says_how_many_it_trained_on(tmp_path, data_dir):
    out = tmp_path / "det.pt"
    code = train_detector.main(
        [
            str(out),
            str(data_dir / "bsds500" / "train"),
            "--val", str(data_dir / "kodak24"),
            "--photos", "6", "--minutes", "0.02", "--batch", "4", "--width", "12",
            "--init", str(DETECTOR),
            "--hard-negatives", str(data_dir / "scenes" / "urban100"),
            "--hard-photos", "6", "--hard-keep", "5", "--style", "crazed",
        ]
    )  # fmt: skip
    assert code == 0
    info = torch.load(out, weights_only=True)["info"]
    assert 1 <= info["hard_negatives"] <= 5
    assert info["crops"] == 12 + info["hard_negatives"]  # 6 photos x 2 crops, then the mined
    assert info["style"] == "crazed"  # the run says which generator drew its damage
