"""The `scenes` preset: a pretrained semantic encoder, ab bins, cached features, its training."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.model import ab_bins
from colorizer_app.model.model_file import read_model_file, save_model
from colorizer_app.model.networks import build_network
from colorizer_app.model.presets import get_preset
from colorizer_app.training.data import balanced_rows, repeat_views, scan_folders
from colorizer_app.training.feature_cache import encoded_photos

from .conftest import real_rgb, run_main


@pytest.fixture(scope="module")
def scenes_model():
    torch.manual_seed(0)
    return build_network(get_preset("scenes").config, pretrained_backbones=True).eval()


def test_bins_cover_the_gamut_and_decode_back():
    centres = torch.from_numpy(ab_bins.gamut_bins())
    assert 200 < len(centres) < 320
    # grey, skin, sky blue and grass green each fall in a bin within half a cell
    for a, b in [(0, 0), (18, 22), (-5, -35), (-40, 45)]:
        d = (centres - torch.tensor([a, b], dtype=torch.float32)).norm(dim=1).min()
        assert d <= ab_bins.BIN_STEP / 2 * 2**0.5 + 1e-4
    # a confident distribution decodes to its bin's colour
    logits = torch.full((1, len(centres), 1, 1), -30.0)
    logits[0, 17] = 30.0
    assert torch.allclose(ab_bins.annealed_mean(logits, centres)[0, :, 0, 0], centres[17])


def test_soft_targets_put_most_weight_on_the_nearest_bin():
    centres = torch.from_numpy(ab_bins.gamut_bins())
    ab = centres[40].view(1, 2, 1, 1) + 1.0
    idx, w = ab_bins.soft_encode(ab, centres)
    assert idx[0, 0, 0, 0] == 40
    assert torch.isclose(w.sum(1), torch.ones(1)).all() and w[0, 0] > w[0, 1:].max()
    # the cross-entropy is lowest when the network predicts the target's bin
    right = torch.full((1, len(centres), 1, 1), -5.0)
    right[0, 40] = 5.0
    wrong = torch.full((1, len(centres), 1, 1), -5.0)
    wrong[0, 3] = 5.0
    assert ab_bins.bin_cross_entropy(right, idx, w, None) < ab_bins.bin_cross_entropy(
        wrong, idx, w, None
    )


def test_rebalancing_weighs_rare_colours_up():
    counts = np.array([1000, 100, 10, 0])
    w = ab_bins.rebalance_weights(counts, mix=0.5)
    assert w[0] < w[1] < w[2] <= w[3]
    p = counts / counts.sum()
    assert abs((p * w).sum() - 1.0) < 1e-5  # the data's expected weight stays 1


def test_scenes_network_takes_any_multiple_of_eight_and_classifies(scenes_model):
    import cv2

    from colorizer_app.core import lab

    rgb = cv2.resize(real_rgb("chelsea"), (224, 168), interpolation=cv2.INTER_AREA)
    l = torch.from_numpy(lab.normalize_l(lab.rgb_to_l(rgb)))[None, None]
    with torch.no_grad():
        ab = scenes_model(l)
        probs = scenes_model.classify(l)
    assert ab.shape == (1, 2, 168, 224) and ab.abs().max() <= 1.0
    # The pretrained encoder sees the gray photo of a cat as a cat (ImageNet 281-285).
    assert int(probs.argmax()) in range(281, 286)


def test_cached_features_are_the_networks_own(tmp_path, data_dir, scenes_model):
    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:3]:
        Image.open(src).save(folder / src.name)
    photos = scan_folders([folder], keep_side=64).usable
    first = encoded_photos(scenes_model, photos, 64, tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("encoder-*.pt"))) == 1
    again = encoded_photos(scenes_model, photos[::-1], 64, tmp_path / "cache")
    assert again.keys == first.keys[::-1]
    assert torch.equal(again.feats[0][0], first.feats[0][-1])
    from colorizer_app.training.feature_cache import l_of

    feats, probs = scenes_model.encode(l_of(first.rgb[:1]))
    for cached, fresh in zip(first.feats, feats, strict=True):
        assert torch.allclose(cached[0].float(), fresh[0], atol=2e-2, rtol=1e-2)


def test_train_scenes_preset_end_to_end(tmp_path, data_dir):
    """`colorizer train --preset scenes` writes a model that loads and colorizes a photo."""
    import subprocess
    import sys

    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:16]:
        Image.open(src).resize((96, 64)).save(folder / src.name, quality=92)
    out = tmp_path / "scenes.pt"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "colorizer_app",
            "train",
            str(folder),
            "--preset",
            "scenes",
            "--size",
            "64",
            "--steps",
            "4",
            "--batch",
            "4",
            "--eval-every",
            "2",
            "--cache",
            str(tmp_path / "cache"),
            "--half",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert f"Wrote {out} after 4 steps" in run.stderr
    mf = read_model_file(out)
    # scored (and said) exactly when there are validation photos
    assert ("best validation PSNR" in run.stderr) == (mf.metadata["images"]["validation"] > 0)
    assert mf.preset == "scenes" and mf.config.inference_size == 64
    assert mf.metadata["loss"] == "bins" and mf.metadata["steps"] == 4
    rgb = real_rgb("coffee")
    result = Colorizer(out, device="cpu").colorize(rgb)
    assert result.shape == rgb.shape


def test_half_precision_file_colours_like_the_full_one(tmp_path, scenes_model):
    full = save_model(scenes_model, tmp_path / "full.pt", "scenes")
    half = save_model(scenes_model, tmp_path / "half.pt", "scenes", half=True)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    rgb = real_rgb("astronaut")
    a = Colorizer(full, device="cpu").predict_ab(rgb)
    b = Colorizer(half, device="cpu").predict_ab(rgb)
    assert np.abs(a - b).max() < 2.0  # Lab units


def _scenes_args(folder, out, *extra) -> list[str]:
    folders = [str(f) for f in folder] if isinstance(folder, list) else [str(folder)]
    args = ["train", *folders, "--preset", "scenes", "--size", "64", "--steps", "3"]
    return args + ["--batch", "4", "--eval-every", "3", "-o", str(out), *map(str, extra)]


def _train_scenes(folder, out, *extra):
    return subprocess.run(
        [sys.executable, "-m", "colorizer_app", *_scenes_args(folder, out, *extra)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _refused(run) -> bool:
    """A usage error said in words (exit 2), not a crash (3) that happens to name the option."""
    return run.returncode == 2 and "internal error" not in run.stderr


def test_tune_top_moves_only_the_encoders_stride_32_stages(tmp_path, data_dir, scenes_model):
    """--init starts from a trained model; --tune-top trains the encoder's last stages from the
    cached stride-16 features and leaves every earlier weight, and all BatchNorm statistics,
    exactly as ImageNet left them (the cache of those features stays valid)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:12]:
        Image.open(src).resize((96, 64)).save(folder / src.name, quality=92)
    start = save_model(scenes_model, tmp_path / "start.pt", "scenes")
    out = tmp_path / "tuned.pt"
    run = _train_scenes(folder, out, "--init", str(start), "--tune-top", "--top-lr", "1e-3")
    assert run.returncode == 0, run.stderr
    before, after = read_model_file(start).state_dict, read_model_file(out)
    assert after.metadata["tuned_encoder_top"] and after.metadata["init"] == str(start)
    tops = tuple(f"encoder.net._blocks.{i}." for i in range(11, 16))
    moved = {k for k, v in after.state_dict.items() if not torch.equal(v, before[k])}
    encoder_moved = {k for k in moved if k.startswith("encoder.")}
    assert encoder_moved and all(k.startswith(tops) for k in encoder_moved)
    assert not any("running_" in k for k in encoder_moved)
    assert any(k.startswith("dec4.") for k in moved)
    info = subprocess.run(
        [sys.executable, "-m", "colorizer_app", "models", "info", str(out)],
        capture_output=True,
        text=True,
    )
    assert "stride-32 stages tuned" in info.stdout
    # The file written is the trained network: it colours unlike the one it started from.
    rgb = real_rgb("coffee")
    a = Colorizer(start, device="cpu", render_size=64).colorize(rgb).astype(float)
    b = Colorizer(out, device="cpu").colorize(rgb).astype(float)
    assert a.shape == b.shape and np.abs(a - b).mean() > 0.1
    # Resuming its checkpoint without --tune-top is refused, naming the checkpoint.
    again = run_main(*_scenes_args(folder, out, "--steps", "5", "--resume"))
    assert _refused(again) and "other options" in again.stderr, again.stderr
    assert str(out.with_suffix(".ckpt")) in again.stderr


