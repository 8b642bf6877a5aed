"""Colorizing many files: output naming, skipping, one failure never stops the batch."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..core.errors import ColorizerError, ImageSaveError
from ..core.fileio import check_name_length
from ..core.hints import Hint, HintError, HintSet
from ..core.imageio import (
    FORMAT_BY_SUFFIX,
    SUFFIX_BY_FORMAT,
    LoadedImage,
    is_image_path,
    load_image,
    save_image,
)
from .colorizer import Colorizer, as_rgb

if TYPE_CHECKING:
    import numpy as np

DEFAULT_SUFFIX = "_colorized"


class Painter(Protocol):
    """What run_jobs calls on each photo: a Colorizer, or engine/restoring.py's
    RestoringColorizer (which repairs first, or only repairs)."""

    def colorize(
        self,
        rgb: np.ndarray,
        saturation: float = 1.0,
        hints: Sequence[Hint] = (),
        in_place: bool = False,
    ) -> np.ndarray: ...


@dataclass
class Job:
    source: Path
    dest: Path
    # Colour pins and strokes for this photo, in its upright pixels (core/hints.py).
    hints: tuple[Hint, ...] = ()
    # Why this photo cannot be written where planned (its output is an input of the run, its
    # name too long): it fails with this message, and the rest of the batch goes on.
    problem: str | None = None


@dataclass
class BatchResult:
    done: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    notes: list[tuple[Path, str]] = field(default_factory=list)  # done, with something to say


def output_suffix(source: Path, fmt: str) -> str:
    if fmt == "same":
        suffix = source.suffix.lower()
        return suffix if suffix in FORMAT_BY_SUFFIX else ".png"
    return SUFFIX_BY_FORMAT[FORMAT_BY_SUFFIX["." + {"tiff": "tif"}.get(fmt, fmt)]]


_SEPARATORS = {"/", "\\", os.sep, os.altsep or "/"}


def suffix_problem(suffix: str) -> str | None:
    """Why `suffix` cannot be added to a file's name, or None. It names a file, never a folder:
    no path separators, no '..', no control characters (NUL included)."""
    bad = sorted({c for c in suffix if c in _SEPARATORS or ord(c) < 32})
    if bad or ".." in suffix:
        shown = " ".join(repr(c) for c in bad) if bad else "'..'"
        return (
            f"it cannot contain {shown}: it is added to each photo's name and cannot choose "
            "a folder (use -o DIR for that)"
        )
    return None


def output_path(
    source: Path, out_dir: Path | None, root: Path | None, suffix: str, fmt: str
) -> Path:
    """`<stem><suffix>.<ext>` beside the source, or under out_dir keeping the folder structure.
    Never a path outside that folder: a name that would leave it is an ImageSaveError."""
    name = f"{source.stem}{suffix}{output_suffix(source, fmt)}"
    if (
        name in (".", "..")
        or "\0" in name
        or any(sep in name for sep in (os.sep, os.altsep) if sep)
    ):
        raise ImageSaveError(
            source, f"the output name {name!r} would leave the output folder; choose another suffix"
        )
    if out_dir is None:
        return source.with_name(name)
    relative = source.parent.relative_to(root) if root is not None else Path()
    return out_dir / relative / name


def plan_jobs(
    inputs: list[Path], out_dir: Path | None, suffix: str = DEFAULT_SUFFIX, fmt: str = "same"
) -> list[Job]:
    """Files and folders (recursive) -> jobs, each source once. In folders, earlier outputs
    (names ending in the suffix) are not colorized again."""
    jobs: list[Job] = []
    seen: set[Path] = set()
    claimed: set[Path] = set()
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            sources = sorted(p for p in item.rglob("*") if p.is_file() and is_image_path(p))
            sources = [p for p in sources if not p.stem.endswith(suffix)]
            root = item
        else:
            sources, root = [item], None
        for source in sources:
            key = source.resolve()
            if key in seen:
                continue
            seen.add(key)
            dest = output_path(source, out_dir, root, suffix, fmt)
            jobs.append(Job(source, _unclaimed(dest, claimed)))
    _mark_problems(jobs)
    return jobs


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _mark_problems(jobs: list[Job]) -> None:
    """An output never lands on an input of the run (the same path, through links too, or the
    same file by another name), and never has a name longer than its folder takes."""
    paths = {job.source.resolve() for job in jobs}
    ids = {i for i in (_file_id(job.source) for job in jobs) if i is not None}
    for job in jobs:
        try:
            check_name_length(job.dest, "the output's name")
        except ImageSaveError as exc:
            job.problem = f"{job.source}: not colorized: {exc.reason}"
            continue
        if job.dest.resolve() in paths or _file_id(job.dest) in ids:
            job.problem = (
                f"{job.source}: not colorized: its output {job.dest} is also one of the photos "
                "of this run, and is never written over; choose another --suffix or an output "
                "folder (-o)"
            )


def _unclaimed(dest: Path, claimed: set[Path]) -> Path:
    """`dest`, or `<stem>-2<ext>`, `-3`... when an earlier photo of this run already maps to it
    (dup.jpg and dup.png saved as PNG; A/p.jpg and B/p.jpg into one folder): both are kept."""
    candidate, n = dest, 1
    while _key(candidate) in claimed:
        n += 1
        candidate = dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
    claimed.add(_key(candidate))
    return candidate


def _key(path: Path) -> Path:
    # Case-insensitive file systems (macOS, Windows) treat P.jpg and p.jpg as one file.
    return Path(str(path.resolve()).casefold())


# Small photos are colorized in groups: the network takes their small copies in one pass (on a
# CPU, four in one pass cost about half as much per photo as four passes). A group holds at most
# GROUP_PIXELS decoded pixels, so a large scan is still colorized alone, in the memory it needs.
GROUP_SIZE = 4
GROUP_PIXELS = 8_000_000

# A fault on one photo that we did not foresee: reported on that photo's line, and the batch
# goes on; the rest of the batch is not its hostage.
_UNFORESEEN = (
    MemoryError,
    ValueError,
    TypeError,
    ArithmeticError,
    OSError,
    RuntimeError,
    IndexError,
    KeyError,
    AttributeError,
)


def _failure(job: Job, exc: Exception) -> str:
    if isinstance(exc, ColorizerError):
        return str(exc)
    return (
        f"{job.source}: unexpected error ({type(exc).__name__}: {exc}); "
        "the photo was not colorized; please report this"
    )


@dataclass
class _Loaded:
    index: int
    job: Job
    image: LoadedImage


def run_jobs(
    colorizer: Painter,
    jobs: list[Job],
    saturation: float = 1.0,
    overwrite: bool = False,
    quality: int = 95,
    on_progress: Callable[[int, Job, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BatchResult:
    result = BatchResult()
    group: list[_Loaded] = []

    def report(i: int, job: Job, status: str) -> None:
        if on_progress is not None:
            on_progress(i + 1, job, status)

    def finish_group() -> None:
        """Colorize the group's photos (the network once for all), save each, in order."""
        if not group:
            return
        rgbs = [as_rgb(item.image.rgb) for item in group]
        abs_: list | None = None  # None: each photo on its own, so each gets its own verdict
        l_smalls: list[np.ndarray] = []
        if len(group) > 1 and isinstance(colorizer, Colorizer):
            try:
                l_smalls = [colorizer.small_l(rgb) for rgb in rgbs]
                abs_ = colorizer.predict_many(l_smalls)
            except (ColorizerError, *_UNFORESEEN):
                abs_ = None
        for k, item in enumerate(group):
            if k and should_stop is not None and should_stop():
                break  # the rest of the group is left as if never started
            job, image = item.job, item.image
            try:
                if abs_ is None or not isinstance(colorizer, Colorizer):
                    rgb = colorizer.colorize(image.rgb, saturation, job.hints, in_place=True)
                else:
                    # Over the decoded pixels: only the metadata of `image` is needed after.
                    rgb = colorizer.finish(
                        rgbs[k], l_smalls[k], abs_[k], saturation, job.hints, in_place=True
                    )
                save_image(job.dest, rgb, like=image, quality=quality)
                result.done.append(job.dest)
                status = "done"
                if image.notes:
                    result.notes.append((job.source, "; ".join(image.notes)))
                    status = f"done ({'; '.join(image.notes)})"
            except HintError:
                raise  # the hints do not fit the photo: the run's usage error, not the photo's
            except (ColorizerError, *_UNFORESEEN) as exc:
                result.failed.append((job.source, _failure(job, exc)))
                status = f"failed: {_failure(job, exc)}"
            report(item.index, job, status)
        group.clear()

    for i, job in enumerate(jobs):
        if should_stop is not None and should_stop():
            group.clear()  # read, not yet colorized: as if never started
            break
        try:
            exists = job.dest.exists()
        except OSError:  # a name too long to look up: job.problem says so
            exists = False
        if exists and not overwrite:
            finish_group()
            result.skipped.append(job.source)
            report(i, job, "skipped (output exists; --overwrite to replace)")
            continue
        if job.problem is not None:
            finish_group()
            result.failed.append((job.source, job.problem))
            report(i, job, f"failed: {job.problem}")
            continue
        try:
            image = load_image(job.source)
            if job.hints:
                HintSet(list(job.hints)).check_inside(image.size)
        except HintError:
            raise
        except (ColorizerError, *_UNFORESEEN) as exc:
            finish_group()
            result.failed.append((job.source, _failure(job, exc)))
            report(i, job, f"failed: {_failure(job, exc)}")
            continue
        pixels = sum(item.image.rgb.shape[0] * item.image.rgb.shape[1] for item in group)
        if pixels + image.size[0] * image.size[1] > GROUP_PIXELS:
            finish_group()
        group.append(_Loaded(i, job, image))
        # Only the Colorizer takes a group through its network at once (restoring goes alone).
        if len(group) >= (GROUP_SIZE if isinstance(colorizer, Colorizer) else 1):
            finish_group()
    finish_group()  # empty after a stop
    return result
