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
    from .compare_view import CompareView
    from .photo_list import PhotoItem, PhotoListModel
    from .save_options import SaveOptions
    from .training_panel import TrainingPanel
    from .worker import ColorizeWorker

    class WindowBase(QMainWindow):
        # State and widgets, made by MainWindow.
        settings: AppSettings
        worker: ColorizeWorker
        photos: PhotoListModel
        generation: int
        _busy_jobs: set[int]
        _batch_total: int
        _batch_done: int
        _batch_failed: int
        _batch_ok: int
        _batch_started: float
        _batch_kind: str
        _scans: dict[int, bool]
        panel: TrainingPanel | None
        model_error: str
        save_options: SaveOptions
        list_view: QListView
        view: CompareView
        toolbar: QToolBar
        saturation: QSlider
        saturation_label: QLabel
        model_combo: QComboBox
        device_combo: QComboBox
        status_label: QLabel
        device_label: QLabel
        model_provenance: str
        model_device: str
        devices: list
        progress: QProgressBar
        cancel_button: QPushButton
        # Made by the parts.
        actions_by_name: dict[str, QAction]  # window_actions
        detail_combo: QComboBox  # window_photo_options

        # MainWindow's methods the parts call.
        def selected_items(self) -> list[PhotoItem]: ...
        def current_item(self) -> PhotoItem | None: ...
        def current_model(self) -> str: ...
        def _show_current(self) -> None: ...
        def _update_actions(self) -> None: ...
        def _after_engine_loaded(self) -> None: ...
        def _room(self) -> QRect | None: ...
        def _model_changed(self, *_args: object) -> None: ...
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
        def _colorize_items(self, items: list[PhotoItem]) -> None: ...
        def _start_batch(self, kind: str, count: int) -> None: ...
        def _job_done(self, job: int) -> None: ...
        def _update_progress(self) -> None: ...
        def cancel(self) -> None: ...
        def save_selected(self, options: SaveOptions | None = None) -> int: ...
        def save_all(self, options: SaveOptions | None = None) -> int: ...
        def _forget_undo(self, items: list[PhotoItem]) -> None: ...
        def _hint_actions(self) -> dict[str, QAction]: ...
        def _list_actions(self) -> dict[str, QAction]: ...
        def _photo_option_actions(self) -> dict[str, QAction]: ...
        def remove_selected(self) -> None: ...
        def delete_pressed(self) -> None: ...
        def clear_all(self) -> None: ...
        def refresh_thumbnail(self, item: PhotoItem) -> None: ...

else:
    WindowBase = object
