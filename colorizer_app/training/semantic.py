"""Training a model on a frozen pretrained encoder (the `scenes` preset) from cached features.

The encoder's outputs for each photo come from feature_cache, so a step runs only the decoder.
Objectives: `bins` (the default for a bins head) is Zhang et al.'s cross-entropy over ab bins with
class rebalancing, plus `psnr_weight` times the per-photo log error of the decoded colour (the
annealed mean), so the chosen colour is also the right one on average; a regression head takes
the losses of training/losses.py (psnr, vivid, mse) at the head's resolution.

The model kept is the one with the best held-out PSNR seen at the evaluations (every
`eval_every` steps and at the end), not merely the last: colour models overfit scenes quickly.
Checkpoints hold the optimizer and step; resuming continues the same data order.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..core import lab
from ..core.errors import TrainingError
from ..model import ab_bins
from ..model.store import read_model_file
from .feature_cache import FeatureSet, l_of
from .loop import History, Progress, _epoch_order, batch_scores, cosine_lr, save_checkpoint
from .losses import compute_loss

log = logging.getLogger(__name__)


@dataclass
class SemanticTrainConfig:
    steps: int = 3000
    batch_size: int = 32
    lr: float = 1e-3
    loss: str = "bins"
    psnr_weight: float = 0.5  # bins: weight of the decoded colour's per-photo log error
    cf_weight: float = 0.0  # colourfulness-shortfall term on the decoded colour
    rebalance_mix: float = 0.5  # Zhang et al.'s lambda; 1.0 = no rebalancing
    tune_top: bool = False  # also train the encoder's stride-32 stages (from cached stride 16)
    top_lr: float = 1e-4  # their learning rate: small, they hold ImageNet's knowledge
    schedule: str = "cosine"
    # The floor the shipped scenes models were trained with; fit's is 0.05 (loop.cosine_lr).
    cosine_floor: float = 0.02
    weight_decay: float = 1e-4
    seed: int = 0
    eval_every: int = 500
    checkpoint: Path | None = None
    checkpoint_every: int = 200
    resume: bool = False
    preset: str = "scenes"
    metadata: dict = field(default_factory=dict)


def bin_counts(data: FeatureSet, rows: list[int], q: int) -> np.ndarray:
    idx = data.bin_idx[torch.as_tensor(rows)][:, 0].long().flatten()
    return torch.bincount(idx, minlength=q).numpy()


def _batch(data: FeatureSet, rows: list[int]):
    index = torch.as_tensor(rows, dtype=torch.long)
    rgb = data.rgb[index]
    l_full = l_of(rgb)
    feats = [f[index].float() for f in data.feats]
    return (
        l_full,
        feats,
        data.probs[index].float(),
        data.ab[index].float(),
        data.bin_idx[index],
        data.bin_w[index].float(),
    )


def _with_top(model, feats: list[torch.Tensor], probs: torch.Tensor, tune_top: bool):
    """The cached stride-32 features and class vector, or, when the top stages are being tuned,
    both recomputed through them from the cached stride-16 features."""
    if not tune_top:
        return feats, probs
    f32, probs = model.encoder.top(feats[2])
    return [*feats[:3], f32], probs


def step_loss(model, batch, config: SemanticTrainConfig, rebalance: torch.Tensor | None):
    l_full, feats, probs, ab, idx, w = batch
    feats, probs = _with_top(model, feats, probs, config.tune_top)
    out = model.head_output(l_full, feats, probs)
    l_small = F.interpolate(l_full, size=out.shape[-2:], mode="area")
    target = ab / lab.AB_SCALE
    if model.config.head == "bins":
        loss = ab_bins.bin_cross_entropy(out, idx, w, rebalance).mean()
        if config.psnr_weight or config.cf_weight:
            pred = model.to_ab(out)
            loss = loss + config.psnr_weight * compute_loss(
                "psnr", pred, target, l_small, config.cf_weight / max(config.psnr_weight, 1e-6)
            )
        return loss
    return compute_loss(config.loss, out, target, l_small, config.cf_weight)


@torch.no_grad()
def evaluate_features(
    model, data: FeatureSet, rows: list[int], batch_size: int = 64, tune_top: bool = False
) -> dict:
    """Held-out PSNR and colourfulness at the training size (the photo as the encoder saw it)."""
    model.eval()
    psnrs, gray, cfs, true_cfs = [], [], [], []
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        l_full, feats, probs, *_ = _batch(data, chunk)
        feats, probs = _with_top(model, feats, probs, tune_top)
        ab = model.to_ab(model.head_output(l_full, feats, probs))
        ab = F.interpolate(ab, size=l_full.shape[-2:], mode="bilinear", align_corners=False)
        truth = (
            torch.from_numpy(
                np.stack(
                    [lab.rgb_to_lab(x)[:, :, 1:] for x in data.rgb[torch.as_tensor(chunk)].numpy()]
                )
                .transpose(0, 3, 1, 2)
                .copy()
            )
            / lab.AB_SCALE
        )
        p, cf = batch_scores(l_full, ab, truth)
        g, _ = batch_scores(l_full, torch.zeros_like(truth), truth)
        true_cfs += batch_scores(l_full, truth, truth)[1]
        psnrs += p
        cfs += cf
        gray += g
    model.train()
    return {
        "psnr": float(np.mean(psnrs)),
        "gray_psnr": float(np.mean(gray)),
        "colorfulness": float(np.mean(cfs)),
        "true_colorfulness": float(np.mean(true_cfs)),
        "n": len(rows),
    }


def fit_semantic(
    model,
    data: FeatureSet,
    train_rows: list[int],
    val_rows: list[int],
    config: SemanticTrainConfig,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> History:
    """Train the decoder of `model` in place; on return it holds the best held-out weights."""
    if not train_rows:
        raise TrainingError("no training photos: the folders have no usable colour photos")
    torch.manual_seed(config.seed)
    groups = [{"params": model.trainable_parameters(), "base_lr": config.lr}]
    if config.tune_top:
        top = list(model.encoder.top_blocks().parameters())
        for p in top:
            p.requires_grad_(True)
        # No weight decay: it would pull pretrained weights towards zero, not towards ImageNet.
        groups.append({"params": top, "base_lr": config.top_lr, "weight_decay": 0.0})
    for g in groups:
        g["lr"] = g["base_lr"]
    optimizer = torch.optim.AdamW(groups, weight_decay=config.weight_decay)
    rebalance = None
    if model.config.head == "bins" and config.rebalance_mix < 1.0:
        counts = bin_counts(data, train_rows, len(model.ab_bins))
        rebalance = torch.from_numpy(ab_bins.rebalance_weights(counts, config.rebalance_mix))
    per_epoch = math.ceil(len(train_rows) / config.batch_size)
    history = History()
    step = 0
    best_psnr, best_state = -math.inf, None
    if config.resume and config.checkpoint is not None and Path(config.checkpoint).is_file():
        ckpt = read_model_file(config.checkpoint)  # read once: weights, optimizer, step
        if ckpt.training is None:
            raise TrainingError(f"{config.checkpoint}: not a training checkpoint; cannot resume")
        model.load_state_dict(
            {k: v.float() if v.is_floating_point() else v for k, v in ckpt.state_dict.items()}
        )
        try:
            optimizer.load_state_dict(ckpt.training["optimizer"])
        except ValueError:
            raise TrainingError(
                f"{config.checkpoint}: made with other options (--tune-top "
                f"{'off' if config.tune_top else 'on'}); resume with the options it was "
                "started with, or start afresh without --resume"
            ) from None
        step = int(ckpt.training["step"])
        best_psnr = float(ckpt.training.get("best", -math.inf))
        best_state = ckpt.training.get("best_state")
        saved = ckpt.metadata.get("history") or {}
        history = History(**{k: v for k, v in saved.items() if k in History.__dataclass_fields__})
        history.stopped = False
        log.info("resuming from %s at step %d", config.checkpoint, step)

    def checkpoint() -> None:
        if config.checkpoint is not None:
            state = {"step": step, "best": best_psnr}
            if best_state is not None:
                state["best_state"] = best_state
            save_checkpoint(Path(config.checkpoint), model, optimizer, state, config, history)

    def evaluate_now() -> None:
        nonlocal best_psnr, best_state
        if not val_rows:
            return
        metrics = evaluate_features(model, data, val_rows, tune_top=config.tune_top)
        metrics.update(step=step, epoch=step // per_epoch + 1)
        history.val.append(metrics)
        if metrics["psnr"] > best_psnr:
            best_psnr = metrics["psnr"]
            best_state = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})
            history.best_val_loss = -best_psnr
        if on_progress is not None:
            on_progress(
                Progress(
                    step,
                    config.steps,
                    step // per_epoch + 1,
                    math.ceil(config.steps / per_epoch),
                    history.losses[-1] if history.losses else 0.0,
                    0.0,
                    0.0,
                    val=metrics,
                )
            )

    model.train()
    start_time, start_step, seen = time.monotonic(), step, 0
    while step < config.steps:
        epoch = step // per_epoch
        order = [train_rows[i] for i in _epoch_order(len(train_rows), config.seed, epoch)]
        skip = (step - epoch * per_epoch) * config.batch_size
        for start in range(skip, len(order), config.batch_size):
            if should_stop is not None and should_stop():
                history.stopped = True
                break
            rows = order[start : start + config.batch_size]
            torch.manual_seed(config.seed * 1_000_003 + step)  # dropout: resume stays exact
            if config.schedule == "cosine":
                for param_group in optimizer.param_groups:
                    param_group["lr"] = cosine_lr(
                        param_group["base_lr"], step, config.steps, config.cosine_floor
                    )
            loss = step_loss(model, _batch(data, rows), config, rebalance)
            if not torch.isfinite(loss):
                raise TrainingError(
                    f"the loss became {float(loss.detach())} at step {step + 1}: "
                    f"training diverged; lower the learning rate "
                    f"(now {config.lr:g})"
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            seen += len(rows)
            history.steps.append(step)
            history.losses.append(float(loss.detach()))
            elapsed = time.monotonic() - start_time
            if on_progress is not None:
                on_progress(
                    Progress(
                        step,
                        config.steps,
                        epoch + 1,
                        math.ceil(config.steps / per_epoch),
                        history.losses[-1],
                        seen / max(elapsed, 1e-9),
                        (config.steps - step) * elapsed / max(step - start_step, 1),
                    )
                )
            if config.eval_every and step % config.eval_every == 0 and step < config.steps:
                evaluate_now()
            if config.checkpoint_every and step % config.checkpoint_every == 0:
                checkpoint()
            if step >= config.steps:
                break
        if history.stopped:
            break
    if not history.stopped:
        evaluate_now()
    history.step = step
    history.seconds = time.monotonic() - start_time
    checkpoint()
    if best_state is not None and not history.stopped:
        model.load_state_dict(best_state)
    for p in model.encoder.parameters():
        p.requires_grad_(False)  # frozen again, whatever was tuned
    model.eval()
    return history
