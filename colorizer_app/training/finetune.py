"""Fine-tuning a model file on a person's own folder of colour photos.

The classifiers stay frozen (and the encoder too, if asked), the learning rate is small, a
held-out part of the folder decides when to stop, and the result is a new model file: the base
file is only ever read. The model handed back is the best one seen on the held-out photos; it is
then judged against the starting model as the app will use it (training/judge.py: the held-out
photos colorized at the model's own size, a gain beyond the noise of so few photos, colour not
collapsed). When it is not better, no model is saved (unless asked to keep it anyway), so a
fine-tune never hands a person a worse model than the one they had.

The new file stores every weight in the dtype the base file stored it in: the frozen encoders of
a half model stay half (and identical ones shared), not twice the size in float32. The trained
weights are rounded to that dtype before the judgement, so what is judged is what is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingCancelled, TrainingError
from ..engine.catalog import open_model, resolve_model
from ..model.hybrid import HybridConfig
from ..model.model_file import build_model, save_model, sha256_of
from ..model.networks import ColorNet
from ..model.semantic import LiteEncoder
from ..model.shipped import check_not_builtin
from .data import (
    ColorPhotoDataset,
    Photo,
    ScanReport,
    name_digest,
    scan_folders,
    split_photos,
)
from .fused_cache import fused_vectors
from .judge import FEW_HELD_OUT, Verdict, eval_copy, judge, score_model
from .loop import History, Progress, TrainConfig
from .losses import LOSSES
from .outputs import checkpoint_path
from .photo_task import BINS_LOSS, fit, validate
from .settings import FinetuneSettings

MIN_PHOTOS = 10
# What a base model's metadata says of its own training run, not of a fine-tune of it.
BASE_RUN_KEYS = frozenset(
    ("created", "data", "split_by", "init", "seconds", "stopped_early", "size", "batch",
     "top_lr", "tuned_encoder_top", "history", "weights_sha256")
)  # fmt: skip
# A run keeps where it got to this often (and when cancelled): what Resume continues from.
CHECKPOINT_EVERY = 50
HELD_OUT_SHARE = 0.25
HELD_OUT_CAP = 100  # each held-out photo is colorized twice at the model's size: bound the time


@dataclass
class FinetuneResult:
    path: Path | None  # None: nothing beat the starting model, so nothing was saved
    history: History
    before: dict  # the loop's held-out scores (training size) of the start
    after: dict  # and of the model handed back (the best seen): they pick it, never judge it
    report: ScanReport
    train_count: int
    held_out_count: int
    best_step: int = 0  # the step whose model was kept (0: the starting model)
    verdict: Verdict | None = None  # the judgement as the app colours (the first process's)

    @property
    def improved(self) -> bool:
        return self.verdict is not None and self.verdict.better

    def summary(self) -> str:
        """One line a person reads: the judgement, what was kept, and why nothing was."""
        v = self.verdict
        if v is None:
            return "judged by the first process"
        if self.path is None:
            return f"no model was saved: {v.reason()} ({v.scores()})"
        step = self.best_step
        kept = "" if step in (0, self.history.step) else f", kept from step {step}"
        anyway = "" if v.better else f"; {v.reason()}, saved as asked"
        return f"{v.scores()}{kept}{anyway}"


def default_loss(base_metadata: dict, base_config: HybridConfig | None = None) -> str:
    """The objective the starting model was trained with: a bins-head model's own (its
    distribution's cross-entropy and the per-photo log error, photo_task.bins_loss); an
    ensemble of them, which this loop cannot train that way, the per-photo log error."""
    loss = base_metadata.get("loss")
    single = base_config is None or not base_config.members
    if loss == BINS_LOSS and single and base_config is not None and base_config.head == "bins":
        return BINS_LOSS
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


def hold_out(photos: list[Photo]) -> tuple[list[Photo], list[Photo]]:
    """(train, held out), chosen by a hash of each file's name: a quarter of the folder, but at
    least FEW_HELD_OUT photos where that leaves half to train on (six photos judged a candidate
    that was worse on 40 others), and at most HELD_OUT_CAP."""
    ranked = sorted(photos, key=lambda p: name_digest(p.group))
    floor = min(FEW_HELD_OUT, len(ranked) // 2)
    n = min(max(math.ceil(HELD_OUT_SHARE * len(ranked)), floor, 2), HELD_OUT_CAP)
    return ranked[n:], ranked[:n]


def stored_dtypes(model: ColorNet, base: dict[str, torch.Tensor]) -> dict[str, torch.dtype]:
    """The dtype each float weight is stored in: the base file's (`base`: its weights), unless a
    value would not fit it (a BatchNorm variance over 65504 is infinite in half, and a file
    holding it is refused): that tensor keeps the model's own dtype."""
    dtypes = {}
    for key, value in model.state_dict().items():
        source = base.get(key)
        if source is not None and source.is_floating_point() and value.is_floating_point():
            fits = bool(torch.isfinite(value.to(source.dtype)).all())
            dtypes[key] = source.dtype if fits else value.dtype
    return dtypes


