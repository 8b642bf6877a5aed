"""`colorizer train` and `colorizer finetune`: their options as the one settings shape of
training/settings.py, handed to training.train and training.finetune, with progress bars."""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import fields
from pathlib import Path

from ..training.outputs import checkpoint_path
from ..training.settings import (
    DEFAULT_CF_WEIGHT,
    DEFAULT_EPOCHS,
    DEFAULT_MIN_COLORFULNESS,
    DEFAULT_SCENES_STEPS,
    ENCODERS,
    LOSSES,
    MAX_FINETUNE_LR,
    SPLIT_MODES,
    FinetuneSettings,
    TrainSettings,
    defaults,
)
from .console import StopFlag, fail, progress_printer, report_written, with_bar


def output_refused(output: Path, resume: bool, overwrite: bool, init: Path | None = None) -> str:
    """Why a run must not start, before any photo is read ("" when it may): a built-in model's
    file, a folder, an existing model or an earlier run's checkpoint without --overwrite,
    --resume with nothing to resume, an --init that is not a model file."""
    from ..core.builtin_files import check_not_builtin
    from ..training.outputs import output_problem

    check_not_builtin(output)  # a ModelError, said as the command's error
    problem = output_problem(output, resume, overwrite)
    if problem:
        return problem
    if init is not None and not init.is_file():
        return f"--init {init}: no such model file"
    if init is not None:
        from ..engine.catalog import open_model

        open_model(init)  # not a model file: said now, not after the encoding
    return ""


def training_size(text: str) -> int:
    """--size: the networks halve a crop three times, so it is a multiple of 8 (100 crashed the
    paper presets after the whole scan: 'Sizes of tensors must match ... 26 ... 25')."""
    size = int(text)
    if size < 32 or size % 8:
        near = max(32, round(size / 8) * 8)
        raise argparse.ArgumentTypeError(f"{size}: use a multiple of 8 from 32, e.g. {near}")
    return size


def _at_least(low: int):
    def number(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"{value}: at least {low}")
        return value

    number.__name__ = "a whole number"  # argparse's "invalid <name> value" for "abc"
    return number


OVERWRITE_FLAG = "--overwrite"
OVERWRITE_HELP = "replace MODEL if it exists, and start afresh over an earlier run's checkpoint"


def train_settings(args: argparse.Namespace) -> TrainSettings:
    """The train command's options as the one settings shape (each option's dest is the field's
    name)."""
    given = {
        f.name: getattr(args, f.name)
        for f in fields(TrainSettings)
        if hasattr(args, f.name) and f.name != "command"  # `command`: the subcommand's name
    }
    for name in ("data", "output", "cache", "init"):
        value = given[name]
        if value is not None:
            given[name] = [Path(d) for d in value] if name == "data" else Path(value)
    return TrainSettings(**given, command="colorizer " + shlex.join(sys.argv[1:]))


def cmd_train(args: argparse.Namespace) -> int:
    from ..core.distributed import join_from_environment, leave
    from ..core.errors import TrainingError

    settings = train_settings(args)
    refused = output_refused(settings.output, settings.resume, args.overwrite, settings.init)
    if refused:
        return fail(refused)
    group = join_from_environment()
    try:
        return _train(settings, group)
    except RuntimeError as exc:
        if not group.active or isinstance(exc, TrainingError):
            raise
        # A peer that died takes the collective operations down with it.
        raise TrainingError(
            f"process {group.rank} of {group.world}: the run stopped because another process "
            f"did ({exc}); see that process's messages above; the last good checkpoint is "
            f"{checkpoint_path(settings.output)} (--resume continues it, with any number "
            "of processes)"
        ) from exc
    finally:
        leave(group)


def _train(settings: TrainSettings, group) -> int:
    """Run training/train.py's pipeline with bars; only the first process of a torchrun group
    speaks."""
    from ..training.train import train

    batch = settings.batch_size
    main = group.is_main
    if group.active and main:
        print(
            f"world size {group.world} ({group.backend}); --batch {batch} is the global "
            f"batch, about {batch // group.world} per process",
            file=sys.stderr,
        )
    stop = StopFlag()
    stop.install(quiet=not main)
    result = train(
        settings,
        group,
        on_progress=progress_printer("train"),
        should_stop=stop,
        on_status=(lambda msg: print(msg, file=sys.stderr)) if main else None,
        stage=(lambda label, work: with_bar(label, work, main)),
    )
    if result.path is None:
        return 0  # not the first process: it wrote nothing and says nothing
    report_written(result.path, result.history, result.scores)
    return 0


def add_data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--split-by",
        choices=SPLIT_MODES,
        default=SPLIT_MODES[0],
        help="hash files, or whole subfolders (one identity per folder, as in LFW)",
    )
    p.add_argument(
        "--min-colorfulness",
        type=float,
        default=DEFAULT_MIN_COLORFULNESS,
        help=f"leave out photos less colourful than this (default {DEFAULT_MIN_COLORFULNESS:g})",
    )
    p.add_argument("--limit", type=int, help="use at most this many photos (a fixed subset)")
    p.add_argument(
        "--per-folder",
        type=int,
        metavar="N",
        help="use at most N photos of each subfolder (e.g. one per LFW identity)",
    )
    p.add_argument("--device", default="auto")
    p.add_argument("--workers", type=_at_least(0), default=0, help="DataLoader worker processes")


