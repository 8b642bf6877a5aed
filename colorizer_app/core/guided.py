"""Colour upsampled along the photo's own edges: the fast guided filter (He and Sun, 2015).

The network's ab come at a few hundred pixels; a scan may be 4000 wide. Bilinear upsampling
stretches each colour edge over the whole scale factor (a red coat spills tens of pixels onto a
white wall). Here, in each small window of the network's copy, ab is fitted as a linear function
of L (ab = A * L + B); the slope A is smooth, so it is upsampled, and applied to the detail of the
full-resolution L, whose edges are sharp.

All the fitting happens at the network's size; at full size each of a and b costs the bilinear
upsampling of two small planes, a multiply and an add (and the detail of L, shared by both).
Strip by strip: the full-resolution planes are never held whole, so memory stays bounded by the
strip for any size of scan.
"""

from __future__ import annotations

import cv2
import numpy as np

# Window radius on the network's copy (a 5x5 window) and the regulariser in L units squared:
# L steps much below sqrt(EPS) = 5 (flat texture, grain, JPEG noise) do not steer the colour.
RADIUS = 2
EPS = 25.0


def _box(x: np.ndarray, r: int) -> np.ndarray:
    return cv2.boxFilter(x, -1, (2 * r + 1, 2 * r + 1), borderType=cv2.BORDER_REFLECT)


class BilinearUpsampler:
    """ab at the network's size -> full-resolution ab (times `scale`), the plain stretch."""

    def __init__(self, ab_small: np.ndarray, full_shape: tuple[int, int], scale: float = 1.0):
        self.height, self.width = full_shape
        ab = np.asarray(ab_small, np.float32) * np.float32(scale)
        # Planes, each contiguous: every strip's upsampled plane is then contiguous too, as
        # OpenCV's arithmetic wants it (no split of an interleaved map at full size).
        self.offsets = [np.ascontiguousarray(ab[:, :, c]) for c in range(2)]

    def ab_planes(self, l_strip: np.ndarray, y0: int) -> list[np.ndarray]:
        """Full-resolution a and b (each n x W, float32) for rows y0 .. y0 + n."""
        n = l_strip.shape[0]
        return [_strip_map(p, self.width, self.height, y0, n) for p in self.offsets]

    def strip(self, l_strip: np.ndarray, y0: int) -> np.ndarray:
        """As ab_planes, as one n x W x 2 array."""
        return cv2.merge(self.ab_planes(l_strip, y0))


class GuidedUpsampler(BilinearUpsampler):
    """ab at the network's size + the full-resolution L -> full-resolution ab, strip by strip.

    Detail-transfer form of the guided filter: the result is the bilinear ab plus A times the
    detail of L that the network's copy could not hold (full-resolution L minus its small copy,
    the guide, upsampled). Where L is flat, or carries no colour edge (A ~ 0), that detail term
    vanishes and the network's colour is kept exactly; at a sharp edge whose sides differ in
    colour, the colour steps where L steps.
    """

    def __init__(
        self,
        l_full: np.ndarray | None,
        ab_small: np.ndarray,
        radius: int = RADIUS,
        eps: float = EPS,
        guide: np.ndarray | None = None,
        full_shape: tuple[int, int] | None = None,
        scale: float = 1.0,
    ):
        """From the full-resolution L, or (for a scan too big to hold its L whole) from its
        shape and `guide`, the L at ab_small's size. `scale` multiplies the colour (the
        saturation), folded into the small planes."""
        h, w = ab_small.shape[:2]
        if l_full is not None:
            full_shape = l_full.shape[:2]
            if guide is None:
                guide = cv2.resize(l_full, (w, h), interpolation=cv2.INTER_AREA)
        elif full_shape is None or guide is None:
            raise ValueError("GuidedUpsampler needs the full L, or its shape and the guide")
        super().__init__(ab_small, full_shape, scale)
        self.guide = np.ascontiguousarray(guide, dtype=np.float32)
        mean_i = _box(self.guide, radius)
        var_i = np.maximum(_box(self.guide * self.guide, radius) - mean_i * mean_i, 0.0)
        self.slopes = []
        for ab in self.offsets:  # already times `scale`: so are the slopes
            cov = _box(self.guide * ab, radius) - mean_i * _box(ab, radius)
            self.slopes.append(np.ascontiguousarray(_box(cov / (var_i + eps), radius)))

    def ab_planes(self, l_strip: np.ndarray, y0: int) -> list[np.ndarray]:
        n = l_strip.shape[0]
        detail = _strip_map(self.guide, self.width, self.height, y0, n)
        cv2.subtract(l_strip, detail, dst=detail)
        out = []
        for slope, ab in zip(self.slopes, self.offsets, strict=True):
            a = _strip_map(slope, self.width, self.height, y0, n)
            cv2.multiply(a, detail, dst=a)
            cv2.add(a, _strip_map(ab, self.width, self.height, y0, n), dst=a)
            out.append(a)
        return out


def _strip_map(small: np.ndarray, width: int, height: int, y0: int, n: int) -> np.ndarray:
    """Rows y0 .. y0 + n of `small` resized bilinearly to width x height: the same pixel-centre
    mapping as cv2.resize, shifted to the strip."""
    h, w = small.shape[:2]
    sx, sy = w / width, h / height
    m = np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, (y0 + 0.5) * sy - 0.5]], np.float64)
    return cv2.warpAffine(
        small,
        m,
        (width, n),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def bilinear_strip(ab_small: np.ndarray, width: int, height: int, y0: int, n: int) -> np.ndarray:
    """Rows y0 .. y0 + n of ab_small resized bilinearly to width x height (as cv2.resize)."""
    return _strip_map(np.ascontiguousarray(ab_small, dtype=np.float32), width, height, y0, n)
