"""The restoration a person switches on: which steps, run in a fixed order on a photo's L.

Order: damage is found on the photo as it came (the detector learnt damage over grain), grain is
taken out, the damaged pixels are filled from their cleaned surroundings, and the tones are
levelled last (from the repaired pixels, so a white scratch does not set the white point).
A photo's colour (a sepia tone) is kept: only its damaged pixels are filled in a and b too, and
where faded tones are stretched back, the colour that faded with them is stretched alike.
"""

from __future__ import annotations

import numpy as np

from ..core import lab
from . import repair
from .detect import Detector, default_detector, find_damage
from .options import Restored, RestoreOptions

# Found damage is grown by this much before filling: the soft edge of a scratch goes too.
WIDEN = 1


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
        return _untouched_kept(out[..., 0] if rgb.ndim == 2 else out, rgb, done, l), done
    ab = lab.rgb_to_lab(rgb)[..., 1:]
    if done.mask is not None and done.mask.any():
        ab = np.dstack([repair.fill(ab[..., i], done.mask) for i in range(2)])
    if done.tone_gain != 1.0:
        # Fading takes a print's colour with its tones (a veil over both): colour kept as it was
        # under tones stretched back looks grayer than the print did, so it is stretched alike.
        ab = ab * np.float32(done.tone_gain)
    return _untouched_kept(lab.compose_l_ab(done.l, ab, dtype), rgb, done, l), done


def _untouched_kept(out: np.ndarray, rgb: np.ndarray, done: Restored, l: np.ndarray) -> np.ndarray:
    """`out` with the pixels no step changed put back as they came: through Lab and back a
    16-bit scan's every pixel moved a few levels, where only its scratches were filled (an
    archivist's trial: 97.9% of the pixels changed for 2.6% filled)."""
    if done.tone_gain == 1.0 and out.dtype == rgb.dtype and out.shape == rgb.shape:
        same = done.l == l
        out[same] = rgb[same]
    return out


def _zeros(n: int, w: int) -> np.ndarray:
    return np.zeros((n, w, 2), np.float32)
