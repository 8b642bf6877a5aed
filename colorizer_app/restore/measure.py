"""Scores for restoration: mask precision, recall and F1; PSNR of L."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class MaskScore:
    """Pixel counts pooled over any number of images (so a large photo weighs more)."""

    hit: int = 0  # damaged pixels that were found
    right: int = 0  # found pixels that are damage
    found: int = 0  # pixels the detector marked
    damaged: int = 0  # pixels truly damaged

    @classmethod
    def of(cls, predicted: np.ndarray, truth: np.ndarray, tolerance: int = 0) -> MaskScore:
        """`tolerance` > 0: a found pixel within that many pixels of true damage counts as right,
        and a damaged pixel within that distance of a found one counts as found (the usual way
        thin lines are scored: their anti-aliased edge is a matter of taste)."""
        predicted, truth = predicted.astype(bool), truth.astype(bool)
        near_truth, near_found = truth, predicted
        if tolerance > 0:
            k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * tolerance + 1,) * 2)
            near_truth, near_found = _dilate(truth, k), _dilate(predicted, k)
        return cls(
            hit=int((truth & near_found).sum()),
            right=int((predicted & near_truth).sum()),
            found=int(predicted.sum()),
            damaged=int(truth.sum()),
        )

    def __add__(self, other: MaskScore) -> MaskScore:
        return MaskScore(
            self.hit + other.hit,
            self.right + other.right,
            self.found + other.found,
            self.damaged + other.damaged,
        )

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.hit / self.damaged if self.damaged else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }

    def __str__(self) -> str:
        return f"precision {self.precision:.3f} recall {self.recall:.3f} F1 {self.f1:.3f}"


def _dilate(mask: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), kernel) > 0


def psnr_l(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR of two L channels ([0, 100], so the peak is 100)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(100.0**2 / mse)
