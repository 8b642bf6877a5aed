"""Finding damage on L: a classical detector (morphological top-hats) and a small learned one.

Both work on a reduced copy (longest side WORK_SIDE at most): a scratch on a 12 MP scan is many
pixels wide, on the reduced copy it is a thin line as in the training data, and detection costs the
same whatever the scan's size. The mask comes back at the photo's size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, cast

import cv2
import numpy as np
import torch
from skimage.morphology import skeletonize
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from ..core.builtin_files import check_builtin_checksum
from ..core.errors import ColorizerError
from ..core.paths import install_data_dir

WORK_SIDE = 1024
WEIGHTS_NAME = "damage_detector.pt"  # in the install's models/ folder (models/README.md)


@dataclass(frozen=True)
class Classical:
    """Top-hat detector: a pixel is damage when it stands out from its surroundings (within a
    `size`-pixel disc), brighter or darker, by more than `threshold` times the local texture
    (the mean fine detail within about 10 px, plus `floor` L units): a line across a smooth sky
    is found at a lower contrast than one across foliage. Then specks and lines smaller than
    `min_area` pixels are dropped, and so is any larger than a speck (`speck_area`) that is not
    line-like (its area over its skeleton's length, its mean thickness, above `max_thickness`):
    an eye, a nostril or a button stands out as much as a scratch but is a blob. Settings chosen
    on training-style damage (tests/tools/restore_eval.py --tune)."""

    size: int = 5
    threshold: float = 2.5
    floor: float = 2.0
    min_area: int = 8
    speck_area: int = 20
    max_thickness: float = 3.0

    def probability(self, l: np.ndarray) -> np.ndarray:
        """Response over the local bar (0.5 at the bar), clipped to [0, 1]."""
        se = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (self.size, self.size))
        l = cv2.GaussianBlur(l.astype(np.float32), (3, 3), 0.6)
        white = cv2.morphologyEx(l, cv2.MORPH_TOPHAT, se)
        black = cv2.morphologyEx(l, cv2.MORPH_BLACKHAT, se)
        fine = np.abs(l - cv2.GaussianBlur(l, (0, 0), 2.0))
        bar = self.threshold * (self.floor + cv2.GaussianBlur(fine, (0, 0), 10.0))
        return np.clip(np.maximum(white, black) / (2.0 * bar), 0.0, 1.0)

    def mask(self, l: np.ndarray) -> np.ndarray:
        return keep_lines(
            self.probability(l) > 0.5, self.min_area, self.speck_area, self.max_thickness
        )


def drop_small(mask: np.ndarray, min_area: int) -> np.ndarray:
    if min_area <= 1 or not mask.any():
        return mask
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area
    keep[0] = False
    return keep[labels]


def keep_lines(
    mask: np.ndarray,
    min_area: int,
    speck_area: int,
    max_thickness: float,
    min_length: int = 0,
):
    """Of `mask`'s pieces, those of at least `min_area` pixels that are specks (up to
    `speck_area`) or thin lines and networks of lines (area per skeleton pixel up to
    `max_thickness`, and a skeleton at least `min_length` pixels long)."""
    if not mask.any():
        return mask
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    skeleton = skeletonize(mask)
    length = np.bincount(labels[skeleton], minlength=n)
    thin = (area <= max_thickness * np.maximum(length, 1)) & (length >= min_length)
    keep = (area >= min_area) & ((area <= speck_area) | thin)
    keep[0] = False
    return keep[labels]


# Dark marks shorter than this (skeleton pixels, on the detector's copy of at most WORK_SIDE)
# are left as the photo's own: a pedestrian on a pale street, a window, a post's top. On
# Detroit circa 1915 the detector marked dozens of people (they were filled away); a long dark
# line (a hair, a dark scratch) is still filled. Measured with the shipped detector: the
# pedestrians are left, old photos marked 2.4% -> 2.1%, good prints kept at 35 dB 25% -> 31%,
# the real prints' cracks as before (82.6%); held-out synthetic damage, 40% of it dark: F1
# 0.602 -> 0.593, filled 23.16 -> 23.11 dB.
DARK_MARK_LENGTH = 30


def drop_dark_specks(
    mask: np.ndarray, l: np.ndarray, speck_area: int, max_length: int = 0
) -> np.ndarray:
    """`mask` less its small pieces (up to `speck_area` pixels, or with a skeleton up to
    `max_length` long) darker than what lies round them: on a print a pupil, a nostril, a
    button's hole or a person on a pale street is such a mark, and the old prints' damage is
    light (emulsion gone: the paper shows). On the four real scratched prints the specks rule
    unmarks every eye and nostril of the boy's and the girl's (intact features marked: 1.7% to
    1.2%) and none of the cracks; on the held-out synthetic damage, whose dark specks it now
    leaves, F1 0.603 to 0.602. A dark speck of dust is left to the brush."""
    if (speck_area <= 0 and max_length <= 0) or not mask.any():
        return mask
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= speck_area
    if max_length > 0:
        small |= np.bincount(labels[skeletonize(mask)], minlength=n) <= max_length
    out = mask.copy()
    ring_kernel = np.ones((7, 7), np.uint8)
    h, w = mask.shape
    for i in np.flatnonzero(small):
        if i == 0:
            continue
        # Each speck's own ring (3 px round it, unmarked pixels only), in its bounding box: a
        # ring shared among neighbours went to one of them (a review).
        x, y, bw, bh = stats[i, :4]
        y0, y1, x0, x1 = max(0, y - 3), min(h, y + bh + 3), max(0, x - 3), min(w, x + bw + 3)
        piece = labels[y0:y1, x0:x1] == i
        ring = (cv2.dilate(piece.astype(np.uint8), ring_kernel) > 0) & ~mask[y0:y1, x0:x1]
        if ring.any() and l[y0:y1, x0:x1][piece].mean() < l[y0:y1, x0:x1][ring].mean():
            out[y0:y1, x0:x1][piece] = False
    return out


class DamageNet(nn.Module):
    """A small U-Net over L: one logit per pixel, damage or not. `depth` scales, `width` x 1, 2,
    3 ... channels (the shipped file: three scales, 16/32/48, about 90k weights); a fourth scale
    looks twice as far around a pixel (about 90 px: a button against its coat, a figure against
    its street) for about a fifth more time, its pixels being few."""

    def __init__(self, width: int = 16, depth: int = 3):
        super().__init__()
        if depth < 2:
            raise ValueError(f"a DamageNet needs at least two scales, not {depth}")
        self.width, self.depth = width, depth
        widths = [width * (i + 1) if i else width for i in range(depth)]
        # Names as the first files have them (enc1..encN, decN-1..dec1), so they still load.
        for i in range(depth):
            setattr(self, f"enc{i + 1}", _block(widths[i - 1] if i else 1, widths[i]))
        for i in range(depth - 1, 0, -1):
            setattr(self, f"dec{i}", _block(widths[i] + widths[i - 1], widths[i - 1]))
        self.out = nn.Conv2d(width, 1, 1)

    def block_names(self) -> list[str]:
        return [f"enc{i + 1}" for i in range(self.depth)] + [
            f"dec{i}" for i in range(self.depth - 1, 0, -1)
        ]

    def block(self, name: str) -> nn.Sequential:
        return cast(nn.Sequential, getattr(self, name))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        x = self.block("enc1")(x)
        for i in range(2, self.depth + 1):
            skips.append(x)
            x = self.block(f"enc{i}")(nn.functional.max_pool2d(x, 2))
        for i in range(self.depth - 1, 0, -1):
            skip = skips.pop()
            x = self.block(f"dec{i}")(torch.cat([_up(x, skip), skip], 1))
        return self.out(x)


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


def _up(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return nn.functional.interpolate(x, size=like.shape[-2:], mode="bilinear", align_corners=False)


def l_to_input(l: np.ndarray) -> torch.Tensor:
    """L [0, 100] (h x w) -> 1 x 1 x h x w in [-1, 1], as the colorizer's networks take it."""
    return torch.from_numpy(np.ascontiguousarray(l, np.float32) / 50.0 - 1.0)[None, None]


