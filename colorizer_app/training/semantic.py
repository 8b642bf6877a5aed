"""Training a model on a pretrained encoder (the `scenes` preset): its StepTask for the one loop.

Two sources of batches: cached features (feature_cache: the frozen encoder ran once per photo, so
a step runs only the decoder; the CPU default) and photos streamed from their files (stream: the
encoder runs in every step and may train whole with its own learning rate; for GPUs). Objectives:
`bins` (the default for a bins head) is Zhang et al.'s cross-entropy over ab bins with class
rebalancing, plus `psnr_weight` times the per-photo log error of the decoded colour (the annealed
mean), so the chosen colour is also the right one on average; a regression head takes the losses
of training/losses.py (psnr, vivid, mse) at the head's resolution.

The model kept is the one with the best held-out PSNR seen at the evaluations (every
`eval_every` steps and at the end), not merely the last: colour models overfit scenes quickly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..core import lab
from ..core.distributed import SINGLE, Group
from ..model import ab_bins
from .feature_cache import FeatureSet, l_of
from .loop import History, Progress, TrainConfig, run
from .losses import compute_loss
from .metrics import batch_scores


@dataclass
class SemanticObjective:
    """What a scenes-type network learns and which of its parts train (TrainConfig says how)."""

    loss: str = "bins"
    psnr_weight: float = 0.5  # bins: weight of the decoded colour's per-photo log error
    cf_weight: float = 0.0  # colourfulness-shortfall term on the decoded colour
    rebalance_mix: float = 0.5  # Zhang et al.'s lambda; 1.0 = no rebalancing
    tune_top: bool = False  # also train the encoder's stride-32 stages (from cached stride 16)
    top_lr: float = 1e-4  # their learning rate: small, they hold ImageNet's knowledge
    unfreeze_encoder: bool = False  # streaming only: the whole encoder trains
    encoder_lr: float = 1e-5  # ... at this learning rate
    weight_decay: float = 1e-4


class Source(Protocol):
    """Where a SemanticTask's photos come from: CachedFeatures or stream.StreamedPhotos.
    A training batch is (L, features or None, class vector or None, ab at stride 4, its bins,
    their weights); an evaluation batch (L, features or None, class vector or None, ab)."""

    def __len__(self) -> int: ...

    def set_epoch(self, epoch: int) -> None: ...

    def batches(self, parts: list[list[int]]) -> Iterator[tuple]: ...

    def eval_batches(self, batch_size: int) -> Iterator[tuple]: ...

    def bin_counts(self, q: int) -> np.ndarray: ...


def bin_counts(data: FeatureSet, rows: list[int], q: int) -> np.ndarray:
    """How often each ab bin is the nearest over the rows' photos (what rebalancing weighs by)."""
    idx = data.bin_idx[torch.as_tensor(rows)][:, 0].long().flatten()
    return torch.bincount(idx, minlength=q).numpy()


class CachedFeatures:
    """Batches of the feature cache's rows (`rows`: the rows of this part, repeats included)."""

    def __init__(self, data: FeatureSet, rows: list[int]):
        self.data, self.rows = data, rows

    def __len__(self) -> int:
        return len(self.rows)

    def set_epoch(self, epoch: int) -> None:
        pass  # the cache's views were made once, before training

    def _rows(self, rows: list[int]) -> tuple:
        data, index = self.data, torch.as_tensor(rows, dtype=torch.long)
        feats = [f[index].float() for f in data.feats]
        return l_of(data.rgb[index]), feats, data.probs[index].float(), index

    def batches(self, parts: list[list[int]]) -> Iterator[tuple]:
        for part in parts:
            l_full, feats, probs, index = self._rows([self.rows[i] for i in part])
            d = self.data
            yield (
                l_full,
                feats,
                probs,
                d.ab[index].float(),
                d.bin_idx[index],
                d.bin_w[index].float(),
            )

    def eval_batches(self, batch_size: int) -> Iterator[tuple]:
        for start in range(0, len(self.rows), batch_size):
            l_full, feats, probs, index = self._rows(self.rows[start : start + batch_size])
            truth = np.stack([lab.rgb_to_lab(x)[:, :, 1:] for x in self.data.rgb[index].numpy()])
            yield (
                l_full,
                feats,
                probs,
                torch.from_numpy(truth.transpose(0, 3, 1, 2).copy()) / lab.AB_SCALE,
            )

    def bin_counts(self, q: int) -> np.ndarray:
        return bin_counts(self.data, self.rows, q)


class HeadStep(nn.Module):
    """L (and cached features, if any) -> the head's output: what a step's forward runs,
    wrapped whole by DistributedDataParallel under torchrun."""

    def __init__(self, model, objective: SemanticObjective):
        super().__init__()
        self.model, self.objective = model, objective

    def forward(self, l_full, feats, probs):
        encoder = self.model.encoder
        if feats is None:  # streamed photos: the encoder runs here
            run_encoder = encoder.features if self.objective.unfreeze_encoder else encoder
            feats, probs = run_encoder(l_full)
        if self.objective.tune_top and not self.objective.unfreeze_encoder:
            # The stride-32 stages again, with gradients, from the stride-16 features.
            f32, probs = encoder.top(feats[2])
            feats = [*feats[:3], f32]
        return self.model.head_output(l_full, feats, probs)


