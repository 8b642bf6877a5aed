"""The photo list as it was at quit, opened again at the next start.

A shoebox is worked through over many evenings: a trial closed the app with 14 photos listed,
some with pins and their own strength, and found an empty window the next day. Each photo's
pins, strength, detail and restore choices are kept already (pin_store, restoring); this keeps
which photos were listed, in their order, the folder each was found in (so a save into a folder
keeps the subfolders) and the one shown. Started with photos of its own (the command line, a
file opened from the desktop), the app opens those instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..core.wording import photos
from .app_settings import AppSettings
from .photo_intake import PhotoIntake
from .photo_list import PhotoItem, PhotoListModel
from .selection import Selection


def read_entries(settings: AppSettings) -> tuple[list[tuple[str, str | None]], str | None]:
    """([(photo, its folder opened or None)], the photo shown) as kept; nothing if unreadable."""
    try:
        kept = json.loads(settings.last_list or "{}")
    except (TypeError, ValueError, RecursionError):  # edited by hand: start with an empty list
        return [], None
    if not isinstance(kept, dict) or not isinstance(kept.get("photos"), list):
        return [], None
    entries = [
        (e[0], e[1] if isinstance(e[1], str) else None)
        for e in kept["photos"]
        if isinstance(e, list) and len(e) == 2 and isinstance(e[0], str)
    ]
    current = kept.get("current")
    return entries, current if isinstance(current, str) else None


def still_there(entries: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The entries whose photo is still on disk; a folder that is gone (a card or drive taken
    out) is looked at once, not once per photo in it."""
    folders: dict[str, bool] = {}
    kept = []
    for path, root in entries:
        parent = os.path.dirname(path)
        if parent not in folders:
            folders[parent] = os.path.isdir(parent)
        if folders[parent] and os.path.isfile(path):
            kept.append((path, root))
    return kept


class LastList(QObject):
    """Keeps the list at quit (`remember`) and opens it again (`reopen`)."""

    status = Signal(str)

    def __init__(
        self,
        settings: AppSettings,
        photos_model: PhotoListModel,
        intake: PhotoIntake,
        selection: Selection,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.settings, self.photos, self.selection = settings, photos_model, selection
        self._intake = intake
        # While reopening: the one shown, how many are gone, each photo's folder opened.
        self._reopening: tuple[str | None, int, dict[str, str | None]] | None = None
        intake.added.connect(self._added)

    def remember(self) -> None:
        """The list as it is now; an empty one (Clear List before quitting) opens empty."""
        items = self.photos.items
        current = self.selection.current()
        self.settings.last_list = json.dumps(
            {
                "photos": [[str(it.path), str(it.root) if it.root else None] for it in items],
                "current": str(current.path) if current is not None else None,
            }
        )

    def reopen(self) -> int:
        """Lists the photos kept at the last quit that are still there (colorized again, with
        their own choices); how many it asked for."""
        entries, current = read_entries(self.settings)
        there = still_there(entries)
        if not there:
            if entries:
                are = "is" if len(entries) == 1 else "are"
                self.status.emit(
                    f"The {photos(len(entries))} listed last time {are} no longer where they were."
                )
            return 0
        self._reopening = (current, len(entries) - len(there), dict(there))
        self._intake.add_paths([path for path, _ in there], remember=False)
        return len(there)

    def _added(self, added: list[PhotoItem], _colorize: bool) -> None:
        if self._reopening is None:
            return
        current, gone, roots = self._reopening
        self._reopening = None
        for item in added:  # the folder each was found in: a save into a folder keeps its tree
            root = roots.get(str(item.path))
            item.root = Path(root) if root else None
        shown = next((it for it in added if str(it.path) == current), None)
        if shown is not None:
            self.selection.make_current(shown)
        said = f"Opened the {photos(len(added))} listed when Colorizer was last closed"
        if gone:
            said += f"; {photos(gone)} of them {'is' if gone == 1 else 'are'} no longer there"
        self.status.emit(said + ". File > Clear List starts afresh.")
