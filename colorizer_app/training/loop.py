"""The one training loop: `colorizer train`, `colorizer finetune` and the GUI's advanced panel
all call `fit`.

A checkpoint is a model file (loadable as it is) with the optimizer and step added, written
atomically: a stop request, Ctrl+C or a crash always leaves the last good one. The data order and
every augmentation are functions of (seed, epoch, index), so `resume` continues exactly.

Under torchrun (core/distributed.py) every process walks the same global order, trains on its
own contiguous part of each global batch (`batch_size` stays the global batch), and
DistributedDataParallel averages the gradients; each part's loss is weighted by its share, so
the step is the one a single process would take on the whole batch (up to BatchNorm statistics,
which are per process on CPUs, where SyncBatchNorm does not run). Only the first process writes
checkpoints and reports progress; a stop is taken by all processes at the same step. A step is
a global batch, so a run resumes with any number of processes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from ..core import lab
from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingError
from ..model.networks import Network
from ..model.store import model_payload, read_model_file, write_payload
from .data import ColorPhotoDataset
from .losses import compute_loss
from .metrics import colorfulness_torch

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    epochs: int = 10
    max_steps: int | None = None  # stops earlier than `epochs` if reached
    batch_size: int = 20
    lr: float = 1e-3
    loss: str = "mse"
    cf_weight: float | None = None  # colourfulness-shortfall weight; None: the loss's default
    schedule: str = "constant"  # or "cosine" (cosine_lr): decays towards cosine_floor x lr
    cosine_floor: float = 0.05
    weight_decay: float = 0.0
    freeze_encoder: bool = False
    device: str = "cpu"
    seed: int = 0
    num_workers: int = 0
    checkpoint: Path | None = None
    checkpoint_every: int = 200
    resume: bool = False
    early_stopping_patience: int | None = None  # epochs without a better validation loss
    preset: str = "custom"
    metadata: dict = field(default_factory=dict)


@dataclass
class Progress:
    step: int
    total_steps: int
    epoch: int
    epochs: int
    loss: float
    images_per_s: float
    eta_s: float
    val: dict | None = None  # set once per epoch: {"loss": .., "psnr": ..}


@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    val: list[dict] = field(default_factory=list)
    stopped: bool = False
    early_stopped: bool = False
    best_val_loss: float | None = None
    step: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


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


@torch.no_grad()
def validate(
    model: Network,
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


def save_checkpoint(path: Path, model, optimizer, state: dict, config, history: History) -> None:
    """A model file (loadable as it is) with the optimizer and step added, written atomically."""
    payload = model_payload(
        model,
        config.preset,
        {
            **config.metadata,
            "checkpoint": True,
            "steps": state["step"],
            "history": history.to_dict(),
        },
    )
    payload["training"] = {"optimizer": optimizer.state_dict(), **state}
    write_payload(path, payload)


def cosine_lr(base_lr: float, step: int, total_steps: int, floor: float) -> float:
    """The learning rate before `step` (0-based) of `total_steps` under cosine decay from
    `base_lr` towards `floor` x `base_lr`. The one schedule of both loops; each keeps its own
    floor: `fit` 0.05, `fit_semantic` 0.02 (what the shipped scenes models were trained with)."""
    return base_lr * (
        floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * step / max(total_steps, 1)))
    )


def _epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    g = torch.Generator().manual_seed(seed * 100_003 + epoch)
    return torch.randperm(n, generator=g).tolist()


def global_batches(n: int, batch_size: int, world: int) -> int:
    """Global batches per epoch. Under torchrun a last batch too small to give every process a
    photo is left out (by every process alike)."""
    full, rest = divmod(n, batch_size)
    return full + (1 if rest >= world else 0)


def fit(
    model: Network,
    train: ColorPhotoDataset,
    val: ColorPhotoDataset | None,
    config: TrainConfig,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    group: Group = SINGLE,
) -> History:
    """Train `model` in place. Returns its History; `history.stopped` if asked to stop."""
    if len(train) == 0:
        raise TrainingError("no training photos: the folder has no usable colour photos")
    if config.batch_size < group.world:
        raise TrainingError(
            f"the batch ({config.batch_size}) is the global batch: it needs at least one photo "
            f"for each of the {group.world} processes"
        )
    device = torch.device(config.device)
    torch.manual_seed(config.seed)
    model.to(device)
    cuda = device.type == "cuda"
    if cuda:
        model.to(memory_format=torch.channels_last)
    net: torch.nn.Module = model
    if group.active:
        from torch.nn.parallel import DistributedDataParallel

        if cuda:
            model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        # Also makes every process start from the first one's weights.
        net = DistributedDataParallel(model, device_ids=[device.index] if cuda else None)
    params = model.trainable_parameters(freeze_encoder=config.freeze_encoder)
    optimizer = torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    if config.freeze_encoder:
        for part in model.own_encoder_parts():
            part.requires_grad_(False)

    batches_per_epoch = global_batches(len(train), config.batch_size, group.world)
    total_steps = batches_per_epoch * config.epochs
    if config.max_steps is not None:
        total_steps = min(total_steps, config.max_steps)
    history = History()
    step, best, bad_epochs = 0, math.inf, 0

    if config.resume and config.checkpoint is not None and Path(config.checkpoint).is_file():
        ckpt = read_model_file(config.checkpoint)  # read once: weights, optimizer, step
        if ckpt.training is None:
            raise TrainingError(f"{config.checkpoint}: not a training checkpoint; cannot resume")
        model.load_state_dict(ckpt.state_dict)
        optimizer.load_state_dict(ckpt.training["optimizer"])
        step = int(ckpt.training["step"])
        best = float(ckpt.training.get("best", math.inf))
        bad_epochs = int(ckpt.training.get("bad_epochs", 0))
        saved = ckpt.metadata.get("history") or {}
        history = History(**{k: v for k, v in saved.items() if k in History.__dataclass_fields__})
        history.stopped = False
        log.info("resuming from %s at step %d", config.checkpoint, step)

    autocast_dtype = torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=cuda and autocast_dtype == torch.float16)
    val_loader = (
        DataLoader(val, batch_size=config.batch_size, shuffle=False, num_workers=config.num_workers)
        if val is not None and len(val)
        else None
    )

    def state() -> dict:
        return {"step": step, "best": best, "bad_epochs": bad_epochs}

    def checkpoint() -> None:
        if config.checkpoint is not None and group.is_main:
            save_checkpoint(Path(config.checkpoint), model, optimizer, state(), config, history)

    start_time = time.monotonic()
    first_step_done = start_time
    start_step = step
    seen_images = 0
    while step < total_steps:
        epoch = step // batches_per_epoch
        train.set_epoch(epoch)
        order = _epoch_order(len(train), config.seed, epoch)
        skip = step - epoch * batches_per_epoch  # batches of this epoch already done (resume)
        size = config.batch_size
        batches = [order[i : i + size] for i in range(0, len(order), size)]
        batches = batches[skip:batches_per_epoch]
        # This process's part of each global batch, and its weight in the batch's mean loss.
        shares = [group.batch_share(b) for b in batches]
        weights = [len(sh) * group.world / len(b) for sh, b in zip(shares, batches, strict=True)]
        loader = DataLoader(train, batch_sampler=shares, num_workers=config.num_workers)
        model.train()
        for (l, ab, fused, _), weight, batch in zip(loader, weights, batches, strict=True):
            stop = should_stop is not None and should_stop()
            if group.any(stop):
                history.stopped = True
                break
            l, ab = l.to(device, non_blocking=True), ab.to(device, non_blocking=True)
            # Dropout draws from the global generator: seeding it by step makes a resumed run
            # draw exactly what an unbroken one would.
            torch.manual_seed(config.seed * 1_000_003 + step)
            if cuda:
                l = l.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=autocast_dtype, enabled=cuda):
                pred = net(l, fused.to(device) if fused.numel() else None)
                loss = compute_loss(config.loss, pred, ab, l, config.cf_weight)
            # The global batch's loss, the same on every process (so is every decision on it).
            loss_value = group.mean(float(loss.detach()), len(l))
            if not math.isfinite(loss_value):
                where = (
                    f"; the last good checkpoint is {config.checkpoint}"
                    if (config.checkpoint and Path(config.checkpoint).is_file())
                    else ""
                )
                raise TrainingError(
                    f"the loss became {loss_value} at step {step + 1}: training "
                    "diverged; "
                    f"lower the learning rate (now {config.lr:g}){where}"
                )
            if config.schedule == "cosine":
                for param_group in optimizer.param_groups:
                    param_group["lr"] = cosine_lr(config.lr, step, total_steps, config.cosine_floor)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss * weight if weight != 1.0 else loss).backward()
            scaler.step(optimizer)
            scaler.update()
            step += 1
            seen_images += len(batch)
            history.steps.append(step)
            history.losses.append(loss_value)
            now = time.monotonic()
            elapsed = now - start_time
            rate = seen_images / elapsed if elapsed > 0 else 0.0
            # The first step carries the start-up (workers, first allocations): timing from it
            # made the first estimate of the time left far too high. 0: not known yet.
            if step - start_step == 1:
                first_step_done = now
                eta = 0.0
            else:
                eta = (total_steps - step) * (now - first_step_done) / (step - start_step - 1)
            if on_progress is not None and group.is_main:
                on_progress(
                    Progress(step, total_steps, epoch + 1, config.epochs, loss_value, rate, eta)
                )
            if config.checkpoint_every and step % config.checkpoint_every == 0:
                checkpoint()
            if step >= total_steps:
                break
        if history.stopped:
            break
        epoch_done = step % batches_per_epoch == 0 or step >= total_steps
        if epoch_done and val_loader is not None:
            metrics = validate(model, val_loader, config.loss, device, config.cf_weight)
            # BatchNorm's running statistics are each process's own on CPUs: the first
            # process's scores decide for all, so every process stops at the same epoch.
            metrics = group.gather(metrics)[0]
            metrics.update(epoch=epoch + 1, step=step)
            history.val.append(metrics)
            if on_progress is not None and group.is_main:
                on_progress(
                    Progress(
                        step,
                        total_steps,
                        epoch + 1,
                        config.epochs,
                        history.losses[-1],
                        0.0,
                        0.0,
                        val=metrics,
                    )
                )
            if metrics["loss"] < best - 1e-6:
                best, bad_epochs = metrics["loss"], 0
            else:
                bad_epochs += 1
            if config.early_stopping_patience is not None and (
                bad_epochs >= config.early_stopping_patience
            ):
                history.early_stopped = True
                break
    history.step = step
    history.best_val_loss = None if best == math.inf else best
    history.seconds = time.monotonic() - start_time
    checkpoint()
    model.eval()
    return history
