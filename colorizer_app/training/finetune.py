"""Fine-tuning a model file on a person's own folder of colour photos.

The classifiers stay frozen (and the encoder too, if asked), the learning rate is small, a
held-out part of the folder decides when to stop, and the result is a new model file: the base
file is only ever read. The model handed back is the best one seen on the held-out photos, the
starting model included: when nothing beats the start, no model is saved (unless asked to keep
it anyway), so a fine-tune never hands a person a worse model than the one they had.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from torch.utils.data import DataLoader

from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingCancelled, TrainingError
from ..model.shipped import check_not_builtin
from ..model.store import build_model, open_model, resolve_model, save_model, sha256_of
from .data import ColorPhotoDataset, Photo, ScanReport, scan_folders, split_photos
from .fused_cache import fused_vectors
from .loop import History, Progress, TrainConfig, fit, validate
from .losses import LOSSES
from .settings import FinetuneSettings

MIN_PHOTOS = 10


# A fine-tune must beat the start by this much held-out PSNR (dB) to count as better: less is
# the noise of a few held-out photos.
MIN_GAIN_DB = 0.01


@dataclass
class FinetuneResult:
    path: Path | None  # None: nothing beat the starting model, so nothing was saved
    history: History
    before: dict
    after: dict  # the held-out scores of the model handed back (the best seen)
    report: ScanReport
    train_count: int
    held_out_count: int
    best_step: int = 0  # the step whose model was kept (0: the starting model)

    @property
    def improved(self) -> bool:
        return self.after["psnr"] >= self.before["psnr"] + MIN_GAIN_DB

    def summary(self) -> str:
        """One line a person reads: before -> after, and what was kept."""
        scores = f"held-out PSNR {self.before['psnr']:.2f} dB before"
        if self.path is None:
            return (
                f"nothing beat the starting model ({scores}, best "
                f"{self.after['psnr']:.2f} dB after); no model was saved"
            )
        kept = "" if self.best_step == self.history.step else f", kept from step {self.best_step}"
        return f"{scores} -> {self.after['psnr']:.2f} dB after{kept}"


def default_loss(base_metadata: dict) -> str:
    """The objective the starting model was trained with, where this loop has it; a bins-head
    model (trained on its distribution) continues with the per-photo log error it also used."""
    loss = base_metadata.get("loss")
    return loss if loss in LOSSES else "psnr"


@dataclass
class _Best:
    """The best held-out scores seen, at which step, and the weights then (None: the model's
    weights as they are)."""

    metrics: dict
    step: int = 0
    state: dict | None = None


def _trainable_state(model) -> dict:
    """A copy of everything fine-tuning can change (the frozen classifiers left out: they are
    most of the memory and never move)."""
    frozen = ("backbones.", "encoder.")

    def own_key(key: str) -> str:  # an ensemble member's key as its own model names it
        parts = key.split(".", 2)
        return parts[2] if parts[0] == "members" and len(parts) == 3 else key

    return {
        k: v.detach().to("cpu", copy=True)
        for k, v in model.state_dict().items()
        if not own_key(k).startswith(frozen)
    }


def hold_out(photos: list[Photo], fraction: float = 0.2) -> tuple[list[Photo], list[Photo]]:
    """A fixed fifth of the folder (at least 2 photos), chosen by a hash of each file's name."""
    ranked = sorted(photos, key=lambda p: hashlib.sha1(p.group.encode()).hexdigest())
    n = max(2, math.ceil(fraction * len(ranked)))
    return ranked[n:], ranked[:n]


def reset_trainable(model) -> None:
    """Retrain mode: fresh encoder and decoder; the frozen classifiers keep their weights."""
    frozen = {id(m) for b in model.backbones for m in b.modules()}
    for module in model.modules():
        if id(module) not in frozen and hasattr(module, "reset_parameters") and module is not model:
            module.reset_parameters()


