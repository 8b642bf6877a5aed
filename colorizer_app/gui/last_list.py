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
        # While reopening: the one shown, how many were kept, each photo's folder opened.
        self._reopening: tuple[str | None, int, dict[str, str | None]] | None = None
        self._set_aside: set[str] = set()  # the kept list's photos (set_aside), to say so
        intake.added.connect(self._added)

    def remember(self) -> None:
        """The list as it is now; an empty one (Clear List before quitting) opens empty. Quit
        before the kept list was looked through again, the kept one stays: a review found it
        overwritten with an empty list by a quit during a slow share's scan."""
        if self._reopening is not None:
            return
        items = self.photos.items
        current = self.selection.current()
        self.settings.last_list = json.dumps(
            {
                "photos": [[str(it.path), str(it.root) if it.root else None] for it in items],
                "current": str(current.path) if current is not None else None,
            }
        )

    def reopen(self) -> int:
        """Lists again the photos kept at the last quit that are still there (colorized again,
        with their own choices); how many it looks for. Whether each is still there is asked on
        the scan worker: a list on a network share stats for seconds."""
        entries, current = read_entries(self.settings)
        if entries:
            self._reopening = (current, len(entries), dict(entries))
            paths = [path for path, _ in entries]
            self._intake.add_paths(paths, remember=False, skip_gone=True)
        return len(entries)

    def set_aside(self) -> None:
        """Started with photos of its own (opened from the desktop, the command line): the list
        kept is not opened, and is said so, once the new photos are in (a trial's 19 photos
        were gone from the window without a word). It is kept until the next quit."""
        entries, _current = read_entries(self.settings)
        if entries:
            self._set_aside = {path for path, _ in entries}
            # An Open Recent entry of their own, newest but one: what the notice points to.
            self._intake.opened.emit([path for path, _ in entries])

    def _added(self, added: list[PhotoItem], _colorize: bool) -> None:
        if self._set_aside and self._reopening is None:
            # Only those not opened again now: a trial opened the same folder and was told its
            # six photos had been set aside.
            kept = len(self._set_aside - {str(item.path) for item in added})
            other = " other" if kept < len(self._set_aside) else ""
            self._set_aside = set()
            if kept:
                self.status.emit(
                    f"Opened {photos(len(added))}; the {kept}{other} "
                    f"{'photo' if kept == 1 else 'photos'} listed last time "
                    f"{'was' if kept == 1 else 'were'} set aside: File > Open Recent opens "
                    f"{'it' if kept == 1 else 'them'} again."
                )
            return
        if self._reopening is None:
            return
        current, kept, roots = self._reopening
        self._reopening = None
        gone = kept - len(added)
        if not added:
            are = "is" if kept == 1 else "are"
            self.status.emit(
                f"The {photos(kept)} listed last time {are} no longer where they were."
            )
            return
        for item in added:  # the folder each was found in: a save into a folder keeps its tree
            root = roots.get(str(item.path))
            item.root = Path(root) if root else None
        shown = next((it for it in added if str(it.path) == current), None)
        if shown is not None:
            self.selection.make_current(shown)
        said = f"Opened the {photos(len(added))} listed when Colorizer was last closed"
        if gone:
            # Which ones (a trial read "1 photo of them is no longer there" and had to guess).
            found = {str(it.path) for it in added}
            names = [Path(p).name for p in roots if p not in found]
            named = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
            are = "is" if gone == 1 else "are"
            said += f"; {photos(gone)} of them {are} no longer there ({named})"
        self.status.emit(said + ". File > Clear List starts afresh.")
