"""Colour hints as the decoder's input (Zhang, Zhu et al. 2017, "Real-Time User-Guided Image
Colorization with Learned Deep Priors"): the pins' ab and a mask of where they are, at the head's
resolution (stride 4), enter the `scenes` decoder at strides 16, 8 and 4.

Propagating a pin over the automatic colour (core/hints.py) only knows edges in L. A network that
takes the pin as input learns from photos what a pin means: which pixels belong with it (the rest
of the skirt, not the ground beside it), and what the pin says about colours it does not touch.

    hints (ab / 110, mask) at stride 4 ──> conv ──> + into dec4's output
                                    └─> conv, stride 2 ──> + into dec8's output
                                              └─> conv, stride 2 ──> + into dec16's output

Each branch ends in a 1x1 convolution that starts at zero, so a decoder given the shipped model's
weights colours exactly as the shipped model until training moves it; a model without hint inputs
has no branch at all (its files and weights are as before).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ab in Lab units -> the branch's input scale (|ab| <= 110 inside the sRGB gamut).
AB_NORM = 110.0
HINT_CHANNELS = 3  # a, b, mask
_WIDTHS = (32, 64, 64)  # the branch's own widths at strides 4, 8 and 16


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.ReLU(inplace=True))


def _zero_1x1(cin: int, cout: int) -> nn.Conv2d:
    conv = nn.Conv2d(cin, cout, 1)
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.zero_()  # type: ignore[union-attr]
    return conv


class HintBranch(nn.Module):
    """Hint planes (N x 3 x h x w at the head's stride 4) -> what is added to the decoder's
    outputs at strides 16, 8 and 4 (widths `decoder_channels`)."""

    def __init__(self, decoder_channels: tuple[int, int, int]):
        super().__init__()
        d16, d8, d4 = decoder_channels
        w4, w8, w16 = _WIDTHS
        self.at4 = nn.Sequential(_conv(HINT_CHANNELS, w4), _conv(w4, w4))
        self.at8 = _conv(w4, w8, 2)
        self.at16 = nn.Sequential(_conv(w8, w16, 2), _conv(w16, w16))
        self.out4 = _zero_1x1(w4, d4)
        self.out8 = _zero_1x1(w8, d8)
        self.out16 = _zero_1x1(w16, d16)

    def forward(
        self, planes: torch.Tensor, sizes: Sequence[tuple[int, int]]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """`sizes`: the decoder's (h, w) at strides 16, 8 and 4 (the planes are at stride 4)."""
        s16, s8, s4 = sizes
        h4 = self.at4(_fit(planes, s4))
        h8 = self.at8(h4)
        h16 = self.at16(h8)
        return (
            _fit(self.out16(h16), s16),
            _fit(self.out8(h8), s8),
            self.out4(h4),
        )


def _fit(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """x at `size` (an odd side halves to one pixel fewer than the features have)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode="bilinear", align_corners=False)


def hint_planes(ab: np.ndarray | torch.Tensor, mask: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Held ab (h x w x 2 or N x 2 x h x w, Lab units) and mask (h x w or N x 1 x h x w) ->
    the branch's input, N x 3 x h x w: ab / AB_NORM where held (0 elsewhere) and the mask."""
    ab_t = torch.as_tensor(ab, dtype=torch.float32)
    mask_t = torch.as_tensor(mask, dtype=torch.float32)
    if ab_t.dim() == 3:  # one photo, channels last
        ab_t = ab_t.permute(2, 0, 1)[None]
        mask_t = mask_t[None, None]
    return torch.cat([ab_t * mask_t / AB_NORM, mask_t], 1)


def no_hints(n: int, size: tuple[int, int]) -> torch.Tensor:
    return torch.zeros(n, HINT_CHANNELS, *size)