def add_train_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model on folders of colour photos")
    p.add_argument("data", nargs="+", metavar="DATA", help="folders of colour photos")
    t = defaults(TrainSettings)  # the one place they live
    p.add_argument("--preset", default=t["preset"])
    p.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file to write")
    p.add_argument(
        "--epochs",
        type=_at_least(1),
        default=t["epochs"],
        help=f"passes over the photos (default: as many as --steps takes; without --steps, "
        f"{DEFAULT_EPOCHS} for a paper-style preset)",
    )
    p.add_argument(
        "--steps",
        type=_at_least(1),
        help="stop after this many steps (a step is a global batch; default: scenes-type "
        f"presets {DEFAULT_SCENES_STEPS} unless --epochs is given, others none)",
    )
    p.add_argument(
        "--size",
        type=training_size,
        default=t["size"],
        help=f"training crop size, a multiple of 8 (default {t['size']})",
    )
    p.add_argument(
        "--batch",
        dest="batch_size",
        type=_at_least(1),
        default=t["batch_size"],
        help=f"photos per step (default {t['batch_size']}); under torchrun the global batch, "
        "split across the processes",
    )
    p.add_argument("--lr", type=float, default=t["lr"])
    p.add_argument(
        "--loss",
        choices=[*LOSSES, "bins"],
        default=None,
        help="mse: the paper's (default); vivid: keeps colour alive; psnr: each "
        "photo's log error, as PSNR scores; bins: classification over ab bins with "
        "rebalancing plus --psnr-weight x psnr (the default of a bins preset, e.g. "
        "scenes)",
    )
    p.add_argument(
        "--psnr-weight",
        type=float,
        default=t["psnr_weight"],
        metavar="W",
        help="bins: weight of the decoded colour's per-photo log error (default 0.5)",
    )
    p.add_argument(
        "--rebalance",
        type=float,
        default=t["rebalance"],
        metavar="LAMBDA",
        help="bins: mix of the uniform distribution in the colour rebalancing "
        "(Zhang et al.'s lambda, default 0.5; 1 turns it off)",
    )
    p.add_argument(
        "--head",
        choices=["ab", "bins"],
        help="pretrained-encoder presets: predict ab directly or as a distribution over ab bins "
        "(default: the preset's)",
    )
    p.add_argument(
        "--encoder",
        choices=list(ENCODERS),
        help="pretrained-encoder presets: which EfficientNet-Lite (default: the preset's, "
        "Lite0; Lite2 is larger and more accurate on ImageNet)",
    )
    p.add_argument(
        "--no-class-vector",
        dest="class_vector",
        action="store_false",
        help="pretrained-encoder presets: do not fuse the class vector (the paper's ablation)",
    )
    p.add_argument(
        "--eval-every",
        type=int,
        default=t["eval_every"],
        help="scenes-type presets: score the held-out photos every N steps and keep "
        "the best model (default 500)",
    )
    p.add_argument(
        "--cf-weight",
        type=float,
        metavar="W",
        help="weight of the colourfulness-shortfall term (vivid, psnr; default "
        + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_CF_WEIGHT.items())
        + ")",
    )
    p.add_argument(
        "--schedule",
        choices=["constant", "cosine"],
        default=t["schedule"],
        help="learning rate: constant (the paper) or cosine decay",
    )
    p.add_argument("--resume", action="store_true", help="continue from MODEL's .ckpt")
    p.add_argument(OVERWRITE_FLAG, action="store_true", help=OVERWRITE_HELP)
    p.add_argument("--seed", type=int, default=t["seed"])
    p.add_argument("--checkpoint-every", type=int, default=t["checkpoint_every"])
    p.add_argument("--cache", help="folder for the classifiers' cached outputs")
    p.add_argument(
        "--balance",
        type=int,
        nargs="?",
        const=8,
        default=0,
        metavar="MAX_REPEAT",
        help="weigh each DATA folder about equally by repeating the smaller ones, "
        "each at most MAX_REPEAT times (default 8)",
    )
    p.add_argument(
        "--repeat-views",
        action="store_true",
        help="pretrained-encoder presets: each repeat --balance makes is a view of its own (a "
        "random crop, half of them mirrored), encoded once and cached, instead of the same "
        "photo again",
    )
    p.add_argument(
        "--fusion-dropout",
        type=float,
        metavar="P",
        help="dropout on the fused class vector while training (default: preset's)",
    )
    p.add_argument(
        "--tune-top",
        action="store_true",
        help="scenes-type presets: also train the pretrained encoder's stride-32 stages "
        "(at --top-lr; the rest of it stays frozen)",
    )
    p.add_argument(
        "--top-lr",
        type=float,
        default=t["top_lr"],
        help="learning rate of the tuned encoder stages (default 1e-4)",
    )
    p.add_argument(
        "--init",
        metavar="MODEL",
        help="scenes-type presets: start from this model file's weights (same preset), "
        "e.g. to tune a trained model's encoder",
    )
    p.add_argument(
        "--stream",
        action="store_true",
        help="scenes-type presets: no feature cache; every photo is decoded and encoded in "
        "every step (DataLoader --workers): for GPUs and data too large to cache",
    )
    p.add_argument(
        "--unfreeze-encoder",
        action="store_true",
        help="with --stream: train the whole pretrained encoder too, at --encoder-lr",
    )
    p.add_argument(
        "--encoder-lr",
        type=float,
        default=t["encoder_lr"],
        help=f"learning rate of the unfrozen encoder (default {t['encoder_lr']:g})",
    )
    p.add_argument("--half", action="store_true", help="store weights as float16 (half size)")
    add_data_options(p)
    p.set_defaults(func=cmd_train)