def test_init_refuses_a_model_of_another_preset(tmp_path, data_dir):
    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:4]:
        Image.open(src).resize((96, 64)).save(folder / src.name, quality=92)
    net = build_network(get_preset("tiny").config, pretrained_backbones=False)
    tiny = save_model(net, tmp_path / "t.pt", "tiny")
    run = run_main(*_scenes_args(folder, tmp_path / "out.pt", "--init", tiny))
    assert _refused(run), run.stderr
    assert str(tiny) in run.stderr and "tiny model" in run.stderr
    assert not (tmp_path / "out.pt").exists()


def test_encoder_option_trains_on_efficientnet_lite2(tmp_path, data_dir):
    """--encoder swaps the pretrained encoder (its features' widths follow); the model file
    names it and colorizes; a paper-style preset refuses the option."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:8]:
        Image.open(src).resize((96, 64)).save(folder / src.name, quality=92)
    out = tmp_path / "lite2.pt"
    run = _train_scenes(folder, out, "--encoder", "efficientnet_lite2")
    assert run.returncode == 0, run.stderr
    mf = read_model_file(out)
    assert mf.config.encoder == "efficientnet_lite2" and mf.metadata["encoder"] == mf.config.encoder
    assert mf.metadata["description"].startswith("EfficientNet-Lite2 as a frozen encoder")
    rgb = real_rgb("coffee")
    assert Colorizer(out, device="cpu").colorize(rgb).shape == rgb.shape
    paper = run_main("train", folder, "--preset", "tiny", "--encoder", "efficientnet_lite2",
                     "--steps", "1", "-o", tmp_path / "t.pt")  # fmt: skip
    assert _refused(paper) and "--encoder" in paper.stderr, paper.stderr
    assert not (tmp_path / "t.pt").exists()


def test_repeat_views_make_each_repeat_a_new_crop_of_its_photo(tmp_path, data_dir):
    """--repeat-views: the repeats --balance adds are crops and mirror images of their photo
    (a frozen encoder would otherwise see the same cached sample again), the same ones on every
    run, so the feature cache still hits; training with them writes a model that says so."""
    big, small = tmp_path / "big", tmp_path / "small"
    big.mkdir(), small.mkdir()
    sources = sorted((data_dir / "bsds500" / "test").glob("*.jpg"))
    for src in sources[:10]:
        Image.open(src).resize((96, 64)).save(big / src.name, quality=92)
    for src in sources[10:12]:
        Image.open(src).resize((96, 64)).save(small / src.name, quality=92)
    photos = scan_folders([big, small], keep_side=64).usable
    rows = balanced_rows(photos, [big, small], 3)
    views, view_rows = repeat_views(photos, rows, 64)
    again, _ = repeat_views(photos, rows, 64)
    assert len(view_rows) == len(rows) and len(set(view_rows)) == len(rows)
    extra = views[len(photos) :]
    assert len(extra) == 4  # the two small-folder photos, each three times: two repeats each
    for view, twin in zip(extra, again[len(photos) :], strict=True):
        source = next(p for p in photos if p.path == view.path)
        assert view.pixels.shape == (64, 64, 3) and view.group == source.group
        assert np.array_equal(view.pixels, twin.pixels)  # seeded: the cache hits next run
        squashed = np.asarray(Image.fromarray(source.pixels).resize((64, 64)), np.float32)
        assert np.abs(view.pixels.astype(np.float32) - squashed).mean() > 5
    assert not np.array_equal(extra[0].pixels, extra[1].pixels)

    out = tmp_path / "views.pt"
    run = _train_scenes([big, small], out, "--balance", "3", "--repeat-views")
    assert run.returncode == 0, run.stderr
    views_made = re.search(r"(\d+) of them views", run.stderr)
    assert views_made and int(views_made.group(1)) > 0, run.stderr
    assert read_model_file(out).metadata["repeat_views"] is True
    alone = run_main(*_scenes_args([big, small], tmp_path / "alone.pt", "--repeat-views"))
    assert _refused(alone) and "--balance" in alone.stderr, alone.stderr
    assert not (tmp_path / "alone.pt").exists()


def test_features_encoded_in_many_chunks_are_the_same_as_in_one(tmp_path, data_dir, scenes_model):
    """encoded_photos fills one set chunk by chunk (a 20,000-photo cache must not be held
    twice): rows land in order whatever the chunk size."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:5]:
        Image.open(src).save(folder / src.name)
    photos = scan_folders([folder], keep_side=64).usable
    whole = encoded_photos(scenes_model, photos, 64, batch_size=8)
    chunked = encoded_photos(scenes_model, photos, 64, tmp_path / "cache", batch_size=2)
    assert chunked.keys == whole.keys and len(set(chunked.keys)) == 5
    pairs = zip(
        [*chunked.feats, chunked.rgb, chunked.ab], [*whole.feats, whole.rgb, whole.ab], strict=True
    )
    for a, b in pairs:
        assert torch.allclose(a.float(), b.float(), atol=2e-2, rtol=1e-2)
    assert torch.equal(chunked.bin_idx[:, 0], whole.bin_idx[:, 0])
    # From the cache, in another order, with one photo asked for twice.
    again = encoded_photos(scenes_model, [photos[3], *photos, photos[3]], 64, tmp_path / "cache")
    assert again.keys == [whole.keys[3], *whole.keys, whole.keys[3]]
    assert torch.equal(again.rgb[0], chunked.rgb[3])


