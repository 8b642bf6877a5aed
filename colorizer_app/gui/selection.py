"""What the person has chosen in the photos pane: the photo shown and the selected ones.

One object the window and its controllers share to read the choice (and to make a photo the
current one); the choice itself is the list view's, so nothing here can fall out of step.
"""

from __future__ import annotations

from PySide6.QtWidgets import QListView

from .photo_list import PhotoItem, PhotoListModel


class Selection:
    def __init__(self, list_view: QListView, photos: PhotoListModel):
        self.list_view = list_view
        self.photos = photos

    def current(self) -> PhotoItem | None:
        row = self.list_view.currentIndex().row()
        return self.photos.items[row] if 0 <= row < len(self.photos.items) else None

    def selected(self) -> list[PhotoItem]:
        """The selected photos in list order; the current one when none is selected."""
        rows = sorted({i.row() for i in self.list_view.selectionModel().selectedIndexes()})
        if not rows and self.current() is not None:
            rows = [self.list_view.currentIndex().row()]
        return [self.photos.items[r] for r in rows]

    def make_current(self, item: PhotoItem) -> None:
        self.list_view.setCurrentIndex(self.photos.index(self.photos.row_of(item)))
