"""The paper-style networks' part of training (own encoder, fused frozen classifiers): photos
cropped and augmented in DataLoader workers, the classifiers' outputs read once before
(fused_cache), trained by the one loop (loop.run)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from ..core import lab
from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingError
from ..model import ab_bins
from ..model.networks import ColorNet, as_module
from ..model.semantic import SemanticColorizer
from .data import ColorPhotoDataset
from .loop import History, Progress, TrainConfig, run
from .losses import compute_loss
from .metrics import batch_scores

BINS_LOSS = "bins"  # a bins head's own objective: its trainer's (semantic.objective_loss)
# As the shipped bins-head models were trained (models info: rebalance 0.5, psnr_weight 0.5).
REBALANCE_MIX = 0.5
PSNR_WEIGHT = 0.5


def has_bins_head(model: object) -> bool:
    """A network whose head is a distribution over ab bins: fine-tuned with the objective it
    was trained with, and scored on the colour as the app shows it. Fine-tuned with the log
    error of its decoded colour alone, the default flattened its distributions: the training
    loop's PSNR rose 0.5 dB while the app, which pales an unsure pixel's colour, lost 0.7 dB
    and a third of the colour (100 flower photos at 224 px)."""
    return isinstance(model, SemanticColorizer) and model.config.head == "bins"


class BinsStep(torch.nn.Module):
    """L and class vector -> the bins head's logits at stride 4: what a step's forward runs
    (wrapped whole by DistributedDataParallel under torchrun)."""

    def __init__(self, model: SemanticColorizer):
        super().__init__()
        self.model = model

    def forward(self, l_norm: torch.Tensor, fused: torch.Tensor | None) -> torch.Tensor:
        feats, probs = self.model.encode(l_norm)
        return self.model.head_output(l_norm, feats, fused if fused is not None else probs)


def bins_loss(
    model: SemanticColorizer,
    logits: torch.Tensor,
    l_norm: torch.Tensor,
    ab_norm: torch.Tensor,
    rebalance: torch.Tensor | None,
    psnr_weight: float,
) -> torch.Tensor:
    """The bins head's objective (as its trainer's): the rebalanced cross-entropy over the soft
    bins of the true ab at the head's size, plus `psnr_weight` x the decoded colour's log error."""
    from .semantic import SemanticObjective, objective_loss

    ab = F.interpolate(ab_norm.float() * lab.AB_SCALE, size=logits.shape[-2:], mode="area")
    idx, w = ab_bins.soft_encode(ab, model.ab_bins)
    objective = SemanticObjective(psnr_weight=psnr_weight)
    return objective_loss(model, logits, l_norm, ab, idx, w, objective, rebalance)


def shown_from_logits(
    model: SemanticColorizer, logits: torch.Tensor, l: torch.Tensor
) -> torch.Tensor:
    """ab / 128 at L's size as the app shows a bins head's colour: paled where it is unsure,
    with the neutral prior."""
    ab = model.shown_ab(logits)
    return F.interpolate(ab, size=l.shape[-2:], mode="bilinear", align_corners=False)


@torch.no_grad()
def validate(
    model: ColorNet,
    loader: DataLoader,
    loss_name: str,
    device,
    cf_weight: float | None = None,
    rebalance: torch.Tensor | None = None,
    psnr_weight: float = 0.5,
) -> dict:
    """Held-out loss (the objective's) and PSNR and colourfulness of the colour as the app shows
    it, at the training size."""
    model.eval()
    losses, psnrs, gray_psnrs, cfs, true_cfs = [], [], [], [], []
    for l, ab, fused, _ in loader:
        l, ab = l.to(device), ab.to(device)
        vector = fused.to(device) if fused.numel() else None
        if has_bins_head(model):
            assert isinstance(model, SemanticColorizer)
            logits = BinsStep(model)(l, vector)  # once: the colour shown and the loss both
            pred = shown_from_logits(model, logits, l)
            loss = (
                bins_loss(model, logits, l, ab, rebalance, psnr_weight)
                if loss_name == BINS_LOSS
                else compute_loss(loss_name, pred, ab, l, cf_weight)
            )
        else:
            pred = model(l, vector)
            loss = compute_loss(loss_name, pred, ab, l, cf_weight)
        losses.append(float(loss) * len(l))
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


def bins_rebalance(model: ColorNet, photos: ColorPhotoDataset) -> torch.Tensor:
    """Zhang et al.'s weights from how often each ab bin is the nearest over `photos` (each
    as the dataset gives it without augmentation, at the training size)."""
    assert isinstance(model, SemanticColorizer)
    q = len(model.ab_bins)
    counts = np.zeros(q, np.int64)
    for i in range(len(photos)):
        _, ab, _, _ = photos.plain(i)
        ab = F.interpolate(ab[None].float() * lab.AB_SCALE, scale_factor=0.25, mode="area")
        idx, _ = ab_bins.soft_encode(ab, model.ab_bins)
        counts += np.bincount(idx[:, 0].flatten().numpy(), minlength=q)
    return torch.from_numpy(ab_bins.rebalance_weights(counts, REBALANCE_MIX))


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
        self.bins = config.loss == BINS_LOSS
        if self.bins and not has_bins_head(model):
            raise TrainingError(f"the {BINS_LOSS!r} objective needs a model with an ab-bins head")
        # Its trainer weighs rare colours up by how rare they are in the photos it learns from.
        self.rebalance = bins_rebalance(model, train) if self.bins else None
        self.val_loader = (
            DataLoader(val, batch_size=config.batch_size, num_workers=config.num_workers)
            if val is not None and len(val)
            else None
        )

    def module(self) -> torch.nn.Module:
        if self.bins:
            assert isinstance(self.model, SemanticColorizer)
            return BinsStep(self.model)
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
        if self.bins:
            assert isinstance(self.model, SemanticColorizer)
            return bins_loss(self.model, pred, l, ab, self.rebalance, PSNR_WEIGHT)
        return compute_loss(self.config.loss, pred, ab, l, self.config.cf_weight)

    def evaluate(self, device: torch.device) -> dict | None:
        if self.val_loader is None:
            return None
        return validate(
            self.model, self.val_loader, self.config.loss, device, self.config.cf_weight,
            self.rebalance, PSNR_WEIGHT,
        )  # fmt: skip

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
