"""Colour as a choice among bins: the quantised ab plane of Zhang, Isola and Efros (ECCV 2016).

Regressing ab averages the plausible colours of a thing (a car may be red or blue), and the average
is brown. Predicting a distribution over ab bins keeps the choice open; the "annealed mean" (the
mean of the distribution sharpened by a temperature) then picks a vivid colour that stays
spatially smooth. The bins are the 10x10 cells of the ab plane that hold a displayable sRGB colour
at some L (261 of them; Zhang et al. derived 313 from their data; here they follow from the colour
space alone, so they need no data).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from .hybrid import HybridConfig

BIN_STEP = 10.0
AB_RANGE = 110.0
# Zhang et al. 2016: a temperature of 0.38 trades the vivid mode against the smooth mean.
ANNEAL_T = 0.38
SOFT_NEIGHBOURS = 5
SOFT_SIGMA = 5.0
# The neutral prior's reach in the ab plane: bins within about one step of gray get most of it.
NEUTRAL_SIGMA = 10.0


def _lab_to_linear_rgb(l: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    fy = (l + 16.0) / 116.0
    f = np.stack([fy + a / 500.0, fy, fy - b / 200.0])
    xyz = np.where(f**3 > 0.008856, f**3, (116.0 * f - 16.0) / 903.3)
    xyz *= np.array([0.950456, 1.0, 1.088754])[:, None]
    m = np.linalg.inv(
        np.array(
            [
                [0.412453, 0.357580, 0.180423],
                [0.212671, 0.715160, 0.072169],
                [0.019334, 0.119193, 0.950227],
            ]
        )
    )
    return m @ xyz


def gamut_bins() -> np.ndarray:
    """Q x 2 centres (a, b) of the 10x10 ab cells that hold some displayable sRGB colour.
    A fresh copy each call; the scan itself (about 1 s) runs once per process, as every bins-head
    network and every model file's check before loading builds a network that needs it."""
    return _gamut_scan().copy()


@cache
def _gamut_scan() -> np.ndarray:
    grid = np.arange(-AB_RANGE, AB_RANGE + 0.1, BIN_STEP)
    a, b = np.meshgrid(grid, grid, indexing="ij")
    a, b = a.ravel(), b.ravel()
    inside = np.zeros(a.shape, bool)
    offsets = np.linspace(-BIN_STEP / 2, BIN_STEP / 2, 5)
    for da in offsets:  # a cell counts if any point of it is displayable at some L
        for db in offsets:
            for l in np.linspace(1.0, 99.0, 50):
                rgb = _lab_to_linear_rgb(np.full_like(a, l), a + da, b + db)
                inside |= np.all((rgb >= 0.0) & (rgb <= 1.0), axis=0)
    return np.stack([a[inside], b[inside]], 1).astype(np.float32)


def soft_encode(ab: torch.Tensor, centres: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """ab (Nx2xHxW, Lab units) -> (indices NxKxHxW of each pixel's K = 5 nearest bins, nearest
    first; their weights NxKxHxW, summing to 1).

    Each pixel's mass is spread over its nearest bins with a Gaussian (sigma 5), as Zhang et al.
    do, so a neighbouring colour is not counted as plain wrong. Kept sparse: a dense NxQxHxW
    target would cost more than the network.
    """
    n, _, h, w = ab.shape
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2).float()
    d2 = torch.cdist(flat, centres.to(flat)).pow(2)
    near_d2, near_idx = d2.topk(SOFT_NEIGHBOURS, dim=1, largest=False)
    weights = torch.softmax(-near_d2 / (2 * SOFT_SIGMA**2), dim=1)

    def shaped(t: torch.Tensor) -> torch.Tensor:
        return t.view(n, h, w, SOFT_NEIGHBOURS).permute(0, 3, 1, 2).contiguous()

    return shaped(near_idx), shaped(weights)


def bin_cross_entropy(
    logits: torch.Tensor, idx: torch.Tensor, weights: torch.Tensor, rebalance: torch.Tensor | None
) -> torch.Tensor:
    """Cross-entropy of NxQxHxW logits against the sparse soft targets of `soft_encode`, each
    pixel weighted by the rebalancing weight of its nearest bin; per photo (N)."""
    logp = torch.log_softmax(logits.float(), dim=1)
    ce = -(logp.gather(1, idx.long()) * weights.float()).sum(1)
    if rebalance is not None:
        ce = ce * rebalance.to(ce)[idx[:, 0].long()]
    return ce.flatten(1).mean(1)


