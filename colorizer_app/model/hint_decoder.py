"""Colour hints as the decoder's input (Zhang, Zhu et al. 2017, "Real-Time User-Guided Image
Colorization with Learned Deep Priors").

Propagating a pin over the automatic colour (core/hints.py) only knows edges in L. A network that
takes the pin as input learns from photos what a pin means: which pixels belong with it (the rest
of the skirt, not the ground beside it), and what the pin says about colours it does not touch.

Zhang et al. give the hints (ab and a mask) to the first layer of their whole network, so every
later stage can spread them. Our encoder is frozen and pretrained, so the hints get an encoder of
their own instead: a small trainable one that reads the pins' planes with L and the frozen
encoder's features at strides 4, 8 and 16 (what the pixels are, where the edges are), goes down
to stride 32, and joins every stage of the decoder, as if the hints were concatenated with each
stage's input:

    pins (ab / 110, mask) + L + f4 ─> conv ─> h4 ─┬─────────────────────> + before dec4's ReLU
             (pins pooled) + f8 ───> conv ─> h8 ─┬┴────────────────> + before dec8's ReLU
             (pins pooled) + f16 ──> conv ─> h16 ┬┴──────────> + before dec16's ReLU
             (pins pooled) ────────> conv ─> h32 ┴──> + into the fused stride-32 map

Adding a term before a stage's batch norm and ReLU is the same as giving the stage's convolution
more input channels (batch norm in eval mode is affine). At each stride the pins also arrive
pooled (their mean ab over each cell and how much of it they cover), so a pin reaches the coarse
stages directly instead of through a chain of small convolutions.

Beside the joins, a direct path to the head: the pins' colour pooled at every stride is brought
back to stride 4 (a near pin's colour where there is one, a wider cell's mean elsewhere), the hint
encoder weighs the strides and says per pixel how far to trust the result (`gain`), and the bins
head's logits are pulled towards the bins near that colour (a Gaussian of the distance, Lab
units): "this pixel belongs with that pin" is then one number to learn, not a colour to
rebuild from features, so a few hundred steps on a CPU teach it.

The joins are 1x1 convolutions that start at zero, the gain starts small, and the whole hint
encoder's output is multiplied by "this photo has a pin": with no pins the decoder is exactly the
model it was made from, whatever training did to the hint encoder. A model without hint inputs
has no hint encoder at all (its files and weights are as before).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ab in Lab units -> the hint encoder's input scale (|ab| <= 110 inside the sRGB gamut).
AB_NORM = 110.0
HINT_CHANNELS = 3  # a, b, mask
_POOLED = 3  # per stride: the pins' mean a, b over each cell and the share of it they cover
_WIDTHS = (32, 48, 64, 64)  # the hint encoder's widths at strides 4, 8, 16 and 32
_SCALES = 5  # the pins' colour pooled at strides 4 (3x3 cells), 8, 16, 32 and over the photo
PULL_SIGMA = 10.0  # Lab units: the colour pull's reach around the pins' colour (the bins' spacing)


def _conv(cin: int, cout: int, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=dilation, dilation=dilation), nn.ReLU(inplace=True)
    )


def _zero_1x1(cin: int, cout: int) -> nn.Conv2d:
    conv = nn.Conv2d(cin, cout, 1)
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.zero_()  # type: ignore[union-attr]
    return conv


def _hw(size: Sequence[int]) -> tuple[int, int]:
    return int(size[0]), int(size[1])


def _fit(x: torch.Tensor, size: Sequence[int]) -> torch.Tensor:
    """x at `size` (an odd side halves to one pixel fewer or more than the features have)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)


def pooled_pins(planes: torch.Tensor, size: Sequence[int]) -> torch.Tensor:
    """The pins' mean ab over each cell of a coarser grid `size`, and the share of the cell
    they cover (N x 3 x size): how a pin reaches a coarse stage at once."""
    ab_sum = F.adaptive_avg_pool2d(planes[:, :2], _hw(size))  # ab planes are 0 off the pins
    cover = F.adaptive_avg_pool2d(planes[:, 2:], _hw(size))
    return torch.cat([ab_sum / cover.clamp_min(1e-6), cover.clamp_max(1.0).sqrt()], 1)


