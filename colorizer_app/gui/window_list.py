"""Taking photos off the list, and putting them back. A mixin of MainWindow.

Remove from List (Del) and Clear List throw away results and the pins' undo history with one
key, so both can be undone: the entries taken off last are kept, results and all, until the
next Remove or Clear, and Edit > Undo Remove (or the status bar's Undo button) puts them back
where they were. The files themselves are never touched either way.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from .photo_list import PhotoItem, PhotoState
from .window_base import WindowBase


class ListEditsMixin(WindowBase):
    def _build_list_edits(self) -> None:
        self._cleared: list[PhotoItem] = []  # the entries taken off last
        self._cleared_rows: list[int] = []  # where they were
        self.undo_clear_button = QPushButton("Undo")
        self.undo_clear_button.setToolTip("Put the photos taken off the list back, with results")
        self.undo_clear_button.setVisible(False)
        self.undo_clear_button.clicked.connect(self.undo_clear)
        self.statusBar().addPermanentWidget(self.undo_clear_button)

    def _list_actions(self) -> dict:
        action = self._action(
            "Undo Remo&ve",
            self.undo_clear,
            None,
            "Put the photos of the last Remove or Clear List back, with their results",
        )
        return {"undo_clear": action}

    def delete_pressed(self) -> None:
        """Del: in pin mode with the pointer on the photo, it is about pins (the one under the
        pointer goes, wherever the keyboard focus is), never about the list; otherwise the
        selected photos leave the list."""
        if self.view.pin_mode and self.view.underMouse() and self.view.colorized is not None:
            if not self.view.delete_pin():
                self.status_label.setText(
                    "Del removes the pin under the pointer. To take the photo off the list, "
                    "use Edit > Remove from List."
                )
            return
        self.remove_selected()

    def _take_off(self, items: list[PhotoItem], rows: list[int]) -> None:
        """Keeps what is taken off for Undo (only the latest can be undone)."""
        self.pins.forget(self._cleared)
        self._cleared, self._cleared_rows = items, rows
        self.undo_clear_button.setVisible(True)

    def remove_selected(self) -> None:
        items = self.selected_items()
        if not items:
            return
        rows = [self.photos.row_of(it) for it in items]
        self.photos.remove_rows(rows)
        self._take_off(items, sorted(rows))
        names = items[0].path.name if len(items) == 1 else f"{len(items)} photos"
        self.status_label.setText(
            f"Removed {names} from the list. Your files are untouched; Undo puts "
            + ("it" if len(items) == 1 else "them")
            + " back."
        )
        self._show_current()
        self._update_actions()

    def clear_all(self) -> None:
        items = list(self.photos.items)
        if not items:
            return
        self.cancel()  # what is still queued
        self.photos.clear()
        self._take_off(items, list(range(len(items))))
        done = sum(1 for it in items if it.result is not None)
        self.status_label.setText(
            f"Cleared {len(items)} photo(s) from the list"
            + (f", {done} colorized" if done else "")
            + ". Your files are untouched; Undo puts them back."
        )
        self._show_current()
        self._update_actions()

    def undo_clear(self) -> None:
        items, self._cleared = self._cleared, []
        rows, self._cleared_rows = self._cleared_rows, []
        self.undo_clear_button.setVisible(False)
        if not items:
            return
        for item in items:  # what was waiting when it was taken off was cancelled
            if item.state in (PhotoState.QUEUED, PhotoState.COLORIZING):
                item.state = PhotoState.ADDED
        back = self.photos.restore(items, rows)
        again = len(items) - len(back)
        self.pins.forget([it for it in items if it not in back])
        if not back:
            self.status_label.setText(
                f"Nothing to put back: the {len(items)} photo(s) are on the list again already."
            )
        else:
            self.status_label.setText(
                f"Put {len(back)} photo(s) back on the list"
                + (f"; {again} were on it again already." if again else ".")
            )
            self.list_view.setCurrentIndex(self.photos.index(self.photos.row_of(back[0])))
        self._show_current()
        self._update_actions()
