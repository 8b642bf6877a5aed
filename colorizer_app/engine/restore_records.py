"""What the app keeps and shows of a photo's restoration, without torch: each photo's Restore
switches and corrected damage (in the app-data folder, never beside the originals) and a
preview's result. The window builds its Restore panel from these before torch has loaded;
engine/restoring.py, which repairs (its detector needs torch), makes the previews."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..core.errors import ColorizerError
from ..core.fileio import write_atomically
from ..core.paths import user_data_dir
from ..restore.options import Restored, RestoreOptions
from .hint_store import _read_regular_file

log = logging.getLogger(__name__)


@dataclass
class RestorePreview:
    original: np.ndarray  # the photo at most PREVIEW_SIDE, uint8 RGB
    repaired: np.ndarray  # the same repaired
    done: Restored  # what was done: its mask is the damage filled (None: scratches off)
    given: np.ndarray | None = None  # the corrected mask it was asked to fill, as given

    @property
    def mask(self) -> np.ndarray | None:
        return self.done.mask


class RestoreChoices:
    """Each photo's Restore switches, kept in the app-data folder (`restore.json`, keyed by the
    photo's resolved path), never beside the originals; written whole, atomically, on each
    change (a few bytes per photo). A damaged file costs the saved switches, never the app."""

    MAX_BYTES = 16 << 20

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else user_data_dir() / "restore.json"
        self._entries: dict[str, str] | None = None

    def _loaded(self) -> dict[str, str]:
        if self._entries is None:
            try:
                data = json.loads(_read_regular_file(self.path, self.MAX_BYTES).decode("utf-8"))
                photos = data.get("photos") if isinstance(data, dict) else None
                self._entries = (
                    {k: v for k, v in (photos or {}).items() if isinstance(v, str)}
                    if isinstance(photos, dict)
                    else {}
                )
            except FileNotFoundError:
                self._entries = {}
            except (OSError, ValueError, RecursionError) as exc:
                log.warning("ignoring unreadable restore settings %s: %s", self.path, exc)
                self._entries = {}
        return self._entries

    def get(self, photo: Path) -> RestoreOptions:
        """The switches kept for this photo. Kept with its size, as its pins and corrected
        damage are: a new scan001.jpg scanned in where the old one was took the old one's
        repairs (a review). An entry from before sizes were kept is taken as it is."""
        entries = self._loaded()
        if not entries:  # none kept (most people): nothing to stat for each photo queued
            return RestoreOptions()
        steps, _, size = entries.get(os.path.realpath(photo), "none").partition("|")
        if size and size != str(_size_of(photo)):
            return RestoreOptions()
        try:
            return RestoreOptions.parse(steps)
        except ValueError:
            return RestoreOptions()

    def remember(self, photo: Path, options: RestoreOptions) -> None:
        """Kept for this photo and written at once; an unwritable app-data folder is logged."""
        entries = self._loaded()
        key = os.path.realpath(photo)  # not resolve(): it raises on a symlink loop
        if options.any:
            size = _size_of(photo)
            entries[key] = str(options) + (f"|{size}" if size is not None else "")
        else:
            entries.pop(key, None)
        try:
            payload = json.dumps({"version": 1, "photos": entries}, indent=1)
            write_atomically(self.path, payload.encode("utf-8"))
        except ColorizerError as exc:
            log.warning("restore settings not saved: %s", exc)


def _size_of(photo: Path) -> int | None:
    try:
        return Path(photo).stat().st_size
    except OSError:
        return None


class CorrectedMasks:
    """Each photo's damage as a person corrected it with the brush, kept in the app-data folder
    (`damage-masks/`, one small PNG per photo), never beside the originals, so a correction made
    today is still there when the photo is opened next week.

    A file's name is a hash of the photo's resolved path and its size in bytes: a different scan
    that later takes the name (another size) does not get this one's corrections. Written to a
    temporary name and renamed; a damaged or unreadable file costs that correction, never the
    app."""

    MAX_BYTES = 64 << 20

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder is not None else user_data_dir() / "damage-masks"

    def file_for(self, photo: Path) -> Path | None:
        photo = Path(photo)
        try:
            key = f"{os.path.realpath(photo)}\0{photo.stat().st_size}"
        except OSError:
            return None  # gone or unreadable: nothing to match a correction to
        # surrogateescape: a Linux name that is not UTF-8 (an old card's Gro\xdfmutter.jpg) raised
        # here and broke the Restore panel; valid names hash as before.
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
        return self.folder / (digest[:32] + ".png")

    def get(self, photo: Path) -> np.ndarray | None:
        """The corrected mask (bool, the preview's size when it was made), or None."""
        path = self.file_for(photo)
        if path is None:
            return None
        try:
            data = _read_regular_file(path, self.MAX_BYTES)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable corrected damage %s: %s", path, exc)
            return None
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
        if image is None:
            log.warning("ignoring damaged corrected damage %s for %s", path, photo)
            return None
        return image > 127

    def put(self, photo: Path, mask: np.ndarray | None) -> None:
        """Keeps `mask` as this photo's correction (None: forgets it). ColorizerError if the
        app-data folder cannot take it."""
        path = self.file_for(photo)
        if path is None:
            return
        if mask is None:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise ColorizerError(f"cannot remove {path}: {exc.strerror or exc}") from exc
            return
        ok, encoded = cv2.imencode(
            ".png", mask.astype(np.uint8) * 255, [cv2.IMWRITE_PNG_BILEVEL, 1]
        )
        if not ok:
            raise ColorizerError(f"cannot encode the corrected damage for {photo}")
        write_atomically(path, encoded.tobytes())
