"""One door to every network: a config names its encoder (or its members), this builds the class.

`ColorNet` is what training and the engine may use of a network, whichever class it is
(HybridColorizer, SemanticColorizer, EnsembleColorizer); mypy checks each class against it where
`build_network` returns one. A new kind of network is a class with these members and a line here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol, Self, overload

import torch
from torch import nn

from ..core.errors import ModelError
from .encoders import ENCODERS, is_pretrained
from .ensemble import EnsembleColorizer
from .hybrid import HybridColorizer, HybridConfig
from .semantic import SemanticColorizer

HEADS = ("ab", "bins")


class ColorNet(Protocol):
    """A colorizing network: L in [-1, 1] (N x 1 x H x W, sides multiples of 8) -> ab / 128."""

    config: HybridConfig  # what it was built from; its colour settings decide what is shown
    backbones: nn.ModuleList  # frozen classifiers whose class vector is fused (may be empty)
    training: bool

    def __call__(self, l_norm: torch.Tensor, fused: torch.Tensor | None = None) -> torch.Tensor:
        """ab / 128 as training scores it; `fused`: the class vector, when cached."""
        ...

    def with_choices(
        self, l_norm: torch.Tensor, k: int
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor] | None]:
        """ab / 128 as the app shows it, and where the head is a distribution and k > 0 its k
        likeliest colours per head pixel: (their ab, N x k x h x w x 2; probabilities)."""
        ...

    def classify(self, l_norm: torch.Tensor) -> torch.Tensor | None:
        """The fused 1000-class vector (None when nothing is fused)."""
        ...

    def own_encoder_parts(self) -> list[nn.Module]:
        """The encoder layers trained from nothing (frozen when fine-tuning asks)."""
        ...

    def trainable_parameters(self, freeze_encoder: bool = False) -> list[nn.Parameter]:
        """What an optimizer gets: never a frozen pretrained part."""
        ...

    # What training and the engine use of torch's Module.
    def parameters(self, recurse: bool = True) -> Iterator[nn.Parameter]: ...
    def modules(self) -> Iterator[nn.Module]: ...
    def named_modules(
        self, memo: set[nn.Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, nn.Module]]: ...
    def state_dict(self, *, prefix: str = "", keep_vars: bool = False) -> dict[str, Any]: ...
    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> Any: ...
    @overload
    def to(
        self,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        non_blocking: bool = False,
    ) -> Self: ...
    @overload
    def to(self, *, memory_format: torch.memory_format) -> Self: ...
    def eval(self) -> Self: ...
    def train(self, mode: bool = True) -> Self: ...


def as_module(net: ColorNet) -> nn.Module:
    """The torch Module a ColorNet is (every network class is one), for torch's own wrappers."""
    assert isinstance(net, nn.Module)
    return net


def build_network(config: HybridConfig, pretrained_backbones: bool = True) -> ColorNet:
    if config.members:
        return EnsembleColorizer(config, pretrained_backbones)
    if config.encoder not in ENCODERS:
        raise ModelError(f"unknown encoder {config.encoder!r}; known: {', '.join(ENCODERS)}")
    if config.head not in HEADS:
        raise ModelError(f"unknown head {config.head!r}; known: {', '.join(HEADS)}")
    if not is_pretrained(config.encoder):
        if config.head != "ab":
            raise ModelError("the paper's own encoder has only the ab head")
        return HybridColorizer(config, pretrained_backbones)
    return SemanticColorizer(config, pretrained_backbones)
