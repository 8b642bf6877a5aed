"""`train`: what `colorizer train` and the app run for any preset, from one TrainSettings.

A paper-style preset (own encoder, fused frozen classifiers) is trained here: scan and split the
photos, read them once with the frozen classifiers, train with the one loop (photo_task.fit),
write the model file. A pretrained-encoder preset (`scenes`) goes to scenes.train_scenes. Under
torchrun every process runs it; the first one writes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from ..core.device import describe_device
from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingError
from ..model.hybrid import HybridConfig
from ..model.model_file import save_model
from ..model.networks import build_network
from ..model.presets import get_preset
from .data import ColorPhotoDataset, balanced_rows, split_photos
from .fused_cache import fused_vectors
from .loop import Progress, TrainConfig
from .losses import DEFAULT_CF_WEIGHT
from .outputs import checkpoint_path
from .photo_task import fit
from .pipeline import Stage, TrainResult, plain, scan_training_photos
from .scenes import train_scenes
from .settings import DEFAULT_EPOCHS, TrainSettings

# The options only a pretrained-encoder preset takes, as the CLI names them.
SCENES_ONLY = {
    "head": "--head",
    "encoder": "--encoder",
    "tune_top": "--tune-top",
    "init": "--init",
    "repeat_views": "--repeat-views",
    "stream": "--stream",
    "unfreeze_encoder": "--unfreeze-encoder",
}


def train(
    st: TrainSettings,
    group: Group = SINGLE,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_status: Callable[[str], None] | None = None,
    stage: Stage = plain,
) -> TrainResult:
    """Train the preset `st` names; the model file is written by the first process only."""
    if get_preset(st.preset).config.pretrained_encoder:
        return train_scenes(st, group, on_progress, should_stop, on_status, stage)
    given = [flag for name, flag in SCENES_ONLY.items() if getattr(st, name)]
    if given or not st.class_vector:
        given += [] if st.class_vector else ["--no-class-vector"]
        raise TrainingError(
            f"{', '.join(given)}: for pretrained-encoder presets (e.g. scenes); "
            f"{st.preset} has the paper's own encoder"
        )
    return _train_paper(st, group, on_progress, should_stop, on_status, stage)


def _train_paper(
    st: TrainSettings,
    group: Group = SINGLE,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_status: Callable[[str], None] | None = None,
    stage: Stage = plain,
) -> TrainResult:
    preset = get_preset(st.preset)
    loss = st.loss or "mse"
    if loss == "bins":
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
    cf_weight = DEFAULT_CF_WEIGHT[loss] if st.cf_weight is None else st.cf_weight
    # --steps alone runs that many steps: the default 10 epochs cut a review's --steps 3000 at
    # 190 without a word.
    epochs = st.epochs if st.epochs is not None else None if st.steps else DEFAULT_EPOCHS
    tc = TrainConfig(
        epochs=epochs,
        max_steps=st.steps,
        batch_size=st.batch_size,
        lr=st.lr,
        loss=loss,
        cf_weight=cf_weight,
        schedule=st.schedule,
        device=str(device),
        seed=st.seed,
        num_workers=st.workers,
        checkpoint=checkpoint_path(out),
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
        "epochs": epochs,
        "size": st.size,
        "batch": st.batch_size,
        "lr": st.lr,
        "loss": loss,
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
    last = result.last_val
    if last:
        result.scores = f"; held-out PSNR {last['psnr']:.2f} dB (gray {last['gray_psnr']:.2f})"
    return result
