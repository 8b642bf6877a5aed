"""Finding the photos in what a person gave: files as given, folders searched through, and the
app's own earlier copies in them (`<name>_colorized`, `<name>_restored`) left out, and said so."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .fileio import COLORIZED_SUFFIX, RESTORED_SUFFIX, walk_files
from .imageio import is_image_path

# The endings of the copies the app and the command line write unless told otherwise.
COPY_ENDINGS = (COLORIZED_SUFFIX, RESTORED_SUFFIX)


def is_copy_name(path: Path, endings: tuple[str, ...]) -> bool:
    """Whether `path`'s name marks one of the app's copies: it ends in one of `endings`, or in
    one followed by the -2, -3 a copy takes where its name was taken (a review found
    p_colorized-2.png colorized again into p_colorized-2_colorized.png)."""
    return any(e and re.search(re.escape(e) + r"(-[0-9]+)?$", path.stem) for e in endings)


def outputs_below(folder: Path, outputs: Path | None) -> str | None:
    """The output folder (links followed) where it lies strictly below `folder`, whose walk
    would meet the copies written there: a second run with no name ending colorized them again
    into OUT/OUT/, a level deeper each time. None where it does not: the folder itself (copies
    beside the originals, told apart by their ending) or one above it must not hide its photos."""
    if outputs is None:
        return None
    inner, outer = os.path.realpath(outputs), os.path.realpath(folder)
    return inner if inner != outer and Path(inner).is_relative_to(outer) else None


def lies_in(path: Path, folder: str | None) -> bool:
    return folder is not None and Path(os.path.realpath(path)).is_relative_to(folder)


def still_there(paths: list[Path]) -> list[Path]:
    """The files of `paths` still on disk; a folder that is gone (a card or drive taken out) is
    looked at once, not once per photo in it. It stats every file: on a network share that takes
    seconds, so the app calls it on its scan worker."""
    folders: dict[str, bool] = {}
    kept = []
    for path in paths:
        parent = os.path.dirname(path)
        if parent not in folders:
            folders[parent] = os.path.isdir(parent)
        if folders[parent] and os.path.isfile(path):
            kept.append(path)
    return kept


def find_images(
    paths: list[Path],
    outputs_suffix: str | tuple[str, ...] = "",
    left_out: list[Path] | None = None,
    outputs_folder: Path | None = None,
) -> list[Path]:
    """Files and folders (recursive, sorted) -> image files, each once, in a stable order. In
    folders, names ending in `outputs_suffix` (one or several: the app's own earlier copies) are
    left out, as `colorize` leaves them out, and added to `left_out`, and so is what lies in
    `outputs_folder` below a folder given (outputs_below); a file given by name is always
    kept."""
    found: list[Path] = []
    seen: set[str] = set()
    # An empty ending would match every name and leave every photo out.
    given = (outputs_suffix,) if isinstance(outputs_suffix, str) else outputs_suffix
    endings = tuple(s for s in given if s)
    for p in paths:
        p = Path(p)
        # Symlinked subfolders too (rglob skips them), and what is not a regular file, so that
        # its reader names what it is instead of leaving it out without a word.
        candidates = walk_files(p)[0] if p.is_dir() else [p]
        copies = outputs_below(p, outputs_folder) if p.is_dir() else None
        for c in candidates:
            if p.is_dir() and (not is_image_path(c) or lies_in(c, copies)):
                continue
            if p.is_dir() and is_copy_name(c, endings):
                if left_out is not None:
                    left_out.append(c)
                continue
            key = os.path.realpath(c)  # not Path.resolve: it raises on a symlink loop
            if key not in seen:
                seen.add(key)
                found.append(c)
    return found


def left_out_line(left_out: list[Path], suffix: str | tuple[str, ...], one: str, many: str) -> str:
    """What to say of the photos a folder held that were left out as earlier outputs (a person's
    own photo may have such a name: a trial's grandma_colorized.jpg was left out unsaid). `one`
    and `many`: how to add it, or them, after all."""
    given = (suffix,) if isinstance(suffix, str) else suffix
    # Only the endings these names have: "ends in _colorized", not every ending looked for.
    matched = [e for e in dict.fromkeys(given) if any(is_copy_name(p, (e,)) for p in left_out)]
    ends = " or ".join(matched or [e for e in given if e])
    if len(left_out) == 1:
        return (
            f"Left out {left_out[0].name}: its name ends in {ends}, as the copies Colorizer "
            f"saves do; {one}."
        )
    return (
        f"Left out {len(left_out)} photos whose names end in {ends}, as the copies Colorizer "
        f"saves do (e.g. {left_out[0].name}); {many}."
    )
