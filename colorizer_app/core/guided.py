"""Colour upsampled along the photo's own edges: the fast guided filter (He and Sun, 2015).

The network's ab come at a few hundred pixels; a scan may be 4000 wide. Bilinear upsampling
stretches each colour edge over the whole scale factor (a red coat spills tens of pixels onto a
white wall). Here, in each small window of the network's copy, ab is fitted as a linear function
of L (ab = A * L + B); the slope A is smooth, so it is upsampled, and applied to the detail of the
full-resolution L, whose edges are sharp.

Strip by strip: the full-resolution A and B are never held whole, so memory stays bounded by the
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


class GuidedUpsampler:
    """ab at the network's size + the full-resolution L -> full-resolution ab, strip by strip.

    Detail-transfer form of the guided filter: the result is the bilinear ab plus A times the
    detail of L that the network's copy could not hold (full-resolution L minus its upsampled
    small copy). Where L is flat, or carries no colour edge (A ~ 0), that detail term vanishes
    and the network's colour is kept exactly; at a sharp edge whose sides differ in colour, the
    colour steps where L steps.
    """

    def __init__(
        self,
        l_full: np.ndarray | None,
        ab_small: np.ndarray,
        radius: int = RADIUS,
        eps: float = EPS,
        guide: np.ndarray | None = None,
        full_shape: tuple[int, int] | None = None,
    ):
        """From the full-resolution L, or (for a scan too big to hold its L whole) from its
        shape and `guide`, the L at ab_small's size."""
        h, w = ab_small.shape[:2]
        if l_full is not None:
            self.height, self.width = l_full.shape
            if guide is None:
                guide = cv2.resize(l_full, (w, h), interpolation=cv2.INTER_AREA)
        elif full_shape is not None and guide is not None:
            self.height, self.width = full_shape
        else:
            raise ValueError("GuidedUpsampler needs the full L, or its shape and the guide")
        self.scale_x, self.scale_y = w / self.width, h / self.height
        guide = guide.astype(np.float32)
        ab = ab_small.astype(np.float32)
        mean_i = _box(guide, radius)
        var_i = np.maximum(_box(guide * guide, radius) - mean_i * mean_i, 0.0)
        maps = [ab[:, :, 0], ab[:, :, 1], guide]
        for c in range(2):
            p = np.ascontiguousarray(ab[:, :, c])
            cov = _box(guide * p, radius) - mean_i * _box(p, radius)
            maps.append(_box(cov / (var_i + eps), radius))
        # a, b, L of the small copy and A_a, A_b as one map: one interpolation per strip.
        self.maps = np.ascontiguousarray(np.stack(maps, axis=2))

    def strip(self, l_strip: np.ndarray, y0: int) -> np.ndarray:
        """Full-resolution ab (n x W x 2) for rows y0 .. y0 + n, given those rows' L."""
        m = _strip_map(self.maps, self.width, self.height, y0, l_strip.shape[0])
        detail = l_strip - m[:, :, 2]
        out = np.empty(l_strip.shape + (2,), np.float32)
        out[:, :, 0] = m[:, :, 0] + m[:, :, 3] * detail
        out[:, :, 1] = m[:, :, 1] + m[:, :, 4] * detail
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
