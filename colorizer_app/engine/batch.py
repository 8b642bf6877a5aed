"""Colorizing many files: output naming, skipping, one failure never stops the batch."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeGuard, runtime_checkable

from ..core.errors import ColorizerError, ImageSaveError
from ..core.fileio import COLORIZED_SUFFIX, check_name_length, file_keys, walk_files
from ..core.hint_file import HintSet
from ..core.hints import Hint, HintError
from ..core.imageio import (
    ALREADY_IN_COLOUR,
    FORMAT_BY_SUFFIX,
    SUFFIX_BY_FORMAT,
    LoadedImage,
    is_image_path,
    load_image,
    save_image,
)
from ..core.imagesave import can_write_gray, copy_file, profile_not_copied, xmp_not_copied
from ..core.photo_files import COPY_ENDINGS, is_copy_name, lies_in, outputs_below
from .colorizer import Colorizer, as_rgb

if TYPE_CHECKING:
    import numpy as np

DEFAULT_SUFFIX = COLORIZED_SUFFIX


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


@runtime_checkable
class RepairingPainter(Painter, Protocol):
    """A painter that repairs (RestoringColorizer): it may take a photo its own way (a person's
    corrected damage), and says what its repair of the last photo did."""

    last_notes: list[str]
    last_unchanged: bool  # its repair of the last photo found nothing to do

    @property
    def colours(self) -> bool: ...  # False: it repairs only, the photo's own colours kept

    def painter_for(self, source: Path) -> RepairingPainter: ...


def _repairs_only(painter: Painter) -> TypeGuard[RepairingPainter]:
    """A painter that repairs and keeps the photo's own colours (`colorizer restore`)."""
    return isinstance(painter, RepairingPainter) and not painter.colours


@dataclass
class Job:
    source: Path
    dest: Path
    # Colour pins and strokes for this photo, in its upright pixels (core/hints.py).
    hints: tuple[Hint, ...] = ()
    # Why this photo cannot be written where planned (its output is an input of the run, its
    # name too long): it fails with this message, and the rest of the batch goes on.
    problem: str | None = None
    # The photo of the run this one is (a link to it, the same file by another name): it is
    # colorized once, under that name, and this one's line says so.
    duplicate_of: Path | None = None
    lands_on_input: bool = False  # the problem: its output is one of the run's photos


@dataclass
class BatchResult:
    done: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # its output already there
    duplicates: list[Path] = field(default_factory=list)  # the same photo given again
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
    inputs: list[Path],
    out_dir: Path | None,
    suffix: str = DEFAULT_SUFFIX,
    fmt: str = "same",
    left_out: list[Path] | None = None,
    in_output: list[Path] | None = None,
) -> list[Job]:
    """Files and folders (recursive, symlinked subfolders followed) -> jobs, each photo once, in
    the order given. In folders, earlier outputs (names ending in the suffix, or in _colorized or
    _restored as the app's copies) are not colorized again, and are added to `left_out`; nor
    is what lies in `out_dir` below a folder given, added to `in_output`. A photo met again (a
    link to it, the same file by another name) becomes a job that says so; a folder that cannot
    be searched, one that fails with the reason."""
    planned: list[tuple[Path, Path | None]] = []  # (source, the folder it was found in)
    unreadable: list[Job] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            files, problems = walk_files(item)
            copies = outputs_below(item, out_dir)
            images = [p for p in files if is_image_path(p)]
            photos = [p for p in images if not lies_in(p, copies)]
            if in_output is not None:  # said, not left silently (a review)
                in_output += [p for p in images if lies_in(p, copies)]
            # With no suffix (copies keep their names, in another folder) that suffix marks no
            # earlier output: every name "ends in" the empty string (is_copy_name skips it).
            outputs = {p for p in photos if is_copy_name(p, (suffix, *COPY_ENDINGS))}
            sources = [p for p in photos if p not in outputs]
            if left_out is not None:  # earlier outputs by their name: said, not left silently
                left_out += [p for p in photos if p in outputs]
            planned += [(source, item) for source in sources]
            for folder, reason in problems:
                unreadable.append(
                    Job(folder, folder, problem=f"{folder}: {reason}; the photos in it were not "
                        "colorized: check its permissions")
                )  # fmt: skip
        else:
            planned.append((item, None))
    jobs: list[Job] = []
    first: dict[tuple, Job] = {}  # each key of a photo's file -> its job
    for source, root in planned:
        keys = file_keys(source)
        earlier = next((first[k] for k in keys if k in first), None)
        if earlier is not None:
            jobs.append(
                Job(source, earlier.dest, duplicate_of=earlier.source)
            )  # its line says so; never written twice
            continue
        job = Job(source, output_path(source, out_dir, root, suffix, fmt))
        first.update((k, job) for k in keys)
        jobs.append(job)
    _name_outputs([j for j in jobs if j.duplicate_of is None])
    _mark_problems(jobs)
    return jobs + unreadable


