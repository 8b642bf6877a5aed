"""Taking photos off the list, and putting them back.

A controller: Remove from List (Del) and Clear List throw away results and the pins' undo
history with one key, so both can be undone: the entries taken off last are kept here, results
and all, until the next Remove or Clear, and Edit > Undo Remove (or the status bar's Undo
button, which this owns) puts them back where they were. The files themselves are never touched
either way. The window hears through `changed` (show the current photo again), `forgotten`
(entries gone for good: their pins' undo history goes) and `status`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QWidget

from ..core.wording import photos
from .photo_list import PhotoItem, PhotoListModel, PhotoState
from .selection import Selection
from .window_actions import make_action


class ListEdits(QObject):
    changed = Signal()  # photos left the list or came back
    forgotten = Signal(object)  # [PhotoItem] gone for good (no Undo brings them back)
    undo_changed = Signal(bool)  # True: a new step to undo (window_undo.py); False: undone
    status = Signal(str)  # a line for the status bar
    # [PhotoItem] put back that were waiting when taken off: their run was cancelled with them
    colorize_requested = Signal(object)

    def __init__(self, photos: PhotoListModel, selection: Selection, host: QWidget):
        super().__init__(host)
        self.photos = photos
        self.selection = selection
        self._cleared: list[PhotoItem] = []  # the entries taken off last
        self._cleared_rows: list[int] = []  # where they were
        self.undo_name = "Remove"  # what Edit > Undo names: "Remove" or "Clear List"
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Put the photos taken off the list back, with results")
        self.undo_button.setVisible(False)
        self.undo_button.clicked.connect(self.undo)
        self.actions: dict[str, QAction] = {
            "undo_clear": make_action(
                host,
                "Undo Remo&ve",
                self.undo,
                None,
                "Put the photos of the last Remove or Clear List back, with their results",
            )
        }
        self.undo_twin = self.actions["undo_clear"]  # hidden while Edit > Undo names it

    @property
    def can_undo(self) -> bool:
        return bool(self._cleared)

    def remove_selected(self) -> None:
        items = self.selection.selected()
        if not items:
            return
        rows = [self.photos.row_of(it) for it in items]
        self.photos.remove_rows(rows)
        self._take_off(items, sorted(rows), "Remove")
        names = items[0].path.name if len(items) == 1 else f"{len(items)} photos"
        self.status.emit(
            f"Removed {names} from the list. Your files are untouched; Undo puts "
            + ("it" if len(items) == 1 else "them")
            + " back."
        )
        self.changed.emit()

    def clear(self) -> None:
        """Every photo leaves the list (what was queued for them is the window's to cancel)."""
        items = list(self.photos.items)
        if not items:
            return
        self.photos.clear()
        self._take_off(items, list(range(len(items))), "Clear List")
        done = sum(1 for it in items if it.result is not None)
        self.status.emit(
            f"Cleared {photos(len(items))} from the list"
            + (f", {done} colorized" if done else "")
            + ". Your files are untouched; Undo puts them back."
        )
        self.changed.emit()

    def undo(self) -> None:
        items, self._cleared = self._cleared, []
        rows, self._cleared_rows = self._cleared_rows, []
        self.undo_button.setVisible(False)
        if not items:
            return
        self.undo_changed.emit(False)
        cancelled = [it for it in items if it.state in (PhotoState.QUEUED, PhotoState.COLORIZING)]
        for item in cancelled:  # what was waiting when it was taken off was cancelled
            item.state = PhotoState.ADDED
        back = self.photos.restore(items, rows)
        again = len(items) - len(back)
        self.forgotten.emit([it for it in items if it not in back])
        if not back:
            self.status.emit(
                f"Nothing to put back: {'it is' if len(items) == 1 else 'they are'} "
                "on the list again already."
            )
        else:
            self.status.emit(
                f"Put {photos(len(back))} back on the list"
                + (
                    f"; {again} {'was' if again == 1 else 'were'} on it again already."
                    if again
                    else "."
                )
            )
            self.selection.make_current(back[0])
        self.changed.emit()
        # Queued again (a review: put back, they showed "Loading…" for ever, and one being
        # coloured again at another detail kept its old colour under the new detail's name).
        again_queued = [it for it in cancelled if it in back]
        if again_queued:
            self.colorize_requested.emit(again_queued)

    def _take_off(self, items: list[PhotoItem], rows: list[int], name: str) -> None:
        """Keeps what is taken off for Undo (only the latest can be undone)."""
        self.forgotten.emit(self._cleared)
        self._cleared, self._cleared_rows = items, rows
        self.undo_name = name
        self.undo_button.setVisible(True)
        self.undo_changed.emit(True)
