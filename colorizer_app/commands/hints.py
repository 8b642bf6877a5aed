"""`colorizer train-hints`: a hint-taking model (issue 27) made from a shipped one, on a cache of
the frozen encoder's features (training/hint_train.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .console import StopFlag, progress_printer, report_written


def _pins_scores(p) -> str:
    """A held-out evaluation of a hint model: PSNR with no pins and with 10."""
    val = p.val
    return (
        f"step {val['step']}: held out {val['psnr_0']:.2f} dB with no pins, "
        f"{val['psnr_10']:.2f} with 10"
    )


def kept_evaluation(evaluations: list[dict]) -> dict:
    """The evaluation of the weights the run wrote: the best by the hint task's score (the most
    PSNR with 10 pins, none below the start without pins; the first of equals), else the last.
    It printed the last evaluation's ("12.02 with 10") for a file that scores 15.86 (a review)."""
    good = [v for v in evaluations if not v.get("below_start")]
    if not good:
        return evaluations[-1] if evaluations else {}
    return max(good, key=lambda v: v["psnr_10"])


def cmd_train_hints(args: argparse.Namespace) -> int:
    from ..training.hint_train import HintTrainConfig, build_cache, train_hint_model

    if args.step == "cache":
        build_cache(args.cache, args.folders, args.limit, args.size, args.base)
        print(f"Wrote the cache in {args.cache}", file=sys.stderr)
        return 0
    config = HintTrainConfig(
        steps=args.steps,
        batch_size=args.batch,
        lr=args.lr,
        decoder_lr=args.decoder_lr,
        few_pins_share=args.few_pins,
        psnr_weight=args.psnr_weight,
        rebalance_mix=args.rebalance_mix,
        companion=args.companion,
        eval_every=args.eval_every,
        resume=args.resume,
    )
    stop = StopFlag()
    stop.install()
    history = train_hint_model(
        args.cache,
        args.output,
        config,
        args.base,
        stop,
        progress_printer("train-hints", _pins_scores, epochs=False),
        init=args.init,
        features=args.features,
        exclude=args.exclude,
    )
    last = kept_evaluation(history.val)
    scores = (
        f"; held out: {last['psnr_0']:.2f} dB with no pins, {last['psnr_10']:.2f} with 10"
        if last
        else ""
    )
    report_written(args.output, history, scores)
    return 1 if history.stopped else 0


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _at_least_zero(text: str) -> float:
    value = float(text)
    if not value >= 0.0:
        raise argparse.ArgumentTypeError(f"{text} is below 0")
    return value


def add_train_hints_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train-hints", help="teach a scenes model to take colour pins as input (a hint model)"
    )
    steps = p.add_subparsers(dest="step", required=True, metavar="STEP")
    c = steps.add_parser("cache", help="encode the training quarter of the folders once")
    c.add_argument("cache", type=Path, help="folder for train.pt and val.pt")
    c.add_argument("folders", type=Path, nargs="+", help="folders of colour photos")
    c.add_argument("--limit", type=int, default=None, help="at most this many per folder")
    c.add_argument("--size", type=int, default=224, help="the square side the encoder sees")
    c.add_argument("--base", default="default", help="the model to start from")
    t = steps.add_parser("train", help="train the hint encoder on the cache")
    t.add_argument("cache", type=Path, help="the folder `cache` wrote")
    t.add_argument("-o", "--output", type=Path, required=True, help="the hint model to write")
    t.add_argument("--base", default="default", help="the model to start from (the cache's)")
    t.add_argument("--steps", type=int, default=2000)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=1e-3, help="the hint encoder's learning rate")
    t.add_argument(
        "--decoder-lr",
        type=float,
        default=0.0,
        help="the decoder's (0: it stays as it was, so no pins colour exactly as the base)",
    )
    t.add_argument(
        "--few-pins",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of training photos given exactly one or two pins (the rest many)",
    )
    t.add_argument(
        "--psnr-weight",
        type=_at_least_zero,
        default=0.5,
        help="weight of the PSNR term beside the bins' cross-entropy (pins call for accuracy)",
    )
    t.add_argument(
        "--rebalance-mix",
        type=_share,
        default=0.5,
        help="Zhang et al.'s rare-colour weighting: 1 is none (every bin alike)",
    )
    t.add_argument(
        "--companion",
        action="store_true",
        help="the model only answers its base's pins (a built-in companion): its colour "
        "without pins need not stay the base's (with --decoder-lr)",
    )
    t.add_argument(
        "--features",
        type=Path,
        help="train on this feature cache of `colorizer train --cache` (same encoder and "
        "size, read mapped) instead of CACHE/train.pt; CACHE's held-out photos are left out",
    )
    t.add_argument(
        "--exclude",
        type=Path,
        nargs="+",
        default=[],
        metavar="FOLDER",
        help="with --features: leave out these folders' photos (those an evaluation scores)",
    )
    t.add_argument("--init", type=Path, help="go on from this earlier hint model's weights")
    t.add_argument("--eval-every", type=int, default=250, help="steps between held-out scores")
    t.add_argument("--resume", action="store_true", help="continue from OUTPUT.ckpt")
    p.set_defaults(func=cmd_train_hints)
    c.set_defaults(func=cmd_train_hints)
    t.set_defaults(func=cmd_train_hints)