# The coarser look: a copy at half size, looked at too when it is at least this long. Damage
# wider than the network learnt (a crack 8 px wide on a large scan's 1024 px copy) is as thin
# there as in its training crops.
COARSE_MIN_SIDE = 200


def _for_inference(net: DamageNet) -> DamageNet:
    """The same answers, in less than half the CPU time (a 1024 x 768 copy: 0.9 CPU s against
    1.9): each batch norm folded into the convolution before it, and the activations laid out
    channels last (what the CPU's convolutions run fastest on)."""
    net = net.eval()
    for name in net.block_names():
        layers: Any = net.block(name)  # conv, norm, relu, conv, norm, relu
        conv1, bn1, relu1, conv2, bn2, relu2 = layers
        setattr(
            net,
            name,
            nn.Sequential(
                fuse_conv_bn_eval(conv1, bn1), relu1, fuse_conv_bn_eval(conv2, bn2), relu2
            ),
        )
    return net.to(memory_format=torch.channels_last)


def read_detector_file(path: str | os.PathLike) -> tuple[DamageNet, dict]:
    """A detector file's network as trained (batch norms not folded: the trainer goes on from
    it, `Learned` folds it) and the rest of its payload (threshold, min_area, scales, info)."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        net = DamageNet(int(payload["width"]), int(payload.get("depth", 3)))
        net.load_state_dict({k: v.float() for k, v in payload["state"].items()})
    except (OSError, KeyError, RuntimeError, ValueError) as exc:
        raise ColorizerError(
            f"{path}: not a damage detector file ({exc}); reinstall Colorizer"
        ) from exc
    return net, payload


class Learned:
    """The trained DamageNet from a weights file; `threshold` on its probability, the most of
    its answers at each of `scales` (1: the photo as given; 0.5: a copy at half size, brought
    back up). With `max_thickness`, only specks (up to `speck_area` pixels) and line-like pieces
    (at least `min_length` long) are kept, as the classical detector keeps them: a button, a
    flower on wallpaper, a bow or lips marked whole are blobs, and a thin-damage fill would smear
    them; a figure in a street scene is a short thick stroke, and the fill would erase it. Of
    the specks and short marks, the light ones (`drop_dark_specks`): a pupil, a person on a
    pale street are dark."""

    def __init__(
        self,
        net: DamageNet,
        threshold: float = 0.5,
        min_area: int = 4,
        scales: tuple[float, ...] = (1.0,),
        speck_area: int = 0,
        max_thickness: float | None = None,
        min_length: int = 0,
    ):
        self.net = _for_inference(net)
        self.threshold = threshold
        self.min_area = min_area
        self.scales = scales
        self.speck_area = speck_area
        self.max_thickness = max_thickness
        self.min_length = min_length

    @classmethod
    def load(cls, path: str | os.PathLike) -> Learned:
        net, payload = read_detector_file(path)
        thickness = payload.get("max_thickness")
        return cls(
            net,
            float(payload.get("threshold", 0.5)),
            int(payload.get("min_area", 4)),
            tuple(float(x) for x in payload.get("scales", (1.0,))),
            int(payload.get("speck_area", 0)),
            float(thickness) if thickness is not None else None,
            int(payload.get("min_length", 0)),
        )

    def probability(self, l: np.ndarray) -> np.ndarray:
        """Damage probability per pixel: the most over the scales."""
        h, w = l.shape
        prob = self.probability_at(l) if 1.0 in self.scales else np.zeros((h, w), np.float32)
        for scale in self.scales:
            size = (round(w * scale), round(h * scale))
            if scale >= 1.0 or max(size) < COARSE_MIN_SIDE:
                continue
            small = cv2.resize(l, size, interpolation=cv2.INTER_AREA)
            coarse = cv2.resize(self.probability_at(small), (w, h), interpolation=cv2.INTER_LINEAR)
            prob = np.maximum(prob, coarse)
        return prob

    @torch.inference_mode()
    def probability_at(self, l: np.ndarray) -> np.ndarray:
        """The network's probability on `l` as given."""
        h, w = l.shape
        multiple = 2 ** (self.net.depth - 1)  # each scale halves the size
        ph, pw = (-h) % multiple, (-w) % multiple
        padded = np.pad(l, ((0, ph), (0, pw)), mode="reflect") if ph or pw else l
        logits = self.net(l_to_input(padded))[0, 0, :h, :w]
        return torch.sigmoid(logits).numpy()

    def mask(self, l: np.ndarray) -> np.ndarray:
        found = self.probability(l) > self.threshold
        if self.max_thickness is None:
            return drop_small(found, self.min_area)
        thin = self.max_thickness
        kept = keep_lines(found, self.min_area, self.speck_area, thin, self.min_length)
        return drop_dark_specks(kept, l, self.speck_area, DARK_MARK_LENGTH)


Detector = Classical | Learned


def default_detector() -> Detector:
    """The shipped learned detector where it is installed (its checksum as the manifest has
    it), else the classical one."""
    weights = install_data_dir("models") / WEIGHTS_NAME
    if not weights.is_file():
        return Classical()
    check_builtin_checksum(weights)
    return Learned.load(weights)


def find_damage(l: np.ndarray, detector: Detector, work_side: int = WORK_SIDE) -> np.ndarray:
    """Bool mask (the photo's size) of damaged pixels, found on a copy at most `work_side`."""
    h, w = l.shape
    scale = min(1.0, work_side / max(h, w))
    if scale >= 1.0:
        return detector.mask(l)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(l, size, interpolation=cv2.INTER_AREA)
    found = detector.mask(small).astype(np.uint8) * 255
    big = cv2.resize(found, (w, h), interpolation=cv2.INTER_LINEAR)
    return big > 64
