"""Training a paper-style preset from scratch (own encoder, fused frozen classifiers).

The pipeline `colorizer train` runs (its shell is training/cli.py): scan and split the photos,
read them once with the frozen classifiers, train with training/loop.fit, write the model file.
Under torchrun every process runs it; the first one writes. The `scenes` presets have their own
pipeline on cached encoder features (training/semantic.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import torch

from ..core.device import describe_device
from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingError
from ..model.hybrid import HybridConfig
from ..model.networks import build_network
from ..model.presets import get_preset
from ..model.store import save_model
from .data import ColorPhotoDataset, ScanReport, balanced_rows, scan_folders, split_photos
from .fused_cache import fused_vectors
from .loop import History, Progress, TrainConfig, fit
from .losses import DEFAULT_CF_WEIGHT
from .settings import TrainSettings

T = TypeVar("T")
# A stage's work is given its progress callback (done, total), or None for none.
Work = Callable[[Callable[[int, int], None] | None], T]


class Stage(Protocol):
    """(label, work) -> work's result: how a caller shows a long stage (a CLI bar)."""

    def __call__(self, label: str, work: Work[T], /) -> T: ...


@dataclass
class TrainResult:
    path: Path | None  # None on every process but the first
    history: History
    report: ScanReport
    train_count: int
    held_out_count: int

    @property
    def last_val(self) -> dict:
        return self.history.val[-1] if self.history.val else {}


def _plain(label: str, work: Work[T]) -> T:
    return work(None)


def scan_training_photos(
    data: list[Path],
    keep_side: int,
    min_colorfulness: float,
    split_by: str,
    limit: int | None,
    per_folder: int | None,
    stage: Stage = _plain,
    on_status: Callable[[str], None] | None = None,
) -> ScanReport:
    """The training photos of DATA, and what was left out said (every training pipeline)."""
    report = stage(
        "scan",
        lambda cb: scan_folders(
            [Path(d) for d in data],
            keep_side=keep_side,
            min_colorfulness=min_colorfulness,
            split_by=split_by,
            limit=limit,
            per_folder=per_folder,
            on_progress=cb,
        ),
    )
    status = on_status or (lambda _msg: None)
    status(f"Photos: {report.summary()}")
    for _path, reason in report.unreadable[:20]:
        status(f"  unreadable: {reason}")
    return report


def train(
    st: TrainSettings,
    group: Group = SINGLE,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_status: Callable[[str], None] | None = None,
    stage: Stage = _plain,
) -> TrainResult:
    preset = get_preset(st.preset)
    if preset.config.encoder != "own":
        raise TrainingError(f"the {preset.name} preset trains with training/semantic.py")
    if st.loss == "bins":
        raise TrainingError(
            f"--loss bins needs a preset with a bins head (e.g. scenes), not {preset.name}"
        )
    status = on_status or (lambda _msg: None)
    device = group.device(st.device)
    torch.manual_seed(st.seed)
    report = scan_training_photos(
        st.data, int(st.size * 1.25), st.min_colorfulness, st.split_by, st.limit,
        st.per_folder, stage, status,
    )  # fmt: skip
    train_photos, val_photos = split_photos(report.usable)
    if st.balance:
        rows = balanced_rows(train_photos, [str(d) for d in st.data], st.balance)
        train_photos = [train_photos[i] for i in rows]
    status(f"Split: {len(train_photos)} training, {len(val_photos)} held out (by {st.split_by})")
    config = HybridConfig.from_dict(preset.config.to_dict())
    # The network should see a photo at about the scale it was trained on.
    config.inference_size = max(64, int(round(st.size * 1.25 / 8)) * 8)
    if st.fusion_dropout is not None:
        config.fusion_dropout = st.fusion_dropout
    model = build_network(config, pretrained_backbones=True)
    cache = Path(st.cache) if st.cache else None

    def classifiers(photos):
        return lambda cb: fused_vectors(model, photos, cache, device, on_progress=cb, group=group)

    fused_train = stage("classifiers (train)", classifiers(train_photos))
    fused_val = stage("classifiers (held out)", classifiers(val_photos))
    train_set = ColorPhotoDataset(
        train_photos, st.size, augment=True, seed=st.seed, fused=fused_train
    )
    val_set = ColorPhotoDataset(val_photos, st.size, augment=False, fused=fused_val)
    out = Path(st.output)
    cf_weight = DEFAULT_CF_WEIGHT[st.loss] if st.cf_weight is None else st.cf_weight
    tc = TrainConfig(
        epochs=st.epochs,
        max_steps=st.steps,
        batch_size=st.batch_size,
        lr=st.lr,
        loss=st.loss,
        cf_weight=cf_weight,
        schedule=st.schedule,
        device=str(device),
        seed=st.seed,
        num_workers=st.workers,
        checkpoint=out.with_suffix(".ckpt"),
        checkpoint_every=st.checkpoint_every,
        resume=st.resume,
        preset=preset.name,
    )
    where = describe_device(device) + (f" x {group.world} processes" if group.active else "")
    status(f"Training preset {preset.name} on {where}; checkpoint {tc.checkpoint}")
    history = fit(model, train_set, val_set, tc, on_progress, should_stop, group)
    result = TrainResult(None, history, report, len(train_photos), len(val_photos))
    if not group.is_main:
        return result  # the first process writes the model
    metadata = {
        "trained": True,
        "description": preset.description,
        "data": [str(d) for d in st.data],
        "images": {
            "train": len(train_photos),
            "held_out": len(val_photos),
            "gray_left_out": len(report.gray),
            "unreadable": len(report.unreadable),
        },
        "split_by": st.split_by,
        "steps": history.step,
        "epochs": st.epochs,
        "size": st.size,
        "batch": st.batch_size,
        "lr": st.lr,
        "loss": st.loss,
        "cf_weight": cf_weight,
        "schedule": st.schedule,
        "balance_max_repeat": st.balance,
        "seed": st.seed,
        "device": describe_device(device),
        "processes": group.world,
        "seconds": round(history.seconds, 1),
        "val": result.last_val,
        "command": st.command,
        "stopped_early": history.stopped,
    }
    result.path = save_model(model, out, preset.name, metadata, half=st.half)
    return result
