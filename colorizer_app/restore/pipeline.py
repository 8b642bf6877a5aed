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
    """What the repair did, step by step: the app's panel says each one from these fields, and
    a batch's line from `notes`."""

    l: np.ndarray  # repaired L (float32, [0, 100])
    mask: np.ndarray | None  # the damage filled (None: scratches off)
    grain: float | None = None  # the grain level reduced (None: none found, or grain off)
    levelled: bool = False  # fading's levels applied
    tone_gain: float = 1.0  # how far fading's levels stretched the tones (1: left alone)
    extra: list[str] = field(default_factory=list)  # said before the steps' own notes
    corrected: bool = False  # the damage filled is a person's correction, not detected
    set_aside: bool = False  # a correction was given but made on the photo turned: detected

    @property
    def filled(self) -> float:
        """The share of the photo's pixels filled as damage."""
        return float(self.mask.mean()) if self.mask is not None and self.mask.any() else 0.0

    @property
    def notes(self) -> list[str]:
        """What was done, for a batch's line ("2.1% damaged pixels filled", "tones levelled")."""
        said, filled = list(self.extra), self.filled
        if self.grain is not None:
            said.append(f"grain {self.grain:.1f} reduced")
        if filled:
            said.append(f"{filled:.1%} damaged pixels filled")
        if self.levelled:
            said.append("tones levelled")
        return said


def restore_l(
    l: np.ndarray,
    options: RestoreOptions,
    detector: Detector | None = None,
    mask: np.ndarray | None = None,
) -> Restored:
    """The repaired L. `mask`: damage already known (a person's corrected mask), used as given
    instead of detecting."""
    out = l.astype(np.float32, copy=False)
    if options.scratches and mask is None:
        mask = find_damage(out, detector if detector is not None else default_detector())
        mask = repair.widen(mask, WIDEN)
    grain = None
    if options.grain:
        level = repair.grain_level(out)
        out = repair.repair_grain(out, level)
        grain = level if level >= repair.GRAIN_FLOOR else None
    if options.scratches and mask is not None and mask.any():
        out = repair.fill(out, mask)
    gain, levelled = 1.0, False
    if options.fading:
        levels = repair.fading_levels(out)
        if levels is not None:
            out, gain, levelled = repair.apply_levels(out, levels), levels[2], True
    return Restored(out, mask if options.scratches else None, grain, levelled, gain)


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
