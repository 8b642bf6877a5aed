"""Training images/s of the offline preset at 128 and 256 px (fused vectors cached, as in
`colorizer train`), on the CPU and on a GPU where there is one."""

from __future__ import annotations

import time

import pytest
import torch

from colorizer_app.model.hybrid import HybridColorizer
from colorizer_app.model.presets import get_preset
from colorizer_app.training.data import ColorPhotoDataset, scan_folders
from colorizer_app.training.fused_cache import fused_vectors
from colorizer_app.training.loop import TrainConfig
from colorizer_app.training.photo_task import fit

from .conftest import machine, save_result

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("size", [128, 256])
def test_training_throughput(data_dir, size, device):
    report = scan_folders([data_dir / "imagenet"], keep_side=int(size * 1.25), limit=120)
    model = HybridColorizer(get_preset("offline").config)
    fused = fused_vectors(model, report.usable)
    train = ColorPhotoDataset(report.usable, size, augment=True, fused=fused)
    steps = 12 if device == "cpu" else 60
    fit(model, train, None, TrainConfig(epochs=1, max_steps=2, device=device))  # warm-up
    start = time.perf_counter()
    history = fit(model, train, None, TrainConfig(epochs=50, max_steps=steps, device=device))
    seconds = time.perf_counter() - start
    rate = history.step * 20 / seconds
    result = {
        "size": size,
        "device": device,
        "images_per_s": rate,
        "batch": 20,
        "machine": machine(),
    }
    print(f"\ntrain offline preset {size}px on {device}: {rate:.1f} images/s [{result['machine']}]")
    save_result(f"train-{size}-{device}", result)


def test_scenes_decoder_training_throughput(data_dir, tmp_path):
    """The scenes preset trains its decoder on cached encoder outputs: images/s at 224 px."""
    from colorizer_app.model.networks import build_network
    from colorizer_app.training.feature_cache import encoded_photos
    from colorizer_app.training.semantic import fit_semantic

    report = scan_folders([data_dir / "imagenet"], keep_side=224, limit=96)
    model = build_network(get_preset("scenes").config)
    start = time.perf_counter()
    data = encoded_photos(model, report.usable, 224)
    encode_rate = len(report.usable) / (time.perf_counter() - start)
    rows = list(range(len(data)))
    config = TrainConfig(epochs=None, max_steps=2, batch_size=32, eval_every=0)
    fit_semantic(model, data, rows, [], config)  # warm-up
    config.max_steps = 8
    start = time.perf_counter()
    fit_semantic(model, data, rows, [], config)
    rate = 8 * 32 / (time.perf_counter() - start)
    result = {
        "preset": "scenes",
        "size": 224,
        "images_per_s": rate,
        "encode_images_per_s": encode_rate,
        "batch": 32,
        "machine": machine(),
    }
    print(
        f"\nscenes decoder training at 224 px: {rate:.1f} images/s (encoding once: "
        f"{encode_rate:.1f} images/s)  [{result['machine']}]"
    )
    save_result("train-scenes-224", result)
