"""Each photo's colour hints and choices (colour strength, detail), kept in the person's app data
so a photo reopened later keeps them.

Never beside the originals: one JSON file (`hints.json` in the app-data folder), keyed by the
photo's resolved path and checked against its size in bytes, so hints made for one scan are not
laid over a different file that later took its name. Written whole to a temporary name and
renamed, like every file the app writes.

Read lazily, on first use (the app reads it on a worker thread): a store that is not a regular
file (a FIFO would block the read forever), larger than MAX_STORE_BYTES, nested past what the
JSON reader can follow, or otherwise damaged costs the saved hints, never the app's start. The
window changes hints in memory with `remember` and writes them with `flush` a moment after the
last edit, not on every edit.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from pathlib import Path
from typing import NamedTuple

from ..core.errors import ColorizerError
from ..core.fileio import write_atomically
from ..core.hint_file import HintSet
from ..core.hints import Hint, HintError
from ..core.paths import user_data_dir

log = logging.getLogger(__name__)
VERSION = 1
MAX_STRENGTH = 2.0  # the window's colour slider goes to 200%
MAX_STORE_BYTES = 64 << 20  # tens of thousands of photos' pins; past it the file is not ours


class HintStoreError(OSError):
    """The store could not be written (the app-data folder full, read-only or in the way)."""


def _read_regular_file(path: Path, limit: int) -> bytes:
    """The file's bytes, refusing anything but a regular file of at most `limit` bytes without
    ever blocking (O_NONBLOCK: a FIFO opens at once, then fstat refuses it)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"{info.st_size} bytes, over the limit of {limit}")
        return fh.read(limit + 1)[:limit]


def _strength_of(entry: dict) -> float:
    """An entry's colour strength, bounded to the slider's range; a damaged value is 1."""
    value = entry.get("strength", 1.0)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    return min(max(float(value), 0.0), MAX_STRENGTH) if ok else 1.0


# px: the sizes the network may be asked to see (as `colorize --render-size` allows); a damaged
# detail outside them is the model's own size.
DETAIL_RANGE = (64, 2048)


def _detail_of(entry: dict) -> int:
    """An entry's detail (the size the network sees; 0: the model's own); a damaged value is 0."""
    value = entry.get("detail", 0)
    low, high = DETAIL_RANGE
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return value if ok else 0


class Kept(NamedTuple):
    """What the store keeps of a photo: the person's hints and choices."""

    hints: tuple[Hint, ...] = ()
    strength: float = 1.0  # colour strength: 1 as the model gives it
    detail: int = 0  # the size the network sees: 0 the model's own


class HintStore:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else user_data_dir() / "hints.json"
        self._entries: dict[str, dict] | None = None  # read on first use
        self._dirty = False
        self._unreadable = False  # the store on disk could not be read: kept aside, not lost
        self._lock = threading.Lock()  # the window's worker and its quit both reach it

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(_read_regular_file(self.path, MAX_STORE_BYTES).decode("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError) as e:
            # A damaged store costs the saved hints, never the app's start.
            log.warning("ignoring unreadable hints store %s: %s", self.path, e)
            self._unreadable = True
            return {}
        photos = data.get("photos") if isinstance(data, dict) else None
        return photos if isinstance(photos, dict) else {}

    def _loaded(self) -> dict[str, dict]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    @staticmethod
    def _key(photo: Path) -> tuple[str, int | None]:
        photo = Path(photo)
        try:
            return os.path.realpath(photo), photo.stat().st_size
        except OSError:  # not there, or a symlink loop (ELOOP)
            return str(photo.absolute()), None

    def lookup(self, photo: Path) -> Kept:
        """The photo's hints, colour strength and detail as the person last set them (none, 1
        and the model's own size by default), found with one look at the photo's file."""
        key, size = self._key(photo)
        with self._lock:
            entry = self._loaded().get(key)
        if not isinstance(entry, dict) or entry.get("size") != size:
            return Kept()
        return Kept(self._hints_of(entry, photo), _strength_of(entry), _detail_of(entry))

    def get(self, photo: Path) -> tuple[Hint, ...]:
        return self.lookup(photo)[0]

    def strength(self, photo: Path) -> float:
        return self.lookup(photo).strength

    @staticmethod
    def _hints_of(entry: dict, photo: Path) -> tuple[Hint, ...]:
        kept = entry.get("hints", {})
        try:
            # A list since 2026-12-02 (the order a person made them in); before, a hints file's
            # object (pins, then strokes).
            read = HintSet.from_list if isinstance(kept, list) else HintSet.from_json
            return tuple(read(kept).hints)
        except (HintError, RecursionError) as e:
            log.warning("ignoring damaged hints for %s: %s", photo, e)
            return ()

    def remember(
        self, photo: Path, hints: tuple[Hint, ...], strength: float = 1.0, detail: int = 0
    ) -> bool:
        """Keeps (or, with no hints and the model's own strength and detail, forgets) a photo's
        hints, colour strength and detail in memory; True if that changed what `flush` writes."""
        key, size = self._key(photo)
        with self._lock:
            entries = self._loaded()
            if hints or strength != 1.0 or detail:
                entry: dict = {"size": size, "hints": HintSet(list(hints)).to_list()}
                if strength != 1.0:  # a trial's 136% came back as 100% after a relaunch
                    entry["strength"] = round(float(strength), 3)
                if detail:  # saved again after a relaunch, the file must be the same
                    entry["detail"] = int(detail)
                if entries.get(key) == entry:
                    return False
                entries[key] = entry
            elif entries.pop(key, None) is None:
                return False
            self._dirty = True
        return True

    def flush(self) -> None:
        """Writes the store if anything changed since the last write; HintStoreError if it
        could not be written (the changes stay in memory for the next try)."""
        with self._lock:
            if not self._dirty:
                return
            # Compact: a long stroke is hundreds of numbers, and the store is written whole.
            store = {"version": VERSION, "photos": self._loaded()}
            payload = json.dumps(store, separators=(",", ":"))
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._keep_unreadable_aside()
                write_atomically(self.path, payload.encode("utf-8"))
            except (OSError, ColorizerError) as e:
                raise HintStoreError(str(e)) from e
            self._dirty = False

    def _keep_unreadable_aside(self) -> None:
        """A store this app could not read (damaged, or grown past MAX_STORE_BYTES) is renamed
        to hints.unreadable.json before the first write, not written over: someone may yet
        recover a family's pins from it."""
        if self._unreadable and self.path.is_file():
            os.replace(self.path, self.path.with_name(self.path.stem + ".unreadable.json"))
        self._unreadable = False

    def put(
        self, photo: Path, hints: tuple[Hint, ...], strength: float = 1.0, detail: int = 0
    ) -> None:
        """Keeps a photo's hints (and choices) and writes the store at once (the CLI's and
        tests' way)."""
        if self.remember(photo, hints, strength, detail):
            self.flush()
