"""`colorizer train --preset scenes` (and any pretrained-encoder preset): scan, encode every photo
once (or stream them), train the decoder with the one loop, save.

Three disjoint parts of the photos: the quarter held out by the same hash as every other
training run (never looked at here: that is what `colorizer evaluate --split test` reports on),
and of the rest a tenth, by another hash, to choose the best step on (`validation`).

Under torchrun each process trains on its part of every global batch (loop.run). With the
feature cache, the first process encodes the photos and writes the cache while the others wait,
then they read it; without --cache every process encodes every photo itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from ..core.device import describe_device
from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingError
from ..model.encoders import describe
from ..model.hybrid import HybridConfig
from ..model.model_file import read_model_file, save_model
from ..model.networks import build_network
from ..model.presets import get_preset
from .data import balanced_rows, list_photo_files, repeat_views, split_photos, validation_split
from .feature_cache import bin_centres, encoded_rows
from .loop import Progress, TrainConfig, run
from .outputs import checkpoint_path
from .pipeline import Stage, TrainResult, plain, scan_training_photos
from .semantic import CachedFeatures, SemanticObjective, SemanticTask, Source
from .settings import DEFAULT_SCENES_STEPS, TrainSettings
from .stream import PhotoStream, StreamedPhotos

COSINE_FLOOR = 0.02  # what the shipped scenes models were trained with


def start_from(model, path: Path, preset: str, tune_top: bool, whole: bool = False) -> None:
    """--init: the decoder (and, with --tune-top, the encoder's top stages; with
    --unfreeze-encoder, all of it) from a model file. The rest of the encoder stays the
    pretrained one, whose cached stride-16 features the top stages start from."""
    start = read_model_file(path)
    top = list(model.encoder.top_blocks())
    tops = tuple(f"{name}." for name, m in model.named_modules() if any(m is b for b in top))
    keep = {
        k: v.float() if v.is_floating_point() else v
        for k, v in start.state_dict.items()
        if not k.startswith("encoder.") or whole or (tune_top and k.startswith(tops))
    }
    try:
        if start.preset != preset:
            raise ValueError(f"it is a {start.preset} model")
        if start.config.members:
            raise ValueError("it is an ensemble of models; start from one of its members")
        missing, unexpected = model.load_state_dict(keep, strict=False)
        if unexpected or any(not k.startswith("encoder.") for k in missing):
            raise ValueError(f"its layers differ: {(unexpected or missing)[0]}")
    except (ValueError, RuntimeError) as exc:
        raise TrainingError(
            f"{path}: cannot start from it ({str(exc).splitlines()[0]}); --init needs a "
            f"model of the {preset} preset with the same options"
        ) from None


def network_config(st: TrainSettings) -> tuple[HybridConfig, str]:
    """The preset's network with the options' changes, and the objective; refuses a mix of
    options that cannot train."""
    preset = get_preset(st.preset)
    config = HybridConfig.from_dict(preset.config.to_dict())
    if st.head:
        config.head = st.head
    if st.encoder:
        config.encoder = st.encoder
    if not st.class_vector:
        config.fuse_classes = False
    loss = st.loss or ("bins" if config.head == "bins" else "psnr")
    if (loss == "bins") != (config.head == "bins"):
        raise TrainingError(
            f"preset {preset.name} has the {config.head} head: --loss bins goes "
            "with a bins head, mse/vivid/psnr with an ab head"
        )
    if st.fusion_dropout is not None:
        config.fusion_dropout = st.fusion_dropout
    if st.repeat_views and not st.balance:
        raise TrainingError(
            "--repeat-views makes views of the repeats --balance adds; without --balance "
            "there are none: add --balance 3 (or another most-repeats number)"
        )
    if st.stream and (st.repeat_views or st.cache):
        raise TrainingError(
            "--stream reads every photo from its file in every epoch: it keeps no feature "
            "cache (--cache) and makes no views (--repeat-views); leave those out"
        )
    if st.unfreeze_encoder and not st.stream:
        raise TrainingError(
            "--unfreeze-encoder trains the encoder whose outputs the feature cache holds: "
            "add --stream (best on a GPU)"
        )
    size = int(round(st.size / 32)) * 32
    if size < 64:
        raise TrainingError("--size must be at least 64 for a pretrained encoder")
    config.inference_size = size
    return config, loss


def train_scenes(
    st: TrainSettings,
    group: Group = SINGLE,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_status: Callable[[str], None] | None = None,
    stage: Stage = plain,
) -> TrainResult:
    preset = get_preset(st.preset)
    config, loss = network_config(st)
    size = config.inference_size
    status = on_status or (lambda _msg: None)
    device = group.device(st.device)
    torch.manual_seed(st.seed)
    # Started whole from --init (encoder too), the ImageNet weights would be overwritten at once:
    # not reading them lets the run go where their packages are not installed (a GPU machine).
    whole_from_init = bool(st.init and st.unfreeze_encoder)
    model = build_network(config, pretrained_backbones=not whole_from_init).to(device)
    report = None
    if st.stream:
        files = list_photo_files(st.data, st.split_by, st.limit, st.per_folder)
        file_pool, file_test = split_photos(files)
        train_files, val_files = validation_split(file_pool)
        n_test = len(file_test)
        rows = balanced_rows(train_files, st.data, st.balance)
        n_train, n_val, n_photos, views = len(train_files), len(val_files), len(train_files), ""
        if st.init:
            start_from(model, Path(st.init), preset.name, st.tune_top, st.unfreeze_encoder)
        centres = bin_centres(model)
        learnt = PhotoStream(train_files, size, centres, st.min_colorfulness, mirror_seed=st.seed)
        shown = PhotoStream(val_files, size, centres, st.min_colorfulness)  # never mirrored
        cuda = device.type == "cuda"
        train_src: Source = StreamedPhotos(learnt, rows, st.workers, pin=cuda)
        val_src: Source | None = StreamedPhotos(shown, list(range(n_val)), st.workers, pin=cuda)
    else:
        report = scan_training_photos(
            st.data, size, st.min_colorfulness, st.split_by, st.limit, st.per_folder,
            stage if group.is_main else plain, status,
        )  # fmt: skip
        pool, test = split_photos(report.usable)
        train_photos, val_photos = validation_split(pool)
        if not train_photos:  # an IndexError deep in the encoding before (a review)
            raise TrainingError(
                f"{', '.join(map(str, st.data))}: no photos to learn from ({report.summary()}; "
                f"{len(test)} held out for testing); give a folder of more colour photos"
            )
        n_test = len(test)
        train_rows = balanced_rows(train_photos, st.data, st.balance)
        n_photos = len(train_photos)
        if st.repeat_views:
            train_photos, train_rows = repeat_views(train_photos, train_rows, size, st.seed)
        n_train, n_val = len(train_photos), len(val_photos)
        views = f", {n_train - n_photos} of them views" if st.repeat_views else ""
        cache = Path(st.cache) if st.cache else None

        def encode(cb):
            return encoded_rows(
                model, train_photos + val_photos, size, cache, on_progress=cb,
                should_stop=should_stop,
            )  # fmt: skip

        if group.active and cache is not None:
            # The first process writes the cache; the others then find every photo in it.
            encoded = stage("encode", encode) if group.is_main else None
            group.barrier()
            data, where = encoded if encoded is not None else encode(None)
        else:
            data, where = stage("encode", encode) if group.is_main else encode(None)
        if st.init:  # after encoding: the cache is keyed by the pretrained encoder's weights
            start_from(model, Path(st.init), preset.name, st.tune_top)
        # Rows of the encoded set (each photo once), not of the photo lists.
        rows = [where[r] for r in train_rows]
        train_src = CachedFeatures(data, rows)
        val_src = CachedFeatures(data, [where[n_train + i] for i in range(n_val)])
    status(
        f"Split: {n_photos} training photos ({len(rows)} with repeats{views}), "
        f"{n_val} validation, {n_test} held out for testing"
    )
    out = Path(st.output)
    steps = st.steps if st.steps is not None or st.epochs is not None else DEFAULT_SCENES_STEPS
    tc = TrainConfig(
        epochs=st.epochs,
        max_steps=steps,
        batch_size=st.batch_size,
        lr=st.lr,
        loss=loss,
        schedule=st.schedule,
        cosine_floor=COSINE_FLOOR,
        device=str(device),
        seed=st.seed,
        num_workers=st.workers,
        checkpoint=checkpoint_path(out),
        checkpoint_every=st.checkpoint_every,
        resume=st.resume,
        eval_every=st.eval_every,
        keep_best=True,
        preset=preset.name,
    )
    objective = SemanticObjective(
        loss=loss,
        psnr_weight=st.psnr_weight,
        cf_weight=st.cf_weight or 0.0,
        rebalance_mix=st.rebalance,
        tune_top=st.tune_top,
        top_lr=st.top_lr,
        unfreeze_encoder=st.unfreeze_encoder,
        encoder_lr=st.encoder_lr,
    )
    where_run = describe_device(device) + (f" x {group.world} processes" if group.active else "")
    source = "photos streamed" if st.stream else "cached features"
    status(
        f"Training preset {preset.name} ({loss}, {source}) on {where_run}; "
        f"checkpoint {tc.checkpoint}"
    )
    task = SemanticTask(model, train_src, val_src if n_val else None, objective, st.lr)
    history = run(task, tc, on_progress, should_stop, group)
    result = TrainResult(None, history, report, n_photos, n_test)
    if not group.is_main:
        return result
    best = max(history.val, key=lambda m: m["psnr"]) if history.val else {}
    tuned = "whole" if st.unfreeze_encoder else "top" if st.tune_top else ""
    metadata = {
        "trained": True,
        "description": describe(config.encoder, tuned, config.fuse_classes, config.head),
        "data": [str(d) for d in st.data],
        "images": {
            "train": n_photos,
            "validation": n_val,
            "held_out": n_test,
            "gray_left_out": len(report.gray) if report else None,
            "unreadable": len(report.unreadable) if report else None,
        },
        "split_by": st.split_by,
        "steps": history.step,
        "epochs": st.epochs,
        "best_step": best.get("step"),
        "size": size,
        "batch": st.batch_size,
        "lr": st.lr,
        "loss": loss,
        "head": config.head,
        "encoder": config.encoder,
        "class_vector": config.fuse_classes,
        "psnr_weight": st.psnr_weight if loss == "bins" else None,
        "cf_weight": objective.cf_weight,
        "rebalance": st.rebalance if loss == "bins" else None,
        "tuned_encoder_top": st.tune_top,
        "top_lr": st.top_lr if st.tune_top else None,
        "streamed": st.stream,
        "unfrozen_encoder": st.unfreeze_encoder,
        "encoder_lr": st.encoder_lr if st.unfreeze_encoder else None,
        "init": str(st.init) if st.init else None,
        "schedule": st.schedule,
        "balance_max_repeat": st.balance,
        "repeat_views": st.repeat_views,
        "seed": st.seed,
        "device": describe_device(device),
        "processes": group.world,
        "seconds": round(history.seconds, 1),
        "val": best,
        "command": st.command,
        "stopped_early": history.stopped,
    }
    result.path = save_model(model, out, preset.name, metadata, half=st.half)
    if best:
        result.scores = (
            f"; best validation PSNR {best['psnr']:.2f} dB at step {best['step']} "
            f"(gray {best['gray_psnr']:.2f}), colourfulness {best['colorfulness']:.1f}"
        )
    return result
