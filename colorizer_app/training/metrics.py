"""Colour metrics: PSNR, SSIM, ab RMSE, colourfulness (Hasler and Suesstrunk) and its delta.

numpy versions take HxWx3 RGB images (uint8 or float in [0, 1]); the torch colourfulness is
differentiable, for the `vivid` objective.
"""

from __future__ import annotations

import numpy as np
import torch
from skimage.metrics import structural_similarity

from ..core import lab


def _float(rgb: np.ndarray) -> np.ndarray:
    return lab.to_float01(rgb).astype(np.float64)


def psnr(pred: np.ndarray, target: np.ndarray) -> float:
    """PSNR in dB on RGB scaled to [0, 1] (peak 1)."""
    mse = float(np.mean((_float(pred) - _float(target)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def ssim(pred: np.ndarray, target: np.ndarray) -> float:
    return float(
        structural_similarity(_float(pred), _float(target), channel_axis=2, data_range=1.0)
    )


def ab_rmse(pred: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """RMSE of a and b: (in Lab units, on the paper's [-1, 1] scale)."""
    ab_p = lab.rgb_to_lab(pred)[:, :, 1:]
    ab_t = lab.rgb_to_lab(target)[:, :, 1:]
    rmse = float(np.sqrt(np.mean((ab_p.astype(np.float64) - ab_t) ** 2)))
    return rmse, rmse / lab.AB_SCALE


def colorfulness(rgb: np.ndarray) -> float:
    """Hasler and Suesstrunk's CF on 0-255 RGB, the absolute-difference form of DDColor and CT2."""
    x = _float(rgb) * 255.0
    r, g, b = x[:, :, 0], x[:, :, 1], x[:, :, 2]
    rg = np.abs(r - g)
    yb = np.abs(0.5 * (r + g) - b)
    std = np.sqrt(rg.std() ** 2 + yb.std() ** 2)
    mean = np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
    return float(std + 0.3 * mean)


def colorfulness_torch(rgb: torch.Tensor) -> torch.Tensor:
    """Nx3xHxW RGB in [0, 1] -> N colourfulness values (same formula, differentiable)."""
    x = rgb * 255.0
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    rg = (r - g).abs().flatten(1)
    yb = (0.5 * (r + g) - b).abs().flatten(1)
    std = torch.sqrt(rg.var(1, unbiased=False) + yb.var(1, unbiased=False) + 1e-6)
    mean = torch.sqrt(rg.mean(1) ** 2 + yb.mean(1) ** 2 + 1e-6)
    return std + 0.3 * mean


def batch_scores(
    l_norm: torch.Tensor, pred: torch.Tensor, target: torch.Tensor
) -> tuple[list[float], list[float]]:
    """Per image: PSNR (dB, RGB in [0, 1]) of L + predicted ab against the truth, and the
    colourfulness of the prediction."""
    l = lab.denormalize_l(l_norm.float())
    rgb_p = lab.lab_to_rgb_torch(torch.cat([l, pred.float() * lab.AB_SCALE], 1))
    rgb_t = lab.lab_to_rgb_torch(torch.cat([l, target.float() * lab.AB_SCALE], 1))
    mse = ((rgb_p - rgb_t) ** 2).flatten(1).mean(1).clamp(min=1e-10)
    return (10 * torch.log10(1.0 / mse)).tolist(), colorfulness_torch(rgb_p).tolist()
