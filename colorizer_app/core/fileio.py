"""Atomic writes: every file the app writes goes to a temporary name beside it, is flushed to
disk, and is renamed into place, so a crash, Ctrl+C or a full disk never leaves a half file.

The temporary name is `.<name>.<8 hex>.pid<pid>.part`, within the file system's name limit (a
long name's start is kept). A process killed outright (SIGKILL, power loss) cannot remove its
own; the next write into that folder removes those of a process that is gone, or that are
older than STALE_AFTER_S, and nothing that does not have that exact form."""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from pathlib import Path

from .errors import ImageSaveError

TEMP_SUFFIX = ".part"
# What a restored copy's name ends with beside its photo (`colorizer restore`, Save Restored
# Copy); here, not in engine/restoring.py, so the window can leave such copies out of a folder
# it opens without importing torch.
COLORIZED_SUFFIX = "_colorized"  # the copies colorize and Save write, unless told otherwise
RESTORED_SUFFIX = "_restored"
STALE_AFTER_S = 600  # no single write takes this long: such a temporary file is abandoned
_TEMP_NAME = re.compile(r"\.(.+)\.[0-9a-f]{8}\.pid([0-9]{1,10})\.part", re.DOTALL)
# Before the pid was in the name (tempfile.mkstemp's 8 characters), for the files we write most.
_OLD_TEMP_NAME = re.compile(
    r"\.(.+)\.(?i:jpe?g|png|tiff?|bmp|webp|pt|ckpt)\.[a-z0-9_]{8}\.part", re.DOTALL
)
_swept: set[str] = set()


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