class HintEncoder(nn.Module):
    """Hint planes (N x 3 x h x w at the head's stride 4), L and the frozen encoder's features
    -> what joins the decoder at strides 32, 16, 8 and 4 (widths `fusion`, `decoder_channels`)."""

    def __init__(
        self, feature_channels: Sequence[int], fusion: int, decoder_channels: Sequence[int]
    ):
        super().__init__()
        c4, c8, c16 = feature_channels[:3]
        d16, d8, d4 = decoder_channels
        w4, w8, w16, w32 = _WIDTHS
        self.at4 = nn.Sequential(_conv(HINT_CHANNELS + 1 + c4, w4), _conv(w4, w4))
        self.at8 = nn.Sequential(_conv(w4 + _POOLED + c8, w8), _conv(w8, w8))
        self.at16 = nn.Sequential(_conv(w8 + _POOLED + c16, w16), _conv(w16, w16, 2))
        self.at32 = nn.Sequential(_conv(w16 + _POOLED, w32), _conv(w32, w32))
        self.out32 = _zero_1x1(w32, fusion)
        self.out16 = _zero_1x1(w16, d16)
        self.out8 = _zero_1x1(w8, d8)
        self.out4 = _zero_1x1(w4, d4)
        # Per pixel: which stride's pooled colour to take, and how far to pull towards it.
        # From the hint encoder at strides 4, 8 and 16: does this pixel belong with the pins?
        weigh = nn.Conv2d(w4, _SCALES + 1, 1)  # a logit per stride, then the gain
        with torch.no_grad():
            weigh.weight.mul_(0.1)
            weigh.bias.zero_()  # type: ignore[union-attr]
            # softplus(-1) = 0.31: pulled from the start (no pins, no pull: the gate below). At
            # softplus(-6) Adam's steps of ~1e-3 left it near zero for hundreds of steps, while
            # the same hint encoder with it raised scored 1 dB higher at 10 pins.
            weigh.bias[-1] = -1.0  # type: ignore[index]
        self.pull = nn.Sequential(_conv(w4 + w8 + w16 + 3 * _SCALES, w4), weigh)

    def joins(self) -> list[nn.Conv2d]:
        """The 1x1 convolutions into the decoder (zero until trained)."""
        return [self.out32, self.out16, self.out8, self.out4]

    def forward(
        self, planes: torch.Tensor, l_norm: torch.Tensor, feats: Sequence[torch.Tensor]
    ) -> tuple[list[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        """`feats`: the frozen encoder's features at strides 4, 8, 16, 32 (their sizes are the
        decoder's). Returns the terms for strides 32, 16, 8 and 4, and the colour pull at stride
        4 (the colour, Lab units, N x 2 x h x w, and its gain, N x 1 x h x w); all zero for a
        photo without pins."""
        f4, f8, f16, f32 = feats
        planes = _fit(planes, f4.shape[-2:])
        l4 = F.adaptive_avg_pool2d(l_norm, _hw(f4.shape[-2:]))
        h4 = self.at4(torch.cat([planes, l4, f4], 1))
        h8 = self.at8(torch.cat([_pool_to(h4, f8), pooled_pins(planes, f8.shape[-2:]), f8], 1))
        h16 = self.at16(torch.cat([_pool_to(h8, f16), pooled_pins(planes, f16.shape[-2:]), f16], 1))
        h32 = self.at32(torch.cat([_pool_to(h16, f32), pooled_pins(planes, f32.shape[-2:])], 1))
        # 1 for a photo with at least one pin, 0 without: no pins, no change at all.
        has_pins = (planes[:, 2:].flatten(1).amax(1) > 0).to(planes.dtype)[:, None, None, None]
        joins = [
            self.out32(h32) * has_pins,
            self.out16(h16) * has_pins,
            self.out8(h8) * has_pins,
            self.out4(h4) * has_pins,
        ]
        colours, covers = _pooled_colours(planes, [f.shape[-2:] for f in (f8, f16, f32)] + [(1, 1)])
        size = h4.shape[-2:]
        pull = self.pull(torch.cat([h4, _fit(h8, size), _fit(h16, size), colours, covers], 1))
        weights = torch.softmax(pull[:, :_SCALES] + torch.log(covers + 1e-4), 1)
        colour = sum(weights[:, k : k + 1] * colours[:, 2 * k : 2 * k + 2] for k in range(_SCALES))
        gain = F.softplus(pull[:, _SCALES:]) * has_pins
        return joins, (colour * AB_NORM, gain)  # type: ignore[return-value]


def _pooled_colours(
    planes: torch.Tensor, sizes: Sequence[Sequence[int]]
) -> tuple[torch.Tensor, torch.Tensor]:
    """The pins' mean ab (/ AB_NORM) over 3x3 cells at stride 4 and over each cell of the
    coarser grids `sizes` (the last, 1 x 1: the whole photo), brought back to stride 4
    (N x 2*_SCALES x h x w), and how much of each cell the pins cover (N x _SCALES x h x w)."""
    size = tuple(planes.shape[-2:])
    sums = [F.avg_pool2d(planes, 3, 1, 1, count_include_pad=False)]
    sums += [_fit(F.adaptive_avg_pool2d(planes, _hw(s)), size) for s in sizes]
    colours = [s[:, :2] / s[:, 2:].clamp_min(1e-6) for s in sums]
    covers = [s[:, 2:].clamp(0.0, 1.0) for s in sums]
    return torch.cat(colours, 1), torch.cat(covers, 1)


def _pool_to(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return F.adaptive_avg_pool2d(x, _hw(like.shape[-2:]))


def hint_planes(ab: np.ndarray | torch.Tensor, mask: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Held ab (h x w x 2 or N x 2 x h x w, Lab units) and mask (h x w or N x 1 x h x w) ->
    the hint encoder's input, N x 3 x h x w: ab / AB_NORM where held (0 elsewhere) and the mask."""
    ab_t = torch.as_tensor(ab, dtype=torch.float32)
    mask_t = torch.as_tensor(mask, dtype=torch.float32)
    if ab_t.dim() == 3:  # one photo, channels last
        ab_t = ab_t.permute(2, 0, 1)[None]
        mask_t = mask_t[None, None]
    return torch.cat([ab_t * mask_t / AB_NORM, mask_t], 1)


def no_hints(n: int, size: tuple[int, int]) -> torch.Tensor:
    return torch.zeros(n, HINT_CHANNELS, *size)
