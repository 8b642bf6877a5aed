"""How much colour hints help: PSNR with 0, 1, 5, 10, 20 hints per photo, taken from the truth.

A model with hint inputs (model/hint_decoder.py) gets the pins as its decoder's input (its
encoder runs once per photo); any other model's pins are propagated over its automatic colour
(core/hints.py), as the app and the CLI do.

The protocol of Zhang et al. 2017 ("Real-Time User-Guided Image Colorization", their Fig. 4):
each photo at 256x256 gets N pins at random places; each pin's colour is the truth's mean colour
in a 5x5 patch there (written as the sRGB #rrggbb a person would pick, so the 8-bit rounding a
real pin has is included). The places are a function of the photo's index and N alone, so every
method and setting sees the same pins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ..core import lab
from ..core.hints import Hint
from ..engine.colorizer import Colorizer
from .data import Photo
from .evaluate import EVAL_SIZE, gray_of
from .metrics import psnr

HINT_COUNTS = (0, 1, 5, 10, 20)
PATCH = 5


@dataclass
class HintCurve:
    counts: tuple[int, ...]
    psnr: list[float]  # mean over photos, one per count
    gray_psnr: float
    n: int


def sample_hints(truth: np.ndarray, count: int, seed: int) -> list[Hint]:
    """`count` pins with the truth's mean colour over a PATCH x PATCH square at random places."""
    rng = np.random.default_rng([seed, count])
    h, w = truth.shape[:2]
    lab_truth = lab.rgb_to_lab(truth)
    half = PATCH // 2
    hints = []
    for _ in range(count):
        x = int(rng.integers(half, w - half))
        y = int(rng.integers(half, h - half))
        patch = lab_truth[y - half : y + half + 1, x - half : x + half + 1].reshape(-1, 3)
        hints.append(Hint.pin(x, y, lab.lab_to_hex(*patch.mean(0)), radius=PATCH / 2))
    return hints


def hint_curve(
    colorizer: Colorizer,
    photos: Sequence[Photo],
    counts: Sequence[int] = HINT_COUNTS,
    on_progress: Callable[[int, int], None] | None = None,
) -> HintCurve:
    """The network's encoder runs once per photo (its outputs kept where a hint network answers
    the model's pins); each count's pins are propagated over the automatic colour, and over
    the hint network's answer to them where there is one (Colorizer.answer_hints, as the app
    does: a hint model's own network is measured with the propagation on top)."""
    scores = np.zeros((len(photos), len(counts)))
    gray_scores = []
    size = (EVAL_SIZE, EVAL_SIZE)
    for i, photo in enumerate(photos):
        truth = cv2.resize(photo.pixels, size, interpolation=cv2.INTER_AREA)
        gray = gray_of(truth)
        gray_scores.append(psnr(gray, truth))
        l_full = lab.rgb_to_l(gray)
        l_small = colorizer.small_l(gray, l_full)
        encoded = None
        if colorizer.takes_hints:  # one encoder pass: the automatic colour and the pins' answer
            encoded = colorizer.encode(l_small)
            ab_small = colorizer.decode_automatic(encoded)
        else:
            ab_small = colorizer.predict_small(l_small)
        for j, count in enumerate(counts):
            hints = sample_hints(truth, count, seed=i)
            ab = colorizer.answer_hints(l_small, ab_small, hints, size, encoded)[0]
            out = Colorizer.compose(gray, ab, 1.0, l_full, colorizer.upsample)
            scores[i, j] = psnr(out, truth)
        if on_progress is not None:
            on_progress(i + 1, len(photos))
    return HintCurve(
        tuple(counts), [float(v) for v in scores.mean(0)], float(np.mean(gray_scores)), len(photos)
    )


def markdown_curve(curve: HintCurve, title: str) -> str:
    head = " | ".join(f"{c} hints" if c != 1 else "1 hint" for c in curve.counts)
    cells = " | ".join(f"{v:.2f}" for v in curve.psnr)
    return (
        f"**{title}** ({curve.n} photos, 256x256, PSNR dB; gray {curve.gray_psnr:.2f})\n\n"
        f"| {head} |\n|{'---|' * len(curve.counts)}\n| {cells} |\n"
    )
