"""What the desktop app keeps of a colorized photo, and the save step, without any Qt.

The window shows a screen-sized preview; saving re-reads the original at full resolution and
joins it with the kept ab, so a saturation change never runs the network again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..core import lab
from ..core.imageio import load_image, save_image, to_uint8
from .colorizer import Colorizer

PREVIEW_SIDE = 2048


@dataclass
class ColorizedPhoto:
    path: Path
    full_size: tuple[int, int]  # (width, height) of the original, upright
    preview_rgb: np.ndarray  # uint8, longest side at most PREVIEW_SIDE
    preview_l: np.ndarray  # float32 L of the preview
    ab_small: np.ndarray  # the network's ab (Lab units) at network size
    model_name: str
    notes: list[str] = field(default_factory=list)  # "first page of 3 only", "already in colour"

    def render(self, saturation: float = 1.0) -> np.ndarray:
        """The colorized preview at this saturation: cheap, no network."""
        return Colorizer.compose(self.preview_rgb, self.ab_small, saturation, self.preview_l)


def preview_of(rgb: np.ndarray, side: int = PREVIEW_SIDE) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    small = rgb
    if scale < 1:
        small = cv2.resize(
            rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
    return np.ascontiguousarray(to_uint8(small))


def colorize_for_view(colorizer: Colorizer, path: Path) -> ColorizedPhoto:
    image = load_image(path)
    l_full = lab.rgb_to_l(image.rgb)
    ab_small = colorizer.predict_ab(image.rgb, l_full)
    preview = preview_of(image.rgb)
    return ColorizedPhoto(
        path,
        image.size,
        preview,
        lab.rgb_to_l(preview),
        ab_small,
        colorizer.name,
        list(image.notes),
    )


def save_colorized(photo: ColorizedPhoto, dest: Path, saturation: float, quality: int) -> Path:
    """Full resolution: the original's L, EXIF, ICC, alpha and bit depth, the kept ab."""
    image = load_image(photo.path)
    rgb = Colorizer.compose(image.rgb, photo.ab_small, saturation)
    return save_image(dest, rgb, like=image, quality=quality)
