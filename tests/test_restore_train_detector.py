"""Training the damage detector against what a good print has (issue 28): hard negatives are the
clean crops the detector marks most, mined from photos outside the clean-print check."""

from __future__ import annotations

import numpy as np
import torch

from colorizer_app.restore import crop_stream, train_detector
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
            "--hard-photos", "6", "--hard-keep", "5", "--style", "crazed", "--soften", "0.5",
        ]
    )  # fmt: skip
    assert code == 0
    info = torch.load(out, weights_only=True)["info"]
    assert 1 <= info["hard_negatives"] <= 5
    assert info["crops"] == 12 + info["hard_negatives"]  # 6 photos x 2 crops, then the mined
    assert info["style"] == "crazed" and info["soften"] == 0.5  # how its damage was drawn


def test_softened_crops_look_scanned_and_keep_their_damage(data_dir):
    """A crop softened as a scan is (blur, JPEG) has softer edges, the same tones, and its mask
    still marks damage that is still visible there."""
    from colorizer_app.core.imageio import load_image
    from colorizer_app.core.lab import rgb_to_l

    l = rgb_to_l(load_image(data_dir / "kodak24" / "kodim19.png").rgb)[:96, :96].copy()
    hurt = train_detector.synth.damage(l, np.random.default_rng(2), train_detector.synth.CRAZED, 3)
    rng = np.random.default_rng(0)
    softened = [crop_stream.soften(hurt.l, rng) for _ in range(8)]
    edge = np.abs(np.diff(hurt.l, axis=1)).mean()
    assert all(s.shape == hurt.l.shape and 0 <= s.min() and s.max() <= 100 for s in softened)
    assert np.mean([np.abs(np.diff(s, axis=1)).mean() for s in softened]) < edge
    assert all(abs(s.mean() - hurt.l.mean()) < 1.5 for s in softened)
    # The damage still stands out where the mask says: softer, not gone.
    for s in softened:
        assert np.abs(s - l)[hurt.mask].mean() > 3 * np.abs(s - l)[~hurt.mask].mean()
