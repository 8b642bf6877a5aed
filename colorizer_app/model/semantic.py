"""The hybrid model on a pretrained semantic encoder (the `scenes` preset).

The paper's hybrid fuses the class vector of frozen ImageNet classifiers into an encoder that
starts from nothing. Here the same pretrained classifier that gives the class vector
(EfficientNet-Lite) also gives its multi-scale features to a U-Net decoder, as DDColor and
BigColor build on pretrained backbones; a small encoder of our own still reads L at strides 2
and 4 for the edges the classifier blurs away.

    L ──> EfficientNet-Lite (frozen) ──> features at strides 4, 8, 16, 32 ──┐
                                  └────> 1000-class vector ── fused at 32 ──┤
    L ──> own encoder (strides 2, 4) ───────────────────────────────────────┤
                             U-Net decoder ──> ab (or ab bins) at stride 4 ─┘──> upsample ──> ab

The frozen encoder's outputs depend only on the photo, so training computes them once per photo
and caches them (training/semantic.py): the decoder then trains at hundreds of photos a second.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..core.lab import l_norm_to_gray_rgb
from . import ab_bins
from .backbones import REGISTRY, Frozen, normalize_tf_lite
from .efficientnet_lite import EfficientNetLite
from .encoders import PRETRAINED_ENCODERS
from .hint_decoder import PULL_SIGMA, HintEncoder
from .hybrid import HybridConfig, parameters_except

# The block after which each stride's features are taken: the last block of stages 2, 3, 5, 7.
_TAP_STAGES = (1, 2, 4, 6)


def _tap_blocks(variant: str) -> list[int]:
    stages = PRETRAINED_ENCODERS[variant].stages
    ends, total = [], 0
    for repeats, *_ in stages:
        total += repeats
        ends.append(total - 1)
    return [ends[s] for s in _TAP_STAGES]


def feature_channels(variant: str) -> list[int]:
    stages = PRETRAINED_ENCODERS[variant].stages
    return [stages[s][4] for s in _TAP_STAGES]


class LiteEncoder(Frozen):
    """A frozen EfficientNet-Lite: L in [-1, 1] -> (features at strides 4, 8, 16, 32, class
    probabilities). It sees L as the sRGB gray a person would see, normalised as its weights
    expect, at the size it is given (no resizing: the features must line up with the photo)."""

    net: EfficientNetLite

    def __init__(self, variant: str, pretrained: bool):
        net = EfficientNetLite(variant)
        if pretrained:
            REGISTRY[variant].load_pretrained(net)
        super().__init__(REGISTRY[variant], net)
        self.taps = _tap_blocks(variant)
        self.first_top = self.taps[2] + 1  # the first block after the stride-16 tap

    @torch.no_grad()
    def forward(self, l_norm: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        return self.features(l_norm)

    def features(self, l_norm: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """forward with gradients where the caller allows them (training the whole encoder)."""
        net = self.net
        x = normalize_tf_lite(l_norm_to_gray_rgb(l_norm))
        x = F.relu6(net._bn0(net._conv_stem(x)))
        feats = []
        for i, block in enumerate(net._blocks[: self.first_top]):
            x = block(x)
            if i in self.taps:
                feats.append(x)
        f32, probs = self.top(x)
        return [*feats, f32], probs

    def top_blocks(self) -> nn.ModuleList:
        """The blocks after the stride-16 tap (the stride-32 stages): what training may tune,
        since their input, the stride-16 features, is in the cache."""
        return self.net._blocks[self.first_top :]

    def top(self, f16: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Stride-16 features -> (stride-32 features, class probabilities); with gradients when
        the caller allows them (training the top stages), as forward runs it without."""
        net = self.net
        x = f16
        for block in self.top_blocks():
            x = block(x)
        head = F.relu6(net._bn1(net._conv_head(x)))
        logits = net._fc(torch.flatten(F.adaptive_avg_pool2d(head, 1), 1))
        return x, torch.softmax(logits.float(), dim=1)


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


