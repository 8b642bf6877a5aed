"""The restoration a person switches on: which steps, run in a fixed order on a photo's L.

Order: damage is found on the photo as it came (the detector learnt damage over grain), grain is
taken out, the damaged pixels are filled from their cleaned surroundings, and the tones are
levelled last (from the repaired pixels, so a white scratch does not set the white point).
A photo's colour (a sepia tone) is kept: only its damaged pixels are filled in a and b too, and
where faded tones are stretched back, the colour that faded with them is stretched alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core import lab
from . import repair
from .detect import Detector, default_detector, find_damage

STEPS = ("scratches", "fading", "grain")
# Found damage is grown by this much before filling: the soft edge of a scratch goes too.
WIDEN = 1


class RestoreOptionError(ValueError):
    pass


@dataclass(frozen=True)
class RestoreOptions:
    scratches: bool = False
    fading: bool = False
    grain: bool = False

    @classmethod
    def parse(cls, text: str) -> RestoreOptions:
        """'scratches,fading', 'all' or 'none' -> options; a clear error for anything else."""
        names = {n.strip().lower() for n in text.split(",") if n.strip()}
        if names == {"all"}:
            return cls(True, True, True)
        if names == {"none"} or not names:
            return cls()
        unknown = sorted(names - set(STEPS))
        if unknown:
            raise RestoreOptionError(
                f"unknown restoration step {', '.join(map(repr, unknown))}: choose from "
                f"{', '.join(STEPS)}, or all"
            )
        return cls(**{n: True for n in names})

    @property
    def any(self) -> bool:
        return self.scratches or self.fading or self.grain

    def __str__(self) -> str:
        on = [n for n in STEPS if getattr(self, n)]
        return ",".join(on) if on else "none"


@dataclass
class Restored:
    l: np.ndarray  # repaired L (float32, [0, 100])
    mask: np.ndarray | None  # the damage filled (None: scratches off)
    notes: list[str] = field(default_factory=list)
    tone_gain: float = 1.0  # how far fading's levels stretched the tones (1: left alone)


def restore_l(
    l: np.ndarray,
    options: RestoreOptions,
    detector: Detector | None = None,
    mask: np.ndarray | None = None,
) -> Restored:
    """The repaired L. `mask`: damage already known (a person's corrected mask), used as given
    instead of detecting."""
    notes: list[str] = []
    out = l.astype(np.float32, copy=False)
    if options.scratches and mask is None:
        mask = find_damage(out, detector if detector is not None else default_detector())
        mask = repair.widen(mask, WIDEN)
    if options.grain:
        level = repair.grain_level(out)
        out = repair.repair_grain(out, level)
        if level >= repair.GRAIN_FLOOR:
            notes.append(f"grain {level:.1f} reduced")
    if options.scratches and mask is not None and mask.any():
        out = repair.fill(out, mask)
        notes.append(f"{float(mask.mean()):.1%} damaged pixels filled")
    gain = 1.0
    if options.fading:
        levels = repair.fading_levels(out)
        if levels is not None:
            out, gain = repair.apply_levels(out, levels), levels[2]
            notes.append("tones levelled")
    return Restored(out, mask if options.scratches else None, notes, gain)


def restore_rgb(
    rgb: np.ndarray,
    options: RestoreOptions,
    detector: Detector | None = None,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, Restored]:
    """A photo (H x W x 3 or H x W, uint8/uint16) repaired, of its own dtype and shape, and what
    was done. A neutral gray photo stays neutral; a toned one keeps its a and b."""
    if not options.any:
        return rgb, Restored(lab.rgb_to_l(rgb), None)
    gray = (
        rgb.ndim == 2
        or bool(np.array_equal(rgb[..., 0], rgb[..., 1]))
        and bool(np.array_equal(rgb[..., 1], rgb[..., 2]))
    )
    l = lab.rgb_to_l(rgb)
    done = restore_l(l, options, detector, mask)
    if done.l is l:  # no step found anything to do: the photo as it came, to the byte
        return rgb, done
    dtype = rgb.dtype if rgb.dtype in (np.uint8, np.uint16) else np.uint8
    if gray:
        out = lab.compose_l_ab_rows(done.l, lambda y, n: _zeros(n, l.shape[1]), dtype)
        return (out[..., 0] if rgb.ndim == 2 else out), done
    ab = lab.rgb_to_lab(rgb)[..., 1:]
    if done.mask is not None and done.mask.any():
        ab = np.dstack([repair.fill(ab[..., i], done.mask) for i in range(2)])
    if done.tone_gain != 1.0:
        # Fading takes a print's colour with its tones (a veil over both): colour kept as it was
        # under tones stretched back looks grayer than the print did, so it is stretched alike.
        ab = ab * np.float32(done.tone_gain)
    return lab.compose_l_ab(done.l, ab, dtype), done


def _zeros(n: int, w: int) -> np.ndarray:
    return np.zeros((n, w, 2), np.float32)
