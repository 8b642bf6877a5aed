"""Repair before colour, as a batch runs it: the photo's L repaired, then colorized (or, with no
colorizer, written repaired and uncoloured by `colorizer restore`). engine/batch.py's run_jobs
calls `colorize` on this as on a Colorizer, so naming, skipping and atomic writing stay its own."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ..core.fileio import RESTORED_SUFFIX as RESTORED_SUFFIX  # where it was named first
from ..core.hints import Hint
from ..core.imageio import load_image
from ..restore.detect import Detector, default_detector
from ..restore.options import Restored, RestoreOptions
from ..restore.options import RestoreOptionError as RestoreOptionError  # for the CLI
from ..restore.pipeline import restore_rgb
from .batch import BatchResult, plan_jobs, run_jobs
from .batch import taken_by as taken_by  # for the Restore panel
from .colorizer import Colorizer
from .restore_records import CorrectedMasks, RestorePreview

log = logging.getLogger(__name__)


NOTHING_REPAIRED = "nothing found to repair"


class RestoringColorizer:
    """`options`' repairs, then `colorizer` (None: repair only). `mask`: the damage as a person
    corrected it (any size: brought to each photo's), used instead of detecting. `corrections`:
    where the app keeps each photo's corrected damage; a batch uses a photo's own correction
    (`painter_for`) instead of detecting on it, as the app would."""

    def __init__(
        self,
        options: RestoreOptions,
        colorizer: Colorizer | None = None,
        mask: np.ndarray | None = None,
        corrections: CorrectedMasks | None = None,
        detector: Detector | None = None,
    ):
        self.options = options
        self.colorizer = colorizer
        self.mask = mask
        self.corrections = corrections if options.scratches else None
        # Loaded once for the batch, only when scratches are to be found.
        needed = options.scratches and mask is None and detector is None
        self.detector: Detector | None = default_detector() if needed else detector
        self.last_notes: list[str] = []  # what the last photo's repair did, for its line
        self.last_unchanged = False  # no step found anything to do on the last photo
        self.corrected = False  # this photo's damage is the person's correction, not detected

    @property
    def colours(self) -> bool:
        """False for a repair alone: a photo's own colours are kept, not replaced."""
        return self.colorizer is not None

    def painter_for(self, source: Path) -> RestoringColorizer:
        """This one, or, for a photo whose damage a person corrected in the app, one that fills
        that correction (a trial's batch filled away the pupil the brush had kept)."""
        if self.corrections is None or self.mask is not None:
            return self
        mask = self.corrections.get(source)
        if mask is None:
            return self
        painter = RestoringColorizer(self.options, self.colorizer, mask, None, self.detector)
        painter.corrected = True
        return painter

    def colorize(
        self,
        rgb: np.ndarray,
        saturation: float = 1.0,
        hints: Sequence[Hint] = (),
        in_place: bool = False,
    ) -> np.ndarray:
        repaired, done = _repair(rgb, self.options, self.mask, self.detector)
        if self.corrected and done.corrected:
            done.extra.insert(0, "damage as corrected in the app")
        self.last_unchanged = repaired is rgb  # (--restore none too: the file is copied)
        if self.last_unchanged and self.options.any:  # said: a copy as it came looked repaired
            done.extra.append(NOTHING_REPAIRED)
        self.last_notes = done.notes
        if self.colorizer is None:
            return repaired
        # The repaired copy is ours: the colour may be written over it.
        ours = in_place or repaired is not rgb  # untouched, `rgb` is still the caller's to give
        return self.colorizer.colorize(repaired, saturation, hints, in_place=ours)


# A corrected mask is the photo's preview: the photo shrunk so that its long side is the
# preview's, each side rounded to whole pixels. One whose sides are not the photo's at that
# scale (within the rounding) was made on the photo before it was turned to other proportions,
# and would be stretched across it sideways. (A square photo turned in place cannot be told.)
UNFIT_NOTE = "its corrected damage was made before the photo was turned: found afresh"


def correction_fits(mask: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether a corrected damage mask was made on a photo of these proportions. By the long
    side's scale, not by the proportions: a 7000 x 1000 panorama's 1024 x 146 preview is 1022
    wide by its short side's, and a review found its correction dropped at full size."""
    mh, mw = mask.shape[:2]
    h, w = shape[:2]
    scale = max(mh, mw) / max(h, w)
    return abs(h * scale - mh) <= 1.0 and abs(w * scale - mw) <= 1.0


def _mask_at(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A corrected damage mask brought to a photo of `shape` (nearest: a mark stays a mark)."""
    if mask.shape[:2] == shape[:2]:
        return mask
    size = (shape[1], shape[0])
    return cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0


def repair_photo(
    rgb: np.ndarray,
    options: RestoreOptions,
    mask: np.ndarray | None = None,
    detector: Detector | None = None,
) -> np.ndarray:
    """`rgb` repaired by `options` (`rgb` itself when every step is off). `mask`: the damage as
    a person corrected it, of any size (brought to this photo's), filled instead of detecting;
    `detector`: None loads the shipped one when scratches are to be found."""
    return _repair(rgb, options, mask, detector)[0]


def _repair(
    rgb: np.ndarray,
    options: RestoreOptions,
    mask: np.ndarray | None,
    detector: Detector | None,
) -> tuple[np.ndarray, Restored]:
    """`repair_photo`, and what the repair did (`done.corrected`: the mask given was filled;
    one that does not fit the photo is set aside, said in the notes, and damage detected)."""
    if not options.any:
        return rgb, Restored(np.empty((0, 0), np.float32), None)
    extra, set_aside = [], False
    if mask is not None and options.scratches and not correction_fits(mask, rgb.shape):
        log.warning("corrected damage of %s does not fit a photo of %s", mask.shape, rgb.shape)
        mask, extra, set_aside = None, [UNFIT_NOTE], True
    if mask is not None:
        mask = _mask_at(mask, rgb.shape)
    elif options.scratches and detector is None:
        detector = default_detector()
    repaired, done = restore_rgb(rgb, options, detector, mask)
    done.corrected = mask is not None and options.scratches
    done.set_aside = set_aside
    done.extra[:0] = extra
    return repaired, done


# ---- for the app: a screen-sized look at what restoration does, and a saved repaired copy ----

PREVIEW_SIDE = 1024


def restore_preview(
    path: Path,
    options: RestoreOptions,
    mask: np.ndarray | None = None,
    detector: Detector | None = None,
) -> RestorePreview:
    """The photo at most PREVIEW_SIDE, repaired. Detection runs at this size anyway
    (detect.WORK_SIDE), so the overlay is the batch's mask. `mask`: the damage as corrected by a
    person (kept from a preview of this photo, any size), filled instead of detecting."""
    rgb = load_image(path).rgb
    h, w = rgb.shape[:2]
    scale = min(1.0, PREVIEW_SIDE / max(h, w))
    if scale < 1.0:  # a side of at least 1 px: a 3000 x 1 strip's was 0, and OpenCV failed
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    if rgb.dtype != np.uint8:
        rgb = (rgb.astype(np.float32) * (255.0 / 65535.0) + 0.5).astype(np.uint8)
    repaired, done = _repair(rgb, options, mask, detector)
    return RestorePreview(rgb, repaired, done, mask)


def restored_copy_path(path: Path, folder: Path | None = None) -> Path:
    """Where `save_restored` writes the photo's restored copy: `<name>_restored.<ext>` beside it
    (or in `folder`)."""
    return plan_jobs([path], folder, RESTORED_SUFFIX)[0].dest


def save_restored(
    path: Path,
    options: RestoreOptions,
    mask: np.ndarray | None = None,
    replace: bool = False,
    folder: Path | None = None,
) -> BatchResult:
    """`colorizer restore` for one photo: `<name>_restored.<ext>` beside it (or in `folder`),
    never over the original and, unless `replace` (the person said so), never over an existing
    file; through the batch's own naming and atomic writing. `mask`: the corrected damage (the
    preview's size), brought to the photo's size."""
    jobs = plan_jobs([path], folder, RESTORED_SUFFIX)
    return run_jobs(RestoringColorizer(options, mask=mask), jobs, overwrite=replace)