def annealed_mean(logits: torch.Tensor, centres: torch.Tensor, t: float = ANNEAL_T) -> torch.Tensor:
    """NxQxHxW logits -> Nx2xHxW ab (Lab units): the mean of the distribution sharpened by 1/t."""
    p = torch.softmax(logits.float() / t, dim=1)
    return torch.einsum("nqhw,qc->nchw", p, centres.to(p))


def certainty(logits: torch.Tensor) -> torch.Tensor:
    """NxQxHxW logits -> Nx1xHxW in [0, 1]: 1 minus the distribution's entropy as a share of
    its largest possible (0 where every bin is as likely, 1 where one bin holds it all)."""
    logp = torch.log_softmax(logits.float(), dim=1)
    entropy = -(logp.exp() * logp).sum(1, keepdim=True)
    return (1.0 - entropy / float(np.log(logits.shape[1]))).clamp(0.0, 1.0)


def scaled_by_certainty(
    ab: torch.Tensor, logits: torch.Tensor, lo: float, hi: float
) -> torch.Tensor:
    """ab (Nx2xHxW) scaled per pixel from `lo` where the distribution is flat to `hi` where one
    bin holds it all: how the app shows a bins head's colour (HybridConfig's uncertain and
    certain strengths)."""
    if lo == hi == 1.0:
        return ab
    return ab * (lo + (hi - lo) * certainty(logits)).to(ab)


def neutral_closeness(centres: torch.Tensor) -> torch.Tensor:
    """Q -> how close each bin is to gray, 1 at a = b = 0 falling as a Gaussian (sigma 10)."""
    return torch.exp(-(centres.float() ** 2).sum(1) / (2 * NEUTRAL_SIGMA**2))


def with_neutral_prior(
    logits: torch.Tensor, centres: torch.Tensor, strength: float
) -> torch.Tensor:
    """NxQxHxW logits with `strength` added to the bins near gray (weighted by their closeness).

    Where the distribution is peaked (sky, skin) a few units of logit move nothing; where it is
    flat (a car, a coat, asphalt: the model does not know) they tip the decoded colour towards
    gray rather than towards whatever warm guess the spread-out mass averages to. Trained with
    rebalancing, the head under-rates the common near-gray bins, and this gives them back."""
    if strength == 0.0:
        return logits
    bonus = strength * neutral_closeness(centres).to(logits.device)
    return logits.float() + bonus[None, :, None, None]


def shown_colour(
    head: torch.Tensor,
    centres: torch.Tensor,
    t: float,
    uncertain: float,
    certain: float,
    neutral: float,
) -> torch.Tensor:
    """A bins head's NxQxHxW logits -> Nx2xHxW ab / 128 as the app shows it: the annealed mean
    after the neutral prior, scaled by how sure the head itself is (its certainty is read before
    the prior, which would otherwise make an unsure pixel look sure of gray)."""
    ab = annealed_mean(with_neutral_prior(head, centres, neutral), centres, t) / 128.0
    return scaled_by_certainty(ab, head, uncertain, certain)


def shown_colour_of(
    head: torch.Tensor, centres: torch.Tensor, config: HybridConfig
) -> torch.Tensor:
    """`shown_colour` with a model's own settings: its config's temperature and colour knobs."""
    c = config
    return shown_colour(
        head, centres, c.anneal_t, c.uncertain_strength, c.certain_strength, c.neutral_prior
    )


def rebalance_weights(counts: np.ndarray, mix: float = 0.5) -> np.ndarray:
    """Zhang et al.'s class rebalancing: weight each bin by the inverse of its (smoothed) share
    mixed with a uniform one, normalised so the expected weight over the data is 1. Rare
    colours (blue sky, green leaves) then count as much as the common browns and greys."""
    p = counts.astype(np.float64) + 1e-9
    p /= p.sum()
    w = 1.0 / ((1.0 - mix) * p + mix / len(p))
    w /= (p * w).sum()
    return w.astype(np.float32)
