"""Training objectives on ab scaled to [-1, 1].

`mse` is the paper's (equations 1 and 2). MSE regresses to the mean of plausible colours, which is
brown and grey: `vivid` uses a robust L1-type loss (the median of plausible colours, not their
mean) plus a penalty when the image's colourfulness falls short of the ground truth's (in the
spirit of DDColor's colourfulness loss, but matching the truth rather than maximising, so it
does not paint everything). `psnr` is the mean over images of the log of each image's squared
error, which is what PSNR averaged over photos rewards: the same error costs more on a photo that
is nearly neutral, so the model learns to leave white walls, silver cars and overcast skies alone
instead of giving every photo the warm cast that plain MSE settles on; the colourfulness penalty
can be added to it (`cf_weight`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..core import lab
from ..core.errors import TrainingError
from .metrics import colorfulness_torch
from .settings import DEFAULT_CF_WEIGHT, LOSSES  # noqa: F401 - defined light, for the CLI

# Floor of the per-image error in `psnr` (ab / 128 squared; about 1.3 Lab units RMS): below it an
# image is right enough, and log(0) never happens.
PSNR_EPS = 1e-4


def _rgb(l_norm: torch.Tensor, ab_norm: torch.Tensor) -> torch.Tensor:
    lab_img = torch.cat([lab.denormalize_l(l_norm), ab_norm * lab.AB_SCALE], dim=1)
    return lab.lab_to_rgb_torch(lab_img.float())


def _cf_shortfall(pred: torch.Tensor, target: torch.Tensor, l_norm: torch.Tensor) -> torch.Tensor:
    """How far each image's colourfulness falls short of its truth's, on a 0..1 scale."""
    cf_pred = colorfulness_torch(_rgb(l_norm, pred))
    with torch.no_grad():
        cf_true = colorfulness_torch(_rgb(l_norm, target))
    return F.relu(cf_true - cf_pred).mean() / 100.0


def compute_loss(
    name: str,
    pred: torch.Tensor,
    target: torch.Tensor,
    l_norm: torch.Tensor,
    cf_weight: float | None = None,
) -> torch.Tensor:
    if name not in LOSSES:
        raise TrainingError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    if cf_weight is None:
        cf_weight = DEFAULT_CF_WEIGHT[name]
    pred = pred.float()
    target = target.float()
    if name == "mse":
        return F.mse_loss(pred, target)
    if name == "psnr":
        per_image = (pred - target).pow(2).mean(dim=(1, 2, 3))
        base = torch.log10(per_image + PSNR_EPS).mean()
        return base + cf_weight * _cf_shortfall(pred, target, l_norm) if cf_weight else base
    if name == "vivid":
        base = F.smooth_l1_loss(pred, target, beta=0.02) * 10.0
        return base + cf_weight * _cf_shortfall(pred, target, l_norm)
    raise AssertionError(name)  # every name in LOSSES is handled above
