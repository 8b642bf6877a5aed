"""The paper-style networks' part of training (own encoder, fused frozen classifiers): photos
cropped and augmented in DataLoader workers, the classifiers' outputs read once before
(fused_cache), trained by the one loop (loop.run)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from ..core.distributed import SINGLE, Group
from ..model.networks import ColorNet, as_module
from .data import ColorPhotoDataset
from .loop import History, Progress, TrainConfig, run
from .losses import compute_loss
from .metrics import batch_scores


@torch.no_grad()
def validate(
    model: ColorNet,
    loader: DataLoader,
    loss_name: str,
    device,
    cf_weight: float | None = None,
) -> dict:
    model.eval()
    losses, psnrs, gray_psnrs, cfs, true_cfs = [], [], [], [], []
    for l, ab, fused, _ in loader:
        l, ab = l.to(device), ab.to(device)
        pred = model(l, fused.to(device) if fused.numel() else None)
        losses.append(float(compute_loss(loss_name, pred, ab, l, cf_weight)) * len(l))
        p, cf = batch_scores(l, pred, ab)
        g, _ = batch_scores(l, torch.zeros_like(ab), ab)
        psnrs += p
        cfs += cf
        gray_psnrs += g
        true_cfs += batch_scores(l, ab, ab)[1]
    n = max(len(psnrs), 1)

    def mean(v: list[float]) -> float:
        return float(np.mean(v)) if v else 0.0

    return {
        "loss": sum(losses) / n,
        "psnr": mean(psnrs),
        "gray_psnr": mean(gray_psnrs),
        "colorfulness": mean(cfs),
        "true_colorfulness": mean(true_cfs),
    }


class PhotoTask:
    """loop.StepTask of the paper-style networks."""

    options_hint = "another --freeze-encoder or preset"

    def __init__(
        self,
        model: ColorNet,
        train: ColorPhotoDataset,
        val: ColorPhotoDataset | None,
        config: TrainConfig,
    ):
        self.model, self.train, self.config = model, train, config
        self.val_loader = (
            DataLoader(val, batch_size=config.batch_size, num_workers=config.num_workers)
            if val is not None and len(val)
            else None
        )

    def module(self) -> torch.nn.Module:
        return as_module(self.model)

    def optimizer(self) -> torch.optim.Optimizer:
        c = self.config
        params = self.model.trainable_parameters(freeze_encoder=c.freeze_encoder)
        if c.freeze_encoder:
            for part in self.model.own_encoder_parts():
                part.requires_grad_(False)
        return torch.optim.Adam(params, lr=c.lr, weight_decay=c.weight_decay)

    def train_size(self) -> int:
        return len(self.train)

    def batches(self, epoch: int, parts: list[list[int]]) -> Iterable[Any]:
        self.train.set_epoch(epoch)
        return DataLoader(self.train, batch_sampler=parts, num_workers=self.config.num_workers)

    def loss(self, net: torch.nn.Module, batch: Any, device: torch.device) -> torch.Tensor:
        l, ab, fused, _ = batch
        l, ab = l.to(device, non_blocking=True), ab.to(device, non_blocking=True)
        if device.type == "cuda":
            l = l.contiguous(memory_format=torch.channels_last)
        pred = net(l, fused.to(device) if fused.numel() else None)
        return compute_loss(self.config.loss, pred, ab, l, self.config.cf_weight)

    def evaluate(self, device: torch.device) -> dict | None:
        if self.val_loader is None:
            return None
        return validate(
            self.model, self.val_loader, self.config.loss, device, self.config.cf_weight
        )

    def score(self, metrics: dict) -> float:
        return metrics["loss"]

    def legacy_best(self, training: dict) -> float:
        return float(training.get("best", math.inf))

    def load_weights(self, state_dict: dict) -> None:
        self.model.load_state_dict(state_dict)

    def finish(self) -> None:
        pass


def fit(
    model: ColorNet,
    train: ColorPhotoDataset,
    val: ColorPhotoDataset | None,
    config: TrainConfig,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    group: Group = SINGLE,
) -> History:
    """Train a paper-style `model` in place with the one loop."""
    return run(PhotoTask(model, train, val, config), config, on_progress, should_stop, group)
