"""What the window's mixins (window_*.py) see of MainWindow, declared for the type checker.

Each mixin is a part of one QMainWindow: it reads the window's widgets and state (made in
MainWindow.__init__ and _build_ui) and calls methods that another part defines. WindowBase names
them with their types, so mypy checks every part against the whole; MainWindow (which inherits
every part) is the one implementation, and mypy checks its definitions against these too. At run
time it is `object`: nothing here exists in the running app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import (
        QComboBox,
        QLabel,
        QListView,
        QMainWindow,
        QProgressBar,
        QPushButton,
        QSlider,
        QToolBar,
    )

    from .app_settings import AppSettings
    from .batch_controller import BatchController
    from .compare_view import CompareView
    from .model_controller import ModelController
    from .photo_list import PhotoItem, PhotoListModel
    from .pin_controller import PinController
    from .save_controller import SaveController
    from .save_options import SaveOptions
    from .training_panel import TrainingPanel
    from .worker import ColorizeWorker

    class WindowBase(QMainWindow):
        # State and widgets, made by MainWindow.
        settings: AppSettings
        worker: ColorizeWorker
        photos: PhotoListModel
        _scans: dict[int, bool]
        panel: TrainingPanel | None
        models: ModelController
        batch: BatchController
        saving: SaveController
        pins: PinController
        list_view: QListView
        view: CompareView
        toolbar: QToolBar
        saturation: QSlider
        saturation_label: QLabel
        status_label: QLabel
        progress: QProgressBar
        cancel_button: QPushButton
        # Made by the parts.
        actions_by_name: dict[str, QAction]  # window_actions
        detail_combo: QComboBox  # window_photo_options

        # MainWindow's methods the parts call.
        def selected_items(self) -> list[PhotoItem]: ...
        def current_item(self) -> PhotoItem | None: ...
        def _show_current(self) -> None: ...
        def _update_actions(self) -> None: ...
        def _after_engine_loaded(self) -> None: ...
        def _room(self) -> QRect | None: ...
        def open_dialog(self) -> None: ...
        def open_folder_dialog(self) -> None: ...
        def open_models_folder(self) -> None: ...
        def paste(self) -> None: ...
        def about(self) -> None: ...
        def toggle_advanced(self) -> None: ...
        def toggle_side_by_side(self) -> None: ...

        # One part's methods another calls.
        def _action(
            self,
            text: str,
            slot: Callable[..., object],
            shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
            tip: str = "",
        ) -> QAction: ...
        def colorize_selected(self) -> None: ...
        def colorize_all(self) -> None: ...
        def cancel(self) -> None: ...
        def save_selected(self, options: SaveOptions | None = None) -> int: ...
        def save_all(self, options: SaveOptions | None = None) -> int: ...
        def _list_actions(self) -> dict[str, QAction]: ...
        def _photo_option_actions(self) -> dict[str, QAction]: ...
        def remove_selected(self) -> None: ...
        def delete_pressed(self) -> None: ...
        def clear_all(self) -> None: ...

else:
    WindowBase = object