@torch.no_grad()
def round_to_stored(model: ColorNet, dtypes: dict[str, torch.dtype]) -> None:
    """Each weight rounded to the dtype it will be stored in (a half base: half), in place, so
    the model judged is the very model the file will hold."""
    for key, value in model.state_dict().items():
        dtype = dtypes.get(key)
        if dtype is not None and value.is_floating_point() and dtype != value.dtype:
            value.copy_(value.to(dtype))


def reset_trainable(model) -> None:
    """Retrain mode: fresh encoder and decoder; the frozen classifiers keep their weights, and
    so does a pretrained encoder (the default's EfficientNet-Lite): it never trains again, and
    reset it gave the decoder random features to learn from (a review)."""
    kept = [*model.backbones, *(m for m in model.modules() if isinstance(m, LiteEncoder))]
    frozen = {id(m) for b in kept for m in b.modules()}
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
    asked while scanning, reading the photos with the classifiers, judging and between steps;
    when it says stop, TrainingCancelled is raised and nothing is saved. `group`: the torchrun
    group; only its first process judges and writes."""
    st = settings
    base, folders, output, size, device = st.base, st.folders, st.output, st.size, st.device
    check_not_builtin(output)  # refused before any training, not after it
    entry = resolve_model(base)
    base_file = open_model(base)
    loss = st.loss if st.loss is not None else default_loss(base_file.metadata, base_file.config)
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
            f"{', '.join(map(str, folders))}: only {len(report.usable)} usable colour "
            f"{'photo' if len(report.usable) == 1 else 'photos'}; "
            f"fine-tuning needs at least {MIN_PHOTOS} ({report.summary()})"
        )
    train_photos, val_photos = hold_out(report.usable)
    torch_device = group.device(device)
    model = build_model(base_file).to(torch_device)
    # The start as the person has it (before a retrain's reset), colorized as the app does.
    truths = [eval_copy(p) for p in val_photos] if group.is_main else []
    if truths:
        status(f"Colouring the {len(truths)} held-out photos with the starting model...")
    start = score_model(model, torch_device, truths, should_stop)
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
    checkpoint = checkpoint_path(output)
    config = TrainConfig(
        epochs=max(1, math.ceil(st.steps / batches)),
        max_steps=st.steps,
        batch_size=st.batch_size,
        lr=st.lr,
        loss=loss,
        freeze_encoder=st.freeze_encoder,
        device=str(torch_device),
        checkpoint=checkpoint,
        checkpoint_every=CHECKPOINT_EVERY,
        resume=st.resume,
        early_stopping_patience=st.patience,
        batch_norm_frozen=True,  # a retrain's reset layers have none: they learn theirs
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
    if last["psnr"] > best.metrics["psnr"] or best.state is None:
        # Better at the end, or no step beat the start: the weights are the last step's, and
        # say so (kept anyway, a trial's was reported "the best, from step 0").
        best.metrics, best.step, best.state = last, history.step, None
    else:
        model.load_state_dict(best.state, strict=False)
    after = best.metrics
    result = FinetuneResult(
        None, history, before, after, report, len(train_photos), len(val_photos), best.step
    )
    if not group.is_main:
        return result  # the first process keeps the best model, judges and writes it
    # Stored as the base stores each weight (half stays half); judged as it will be stored.
    dtypes = stored_dtypes(model, base_file.state_dict)
    round_to_stored(model, dtypes)
    status(f"Colouring the {len(truths)} held-out photos with the fine-tuned model...")
    verdict = judge(start, score_model(model, torch_device, truths, should_stop))
    result.verdict = verdict
    if not result.improved and not st.keep_anyway:
        checkpoint.unlink(missing_ok=True)
        return result
    # The base's own run (when, on what, at what size and batch, from what start) is not this
    # one's: `models info` showed a trial's 64 px, batch 4 fine-tune as the base's 224 px, batch
    # 32 run of 2026-12-01. What the base is (its head, encoder, loss) stays.
    base_run = {k: v for k, v in base_file.metadata.items() if k not in BASE_RUN_KEYS}
    metadata = {
        **base_run,
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
        "seconds": round(history.seconds, 1),
        "stopped_early": history.early_stopped,
        "size": st.size,
        "batch": st.batch_size,
        "kept_though_not_better": not result.improved,
        "lr": st.lr,
        "freeze_encoder": st.freeze_encoder,
        "loss": loss,
        "best_step": result.best_step,
        # Held-out PSNR as the app colours (what the person was told); "val": the loop's own.
        "val_psnr_before": round(verdict.psnr_before, 3),
        "val_psnr_after": round(verdict.psnr_after, 3),
        "judgement": verdict.to_dict(),
        "val": result.after,
    }
    metadata.pop("history", None)
    result.path = save_model(model, output, base_file.preset, metadata, dtypes=dtypes)
    checkpoint.unlink(missing_ok=True)
    return result
