"""Atomic writes: every file the app writes goes to a temporary name beside it, is flushed to
disk, and is renamed into place, so a crash, Ctrl+C or a full disk never leaves a half file."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import ImageSaveError


def _default_mode(dest: Path) -> int:
    try:
        return dest.stat().st_mode & 0o777  # replacing a file keeps its permissions
    except OSError:
        return 0o666 & ~_UMASK


def _read_umask() -> int:
    # Read once, at import: setting the umask to read it is not safe once threads run.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def write_atomically(dest: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `dest`, flush it to disk, and rename it into place."""
    dest = Path(dest)
    folder = dest.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{dest.name}.", suffix=".part")
    except OSError as exc:
        raise ImageSaveError(dest, f"cannot write in {folder} ({exc.strerror or exc})") from exc
    try:
        # mkstemp makes the file private (0600); give it the permissions a plain write would.
        os.chmod(tmp_name, _default_mode(dest))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, dest)
    except BaseException as exc:
        # Any failure, Ctrl+C included, leaves no half-written temporary file behind.
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise
        if exc.errno == errno.ENOSPC:
            raise ImageSaveError(dest, "the disk is full; free some space and save again") from exc
        raise ImageSaveError(dest, f"could not be written ({exc.strerror or exc})") from exc
