"""Taking photos off the list, and putting a cleared list back. A mixin of MainWindow.

Clear List throws away every result (and the pins' undo history) with one key, so it can be
undone: the cleared entries are kept, results and all, until the next Clear, and Edit > Undo
Clear List (or the status bar's Undo button) puts them back. The files themselves are never
touched either way.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from .photo_list import PhotoItem, PhotoState
from .window_base import WindowBase


class ListEditsMixin(WindowBase):
    def _build_list_edits(self) -> None:
        self._cleared: list[PhotoItem] = []
        self.undo_clear_button = QPushButton("Undo")
        self.undo_clear_button.setToolTip("Put the cleared photos back, with their results")
        self.undo_clear_button.setVisible(False)
        self.undo_clear_button.clicked.connect(self.undo_clear)
        self.statusBar().addPermanentWidget(self.undo_clear_button)

    def _list_actions(self) -> dict:
        action = self._action(
            "Undo C&lear List",
            self.undo_clear,
            None,
            "Put the photos of the last Clear List back, with their results",
        )
        return {"undo_clear": action}

    def remove_selected(self) -> None:
        items = self.selected_items()
        self.photos.remove_rows([self.photos.row_of(it) for it in items])
        self._forget_undo(items)
        self._show_current()
        self._update_actions()

    def clear_all(self) -> None:
        items = list(self.photos.items)
        if not items:
            return
        if self._busy_jobs:
            self.cancel()
        self._forget_undo(self._cleared)  # only the latest Clear can be undone
        self._cleared = items
        self.photos.clear()
        done = sum(1 for it in items if it.result is not None)
        self.status_label.setText(
            f"Cleared {len(items)} photo(s) from the list"
            + (f", {done} colorized" if done else "")
            + ". Your files are untouched; Undo puts them back."
        )
        self.undo_clear_button.setVisible(True)
        self._show_current()
        self._update_actions()

    def undo_clear(self) -> None:
        items, self._cleared = self._cleared, []
        self.undo_clear_button.setVisible(False)
        if not items:
            return
        for item in items:  # what was waiting when the list was cleared was cancelled
            if item.state in (PhotoState.QUEUED, PhotoState.COLORIZING):
                item.state = PhotoState.ADDED
        back = self.photos.restore(items)
        self.status_label.setText(f"Put {len(back)} photo(s) back on the list.")
        if back and self.list_view.currentIndex().row() < 0:
            self.list_view.setCurrentIndex(self.photos.index(self.photos.row_of(back[0])))
        self._show_current()
        self._update_actions()