def _name_outputs(jobs: list[Job]) -> None:
    for job, dest in zip(jobs, unique_outputs([(j.source, j.dest) for j in jobs]), strict=True):
        job.dest = dest


def unique_outputs(planned: list[tuple[Path, Path]], taken: Iterable[Path] = ()) -> list[Path]:
    """The outputs of (source, output) pairs, made distinct: two photos of one run (or one Save
    All) that would get one output name both keep theirs: the later gets `-2`, `-3`... The photo
    whose own format the output has comes first (with --format png, p.png keeps p_colorized.png
    and p.jpg gets -2), so a photo added later never takes over the name an earlier run gave
    another."""

    def natural(i: int) -> bool:
        source, dest = planned[i]
        return _same_suffix(source.suffix, dest.suffix)

    claimed: set[Path] = {_key(p) for p in taken}  # `taken`: outputs of saves still queued
    out = [dest for _, dest in planned]
    for i in sorted(range(len(planned)), key=lambda i: not natural(i)):  # stable within
        out[i] = _unclaimed(planned[i][1], claimed)
    return out


def _same_suffix(a: str, b: str) -> bool:
    return FORMAT_BY_SUFFIX.get(a.lower()) == FORMAT_BY_SUFFIX.get(b.lower()) is not None


def _mark_problems(jobs: list[Job]) -> None:
    """An output never lands on an input of the run (the same path, through links too, or the
    same file by another name), and never has a name longer than its folder takes."""
    inputs: set[tuple] = set().union(*(file_keys(job.source) for job in jobs))
    for job in jobs:
        if job.duplicate_of is not None:
            continue
        try:
            check_name_length(job.dest, "the output's name")
        except ImageSaveError as exc:
            job.problem = f"{job.source}: nothing written: {exc.reason}"
            continue
        if not file_keys(job.dest).isdisjoint(inputs):
            job.lands_on_input = True
            job.problem = (
                f"{job.source}: nothing written: its output {job.dest} is also one of the photos "
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
    return Path(os.path.realpath(path).casefold())


def taken_by(dest: Path) -> str | None:
    """What stands at an output's name that is not an earlier output (a folder, a pipe...), or
    None: nothing there, or a file."""
    try:
        mode = dest.stat().st_mode
    except (OSError, ValueError):  # nothing there, a broken link, a name too long to look up
        return None
    if stat.S_ISREG(mode):
        return None
    return "a folder" if stat.S_ISDIR(mode) else "something that is not a file (a pipe or device)"


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long to look up: job.problem says so
        return False


def _verdict_before_reading(
    job: Job, overwrite: bool, result: BatchResult, done: str = "colorized"
) -> str | None:
    """A job's status when it is settled before its photo is read (recorded in `result`), or
    None: read and colorize it. `done`: what the run does to a photo ("restored")."""
    # A problem other than landing on an input (which only matters when replacing) comes first:
    # an unreadable folder is no output "already there".
    first_problem = job.problem if not job.lands_on_input else None
    taken = taken_by(job.dest) if job.duplicate_of is None and not first_problem else None
    if job.duplicate_of is not None:
        result.duplicates.append(job.source)
        return f"skipped: the same photo as {job.duplicate_of}, colorized once"
    if first_problem is not None:
        result.failed.append((job.source, first_problem))
        return f"failed: {first_problem}"
    if taken is not None:
        reason = (
            f"{job.source}: not {done}: {taken} has its output's name {job.dest}, and is "
            "never written over; rename it, or choose another --suffix or an output folder"
        )
        result.failed.append((job.source, reason))
        return f"failed: {reason}"
    if _exists(job.dest) and not overwrite:
        result.skipped.append(job.source)
        # Not "--overwrite to replace it" where that would fail too (a review): `colorize *.jpg`
        # run again gives a.jpg and its earlier a_colorized.jpg both as photos.
        if job.lands_on_input:
            return f"skipped: {job.dest} is already there, and is one of the photos given: kept"
        return (
            f"skipped: {job.dest} is already there (--overwrite to replace it, or another "
            "--suffix to keep both)"
        )
    if job.problem is not None:
        result.failed.append((job.source, job.problem))
        return f"failed: {job.problem}"
    return None


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


def _notes_for(painter: Painter, notes: list[str]) -> list[str]:
    """The loader's notes as they hold for what `painter` does (a repair alone, `colorizer
    restore`, keeps a sepia print's colours, where "replaced by new ones" would say otherwise),
    then what its repair did (damage filled, tones levelled, grain reduced)."""
    repaired = list(painter.last_notes) if isinstance(painter, RepairingPainter) else []
    if not _repairs_only(painter):
        return notes + repaired
    return [KEPT_COLOURS if note == ALREADY_IN_COLOUR else note for note in notes] + repaired


KEPT_COLOURS = "in colour (a toned print too): repaired, its colours kept"


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
    done = "restored" if _repairs_only(colorizer) else "colorized"

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
            painter: Painter = colorizer
            try:
                if isinstance(colorizer, RepairingPainter):
                    painter = colorizer.painter_for(job.source)
                if abs_ is None or not isinstance(colorizer, Colorizer):
                    rgb = painter.colorize(image.rgb, saturation, job.hints, in_place=True)
                else:
                    # Over the decoded pixels: only the metadata of `image` is needed after.
                    rgb = colorizer.finish(
                        rgbs[k], l_smalls[k], abs_[k], saturation, job.hints, in_place=True
                    )
                # A gray scan repaired without colour is written gray, as it came (a trial's
                # 311 KB gray PNG came back as a 500 KB RGB one).
                fmt = FORMAT_BY_SUFFIX.get(job.dest.suffix.lower(), "")
                gray = image.was_grayscale and _repairs_only(painter) and can_write_gray(image, fmt)
                same = fmt == image.format == FORMAT_BY_SUFFIX.get(job.source.suffix.lower())
                plain = same and not image.notes  # nothing said of what a copy leaves out
                if plain and _repairs_only(painter) and painter.last_unchanged:
                    # Nothing to repair: the file itself, not the photo saved again (a JPEG
                    # came back re-encoded, its pixels a few levels off: an archivist's trial).
                    copy_file(job.dest, image)
                    lost = None
                else:
                    save_image(job.dest, rgb, like=image, quality=quality, gray=gray)
                    lost = xmp_not_copied(image.xmp, fmt)
                result.done.append(job.dest)
                status = "done"
                notes = _notes_for(painter, image.notes) + ([lost] if lost else [])
                if gray and image.gray_icc is not None:  # the gray copy carries it after all
                    notes = [note for note in notes if note != profile_not_copied("GRAY")]
                if notes:
                    result.notes.append((job.source, "; ".join(notes)))
                    status = f"done ({'; '.join(notes)})"
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
        early = _verdict_before_reading(job, overwrite, result, done)
        if early is not None:
            finish_group()
            report(i, job, early)
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
