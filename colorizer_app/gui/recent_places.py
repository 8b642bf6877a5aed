"""File > Open Recent: the folders and photos a person opened or dropped, newest first, to open
again with one click (a shoebox is worked through over many evenings).

An entry is what was opened at once: one folder, one photo, or the photos chosen together in the
Open dialog, recorded once photos were found in it. An entry whose first path is gone (a USB
drive unplugged) stays on the list, greyed, and comes back when the drive does; only that one
path per entry is looked at when the menu opens, so a sleeping network share costs one look, not
hundreds. Photos of an entry that have gone are counted in the status bar when the rest open.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QStatusBar

from .app_settings import AppSettings
from .elided_label import NOTICE_MS, show_notice
from .photo_intake import PhotoIntake

RECENT_MAX = 10
LABEL_CHARS = 70  # longer labels are shortened in the middle, keeping the name and the drive


def _home_short(path: Path) -> str:
    """The path as a person reads it: their home folder as ~."""
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home) :] if text == home or text.startswith(home + os.sep) else text


def label(entry: Sequence[str]) -> str:
    """The entry as the menu shows it: "scans — ~/Pictures", "a.jpg and 11 more — ~/Pictures";
    photos from several folders, the folder that holds them all: "a.jpg and 9 more — ~/Scans,
    2 folders" (a trial read only the first photo's folder for photos of two)."""
    first = Path(entry[0])
    name = first.name or str(first)
    if len(entry) > 1:
        name += f" and {len(entry) - 1} more"
    folders = {os.path.normcase(os.path.dirname(p)): os.path.dirname(p) for p in entry}
    where = _home_short(first.parent)
    if len(folders) > 1:  # C:\Scans and c:\scans are one folder on Windows (normcase)
        try:
            common = Path(os.path.commonpath(list(folders.values())))
            where = f"{_home_short(common)}, {len(folders)} folders"
        except ValueError:  # no folder in common (Windows drives): said as many
            where = f"{len(folders)} folders"
    text = f"{name} — {where}"
    if len(text) > LABEL_CHARS:
        keep = (LABEL_CHARS - 1) // 2
        text = text[:keep] + "…" + text[-keep:]
    return text.replace("&", "&&")


class RecentPlaces(QObject):
    """The Open Recent submenu and the list behind it (kept in AppSettings)."""

    open_requested = Signal(list)  # [str]: the paths of the entry chosen that are still there
    notice = Signal(str)  # what a person should read for a while (the status bar's message)

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
        # The same photos chosen in another order are the same entry.
        kept = [e for e in self.entries if sorted(e) != sorted(entry)]
        self.settings.recent_places = [entry, *kept][:RECENT_MAX]
        self._rebuild()

    def clear(self) -> None:
        self.settings.recent_places = []
        self._rebuild()

    def _rebuild(self) -> None:
        self.menu.clear()
        entries = self.entries
        for number, entry in enumerate(entries, 1):
            there = os.path.exists(entry[0])
            text = label(entry) + ("" if there else " (not found)")
            # "1. photos", not "1 photos": a trial read a folder named photos as a count
            prefix = f"&{number % 10}. " if number <= 10 else ""
            action = QAction(prefix + text, self.menu)
            shown = [p if len(p) <= 100 else p[:49] + "…" + p[-50:] for p in entry[:12]]
            action.setToolTip("\n".join(shown) + ("\n…" if len(entry) > 12 else ""))
            action.setStatusTip(entry[0] if len(entry) == 1 else f"{len(entry)} photos")
            action.setEnabled(there)
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
        if gone:
            what = (
                f"{Path(entry[0]).name} is"
                if len(entry) == 1
                else f"{gone} of these {len(entry)} photos {'is' if gone == 1 else 'are'}"
                if there
                else f"These {len(entry)} photos are"
            )
            self.notice.emit(f"{what} no longer there (moved, renamed, or on a drive unplugged).")
        if there:
            self.remember(entry)
            self.open_requested.emit(there)


def attach_recent_places(
    settings: AppSettings, intake: PhotoIntake, file_menu: QMenu, before: QAction, bar: QStatusBar
) -> RecentPlaces:
    """Open Recent in the File menu above `before`, fed by what `intake` opens (its dialogs,
    drops and the photos the app was started with) and opening through it; its notices shown on
    `bar` for a while, where the batch's lines would have replaced them at once."""
    recent = RecentPlaces(settings, file_menu)
    file_menu.insertMenu(before, recent.menu)
    intake.opened.connect(recent.remember)
    # Kept as chosen (remembered above), not as the part of it still there.
    recent.open_requested.connect(lambda paths: intake.add_paths(paths, True, remember=False))
    recent.notice.connect(lambda text: show_notice(bar, text, NOTICE_MS))
    return recent