def _up_to(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, size=like.shape[-2:], mode="bilinear", align_corners=False)


def _stage(stage: nn.Sequential, x: torch.Tensor, hint: torch.Tensor | float) -> torch.Tensor:
    """A decoder stage (_conv: conv, batch norm, ReLU) with the hint encoder's term added
    before the ReLU: the same as more input channels to the stage's conv (model/hint_decoder)."""
    conv, norm, relu = stage
    return relu(norm(conv(x)) + hint)


class SemanticColorizer(nn.Module):
    """L in [-1, 1] (Nx1xHxW, H and W multiples of 8) -> ab / 128 (Nx2xHxW), as HybridColorizer."""

    ab_bins: torch.Tensor  # a buffer: the ab bins' centres (Q x 2), bins head only

    def __init__(self, config: HybridConfig, pretrained_backbones: bool = True):
        super().__init__()
        self.config = config
        self.encoder = LiteEncoder(config.encoder, pretrained_backbones)
        c4, c8, c16, c32 = feature_channels(config.encoder)
        o1, o2 = config.encoder_channels[:2]
        f = config.fusion_channels
        d16, d8, d4 = config.decoder_channels
        # Our own encoder: L at strides 2 and 4, for edges the classifier's features lack.
        self.own1 = _conv(1, o1, 2)
        self.own2 = _conv(o1, o2, 2)
        self.fuse_features = nn.Conv2d(c32, f, 1)
        # The class vector, tiled over the stride-32 map (as a per-photo bias: the same linear map).
        self.fuse_vector = nn.Linear(1000, f, bias=False) if config.fuse_classes else None
        self.dec16 = _conv(f + c16, d16)
        self.dec8 = _conv(d16 + c8, d8)
        self.dec4 = _conv(d8 + c4 + o2, d4)
        if config.head == "bins":
            centres = torch.from_numpy(ab_bins.gamut_bins())
            self.register_buffer("ab_bins", centres)
            self.head = nn.Conv2d(d4, len(centres), 1)
        else:
            self.head = nn.Conv2d(d4, 2, 3, padding=1)
        # HybridColorizer's fused classifiers; here the encoder is the classifier.
        self.backbones = nn.ModuleList()
        # Colour hints as input (model/hint_decoder.py); None: a model that takes none.
        self.hint_encoder = (
            HintEncoder((c4, c8, c16), f, config.decoder_channels) if config.hint_inputs else None
        )

    def encode(self, l_norm: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """What training caches: the frozen encoder's features and class probabilities."""
        return self.encoder(l_norm)

    def classify(self, l_norm: torch.Tensor) -> torch.Tensor:
        return self.encoder(l_norm)[1]

    def head_output(
        self,
        l_norm: torch.Tensor,
        feats: list[torch.Tensor],
        fused: torch.Tensor | None,
        hints: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The head at stride 4: ab bin logits (NxQ) or ab / 128 (Nx2, tanh). `hints`: the
        hint planes (hint_decoder.hint_planes) at the head's size, for a model with hint inputs;
        None there means no hints."""
        feats = [t.to(l_norm.dtype) for t in feats]
        f4, f8, f16, f32 = feats
        joins: list[torch.Tensor | float] = [0.0, 0.0, 0.0, 0.0]
        pull = None
        if self.hint_encoder is not None and hints is not None:
            hint_joins, pull = self.hint_encoder(hints.to(l_norm.dtype), l_norm, feats)
            joins = list(hint_joins)
        x = self.fuse_features(f32) + joins[0]
        if self.fuse_vector is not None and fused is not None:
            fused = F.dropout(fused.to(x.dtype), self.config.fusion_dropout, self.training)
            x = x + self.fuse_vector(fused)[:, :, None, None]
        x = F.relu(x)
        x = _stage(self.dec16, torch.cat([_up_to(x, f16), f16], 1), joins[1])
        x = _stage(self.dec8, torch.cat([_up_to(x, f8), f8], 1), joins[2])
        own = self.own2(self.own1(l_norm))
        x = _stage(self.dec4, torch.cat([_up_to(x, f4), f4, _up_to(own, f4)], 1), joins[3])
        out = self.head(x)
        if self.config.head != "bins":
            out = torch.tanh(out)
        return out if pull is None else self._pulled(out, *pull)

    def _pulled(self, out: torch.Tensor, colour: torch.Tensor, gain: torch.Tensor) -> torch.Tensor:
        """The head's output pulled towards the pins' colour (model/hint_decoder.py): the bins'
        logits by gain x a Gaussian of their distance from it, a regressed ab part of the way."""
        if self.config.head != "bins":
            return out + gain / (1 + gain) * (colour / 128.0 - out)
        c = self.ab_bins.to(out.dtype)  # Q x 2
        dist2 = (
            (c * c).sum(1)[None, :, None, None]
            - 2 * torch.einsum("qc,nchw->nqhw", c, colour)
            + (colour * colour).sum(1, keepdim=True)
        )
        return out - gain * dist2 / (2 * PULL_SIGMA**2)

    def to_ab(self, head: torch.Tensor) -> torch.Tensor:
        """Head output -> ab / 128 at the head's size."""
        if self.config.head == "bins":
            return ab_bins.annealed_mean(head, self.ab_bins, self.config.anneal_t) / 128.0
        return head

    def shown_ab(self, head: torch.Tensor) -> torch.Tensor:
        """to_ab as the app shows it: scaled by how sure the bins head is. Only at colorizing
        time (with_choices): training and its validation score the decoded colour itself."""
        if self.config.head != "bins":
            return self.to_ab(head)
        return ab_bins.shown_colour_of(head, self.ab_bins, self.config)

    def forward(
        self,
        l_norm: torch.Tensor,
        fused: torch.Tensor | None = None,
        features: list[torch.Tensor] | None = None,
    ) -> torch.Tensor:
        if features is None:
            features, probs = self.encode(l_norm)
            if fused is None:
                fused = probs
        ab = self.to_ab(self.head_output(l_norm, features, fused))
        return F.interpolate(ab, size=l_norm.shape[-2:], mode="bilinear", align_corners=False)

    def with_choices(
        self, l_norm: torch.Tensor, k: int
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor] | None]:
        """The colour as the app shows it (forward's, scaled by shown_ab) and, for the bins head
        and k > 0, the k likeliest colours at each head pixel: their ab (Lab units,
        N x k x h/4 x w/4 x 2) and probabilities (N x k x h/4 x w/4), what the hint chooser
        offers."""
        features, probs = self.encode(l_norm)
        return self.decode(l_norm, features, probs, None, k)

    def decode(
        self,
        l_norm: torch.Tensor,
        features: list[torch.Tensor],
        probs: torch.Tensor,
        hints: torch.Tensor | None,
        k: int,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor] | None]:
        """with_choices from the encoder's outputs kept: a pin edit runs only this."""
        head = self.head_output(l_norm, features, probs, hints)
        ab = F.interpolate(
            self.shown_ab(head), size=l_norm.shape[-2:], mode="bilinear", align_corners=False
        )
        if self.config.head != "bins" or k <= 0:
            return ab, None
        top = torch.softmax(head.float(), dim=1).topk(k, dim=1)
        return ab, (self.ab_bins[top.indices], top.values)

    def own_encoder_parts(self) -> list[nn.Module]:
        return [self.own1, self.own2]

    def trainable_parameters(self, freeze_encoder: bool = False) -> list[nn.Parameter]:
        """Everything but the frozen pretrained encoder (and, when asked, our own encoder)."""
        own = self.own_encoder_parts() if freeze_encoder else []
        return parameters_except(self, [self.encoder, *own])
