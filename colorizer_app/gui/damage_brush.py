"""The damage brush of the Restore panel: how big it is, what a stroke marks, and the overlay
that shows the damage over the preview. No widgets here: the panel and its pictures use it.

Strokes are painted in the preview's own pixels (at most 1024 on the long side), as the
corrected mask is kept."""

from __future__ import annotations

import cv2
import numpy as np

OVERLAY = np.array([255, 40, 40], np.float32)  # the damage found, drawn half over the photo
BRUSH_RADIUS = 5  # pixels of a full-size preview (1024 px on its long side), at size 1
# The person's own size, as a factor of the brush that suits the photo: each [ or ] (or wheel
# notch) one step; from a hairline to a stroke as wide as a fold.
SIZE_STEP = 1.25
SIZE_RANGE = (0.25, 6.0)
BRUSH_HINT = (
    "Drag on the photo to correct the damage found: the left button adds, the right button "
    "erases, the wheel (or [ and ]) sizes the brush."
)


def brush_radius(shape: tuple[int, ...], size: float = 1.0) -> int:
    """The brush's radius on a preview of `shape`: the same share of the photo whatever its
    size (a fixed 5 px on a 256 px print, the boy's, was a stroke as wide as his eyebrow),
    times the person's `size`."""
    return max(1, round(BRUSH_RADIUS * size * max(shape[:2]) / 1024))


def resized(size: float, steps: int) -> float:
    """The brush's size `steps` steps bigger (negative: smaller), within SIZE_RANGE."""
    low, high = SIZE_RANGE
    return float(min(high, max(low, size * SIZE_STEP**steps)))


def paint(
    mask: np.ndarray,
    start: tuple[float, float] | None,
    end: tuple[float, float],
    radius: int,
    adding: bool,
) -> np.ndarray:
    """`mask` with a stroke of `radius` from `start` to `end` marked (or erased): the whole
    path, not a dab at each point the mouse reported (a quick drag left a row of dots with
    damage between them). `start` None: a dab at `end`."""
    painted = mask.astype(np.uint8)
    value = 1 if adding else 0
    b = (round(end[0]), round(end[1]))
    cv2.circle(painted, b, radius, value, -1)
    if start is not None:
        a = (round(start[0]), round(start[1]))
        cv2.line(painted, a, b, value, 2 * radius + 1)
        cv2.circle(painted, a, radius, value, -1)
    return painted > 0


def overlay(rgb: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """The preview with the damage drawn half over it in red."""
    if mask is None or not mask.any():
        return rgb
    out = rgb.astype(np.float32)
    out[mask] = 0.5 * out[mask] + 0.5 * OVERLAY
    return out.astype(np.uint8)