def file_keys(path: str | os.PathLike) -> frozenset[tuple]:
    """What makes the file at `path` itself: its path with every link followed and, where it
    exists, its device and inode (a hard link, or another spelling on a case-insensitive disk).
    Two paths name one file when their keys meet (same_file)."""
    keys: set[tuple] = set()
    try:
        # Not Path.resolve: before Python 3.13 it raises on a symlink loop.
        keys.add(("path", os.path.realpath(path)))
        st = os.stat(path)
        keys.add(("inode", st.st_dev, st.st_ino))
    except (OSError, ValueError):  # not there (yet), a loop, a NUL in the name: the path alone
        pass
    return frozenset(keys)


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether `a` and `b` are one file: the same path, through symlinks, or the same inode."""
    return not file_keys(a).isdisjoint(file_keys(b))


def natural_key(name: str) -> tuple:
    """How a file manager orders names: scan2 before scan10, Großmutter among the g's (a
    trial's list put every capital first); the name itself breaks ties, so the order is
    always the same."""
    parts = re.split(r"(\d+)", name.casefold())
    return tuple((0, int(p), "") if p.isdecimal() else (1, 0, p) for p in parts if p), name


def walk_files(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Everything in `folder` and its subfolders that is not a folder (files, and also pipes,
    broken links and link loops, so a reader can say what each is), sorted; symlinked
    subfolders are followed, each real folder once. And the folders that could not be searched,
    each with the reason: nothing in a folder is left out without a word."""
    found: list[Path] = []
    problems: list[tuple[Path, str]] = []
    visited: set[tuple[int, int]] = set()

    def visit(where: Path) -> None:
        try:
            st = os.stat(where)
            entries = sorted(os.scandir(where), key=lambda e: natural_key(e.name))
        except PermissionError:
            problems.append((where, "this folder cannot be read (permission denied)"))
            return
        except OSError as exc:
            problems.append((where, f"this folder cannot be read ({exc.strerror or exc})"))
            return
        if (st.st_dev, st.st_ino) in visited:
            return  # a link back to a folder already searched: its photos are listed once
        visited.add((st.st_dev, st.st_ino))
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = stat.S_ISDIR(os.stat(entry.path).st_mode)
            except OSError:
                is_dir = False  # a broken link or a loop: listed, its reader names the fault
            if is_dir:
                visit(path)
            else:
                found.append(path)

    visit(Path(folder))
    found.sort(key=lambda path: [natural_key(part) for part in path.parts])
    return found, problems


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system holding `folder` takes (255 where it
    cannot say); a folder not made yet is asked through its nearest existing parent."""
    for where in (folder, *folder.parents):
        try:
            limit = os.pathconf(where, "PC_NAME_MAX")
        except (OSError, ValueError, AttributeError):  # missing folder; no pathconf (Windows)
            continue
        return limit if limit > 0 else 255
    return 255


def check_name_length(dest: Path, what: str = "the name") -> None:
    """An ImageSaveError, naming the file and what to do, when `dest`'s name is too long to be
    written where it goes. `what`: how the message calls the name."""
    size, limit = len(os.fsencode(Path(dest).name)), name_max(Path(dest).parent)
    if size > limit:
        raise ImageSaveError(
            dest,
            f"{what} is {size} bytes long; file names here hold at most {limit}: "
            "rename the photo or choose a shorter suffix",
        )


def _shortened(name: str, room: int) -> str:
    """`name` cut to at most `room` bytes, never inside a UTF-8 character."""
    raw = os.fsencode(name)
    if len(raw) <= room:
        return name
    raw = raw[:room]
    for drop in range(4):
        try:
            return raw[: len(raw) - drop].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return os.fsdecode(raw)


def _create_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new, private temporary file beside `name`, its name within the folder's limit."""
    limit = name_max(folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tail = f".{secrets.token_hex(4)}.pid{os.getpid()}{TEMP_SUFFIX}"
        path = folder / ("." + _shortened(name, limit - 1 - len(tail)) + tail)
        try:
            return os.open(path, flags, 0o600), str(path)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end the process there: judge by age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another person's process, or no such number
        return True
    return True


def is_stale_temporary(name: str, age_s: float) -> bool:
    """Whether `name` is one of our temporary files that no write will finish: its process is
    gone, or it is older than STALE_AFTER_S. Only names of exactly our form qualify."""
    match = _TEMP_NAME.fullmatch(name)
    if match is not None:
        pid = int(match.group(2))
        return age_s > STALE_AFTER_S or (pid != os.getpid() and not _pid_alive(pid))
    return _OLD_TEMP_NAME.fullmatch(name) is not None and age_s > STALE_AFTER_S


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove what killed writes left in `folder` (is_stale_temporary); once per folder per
    process. Returns what was removed."""
    key = os.path.abspath(folder)
    if key in _swept:
        return []
    _swept.add(key)
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX)):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if is_stale_temporary(entry.name, age):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def cannot_write_in(folder: Path) -> str | None:
    """Why no file can be made in `folder`, None if one can: checked before a save of many
    photos starts (a trial's Save All into a read-only folder worked for 10 s, then named a
    subfolder it would have made). A folder not there yet is judged by the nearest one that is,
    where it would be made. The test is a private temporary file made there and removed at once:
    the permission bits alone say "writable" on Windows whatever its access lists say, and on a
    share whatever its server will allow. Nothing is left behind."""
    where = Path(folder)
    while True:
        try:
            is_dir = stat.S_ISDIR(os.stat(where).st_mode)
            break
        except PermissionError:  # a folder above it may not be looked into
            return f"{where.parent} is a folder you have no permission to open"
        except OSError:
            if where.parent == where:  # not even the drive: a card or drive taken out
                return f"{where} is not there: is the drive plugged in?"
            where = where.parent
    if not is_dir:
        return f"{where} is a file, not a folder"
    try:
        fd, probe = _create_temp(where, "colorizer-write-test")
    except OSError as exc:
        return f"{where} is {_why_not_writable(exc)}"
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError:
        pass  # swept as a stale temporary by the next write here
    return None


def _why_not_writable(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "on a drive that cannot be written (read-only)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "a folder you have no permission to write in"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "on a drive that is full"
    return f"a folder that cannot be written ({exc.strerror or exc})"


def write_atomically(dest: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `dest`, flush it to disk, and rename it into place."""
    dest = Path(dest)
    folder = dest.parent
    check_name_length(dest)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(folder)
        fd, tmp_name = _create_temp(folder, dest.name)
    except OSError as exc:
        raise ImageSaveError(dest, f"cannot write in {folder} ({exc.strerror or exc})") from exc
    try:
        # The temporary file is private (0600); give it the permissions a plain write would.
        os.chmod(tmp_name, _default_mode(dest))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, dest)
    except BaseException as exc:
        # Any failure, Ctrl+C and SIGTERM included, leaves no half-written temporary file behind.
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise
        if exc.errno == errno.ENOSPC:
            raise ImageSaveError(dest, "the disk is full; free some space and save again") from exc
        raise ImageSaveError(dest, f"could not be written ({exc.strerror or exc})") from exc