def cmd_finetune(args: argparse.Namespace) -> int:
    from ..core.distributed import join_from_environment, leave
    from ..training.finetune import finetune

    refused = output_refused(Path(args.output), args.resume, args.overwrite)
    if refused:
        return fail(refused)
    group = join_from_environment()
    main = group.is_main
    stop = StopFlag()
    stop.install(quiet=not main)
    if group.active and main:
        print(f"world size {group.world} ({group.backend})", file=sys.stderr)
    settings = FinetuneSettings(
        base=args.base,
        folders=[Path(d) for d in args.data],
        output=Path(args.output),
        steps=args.steps,
        lr=args.lr,
        size=args.size,
        batch_size=args.batch,
        freeze_encoder=args.freeze_encoder,
        device=args.device,
        loss=args.loss,
        resume=args.resume,
        split_by=args.split_by,
        exclude_test_quarter=args.exclude_test_quarter,
        keep_anyway=args.keep_anyway,
    )
    try:
        result = finetune(
            settings,
            on_progress=progress_printer("finetune"),
            should_stop=stop,
            on_status=(lambda msg: print(msg, file=sys.stderr)) if main else None,
            group=group,
        )
    finally:
        leave(group)
    if not main:
        return 0
    print(
        f"Photos: {result.report.summary()}; trained on {result.train_count}, "
        f"held out {result.held_out_count}",
        file=sys.stderr,
    )
    if result.path is None:
        print(
            f"Fine-tuning for {result.history.step} steps: {result.summary()}. Try more photos, "
            "fewer steps or a smaller --lr; --keep-anyway saves the trained model regardless.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Wrote {result.path} after {result.history.step} steps: {result.summary()}",
        file=sys.stderr,
    )
    return 0


def _finetune_lr(text: str) -> float:
    lr = float(text)  # not a number: argparse's own message
    if not 0 < lr <= MAX_FINETUNE_LR:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range: fine-tuning takes a learning rate above 0 and at most "
            f"{MAX_FINETUNE_LR:g} (a higher one undoes what the model learned)"
        )
    return lr


def add_finetune_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("finetune", help="fine-tune a model on your own colour photos")
    p.add_argument("data", nargs="+", metavar="DATA", help="folders of your colour photos")
    p.add_argument(
        "--from",
        dest="base",
        default="default",
        metavar="MODEL",
        help="model to start from (name or file; default: default)",
    )
    p.add_argument("-o", "--output", required=True, metavar="MODEL", help="new model file")
    d = defaults(FinetuneSettings)  # the one place they live
    p.add_argument("--steps", type=_at_least(1), default=d["steps"])
    p.add_argument("--lr", type=_finetune_lr, default=d["lr"], help=f"at most {MAX_FINETUNE_LR:g}")
    p.add_argument("--size", type=training_size, default=d["size"], help="a multiple of 8")
    p.add_argument(
        "--batch",
        type=_at_least(1),
        default=d["batch_size"],
        help=f"photos per step (default {d['batch_size']}); under torchrun the global batch, "
        "split across the processes",
    )
    p.add_argument(
        "--loss",
        choices=LOSSES,
        default=None,
        help="objective (default: the one the starting model was trained with)",
    )
    p.add_argument(
        "--keep-anyway",
        action="store_true",
        help="save the trained model even if it does not beat the starting model on the "
        "held-out photos (by default nothing is saved then, and the exit code is 1)",
    )
    p.add_argument("--freeze-encoder", action="store_true", help="train the decoder only")
    p.add_argument("--split-by", choices=SPLIT_MODES, default=d["split_by"])
    p.add_argument(
        "--exclude-test-quarter",
        action="store_true",
        help="leave out the quarter `colorizer train` holds out for evaluation",
    )
    p.add_argument("--resume", action="store_true", help="continue from MODEL's .ckpt")
    p.add_argument(OVERWRITE_FLAG, action="store_true", help=OVERWRITE_HELP)
    p.add_argument("--device", default="auto")
    p.set_defaults(func=cmd_finetune)
