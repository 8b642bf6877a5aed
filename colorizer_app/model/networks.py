"""One door to every network: a config names its encoder (or its members), this builds the class.

The three classes (HybridColorizer, SemanticColorizer, EnsembleColorizer) share one small
interface (IOPaint-style): `forward(l_norm, fused=None)` -> ab / 128, `with_choices(l_norm, k)`
(ab as the app shows it and, where the head is a distribution and k > 0, its k likeliest colours
per pixel; forward's ab is what training scores), `classify`, `backbones`, `own_encoder_parts`,
`trainable_parameters`, and a `config`.
"""

from __future__ import annotations

from typing import TypeAlias

from ..core.errors import ModelError
from .efficientnet_lite import VARIANTS
from .ensemble import EnsembleColorizer
from .hybrid import HybridColorizer, HybridConfig
from .semantic import SemanticColorizer

ENCODERS = ("own", *VARIANTS)
HEADS = ("ab", "bins")
# Any of them, for the type checker: what it reads of one, all three must have.
Network: TypeAlias = HybridColorizer | SemanticColorizer | EnsembleColorizer


def build_network(config: HybridConfig, pretrained_backbones: bool = True) -> Network:
    if config.members:
        return EnsembleColorizer(config, pretrained_backbones)
    if config.encoder not in ENCODERS:
        raise ModelError(f"unknown encoder {config.encoder!r}; known: {', '.join(ENCODERS)}")
    if config.head not in HEADS:
        raise ModelError(f"unknown head {config.head!r}; known: {', '.join(HEADS)}")
    if config.encoder == "own":
        if config.head != "ab":
            raise ModelError("the paper's own encoder has only the ab head")
        return HybridColorizer(config, pretrained_backbones)
    return SemanticColorizer(config, pretrained_backbones)
