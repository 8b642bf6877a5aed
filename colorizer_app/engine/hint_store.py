"""Each photo's colour hints, kept in the person's app data so a photo reopened later keeps them.

Never beside the originals: one JSON file (`hints.json` in the app-data folder), keyed by the
photo's resolved path and checked against its size in bytes, so hints made for one scan are not
laid over a different file that later took its name. Written whole to a temporary name and
renamed, like every file the app writes.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ..core.fileio import write_atomically
from ..core.hints import Hint, HintError, HintSet
from ..core.paths import user_data_dir

log = logging.getLogger(__name__)
VERSION = 1


class HintStore:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else user_data_dir() / "hints.json"
        self._entries: dict[str, dict] = self._read()

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            # A damaged store costs the saved hints, never the app's start.
            log.warning("ignoring unreadable hints store %s: %s", self.path, e)
            return {}
        photos = data.get("photos") if isinstance(data, dict) else None
        return photos if isinstance(photos, dict) else {}

    @staticmethod
    def _key(photo: Path) -> tuple[str, int | None]:
        photo = Path(photo)
        try:
            return str(photo.resolve()), photo.stat().st_size
        except OSError:
            return str(photo.absolute()), None

    def get(self, photo: Path) -> tuple[Hint, ...]:
        key, size = self._key(photo)
        entry = self._entries.get(key)
        if not isinstance(entry, dict) or entry.get("size") != size:
            return ()
        try:
            return tuple(HintSet.from_json(entry.get("hints", {})).hints)
        except HintError as e:
            log.warning("ignoring damaged hints for %s: %s", photo, e)
            return ()

    def put(self, photo: Path, hints: tuple[Hint, ...]) -> None:
        """Keeps (or, with no hints, forgets) a photo's hints and writes the store."""
        key, size = self._key(photo)
        if hints:
            self._entries[key] = {"size": size, "hints": HintSet(list(hints)).to_json()}
        elif self._entries.pop(key, None) is None:
            return
        payload = json.dumps({"version": VERSION, "photos": self._entries}, indent=1)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, payload.encode("utf-8"))
