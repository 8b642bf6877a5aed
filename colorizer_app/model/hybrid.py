"""The deep hybrid colorization model (Kiani, Hemmatpour and Rastgoo, JADM 2021, section 4).

L ──> encoder (3 stride-2 convs) ──> H/8 features ─┐
L ──> frozen classifiers ──> mean of 1000-vectors ──┴─ fusion (tile, concat, 1x1 conv)
                                                        └─> decoder ──> tanh ──> ab
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from .backbones import build_backbone
from .encoders import OWN, is_pretrained

NUM_CLASSES = 1000


@dataclass
class HybridConfig:
    backbones: list[str] = field(default_factory=list)
    encoder_channels: tuple[int, int, int, int] = (64, 128, 256, 256)
    fusion_channels: int = 256
    decoder_channels: tuple[int, int, int] = (128, 64, 32)
    # U-Net style skips from H/2 and H/4 into the decoder: sharper colour edges, less bleeding.
    # Off in the paper's presets (the paper has none).
    skips: bool = False
    batch_norm: bool = True
    # Dropout on the fused class vector while training. With a few hundred scenes the vector
    # names each training photo, and the decoder learns "this photo -> these colours"; a
    # photo of a class it never saw then gets a confident wrong colour. Dropping entries
    # makes the vector a hint the decoder cannot lean on alone. Off at inference.
    fusion_dropout: float = 0.0
    # Longest side, in pixels, of the image the network sees when colorizing (a multiple of 8).
    inference_size: int = 384
    # "own": the paper's encoder, trained from nothing. An EfficientNet-Lite name: that frozen
    # pretrained classifier gives the decoder its features and the class vector
    # (model/semantic.py); encoder_channels[:2] are then our own small L encoder's widths and
    # decoder_channels the widths at strides 16, 8 and 4.
    encoder: str = OWN
    # What the head predicts: "ab" (regressed, tanh) or "bins" (a distribution over quantised
    # ab, decoded by its annealed mean at temperature anneal_t; pretrained encoders only).
    head: str = "ab"
    anneal_t: float = 0.38
    # Fuse the class vector at all (off: the ablation of the paper's question).
    fuse_classes: bool = True
    # The model's own colour strength: its ab are scaled by this when colorizing (chosen on the
    # validation split after training: a vivid model's wrong colours cost more than they give).
    # The app's colour slider multiplies on top of it.
    colour_strength: float = 1.0
    # A bins head also knows how sure it is. Where its distribution is flat (a car may be red
    # or blue) a bold wrong colour costs more than a pale one; where it is sure (sky, foliage,
    # skin) the colour can be bold. Its colour is scaled per pixel from uncertain_strength
    # (entropy at its maximum) to certain_strength (all on one bin), before colour_strength.
    # Chosen on the validation split after training; 1 and 1 leave the colour as decoded.
    uncertain_strength: float = 1.0
    certain_strength: float = 1.0
    # A bins head's neutral prior (ab_bins.with_neutral_prior): logit units added to the bins
    # near gray before decoding, so that where the model does not know a colour it leaves the
    # thing near gray instead of painting it warm. 0 decodes the distribution as it is.
    neutral_prior: float = 0.0
    # An ensemble (model/ensemble.py): each member's own config (dicts); empty for one model.
    members: list = field(default_factory=list)
    # Colour hints as the decoder's input (model/hint_decoder.py; pretrained encoders only).
    # Files written before it have no such field and read as False: they take no hints, and
    # their pins are propagated over the automatic colour (core/hints.py).
    hint_inputs: bool = False

    @property
    def pretrained_encoder(self) -> bool:
        """Built on a pretrained classifier's features (model/encoders.py), not on the paper's
        own encoder trained from nothing."""
        return is_pretrained(self.encoder)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["encoder_channels"] = list(self.encoder_channels)
        d["decoder_channels"] = list(self.decoder_channels)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> HybridConfig:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        for key in ("encoder_channels", "decoder_channels"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)


def _conv(cin: int, cout: int, stride: int = 1, bn: bool = True, dilation: int = 1) -> nn.Module:
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=not bn)
    ]
    if bn:
        layers.append(nn.BatchNorm2d(cout))
    layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class HybridColorizer(nn.Module):
    """L in [-1, 1] (Nx1xHxW, H and W multiples of 8) -> ab / 128 (Nx2xHxW, via tanh)."""

    def __init__(self, config: HybridConfig, pretrained_backbones: bool = True):
        super().__init__()
        self.config = config
        c1, c2, c3, c4 = config.encoder_channels
        bn = config.batch_norm
        self.enc1 = nn.Sequential(_conv(1, c1, 2, bn), _conv(c1, c1, 1, bn))  # H/2
        self.enc2 = nn.Sequential(_conv(c1, c2, 2, bn), _conv(c2, c2, 1, bn))  # H/4
        self.enc3 = nn.Sequential(  # H/8; dilation widens the view at no cost in resolution
            _conv(c2, c3, 2, bn), _conv(c3, c4, 1, bn), _conv(c4, c4, 1, bn, dilation=2)
        )
        self.backbones = nn.ModuleList(
            build_backbone(name, pretrained_backbones) for name in config.backbones
        )
        f = config.fusion_channels
        # Tiling the 1000-vector over H/8 x W/8, concatenating and mixing with a 1x1 conv is the
        # same linear map as a 1x1 conv of the features plus a per-image bias from a Linear layer
        # on the vector; this form never materialises the 1000-channel tile.
        self.fuse_features = nn.Conv2d(c4, f, 1)
        self.fuse_vector = nn.Linear(NUM_CLASSES, f, bias=False) if config.backbones else None
        d1, d2, d3 = config.decoder_channels
        s1 = c2 if config.skips else 0
        s2 = c1 if config.skips else 0
        self.dec1 = nn.Sequential(_conv(f, d1, 1, bn))  # H/8
        self.dec2 = nn.Sequential(_conv(d1 + s1, d2, 1, bn), _conv(d2, d2, 1, bn))  # H/4
        self.dec3 = nn.Sequential(_conv(d2 + s2, d3, 1, bn))  # H/2
        self.head = nn.Conv2d(d3, 2, 3, padding=1)

    def own_encoder_parts(self) -> list[nn.Module]:
        return [self.enc1, self.enc2, self.enc3]

    def with_choices(self, l_norm: torch.Tensor, k: int) -> tuple[torch.Tensor, None]:
        """The colour as the app shows it (forward's); a regression head names one colour per
        pixel: no alternatives to offer."""
        return self(l_norm), None

    def classify(self, l_norm: torch.Tensor) -> torch.Tensor | None:
        """The paper's fusion: the mean of the frozen classifiers' 1000-class outputs."""
        if not len(self.backbones):
            return None
        with torch.no_grad():
            outs = [b(l_norm) for b in self.backbones]
        return torch.stack(outs).mean(0)

    def forward(self, l_norm: torch.Tensor, fused: torch.Tensor | None = None) -> torch.Tensor:
        """`fused` may be given precomputed (training caches it: the classifiers are frozen)."""
        if fused is None:
            fused = self.classify(l_norm)
        e1 = self.enc1(l_norm)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        x = self.fuse_features(e3)
        if self.fuse_vector is not None and fused is not None:
            fused = F.dropout(fused.to(x.dtype), self.config.fusion_dropout, self.training)
            x = x + self.fuse_vector(fused)[:, :, None, None]
        x = self.dec1(F.relu(x))
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        if self.config.skips:
            x = torch.cat([x, e2], 1)
        x = self.dec2(x)
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        if self.config.skips:
            x = torch.cat([x, e1], 1)
        x = self.dec3(x)
        ab = torch.tanh(self.head(x))
        return F.interpolate(ab, scale_factor=2, mode="bilinear", align_corners=False)

    def trainable_parameters(self, freeze_encoder: bool = False) -> list[nn.Parameter]:
        """Everything but the frozen classifiers (and, when asked, the encoder)."""
        own = self.own_encoder_parts() if freeze_encoder else []
        return parameters_except(self, [self.backbones, *own])


def parameters_except(model: nn.Module, frozen_parts: list[nn.Module]) -> list[nn.Parameter]:
    """The model's parameters outside `frozen_parts`: what an optimizer gets."""
    frozen = {id(p) for part in frozen_parts for p in part.parameters()}
    return [p for p in model.parameters() if id(p) not in frozen]