def finetune(
    settings: FinetuneSettings,
    report: ScanReport | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_status: Callable[[str], None] | None = None,
    on_epoch: Callable[[object, Photo], None] | None = None,
    group: Group = SINGLE,
) -> FinetuneResult:
    """Fine-tune `settings.base` on `settings.folders` and write `settings.output` if better.

    `on_epoch(model, photo)` is called after each validation with the model in eval mode and
    the first held-out photo, so a caller can show how that photo looks now. `should_stop` is
    asked while scanning, reading the photos with the classifiers and between steps; when it
    says stop, TrainingCancelled is raised and nothing is saved. `group`: the torchrun group;
    only its first process writes."""
    st = settings
    base, folders, output, size, device = st.base, st.folders, st.output, st.size, st.device
    check_not_builtin(output)  # refused before any training, not after it
    entry = resolve_model(base)
    base_file = open_model(base)
    loss = st.loss if st.loss is not None else default_loss(base_file.metadata)
    status = on_status or (lambda _msg: None)
    if report is None:
        status("Looking at the photos...")
        report = scan_folders(
            folders, keep_side=int(size * 1.25), split_by=st.split_by, should_stop=should_stop
        )
        if should_stop is not None and should_stop():
            raise TrainingCancelled("fine-tuning was cancelled while scanning; nothing was saved")
    if st.exclude_test_quarter:
        # Leave out the quarter `colorizer train` holds out, so evaluating on it stays fair.
        report.usable = split_photos(report.usable)[0]
    if len(report.usable) < MIN_PHOTOS:
        raise TrainingError(
            f"{', '.join(map(str, folders))}: only {len(report.usable)} usable colour photo(s); "
            f"fine-tuning needs at least {MIN_PHOTOS} ({report.summary()})"
        )
    train_photos, val_photos = hold_out(report.usable)
    torch_device = group.device(device)
    model = build_model(base_file)
    if st.fresh:
        reset_trainable(model)
    status("Reading the photos with the frozen classifiers...")
    fused_train = fused_vectors(
        model, train_photos, device=torch_device, group=group, should_stop=should_stop
    )
    fused_val = fused_vectors(
        model, val_photos, device=torch_device, group=group, should_stop=should_stop
    )
    train = ColorPhotoDataset(train_photos, size, augment=True, fused=fused_train)
    val = ColorPhotoDataset(val_photos, size, augment=False, fused=fused_val)
    val_loader = DataLoader(val, batch_size=st.batch_size)
    before = validate(model.to(torch_device), val_loader, loss, torch_device)
    if on_epoch is not None:
        on_epoch(model, val_photos[0])  # how the held-out photo looks before any training
    batches = math.ceil(len(train) / st.batch_size)
    checkpoint = Path(output).with_suffix(".ckpt")
    config = TrainConfig(
        epochs=max(1, math.ceil(st.steps / batches)),
        max_steps=st.steps,
        batch_size=st.batch_size,
        lr=st.lr,
        loss=loss,
        freeze_encoder=st.freeze_encoder,
        device=str(torch_device),
        checkpoint=checkpoint,
        checkpoint_every=50,
        resume=st.resume,
        early_stopping_patience=st.patience,
        preset=base_file.preset,
        metadata={"base_model": entry.name},
    )
    status("Fine-tuning...")

    best = _Best(before)

    def progress(p: Progress) -> None:
        if p.val is not None and p.val["psnr"] > best.metrics["psnr"]:
            best.metrics, best.step, best.state = dict(p.val), p.step, _trainable_state(model)
        if on_progress is not None:
            on_progress(p)
        if p.val is not None and on_epoch is not None:
            on_epoch(model, val_photos[0])

    history = fit(model, train, val, config, progress, should_stop, group)
    if history.stopped:
        raise TrainingCancelled(
            "fine-tuning was cancelled; no model was saved (resume to continue)"
        )
    last = validate(model, val_loader, loss, torch_device)
    if last["psnr"] > best.metrics["psnr"]:
        best.metrics, best.step, best.state = last, history.step, None
    elif best.state is not None:
        model.load_state_dict(best.state, strict=False)
    after = best.metrics
    result = FinetuneResult(
        None, history, before, after, report, len(train_photos), len(val_photos), best.step
    )
    if not group.is_main:
        return result  # the first process keeps the best model and writes it
    if not result.improved and not st.keep_anyway:
        checkpoint.unlink(missing_ok=True)
        return result
    metadata = {
        **base_file.metadata,
        "trained": True,
        "description": f"{entry.name} {'retrained' if st.fresh else 'fine-tuned'} on "
        f"{', '.join(Path(f).name for f in folders)}",
        "mode": "retrain" if st.fresh else "finetune",
        "base_model": entry.name,
        "base_sha256": sha256_of(entry.path),
        "finetune_data": [str(f) for f in folders],
        "images": {
            "train": len(train_photos),
            "held_out": len(val_photos),
            "gray_left_out": len(report.gray),
            "unreadable": len(report.unreadable),
        },
        "steps": history.step,
        "lr": st.lr,
        "freeze_encoder": st.freeze_encoder,
        "loss": loss,
        "best_step": result.best_step,
        "val_psnr_before": round(before["psnr"], 3),
        "val_psnr_after": round(result.after["psnr"], 3),
        "val": result.after,
    }
    metadata.pop("history", None)
    result.path = save_model(model, output, base_file.preset, metadata)
    checkpoint.unlink(missing_ok=True)
    return result
