"""`colorizer colorize` and `colorizer restore`: photos and folders in, colorized (or repaired)
copies out, one line per photo; the batch itself is engine.batch's."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from ..core.fileio import COLORIZED_SUFFIX
from ..core.formats import OUTPUT_FORMATS  # not engine.batch: building the parser stays light
from ..core.wording import photos
from .console import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, ProgressBar, fail, printable

# Twice the app's slider: beyond it every colour is clipped to the gamut's edge.
MAX_SATURATION = 4.0


# ---- the commands -------------------------------------------------------------------------------


def cmd_colorize(args: argparse.Namespace) -> int:
    from ..core.distributed import join_from_environment, leave

    group = join_from_environment()  # under torchrun: this process's share of the photos
    try:
        return _colorize(args, group)
    finally:
        leave(group)


def _colorize(args: argparse.Namespace, group) -> int:
    from ..core.hints import HintError
    from ..core.photo_files import COPY_ENDINGS, left_out_line
    from ..engine.batch import plan_jobs, run_jobs, suffix_problem
    from ..engine.colorizer import Colorizer

    problem = suffix_problem(args.suffix)  # before anything is read or written
    if problem:
        return fail(f"--suffix {args.suffix!r}: {problem}")
    restoring = _restore_options(args)
    if isinstance(restoring, str):
        return fail(restoring)
    missing = [p for p in args.inputs if not Path(p).exists()]
    for p in missing:
        print(f"{p}: not found; check the path", file=sys.stderr)
    existing = [Path(p) for p in args.inputs if Path(p).exists()]
    out_dir = Path(args.output) if args.output else None
    if out_dir is not None:
        from ..core.fileio import cannot_write_in

        # Before any photo is read: a trial's -o naming a file coloured all 30 scans, then
        # failed each one ("cannot write in outfile/box2 (Not a directory)").
        problem = cannot_write_in(out_dir)
        if problem:
            return fail(f"-o {out_dir}: {problem}; choose a folder that can be written")
    left_out: list[Path] = []
    in_output: list[Path] = []
    jobs = plan_jobs(existing, out_dir, args.suffix, args.format, left_out, in_output)
    if left_out and group.is_main:
        line = left_out_line(left_out, (args.suffix, *COPY_ENDINGS),
                             "give it by name to include it",
                             "give them by name to include them")  # fmt: skip
        print(printable(line), file=sys.stderr)
    if in_output and group.is_main:
        what, them = (
            (in_output[0].name, "it")
            if len(in_output) == 1
            else (f"{photos(len(in_output))} (e.g. {in_output[0].name})", "them")
        )
        print(printable(f"Left out {what} in {out_dir}, the output folder: give {them} by name "
                        f"to include {them}"), file=sys.stderr)  # fmt: skip
    if not jobs:
        return fail("no photos found in " + ", ".join(args.inputs)) if not missing else EXIT_USAGE
    if args.render_size is not None and not 64 <= args.render_size <= 2048:
        return fail("--render-size must be from 64 to 2048 pixels")
    if args.hints is not None:
        problem = _attach_hints(jobs, Path(args.hints))
        if problem:
            return fail(problem)
    # Every process plans the same jobs (names and collisions settled for the whole run), then
    # takes every world-th one: each photo exactly once, whatever the timing.
    all_jobs, jobs = jobs, group.share(jobs)
    device = str(group.device(args.device)) if group.active else args.device
    colorizer = (
        None
        if args.command == "restore"
        else Colorizer(args.model, device=device, render_size=args.render_size)
    )
    main = group.is_main
    if main and colorizer is not None:
        where = colorizer.device_name + (f" x {group.world} processes" if group.active else "")
        print(
            f"Colorizing {photos(len(all_jobs))} with model '{colorizer.name}' on {where}"
            + (f", repairing ({restoring}) first" if restoring.any else ""),
            file=sys.stderr,
        )
    elif main:
        # Scratches are asked for, as the app's switch is: the detector also takes some fine
        # detail of a good print for damage (a trial's skyscraper windows, a trumpet's
        # highlights) and fills it, and a folder is seldom all damaged prints.
        ask = SCRATCHES_ASKED if args.restore is None else ""  # not when steps were named
        print(f"Restoring {photos(len(all_jobs))}: {restoring}{ask}", file=sys.stderr)
    verb = "colorize" if colorizer is not None else "restore"
    label = f"{verb} ({len(jobs)} of {len(all_jobs)} here)" if group.active else verb
    bar = ProgressBar(len(jobs), label) if main else None
    start = time.monotonic()
    written = 0  # for the line a Ctrl+C ends with

    def on_progress(done: int, job, status: str) -> None:
        nonlocal written
        written += not status.startswith(("failed: ", "skipped: "))
        # Every photo of the run gets its own line: colorized, skipped and why, failed and why.
        if status.startswith("failed: "):
            line = status[len("failed: ") :]
        elif status.startswith("skipped: "):
            line = f"{job.source}: {status}"
        else:
            line = f"{job.source}: {verb}d -> {job.dest}"
            if status.startswith("done ("):
                line += f"; note: {status[len('done (') : -1]}"
        line = printable(line)
        print(f"\n{line}" if bar is not None and bar.tty else line, file=sys.stderr)
        if bar is not None:
            bar.update(done, printable(job.source.name))

    try:
        result = run_jobs(
            _with_repair(restoring, colorizer),
            jobs,
            saturation=args.saturation,
            overwrite=args.overwrite,
            quality=args.quality,
            on_progress=on_progress,
        )
    except HintError as e:  # checked against the photo once it is decoded, before any write
        return fail(f"hints file {args.hints}: {e}")
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
            bar = None
        # What is on disk and how to go on: a copy written is whole and is skipped next time.
        print(
            f"\ncolorizer: interrupted after {written} of {photos(len(jobs))} {verb}d"
            + (" here" if group.active else "")
            + (
                "; nothing was written"
                if not written
                else "; the same command without --overwrite does the rest"
                if args.overwrite
                else "; the same command again does the rest (those written are skipped)"
            ),
            file=sys.stderr,
        )
        return 130  # 128 + SIGINT, as a shell reports it
    finally:
        if bar is not None:
            bar.close()
    # The first process sums up the whole run; every process exits with the run's verdict.
    counts = group.gather(
        (len(result.done), len(result.skipped), len(result.failed), len(result.duplicates))
    )
    done, skipped, failed, twice = (sum(c[i] for c in counts) for i in range(4))
    if main:
        print(
            f"{verb.capitalize()}d {done}, skipped {skipped} (already there), "
            + (f"{twice} given twice ({verb}d once), " if twice else "")
            + f"failed {failed + len(missing)} in {time.monotonic() - start:.1f} s"
            + (f" on {group.world} processes" if group.active else ""),
            file=sys.stderr,
        )
    return EXIT_SOME_FAILED if (failed or missing) else EXIT_OK


def _attach_hints(jobs: list, path: Path) -> str | None:
    """Reads HINTS.json onto the one job; the reason it cannot, or None. Whether the points lie
    inside the photo is checked by the batch once the photo is decoded (once)."""
    from ..core.hint_file import HintSet
    from ..core.hints import HintError

    if len(jobs) != 1:
        return f"--hints applies to one photo; {len(jobs)} were given"
    try:
        hints = HintSet.read(path)
    except HintError as e:
        return f"{e}; see `colorizer colorize --help` for the format"
    jobs[0].hints = tuple(hints.hints)
    return None


# ---- restore (issue 28): repair before colour, or repair alone ----------------------------------

RESTORE_HELP = (
    "repair before colour: scratches (also dust, cracks, folds), fading, grain, as a "
    "comma-separated list, or all"
)


RESTORE_DEFAULT = "fading,grain"  # each leaves a good print as it is; scratches do not always
SCRATCHES_ASKED = (
    " (scratches, dust and cracks too with --restore all: on a good print it can fill fine "
    "detail, highlights or window panes, as damage)"
)


def add_restore_command(sub) -> None:
    """`colorizer restore`: the photos repaired, without colour, written as colorize writes."""
    p = sub.add_parser("restore", help="repair scratches, fading and grain (no colour)")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="photo files or folders (recursive)")
    p.add_argument("-o", "--output", metavar="DIR", help="output folder (default: beside each)")
    p.add_argument(
        "--restore",
        metavar="STEPS",  # RESTORE_DEFAULT when not given (a hint is said then)
        help=RESTORE_HELP.replace("repair before colour: ", "what to repair: ")
        + f" (default: {RESTORE_DEFAULT})",
    )
    p.add_argument(
        "--suffix", default="_restored", help="added to each output's name (default _restored)"
    )
    p.add_argument("--format", default="same", choices=list(OUTPUT_FORMATS))
    p.add_argument(
        "--quality",
        type=_bounded(int, 1, 100, "the quality"),  # as colorize's: 0 wrote quality-0 JPEGs
        default=95,
        help="JPEG/WebP quality, 1 to 100 (default 95)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace outputs that already exist")
    p.set_defaults(func=cmd_colorize, model=None, device="cpu", render_size=None, hints=None)
    p.set_defaults(saturation=1.0)


def _restore_options(args: argparse.Namespace):
    """The --restore steps, or the message saying what is wrong with them."""
    from ..engine.restoring import RestoreOptionError, RestoreOptions

    try:
        default = RESTORE_DEFAULT if args.command == "restore" else "none"
        return RestoreOptions.parse(getattr(args, "restore", None) or default)
    except RestoreOptionError as exc:
        return f"--restore {args.restore!r}: {exc}"


def _with_repair(options, colorizer):
    """The colorizer itself, or one that repairs first (or only repairs, with no colorizer)."""
    if colorizer is not None and not options.any:
        return colorizer
    from ..engine.restore_records import CorrectedMasks
    from ..engine.restoring import RestoringColorizer

    # Damage a person corrected with the app's brush is filled as corrected, here too.
    return RestoringColorizer(options, colorizer, corrections=CorrectedMasks())


# ---- the parsers --------------------------------------------------------------------------------


def _bounded(kind: type, low: float, high: float, what: str):
    """An argparse type: a finite number of `kind` from `low` to `high`, else a usage error
    (exit 2) that says what is accepted. NaN, inf and 1e308 never reach the photos."""

    def parse(text: str):
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            value = None
        if value is None or not math.isfinite(value) or not low <= value <= high:
            shown = text if len(text) <= 40 else text[:40] + "..."
            number = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(
                f"{what} must be {number} from {low:g} to {high:g}, not {shown!r}"
            )
        return value

    parse.__name__ = what  # argparse names the type in its own messages
    return parse


def add_colorize_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("colorize", help="colorize photos and folders")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="photo files or folders (recursive)")
    p.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="output folder (default: beside each photo); folder structure is kept",
    )
    p.add_argument("--model", default="default", help="model name or .pt file (default: default)")
    p.add_argument("--device", default="auto", help="auto (GPU if any), cpu, cuda or mps")
    p.add_argument(
        "--saturation",
        type=_bounded(float, 0.0, MAX_SATURATION, "the colour strength"),
        default=1.0,
        help=f"colour strength, 0 (gray) to {MAX_SATURATION:g} (default 1.0)",
    )
    p.add_argument(
        "--render-size",
        type=int,
        metavar="PX",
        help="detail: longest side of the copy the network sees (default: the "
        "model's recommended size; larger sees smaller things, takes longer)",
    )
    p.add_argument(
        "--hints",
        metavar="HINTS.json",
        help='colour pins for one photo: {"points": [{"x": 100, "y": 150, "color": "#3a6ccf"}], '
        '"strokes": [{"points": [[x, y], ...], "color": "#rrggbb"}]}; pixels after EXIF '
        'orientation; optional "radius" (pixels) on either. Each pinned colour spreads over its '
        "region, up to the photo's edges",
    )
    p.add_argument("--suffix", default=COLORIZED_SUFFIX, help="added to each output's name")
    p.add_argument("--format", default="same", choices=list(OUTPUT_FORMATS))
    p.add_argument(
        "--quality",
        type=_bounded(int, 1, 100, "the quality"),
        default=95,
        help="JPEG/WebP quality, 1 to 100 (default 95)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace outputs that already exist")
    p.add_argument("--restore", metavar="STEPS", help=RESTORE_HELP + " (default: none)")
    p.set_defaults(func=cmd_colorize)
