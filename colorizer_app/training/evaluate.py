"""The anchors' evaluation protocol: resize to 256x256, colorize from L alone, compare in RGB.

A gray baseline (a = b = 0) is always scored beside the models.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..core import lab
from ..core.fileio import write_atomically
from ..engine.colorizer import Colorizer
from .data import Photo
from .metrics import ab_rmse, colorfulness, psnr, ssim

EVAL_SIZE = 256
GRAY = "gray (a=b=0)"
METRICS = ("psnr", "ssim", "ab_rmse", "ab_rmse_unit", "colorfulness", "delta_cf", "below_gray")
# A photo coloured "worse than no colour": its PSNR more than this below the gray baseline's.
# Averages hide it (a few bold wrong photos among many good ones); a person sees each photo.
BELOW_GRAY_DB = 1.0


@dataclass
class EvalRow:
    model: str
    n: int
    psnr: float
    ssim: float
    ab_rmse: float
    ab_rmse_unit: float
    colorfulness: float
    delta_cf: float
    below_gray: float = 0.0  # share of the photos more than BELOW_GRAY_DB under gray's PSNR


@dataclass
class EvalResult:
    rows: list[EvalRow]
    truth_colorfulness: float
    samples: dict[str, list[np.ndarray]] = field(default_factory=dict)


def gray_of(rgb: np.ndarray) -> np.ndarray:
    """The photo as a black-and-white print: its L with a = b = 0."""
    l = lab.rgb_to_l(rgb)
    return lab.compose_l_ab(l, np.zeros(l.shape + (2,), np.float32), np.uint8)


def evaluate(
    colorizers: dict[str, Colorizer],
    photos: list[Photo],
    sample_count: int = 6,
    on_progress: Callable[[int, int], None] | None = None,
) -> EvalResult:
    names = [GRAY, *colorizers]
    scores: dict[str, list[tuple]] = {n: [] for n in names}
    truth_cf = []
    # The grid's input column is the gray baseline's output, so that is not repeated.
    samples: dict[str, list[np.ndarray]] = {n: [] for n in ["input", *colorizers, "ground truth"]}
    for i, photo in enumerate(photos):
        truth = cv2.resize(photo.pixels, (EVAL_SIZE, EVAL_SIZE), interpolation=cv2.INTER_AREA)
        gray = gray_of(truth)
        truth_cf.append(colorfulness(truth))
        outputs = {GRAY: gray} | {n: c.colorize(gray) for n, c in colorizers.items()}
        gray_psnr = psnr(gray, truth)
        for name, out in outputs.items():
            rmse, rmse_unit = ab_rmse(out, truth)
            p = psnr(out, truth)
            below = float(p < gray_psnr - BELOW_GRAY_DB)
            scores[name].append((p, ssim(out, truth), rmse, rmse_unit, colorfulness(out), below))
        if i < sample_count:
            samples["input"].append(gray)
            for name in colorizers:
                samples[name].append(outputs[name])
            samples["ground truth"].append(truth)
        if on_progress is not None:
            on_progress(i + 1, len(photos))
    mean_truth_cf = float(np.mean(truth_cf)) if truth_cf else 0.0
    rows = []
    for name in names:
        a = np.array(scores[name]) if scores[name] else np.zeros((1, 6))
        p, s, rmse, rmse_unit, cf, below = (float(v) for v in a.mean(0))
        delta_cf = abs(cf - mean_truth_cf)
        rows.append(EvalRow(name, len(scores[name]), p, s, rmse, rmse_unit, cf, delta_cf, below))
    return EvalResult(rows, mean_truth_cf, samples)


def markdown_table(result: EvalResult, title: str = "") -> str:
    lines = [
        f"**{title}** ({result.rows[0].n} photos, 256x256; ground-truth colourfulness "
        f"{result.truth_colorfulness:.1f})"
        if title
        else "",
        "",
        "| model | PSNR (dB) | SSIM | RMSE ab (Lab) | RMSE ab ([-1,1]) | CF | ΔCF | below gray |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result.rows:
        below = "" if r.model == GRAY else f"{100 * r.below_gray:.0f}%"
        lines.append(
            f"| {r.model} | {r.psnr:.2f} | {r.ssim:.4f} | {r.ab_rmse:.2f} | "
            f"{r.ab_rmse_unit:.4f} | {r.colorfulness:.1f} | {r.delta_cf:.1f} | {below} |"
        )
    return "\n".join(lines).strip() + "\n"


def write_csv(result: EvalResult, path: Path, dataset: str = "") -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["dataset", "model", "n", *METRICS])
    for r in result.rows:
        writer.writerow([dataset, r.model, r.n] + [f"{getattr(r, m):.5f}" for m in METRICS])
    write_atomically(Path(path), buf.getvalue().encode())


def write_grid(result: EvalResult, path: Path, cell: int = 160) -> None:
    """Rows: photos; columns: input | each model | ground truth, with a title bar."""
    columns = list(result.samples)
    count = len(result.samples["input"])
    if not count:
        return
    header = 24
    grid = np.full((header + count * cell, len(columns) * cell, 3), 255, np.uint8)
    for c, name in enumerate(columns):
        cv2.putText(
            grid,
            name[:22],
            (c * cell + 4, 17),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.42,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
        for r, img in enumerate(result.samples[name]):
            small = cv2.resize(img, (cell, cell), interpolation=cv2.INTER_AREA)
            grid[header + r * cell : header + (r + 1) * cell, c * cell : (c + 1) * cell] = small
    suffix = Path(path).suffix.lower() or ".jpg"
    ok, buf = cv2.imencode(suffix, grid[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 88])
    if ok:
        write_atomically(Path(path), buf.tobytes())
