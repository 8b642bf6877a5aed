"""Stand-ins for the heavy parts of real networks, for tests only: two small random classifiers
in place of the ImageNet backbones and the `tiny` preset built on them (narrow layers, 64 px).

`register_backbones()` and `register_presets()` add them to the app's registries, each called
as its registry module is imported (tests/site/sitecustomize.py): in the test process, and in
every Python process the tests start (the real `colorizer` command, torchrun's workers), so a
model file naming them loads there too, and a process that never loads torch still does not.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

TINY_BACKBONES = ("tiny_a", "tiny_b")


class TinyClassifier(nn.Module):
    """A small seeded random classifier with a backbone's interface: 3 x 32 x 32 -> 1000."""

    def __init__(self, seed: int):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()
        )
        self.fc = nn.Linear(8, 1000)
        for p in self.parameters():
            p.data = torch.randn(p.shape, generator=g) * 0.3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


def _random_weights_kept(net: nn.Module) -> None:
    """The tiny classifiers have no pretrained weights: their seeded random ones stay."""


def register_backbones() -> None:
    """The two small classifiers, in the backbone registry (again is harmless)."""
    from colorizer_app.model import backbones

    for seed, name in enumerate(TINY_BACKBONES):
        backbones.REGISTRY.setdefault(
            name,
            backbones.BackboneSpec(
                name,
                32,
                backbones.normalize_imagenet,
                functools.partial(TinyClassifier, seed),
                _random_weights_kept,
                "random weights, for tests only",
            ),
        )


def register_presets() -> None:
    """The `tiny` preset, built on them (again is harmless)."""
    from colorizer_app.model import presets
    from colorizer_app.model.hybrid import HybridConfig

    presets.PRESETS.setdefault(
        "tiny",
        presets.Preset(
            "tiny",
            "small random classifiers and narrow layers, for tests only",
            HybridConfig(
                backbones=list(TINY_BACKBONES),
                encoder_channels=(8, 16, 16, 16),
                fusion_channels=16,
                decoder_channels=(16, 8, 8),
                skips=True,
                inference_size=64,
            ),
        ),
    )
