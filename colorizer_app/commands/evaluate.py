"""`colorizer evaluate`: score models against the gray baseline, as the anchors' Table 1."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..training.settings import DEFAULT_MIN_COLORFULNESS, SPLIT_MODES
from .console import with_bar


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..engine.catalog import resolve_model
    from ..engine.colorizer import Colorizer
    from ..training.data import scan_folders, split_photos, validation_split
    from ..training.evaluate import evaluate, markdown_table, write_csv, write_grid

    if args.grid and Path(args.grid).suffix.lower() not in GRID_SUFFIXES:
        # Said before an hour of scoring, not as a crash after it (a review: --grid g.pdf).
        print(
            f"--grid {args.grid}: a grid is written as "
            + ", ".join(GRID_SUFFIXES)
            + "; end its name in one of those",
            file=sys.stderr,
        )
        return 2
    entries = [resolve_model(m) for m in args.model]
    labels = unique_labels([Path(e.path) for e in entries], [e.name for e in entries])
    how = (f" @{args.render_size}px" if args.render_size else "") + (
        "" if args.upsample == "guided" else f" ({args.upsample})"
    )
    colorizers = {
        label + how: Colorizer(
            m, device=args.device, render_size=args.render_size, upsample=args.upsample
        )
        for label, m in zip(labels, args.model, strict=True)
    }
    csv_rows = []
    folder_labels = dict(zip(args.data, unique_labels([Path(f) for f in args.data]), strict=True))
    for folder in args.data:
        report = with_bar(
            f"scan {Path(folder).name}",
            lambda cb, f=folder: scan_folders(
                [Path(f)],
                keep_side=256,
                min_colorfulness=args.min_colorfulness,
                split_by=args.split_by,
                on_progress=cb,
            ),
        )
        photos = report.usable
        if args.split == "test":
            photos = split_photos(photos)[1]
        elif args.split == "validation":
            photos = validation_split(split_photos(photos)[0])[1]
        if args.limit:
            photos = photos[: args.limit]
        if not photos:
            print(f"{folder}: no colour photos to evaluate", file=sys.stderr)
            continue
        if args.hints is not None:
            csv_rows.extend(_hint_curves(args, colorizers, photos, folder))
            continue
        result = with_bar(
            f"evaluate {Path(folder).name}",
            lambda cb, p=photos: evaluate(colorizers, p, on_progress=cb),
        )
        name = (
            Path(folder).name
            + {"test": " (held-out quarter)", "validation": " (validation)", "all": ""}[args.split]
        )
        print(markdown_table(result, name))
        csv_rows.append((name, result))
        if args.grid:
            grid = Path(args.grid)
            if len(args.data) > 1:
                grid = grid.with_name(f"{grid.stem}-{folder_labels[folder]}{grid.suffix}")
            write_grid(result, grid)
            print(f"Grid: {grid}", file=sys.stderr)
        if args.csv:
            path = Path(args.csv)
            if len(args.data) > 1:
                path = path.with_name(f"{path.stem}-{folder_labels[folder]}{path.suffix or '.csv'}")
            write_csv(result, path, name)
            print(f"CSV: {path}", file=sys.stderr)
    return 0 if csv_rows else 1


GRID_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def unique_labels(paths: list[Path], names: list[str] | None = None) -> list[str]:
    """A label for each path (`names`, else its name), with its folders' names before it where
    two would be alike: two models named model.pt in runs/a and runs/b were scored as one, and
    two data folders named test wrote one grid and one CSV over the other (a review)."""
    base = names if names is not None else [p.name for p in paths]
    labels = list(base)
    for depth in (1, 2, 3):
        alike = {n for n in labels if labels.count(n) > 1}
        if not alike:
            return labels
        labels = [
            "-".join((*p.resolve().parts[-depth - 1 : -1], b)) if n in alike else n
            for p, b, n in zip(paths, base, labels, strict=True)
        ]
    return [f"{n}-{i + 1}" if labels.count(n) > 1 else n for i, n in enumerate(labels)]


def _hint_curves(args, colorizers, photos, folder) -> list:
    from ..training.hint_eval import hint_curve, markdown_curve

    curves = []
    for name, colorizer in colorizers.items():
        curve = with_bar(
            f"hints {Path(folder).name}",
            lambda cb, c=colorizer: hint_curve(c, photos, args.hints, on_progress=cb),
        )
        method = "hint network and propagation" if colorizer.takes_hints else "propagation"
        print(markdown_curve(curve, f"{Path(folder).name} ({args.split}), {name}, {method}"))
        curves.append(curve)
    return curves


def _counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list like 0,1,5,10,20") from None
    if any(c < 0 for c in counts):
        raise argparse.ArgumentTypeError("hint counts cannot be negative")
    return counts


def add_evaluate_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="score models against the gray baseline (Table 1 style)")
    p.add_argument("data", nargs="+", metavar="DATA", help="folders of colour photos")
    p.add_argument("--model", action="append", required=True, help="model name or file; repeat")
    p.add_argument(
        "--split",
        choices=["all", "test", "validation"],
        default="all",
        help="all photos, the held-out quarter that training leaves out (test), or the "
        "tenth of the rest that scenes-type training chooses its step on",
    )
    p.add_argument("--split-by", choices=SPLIT_MODES, default=SPLIT_MODES[0])
    p.add_argument("--min-colorfulness", type=float, default=DEFAULT_MIN_COLORFULNESS)
    p.add_argument("--limit", type=int)
    p.add_argument("--csv", help="write the scores as CSV here")
    p.add_argument("--grid", help="write a picture grid (input | models | truth) here")
    p.add_argument(
        "--render-size",
        type=int,
        metavar="PX",
        help="longest side of the copy the network sees (default: the model's own)",
    )
    p.add_argument(
        "--upsample",
        choices=["guided", "bilinear"],
        default="guided",
        help="how the network's colour is brought to the photo's size",
    )
    p.add_argument(
        "--hints",
        type=_counts,
        metavar="COUNTS",
        help="score colour hints instead: PSNR with this many hints per photo, sampled from the "
        "truth (e.g. 0,1,5,10,20)",
    )
    p.add_argument("--device", default="auto")
    p.set_defaults(func=cmd_evaluate)