def test_a_photo_given_twice_is_encoded_and_held_once(tmp_path, data_dir, scenes_model):
    """Training indexes the encoded set through rows: a photo that is in the pool twice (or a
    pool in another order than the cache) is held once, not copied into the pool's order."""
    from colorizer_app.training.feature_cache import encoded_rows

    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:3]:
        Image.open(src).save(folder / src.name)
    photos = scan_folders([folder], keep_side=64).usable
    held, rows = encoded_rows(scenes_model, [photos[2], *photos, photos[2]], 64)
    assert len(held) == 3 and len(set(held.keys)) == 3
    assert rows[0] == rows[-1] == rows[3] and sorted(set(rows)) == [0, 1, 2]
    one = encoded_photos(scenes_model, [photos[2]], 64)
    assert torch.allclose(held.feats[3][rows[0]].float(), one.feats[3][0].float(), atol=2e-2)


def test_a_cached_set_is_read_through_a_file_mapping(tmp_path, data_dir, scenes_model):
    """The training pool's cache is 11 GB on a 24 GB machine: loaded into memory it made training
    the process the out-of-memory killer took. Loaded, its features are pages of the cache file
    (the kernel can drop and re-read them), not a private copy."""
    from colorizer_app.training.feature_cache import encoded_rows

    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((data_dir / "bsds500" / "test").glob("*.jpg"))[:3]:
        Image.open(src).save(folder / src.name)
    photos = scan_folders([folder], keep_side=64).usable
    encoded_rows(scenes_model, photos, 64, tmp_path / "cache")
    (cache_file,) = (tmp_path / "cache").glob("encoder-*.pt")
    held, _ = encoded_rows(scenes_model, photos, 64, tmp_path / "cache")

    mapped = []
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5] == str(cache_file):
            start, end = (int(x, 16) for x in fields[0].split("-"))
            mapped.append((start, end))
    assert mapped, "the cache file is not mapped"
    for t in [*held.feats, held.rgb, held.ab, held.bin_idx, held.bin_w, held.probs]:
        ptr = t.untyped_storage().data_ptr()
        assert any(start <= ptr < end for start, end in mapped)
