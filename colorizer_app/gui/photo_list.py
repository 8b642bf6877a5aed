"""The photos pane's model: one row per photo, its thumbnail, name and state."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from .qimage import to_qimage
from .thumbnails import THUMB_SIDE

if TYPE_CHECKING:  # the window shows before torch loads: the engine is imported on a worker
    from ..engine.session import ColorizedPhoto


class PhotoState(Enum):
    ADDED = "added"
    QUEUED = "queued"
    COLORIZING = "colorizing"
    DONE = "done"
    FAILED = "failed"


_STATE_COLORS = {
    PhotoState.QUEUED: "#8a8a8a",
    PhotoState.COLORIZING: "#2f7ed8",
    PhotoState.DONE: "#2e9d4a",
    PhotoState.FAILED: "#d0392b",
}


def real_path(path: str | os.PathLike) -> Path:
    """The path with every link followed. Not Path.resolve: before Python 3.13 it raises on a
    symlink loop, and one such file in a folder kept all of its photos off the list."""
    return Path(os.path.realpath(path))


@dataclass
class PhotoItem:
    path: Path
    key: Path  # the resolved path: what makes two entries the same photo
    state: PhotoState = PhotoState.ADDED
    error: str = ""
    thumbnail: QImage | None = None
    result: ColorizedPhoto | None = None
    saved_to: str = ""
    hints: tuple = ()  # colour pins (core.hints.Hint), in the original's upright pixels
    strength: float = 1.0  # this photo's colour strength (the slider shows the current one's)
    render_size: int = 0  # the size the network sees; 0: the model's own
    # The opened folder the photo was found in (None: opened as a file). Saved into a folder of
    # their own, copies keep the subfolders below it, as the command line's -o does.
    root: Path | None = None


class PhotoListModel(QAbstractListModel):
    StateRole = Qt.ItemDataRole.UserRole + 1
    PathRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[PhotoItem] = []
        # Lookups by path, job and row are dictionaries, not scans: with thousands of photos every
        # thumbnail and every finished job would otherwise walk the whole list.
        self._by_key: dict[Path, PhotoItem] = {}
        self._by_job: dict[int, PhotoItem] = {}
        self._rows: dict[int, int] = {}  # id(item) -> row
        self._next_job = 0
        self._names: Counter[str] = Counter()  # how many entries have each file name

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            label = {PhotoState.ADDED: ""}.get(item.state, item.state.value)
            if item.state == PhotoState.DONE and item.result is not None:
                # Restored with the Restore panel closed, a trial could not tell: said here too.
                restored = ", restored" if item.result.repaired else ""
                label = f"done{restored}{', with a note' if item.result.notes else ''}"
            name = self.shown_name(item)
            return f"{name}\n{label}" if label else name
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = str(item.path)
            if item.state == PhotoState.FAILED:
                tip += f"\n\nFailed: {item.error}"
            elif item.saved_to:
                tip += f"\n\nSaved to {item.saved_to}"
            if item.result is not None and item.result.restore.any:
                steps = str(item.result.restore).replace(",", ", ")
                if item.result.repaired:
                    tip += f"\n\nRestored before its colour: {steps} (the Restore panel)"
                else:
                    # Judged at the size shown: grain a save at full size has is still taken out
                    tip += f"\n\nRestore ({steps}) found nothing to repair at the size shown"
            if item.result is not None and item.result.notes:
                tip += "\n\nNote: " + "; ".join(item.result.notes)
            return tip
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(item)
        if role == Qt.ItemDataRole.ForegroundRole and item.state == PhotoState.FAILED:
            return QColor(_STATE_COLORS[PhotoState.FAILED])
        if role == self.StateRole:
            return item.state.value
        if role == self.PathRole:
            return str(item.path)
        return None

    def shown_name(self, item: PhotoItem) -> str:
        """The file's name, with the folder it lies in where another entry has the same name:
        a trial's 1920s/scan001.jpg and 1950s/scan001.jpg both read "scan001.jpg"."""
        if self._names[item.path.name.casefold()] < 2:
            return item.path.name
        if item.root is not None and item.path.is_relative_to(item.root):
            below = item.path.relative_to(item.root)
            if below.parent != Path("."):
                return below.as_posix()
        # Directly in the folder opened (two folders opened, each with its kodim03.png: both
        # read "kodim03.png" in a trial): that folder's name.
        return f"{item.path.parent.name}/{item.path.name}"

    def _icon(self, item: PhotoItem) -> QIcon:
        pix = QPixmap(THUMB_SIDE, THUMB_SIDE)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        if item.thumbnail is not None and not item.thumbnail.isNull():
            t = item.thumbnail
            painter.drawImage((THUMB_SIDE - t.width()) // 2, (THUMB_SIDE - t.height()) // 2, t)
        else:
            painter.fillRect(0, 0, THUMB_SIDE, THUMB_SIDE, QColor("#bdbdbd"))
        color = _STATE_COLORS.get(item.state)
        if color:  # a small state dot in the corner
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(QColor(color))
            painter.setPen(QColor("white"))
            painter.drawEllipse(THUMB_SIDE - 18, 4, 14, 14)
        painter.end()
        icon = QIcon(pix)
        # The same pixels when selected: the style's blue tint would hide the photo's colours.
        icon.addPixmap(pix, QIcon.Mode.Selected)
        return icon

    # ---- edits ------------------------------------------------------------------------------

    def add(self, paths: list[Path], keys: list[Path] | None = None) -> list[PhotoItem]:
        """Add photos not already in the list; returns the new ones. `keys`: each one's
        real_path, found where stat'ing is no trouble (the scan worker): on a network share a
        folder of 200 photos cost the window 1,200 stats here (a review)."""
        fresh = []
        for i, path in enumerate(paths):
            key = keys[i] if keys is not None else real_path(path)
            if key in self._by_key:
                continue
            item = PhotoItem(Path(path), key)
            self._by_key[key] = item
            fresh.append(item)
        if fresh:
            start = len(self.items)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self.items.extend(fresh)
            self._rows.update((id(it), start + i) for i, it in enumerate(fresh))
            self.endInsertRows()
            names = [it.path.name.casefold() for it in fresh]
            self._names.update(names)
            if any(self._names[n] > 1 for n in names):  # earlier entries now name their folder
                self.dataChanged.emit(self.index(0), self.index(len(self.items) - 1))
        return fresh

    def restore(self, items: list[PhotoItem], rows: list[int] | None = None) -> list[PhotoItem]:
        """Entries taken off earlier, put back as they were (results kept): at `rows` (where
        they were, in ascending order) or else at the end; a photo added again meanwhile is not
        doubled."""
        at = rows if rows is not None else [len(self.items) + i for i in range(len(items))]
        back = []
        for row, item in sorted(zip(at, items, strict=True), key=lambda pair: pair[0]):
            if item.key in self._by_key:
                continue
            row = min(row, len(self.items))
            self.beginInsertRows(QModelIndex(), row, row)
            self.items.insert(row, item)
            self._by_key[item.key] = item
            self.endInsertRows()
            back.append(item)
        self._reindex()
        return back

    def remove_rows(self, rows: list[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            item = self.items.pop(row)
            del self._by_key[item.key]
            self.endRemoveRows()
        self._reindex()

    def clear(self) -> None:
        self.beginResetModel()
        self.items.clear()
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        self._rows = {id(it): i for i, it in enumerate(self.items)}
        names = Counter(it.path.name.casefold() for it in self.items)
        if names != self._names and self.items:
            self._names = names
            self.dataChanged.emit(self.index(0), self.index(len(self.items) - 1))
        self._names = names
        self._by_key = {it.key: it for it in self.items}
        self._by_job = {job: it for job, it in self._by_job.items() if id(it) in self._rows}

    def row_of(self, item: PhotoItem) -> int:
        return self._rows.get(id(item), -1)

    def new_job(self, item: PhotoItem) -> int:
        """A job id (colorize or save) that finds its photo again when the worker answers."""
        job = self._next_job
        self._next_job += 1
        self._by_job[job] = item
        return job

    def forget_job(self, job: int) -> None:
        self._by_job.pop(job, None)

    def item_for_job(self, job: int) -> PhotoItem | None:
        return self._by_job.get(job)

    def item_for_path(self, path: str | Path) -> PhotoItem | None:
        """The entry of this photo. A photo's own path is its key unless a link led to it:
        looked up as given first, so the answer for each thumbnail and pin store stats nothing."""
        return self._by_key.get(Path(path)) or self._by_key.get(real_path(path))

    def show_result(self, item: PhotoItem) -> None:
        """Once colorized, the list shows the photo in colour, at its strength and with its
        pins."""
        if item.result is None:
            return
        small = item.result.render_thumbnail(THUMB_SIDE, item.strength)
        item.thumbnail = to_qimage(small).copy()
        self.changed(item)

    def changed(self, item: PhotoItem) -> None:
        row = self.row_of(item)
        if row >= 0:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx)


# Beside the thumbnail, a name needs about this much room to be read (at 200% with a side panel
# open, the list was 130 px wide and names read "bu…g").
NAME_ROOM = 120


class PhotoItemDelegate(QStyledItemDelegate):
    """Name and state beside the thumbnail where the list has room for them, under it where
    not, each on its line across the list's whole width (shortened in the middle only where
    even that is too narrow; not wrapped: the rows are one height, for thousands of photos).
    The list's own width decides, as the person drags the splitter."""

    def __init__(self, view: QListView):
        super().__init__(view)
        self.view = view
        self.below = False
        view.viewport().installEventFilter(self)

    def initStyleOption(self, option, index) -> None:  # noqa: N802 - Qt's name
        super().initStyleOption(option, index)
        if self.below:
            option.decorationPosition = QStyleOptionViewItem.Position.Top
            option.displayAlignment = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt's name
        size = super().sizeHint(option, index)
        # No wider than the list: a long name is shortened, not cut off at the list's edge.
        size.setWidth(min(size.width(), self.view.viewport().width() - 2 * self.view.spacing()))
        if self.below:
            # Room for the name and the state whatever row the list measures: the rows are one
            # height (uniform sizes), taken from one row, perhaps one without a state yet.
            lines = self.view.iconSize().height() + 2 * option.fontMetrics.lineSpacing() + 6
            size.setHeight(max(size.height(), lines))
        return size

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            below = self.view.viewport().width() < self.view.iconSize().width() + NAME_ROOM
            if below != self.below:
                self.below = below
                self.view.doItemsLayout()  # the rows' height changes with it
        return False


def photo_list_view(photos: PhotoListModel) -> QListView:
    """The list of photos as the window shows it: thumbnails, several selectable at once."""
    view = QListView()
    view.setModel(photos)
    view.setIconSize(QSize(96, 96))
    view.setUniformItemSizes(True)  # thousands of rows stay fast
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setMinimumWidth(170)  # with the view's and the dock's: 800 px fit
    view.setSpacing(2)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    view.setItemDelegate(PhotoItemDelegate(view))
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # Where the keys are, seen: a keyboard trial could not tell the list with focus from the
    # list without it, so Up and Down went elsewhere (the view draws its own focus frame).
    view.setStyleSheet(
        "QListView { border: 2px solid transparent; }"
        " QListView:focus { border: 2px solid palette(highlight); }"
    )
    # What a screen reader says for it (a trial's reader found it nameless).
    view.setAccessibleName("Photos")
    view.setAccessibleDescription("Up and Down show each photo; Delete takes it off the list")
    return view
