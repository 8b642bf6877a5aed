"""Several trained bins-head models colouring as one: their distributions over ab bins averaged.

Each member is a whole `scenes`-type model (its own frozen encoder, decoder and head), trained on
its own; where they agree the averaged distribution stays peaked, where they disagree (a car one
member calls red and another blue) it spreads, so certainty-scaled colour turns pale exactly
where a lone model would be confidently wrong. Members with different encoders (EfficientNet-Lite0
and Lite2) disagree most usefully. The network cost is the members' sum, which next to the
full-resolution work (reading, upsampling, writing) is small.

Members must share the ab bins. The ensemble's config is its first member's, with `members`
holding every member's own config and the colour knobs applying to the averaged distribution.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import cast

import torch
import torch.nn.functional as F
from torch import nn

from . import ab_bins
from .hybrid import HybridConfig
from .semantic import SemanticColorizer


def member_configs(config: HybridConfig) -> list[HybridConfig]:
    """The members' own configs from an ensemble's config."""
    return [HybridConfig.from_dict(m) for m in config.members]


def can_be_member(config: HybridConfig) -> bool:
    """What can be averaged: a pretrained-encoder model with a bins head, not an ensemble."""
    return config.pretrained_encoder and config.head == "bins" and not config.members


def ensemble_config(configs: list[HybridConfig]) -> HybridConfig:
    """The config of an ensemble of models with these configs: the first one's settings (size,
    temperature, colour knobs), each member's own config kept in full."""
    members = [replace(c, members=[]).to_dict() for c in configs]
    return replace(configs[0], members=members)


class EnsembleColorizer(nn.Module):
    """L in [-1, 1] -> ab / 128, as SemanticColorizer: the mean of its members' bin
    probabilities, decoded and shown as one model's are."""

    ab_bins: torch.Tensor  # a buffer: the members' ab bins' centres (Q x 2), all the same

    def __init__(self, config: HybridConfig, pretrained_backbones: bool = True):
        super().__init__()
        self.config = config
        configs = member_configs(config)
        if len(configs) < 2:
            raise ValueError("an ensemble needs at least two members")
        if not all(can_be_member(c) for c in configs):
            raise ValueError("every member must be a pretrained-encoder model with a bins head")
        self.members = nn.ModuleList(SemanticColorizer(c, pretrained_backbones) for c in configs)
        first = self.models()[0].ab_bins
        if any(m.ab_bins.shape != first.shape for m in self.models()):
            raise ValueError("the members' ab bins differ")
        self.register_buffer("ab_bins", first.clone())
        self.backbones = nn.ModuleList()  # no fused classifiers outside the members

    def models(self) -> list[SemanticColorizer]:
        """The members, typed: the ModuleList holds only the SemanticColorizers made above."""
        return cast("list[SemanticColorizer]", list(self.members))

    def classify(self, l_norm: torch.Tensor) -> torch.Tensor:
        return torch.stack([m.classify(l_norm) for m in self.models()]).mean(0)

    def head_output(self, l_norm: torch.Tensor) -> torch.Tensor:
        """The log of the members' mean bin probabilities (N x Q x h x w): logits that every
        consumer of one model's head (decoding, certainty, the hint chooser) reads unchanged."""

        def probs(member: SemanticColorizer) -> torch.Tensor:
            feats, classes = member.encode(l_norm)
            return torch.softmax(member.head_output(l_norm, feats, classes).float(), dim=1)

        total = functools.reduce(torch.add, map(probs, self.models()))  # one member at a time
        return torch.log((total / len(self.members)).clamp_min(1e-12))

    def to_ab(self, head: torch.Tensor) -> torch.Tensor:
        return ab_bins.annealed_mean(head, self.ab_bins, self.config.anneal_t) / 128.0

    def shown_ab(self, head: torch.Tensor) -> torch.Tensor:
        return ab_bins.shown_colour_of(head, self.ab_bins, self.config)

    def forward(self, l_norm: torch.Tensor, fused: torch.Tensor | None = None) -> torch.Tensor:
        # `fused` is ignored: each member fuses its own encoder's class vector.
        ab = self.to_ab(self.head_output(l_norm)).to(l_norm.dtype)
        return F.interpolate(ab, size=l_norm.shape[-2:], mode="bilinear", align_corners=False)

    def with_choices(
        self, l_norm: torch.Tensor, k: int
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor] | None]:
        head = self.head_output(l_norm)
        ab = F.interpolate(
            self.shown_ab(head).to(l_norm.dtype),
            size=l_norm.shape[-2:],
            mode="bilinear",
            align_corners=False,
        )
        if k <= 0:
            return ab, None
        top = head.exp().topk(k, dim=1)
        return ab, (self.ab_bins[top.indices], top.values)

    def own_encoder_parts(self) -> list[nn.Module]:
        return [part for m in self.models() for part in m.own_encoder_parts()]

    def trainable_parameters(self, freeze_encoder: bool = False) -> list[nn.Parameter]:
        return [p for m in self.models() for p in m.trainable_parameters(freeze_encoder)]