def objective_loss(model, out, l_full, ab, idx, w, o: SemanticObjective, rebalance):
    l_small = F.interpolate(l_full, size=out.shape[-2:], mode="area")
    target = ab / lab.AB_SCALE
    if model.config.head == "bins":
        loss = ab_bins.bin_cross_entropy(out, idx, w, rebalance).mean()
        if o.psnr_weight or o.cf_weight:
            pred = model.to_ab(out)
            loss = loss + o.psnr_weight * compute_loss(
                "psnr", pred, target, l_small, o.cf_weight / max(o.psnr_weight, 1e-6)
            )
        return loss
    return compute_loss(o.loss, out, target, l_small, o.cf_weight)


class SemanticTask:
    """loop.StepTask of the pretrained-encoder networks."""

    options_hint = "another --tune-top or --unfreeze-encoder"

    def __init__(
        self, model, train: Source, val: Source | None, objective: SemanticObjective, lr: float
    ):
        self.model, self.train, self.val, self.objective, self.lr = model, train, val, objective, lr
        self.step_module = HeadStep(model, objective)
        self.rebalance = None
        if model.config.head == "bins" and objective.rebalance_mix < 1.0:
            counts = train.bin_counts(len(model.ab_bins))
            self.rebalance = torch.from_numpy(
                ab_bins.rebalance_weights(counts, objective.rebalance_mix)
            )

    def module(self) -> nn.Module:
        return self.step_module

    def optimizer(self) -> torch.optim.Optimizer:
        o, model = self.objective, self.model
        groups: list[dict] = [{"params": model.trainable_parameters(), "base_lr": self.lr}]
        # No weight decay on pretrained weights: it would pull them towards zero, not ImageNet.
        if o.unfreeze_encoder:
            encoder = list(model.encoder.parameters())
            groups.append({"params": encoder, "base_lr": o.encoder_lr, "weight_decay": 0.0})
        elif o.tune_top:
            top = list(model.encoder.top_blocks().parameters())
            groups.append({"params": top, "base_lr": o.top_lr, "weight_decay": 0.0})
        for g in groups[1:]:
            for p in g["params"]:
                p.requires_grad_(True)
        for g in groups:
            g["lr"] = g["base_lr"]
        return torch.optim.AdamW(groups, weight_decay=o.weight_decay)

    def train_size(self) -> int:
        return len(self.train)

    def batches(self, epoch: int, parts: list[list[int]]) -> Iterable[Any]:
        self.train.set_epoch(epoch)
        return self.train.batches(parts)

    def loss(self, net: nn.Module, batch: Any, device: torch.device) -> torch.Tensor:
        l_full, feats, probs, ab, idx, w = _to(batch, device)
        out = net(l_full, feats, probs)
        return objective_loss(self.model, out, l_full, ab, idx, w, self.objective, self.rebalance)

    @torch.no_grad()
    def evaluate(self, device: torch.device) -> dict | None:
        """Held-out PSNR and colourfulness at the training size (as the encoder saw the photo)."""
        if self.val is None or not len(self.val):
            return None
        self.model.eval()
        psnrs, gray, cfs, true_cfs = [], [], [], []
        for batch in self.val.eval_batches(64):
            l_full, feats, probs, truth = _to(batch, device)
            ab = self.model.to_ab(self.step_module(l_full, feats, probs))
            ab = F.interpolate(ab, size=l_full.shape[-2:], mode="bilinear", align_corners=False)
            p, cf = batch_scores(l_full, ab, truth)
            psnrs += p
            cfs += cf
            gray += batch_scores(l_full, torch.zeros_like(truth), truth)[0]
            true_cfs += batch_scores(l_full, truth, truth)[1]
        return {
            "psnr": float(np.mean(psnrs)),
            "gray_psnr": float(np.mean(gray)),
            "colorfulness": float(np.mean(cfs)),
            "true_colorfulness": float(np.mean(true_cfs)),
            "n": len(psnrs),
        }

    def score(self, metrics: dict) -> float:
        return -metrics["psnr"]

    def legacy_best(self, training: dict) -> float:
        return -float(training.get("best", -math.inf))  # checkpoints kept the best PSNR

    def load_weights(self, state_dict: dict) -> None:
        self.model.load_state_dict(
            {k: v.float() if v.is_floating_point() else v for k, v in state_dict.items()}
        )

    def finish(self) -> None:
        for p in self.model.encoder.parameters():
            p.requires_grad_(False)  # frozen again, whatever was tuned


def _to(batch: tuple, device: torch.device) -> list:
    def move(x):
        if x is None:
            return None
        if isinstance(x, list):
            return [t.to(device, non_blocking=True) for t in x]
        return x.to(device, non_blocking=True)

    return [move(x) for x in batch]


def fit_semantic(
    model,
    data: FeatureSet,
    train_rows: list[int],
    val_rows: list[int],
    config: TrainConfig,
    objective: SemanticObjective | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    group: Group = SINGLE,
) -> History:
    """Train the decoder of `model` on cached features; on return it holds the best held-out
    weights (`config.keep_best`)."""
    val = CachedFeatures(data, val_rows) if val_rows else None
    task = SemanticTask(
        model, CachedFeatures(data, train_rows), val, objective or SemanticObjective(), config.lr
    )
    return run(task, config, on_progress, should_stop, group)
