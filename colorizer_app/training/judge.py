"""Whether a fine-tuned model is better than the one it started from, judged as the app uses it.

The loop's own validation scores crops at the training size, on whatever photos it holds out, by
PSNR alone: a fine-tune at a high learning rate fooled it (23.42 -> 23.87 dB at 32 px on six
photos, while on 40 other photos the app's colour fell from 23.67 to 20.46 dB), and a colourless
sepia scored better than the start. Here each held-out photo is scored by the evaluation
protocol (training/evaluate.py: squashed to 256 x 256, its L colorized through the real
Colorizer at the model's own inference size, compared in RGB), and a candidate is better only if

- its mean per-photo PSNR gain over the start exceeds the noise of so few photos:
  max(MIN_GAIN_DB, 2 standard errors of the per-photo differences), and
- its colour has not collapsed: its mean colourfulness is at least COLOUR_KEPT of the start's
  (photo by photo, of the photo's own where the start is more colourful than the photo), and
  surely so: by more than 2 standard errors of the per-photo margins. Fine-tuning the
  three-member default (lr 1e-3, 20 steps), ten held-out photos kept 93% of its colourfulness
  where 40 others kept 79%.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from ..core.errors import ColorizerError, TrainingCancelled
from ..core.imageio import load_image, to_uint8
from ..engine.colorizer import Colorizer
from ..model.networks import ColorNet
from .data import Photo, shrink
from .evaluate import EVAL_SIZE, gray_of
from .metrics import colorfulness, psnr

MIN_GAIN_DB = 0.1  # the smallest mean gain that counts, however alike the photos' gains are
NOISE_SE = 2.0  # the gain must exceed this many standard errors of the per-photo differences
COLOUR_KEPT = 0.9  # a candidate keeping less of the start's colourfulness has collapsed
# Fewer held-out photos than this: the judgement is said to be unsure (and the noise is wide).
FEW_HELD_OUT = 10


@dataclass
class Scores:
    """Per held-out photo: PSNR (dB) and colourfulness of the app's colour, and the photos' own
    colourfulness."""

    psnr: np.ndarray
    colorfulness: np.ndarray
    truth_colorfulness: np.ndarray

    @property
    def mean_psnr(self) -> float:
        return float(self.psnr.mean()) if self.psnr.size else 0.0

    @property
    def mean_colorfulness(self) -> float:
        return float(self.colorfulness.mean()) if self.colorfulness.size else 0.0


def eval_copy(photo: Photo) -> np.ndarray:
    """The photo as the evaluation protocol sees it (EVAL_SIZE square, uint8 RGB), from its file:
    the scan keeps only a copy at the training size (40 px for 32 px crops). A file gone since the
    scan is scored from that copy."""
    try:
        pixels = shrink(to_uint8(load_image(photo.path).rgb), EVAL_SIZE)
    except ColorizerError:
        pixels = photo.pixels
    return cv2.resize(pixels, (EVAL_SIZE, EVAL_SIZE), interpolation=cv2.INTER_AREA)


def score(
    colorizer: Colorizer,
    truths: list[np.ndarray],
    should_stop: Callable[[], bool] | None = None,
) -> Scores:
    """Each photo's gray print colorized by `colorizer`, scored against the photo; `should_stop`
    is asked before each photo (TrainingCancelled: nothing is saved)."""
    psnrs, cfs, true_cfs = [], [], []
    for truth in truths:
        if should_stop is not None and should_stop():
            raise TrainingCancelled("fine-tuning was cancelled while judging; nothing was saved")
        out = colorizer.colorize(gray_of(truth))
        psnrs.append(psnr(out, truth))
        cfs.append(colorfulness(out))
        true_cfs.append(colorfulness(truth))
    return Scores(np.array(psnrs), np.array(cfs), np.array(true_cfs))


def score_model(
    net: ColorNet,
    device: torch.device,
    truths: list[np.ndarray],
    should_stop: Callable[[], bool] | None = None,
) -> Scores:
    """`score` for a network in memory, coloured as the app would colour it (at its config's
    inference size, with its colour settings)."""
    net.eval()
    return score(Colorizer(net, device), truths, should_stop)


@dataclass
class Verdict:
    """A candidate against the start on the same held-out photos."""

    n: int
    psnr_before: float
    psnr_after: float
    gain: float  # mean per-photo PSNR difference, dB
    noise: float  # the gain it had to exceed, dB
    colorfulness_before: float
    colorfulness_after: float
    colour_floor: float  # the colourfulness below which its colour counts as collapsed
    colour_noise: float  # how far above the floor it must be to be surely above it
    size: int = EVAL_SIZE

    @property
    def collapsed(self) -> bool:
        return self.colorfulness_after < self.colour_floor

    @property
    def faded(self) -> bool:
        """Not surely above the floor (collapsed included)."""
        return self.colorfulness_after - self.colour_noise < self.colour_floor

    @property
    def better(self) -> bool:
        return self.gain > self.noise and not self.faded

    @property
    def few(self) -> bool:
        return self.n < FEW_HELD_OUT

    def reason(self) -> str:
        """Why the candidate is not better ('' if it is)."""
        if self.collapsed:
            return (
                f"its colour collapsed: colourfulness {self.colorfulness_after:.1f} against "
                f"the start's {self.colorfulness_before:.1f}"
            )
        if self.faded:
            return (
                f"its colour may have faded: colourfulness {self.colorfulness_after:.1f} "
                f"against the start's {self.colorfulness_before:.1f}, not surely above "
                f"{COLOUR_KEPT:.0%} of it (± {self.colour_noise:.1f} over {self.n} photos)"
            )
        if not self.better:
            return (
                f"not better than the start by more than the noise ({self.gain:+.2f} dB "
                f"± {self.noise:.2f} over {self.n} photos)"
            )
        return ""

    def headline(self) -> str:
        """Why nothing was kept, in the few words a status line has room for ('' if better).
        The panel's curve (the loop's own held-out score, at training size) can climb while
        this judgement, at the app's size over photos it never chose on, finds no real gain."""
        if self.collapsed:
            return "its colour collapsed"
        if self.faded:
            return "its colour may have faded"
        if self.gain < -self.noise:
            return (
                f"it colours the {self.n} held-out photos {-self.gain:.2f} dB worse than the "
                f"start (± {self.noise:.2f})"
            )
        if not self.better:
            return (
                f"its gain, {self.gain:+.2f} dB, is within the noise of {self.n} held-out "
                f"photos (± {self.noise:.2f})"
            )
        return ""

    def scores(self) -> str:
        """The figures, as one phrase."""
        few = (
            f"; only {self.n} held-out photos: too few to tell a small gain from noise, "
            "add photos for a surer judgement"
            if self.few
            else ""
        )
        return (
            f"held-out PSNR {self.psnr_before:.2f} dB before -> {self.psnr_after:.2f} dB after "
            f"({self.gain:+.2f} dB, noise ± {self.noise:.2f}, over {self.n} photos at "
            f"{self.size} px as the app colours them), colourfulness "
            f"{self.colorfulness_before:.1f} -> {self.colorfulness_after:.1f}{few}"
        )

    def to_dict(self) -> dict:
        return {
            "photos": self.n,
            "size": self.size,
            "psnr_before": round(self.psnr_before, 3),
            "psnr_after": round(self.psnr_after, 3),
            "gain_db": round(self.gain, 3),
            "noise_db": round(self.noise, 3),
            "colorfulness_before": round(self.colorfulness_before, 2),
            "colorfulness_after": round(self.colorfulness_after, 2),
            "colour_floor": round(self.colour_floor, 2),
            "colour_noise": round(self.colour_noise, 2),
        }


def judge(before: Scores, after: Scores) -> Verdict:
    """The candidate's scores (`after`) against the start's on the same photos."""
    n = len(before.psnr)

    def standard_error(x: np.ndarray) -> float:
        return float(x.std(ddof=1)) / math.sqrt(n) if n > 1 else math.inf

    diff = after.psnr - before.psnr
    gain = float(diff.mean()) if n else 0.0
    floors = COLOUR_KEPT * np.minimum(before.colorfulness, before.truth_colorfulness)
    return Verdict(
        n=n,
        psnr_before=before.mean_psnr,
        psnr_after=after.mean_psnr,
        gain=gain,
        noise=max(MIN_GAIN_DB, NOISE_SE * standard_error(diff)),
        colorfulness_before=before.mean_colorfulness,
        colorfulness_after=after.mean_colorfulness,
        colour_floor=float(floors.mean()) if n else 0.0,
        colour_noise=NOISE_SE * standard_error(after.colorfulness - floors),
    )
