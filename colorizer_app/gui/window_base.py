"""What a dock attached to the window sees of it (restore_dock.attach_restore_panel).

For the type checker, WindowBase is a QMainWindow that declares the photos pane, the current
photo and the colorize batches, which MainWindow (its one subclass) implements; at run time it
is QMainWindow itself, so the docks can name the window's type without importing main_window.py
(which imports them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from PySide6.QtWidgets import QListView, QMenu

    from .batch_controller import BatchController
    from .model_controller import ModelController
    from .photo_list import PhotoItem, PhotoListModel

    class WindowBase(QMainWindow):
        list_view: QListView
        photos: PhotoListModel
        batch: BatchController  # the Restore panel has a photo coloured again
        menus: dict[str, QMenu]  # the menu bar's menus by title: the Restore dock joins View
        models: ModelController  # torch loaded (or not): the Restore panel's previews start

        def current_item(self) -> PhotoItem | None: ...

else:
    WindowBase = QMainWindow
