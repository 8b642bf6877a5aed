"""File > Open Recent: the folders and photos a person opened or dropped, newest first, to open
again with one click (a shoebox is worked through over many evenings).

An entry is what was opened at once: one folder, one photo, or the photos chosen together in the
Open dialog. Entries whose every path is gone (a USB drive unplugged) stay on the list, greyed,
and come back when the drive does; photos of an entry that have gone are named in the status bar
when the rest are opened.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from .app_settings import AppSettings
from .photo_intake import PhotoIntake

RECENT_MAX = 10
LABEL_CHARS = 70  # longer labels are shortened in the middle, keeping the name and the drive


def _home_short(path: Path) -> str:
    """The path as a person reads it: their home folder as ~."""
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home) :] if text == home or text.startswith(home + os.sep) else text


def label(entry: Sequence[str]) -> str:
    """The entry as the menu shows it: "scans — ~/Pictures", "a.jpg and 11 more — ~/Pictures"."""
    first = Path(entry[0])
    name = first.name or str(first)
    if len(entry) > 1:
        name += f" and {len(entry) - 1} more"
    text = f"{name} — {_home_short(first.parent)}"
    if len(text) > LABEL_CHARS:
        keep = (LABEL_CHARS - 1) // 2
        text = text[:keep] + "…" + text[-keep:]
    return text.replace("&", "&&")


class RecentPlaces(QObject):
    """The Open Recent submenu and the list behind it (kept in AppSettings)."""

    open_requested = Signal(list, str)  # [str]: the entry's paths still there; what is gone

    def __init__(self, settings: AppSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self.menu = QMenu("Open &Recent")
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._rebuild)
        self._rebuild()  # the menu's own state is right before it is first opened (tests, a11y)

    @property
    def entries(self) -> list[list[str]]:
        return self.settings.recent_places

    def remember(self, paths: Sequence[str | Path]) -> None:
        """`paths` opened together: first on the list (moved there if it was on it already)."""
        entry = [os.path.abspath(p) for p in paths]
        if not entry:
            return
        kept = [e for e in self.entries if e != entry]
        self.settings.recent_places = [entry, *kept][:RECENT_MAX]
        self._rebuild()

    def clear(self) -> None:
        self.settings.recent_places = []
        self._rebuild()

    def _rebuild(self) -> None:
        self.menu.clear()
        entries = self.entries
        for number, entry in enumerate(entries, 1):
            there = [p for p in entry if os.path.exists(p)]
            text = label(entry) + ("" if there else " (not found)")
            prefix = f"&{number % 10} " if number <= 10 else ""
            action = QAction(prefix + text, self.menu)
            action.setToolTip("\n".join(entry[:12]) + ("\n…" if len(entry) > 12 else ""))
            action.setStatusTip(entry[0] if len(entry) == 1 else f"{len(entry)} photos")
            action.setEnabled(bool(there))
            action.triggered.connect(lambda _=False, e=entry: self._open(e))
            self.menu.addAction(action)
        if entries:
            self.menu.addSeparator()
        clear = self.menu.addAction("&Clear This List", self.clear)
        clear.setEnabled(bool(entries))
        self.menu.setEnabled(True)
        self.menu.menuAction().setEnabled(bool(entries))

    def _open(self, entry: list[str]) -> None:
        there = [p for p in entry if os.path.exists(p)]
        gone = len(entry) - len(there)
        note = ""
        if gone:  # a menu built before the drive went: the entry was still enabled
            what = "1 of these photos is" if gone == 1 else f"{gone} of these photos are"
            note = f"{what} no longer there (moved, renamed, or on a drive unplugged)."
        if there:
            self.remember(entry)
            self.open_requested.emit(there, note)


def attach_recent_places(
    settings: AppSettings, intake: PhotoIntake, file_menu: QMenu, before: QAction
) -> RecentPlaces:
    """Open Recent in the File menu above `before`, fed by what `intake` opens (its dialogs and
    drops) and opening through it."""
    recent = RecentPlaces(settings, file_menu)
    file_menu.insertMenu(before, recent.menu)
    intake.opened.connect(recent.remember)
    recent.open_requested.connect(lambda paths, note: intake.add_paths(paths, True, note))
    return recent
