"""The main window: photos pane, compare view, controls, save, status bar.

It adds threads and pixels, never logic: colorizing and saving run on the worker through the
core's Colorizer; the GUI thread only composes the screen-sized preview (no network).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QToolBar,
    QWidget,
)

from ..core.fileio import write_atomically
from ..core.imageio import IMAGE_SUFFIXES
from ..core.paths import user_models_dir
from .about import show_about
from .app_settings import AppSettings
from .compare_view import CompareView
from .folder_scan import folder_scan_host
from .photo_list import PhotoItem, PhotoListModel, PhotoState
from .qimage import to_qimage
from .thumbnails import ThumbnailLoader
from .view_keys import ViewKeys
from .window_actions import ActionsMixin
from .window_batch import BatchMixin
from .window_hints import HintsMixin
from .window_list import ListEditsMixin
from .window_models import ModelsMixin
from .window_photo_options import PhotoOptionsMixin
from .window_saving import SavingMixin
from .window_state import WindowStateMixin
from .worker import colorize_host

if TYPE_CHECKING:
    from .restore_panel import RestorePanel

QUIT_LIMIT_S = 0.6  # issue 25: quitting returns within a second, whatever is queued


class MainWindow(
    ActionsMixin,
    BatchMixin,
    SavingMixin,
    HintsMixin,
    ListEditsMixin,
    ModelsMixin,
    PhotoOptionsMixin,
    WindowStateMixin,
    QMainWindow,
):
    """The window: layout, models, adding photos, showing. Mixed in: its menus and shortcuts
    (window_actions.py), batches (window_batch.py), saving (window_saving.py), colour pins
    (window_hints.py), removing and restoring photos (window_list.py), per-photo strength and
    detail (window_photo_options.py), its size and place on screen (window_state.py). Settings
    are one typed object (app_settings.py)."""

    zoom_label: QLabel  # made in _build_ui after the view whose zoom it shows

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.settings = AppSettings(settings)
        self.setWindowTitle("Colorizer")
        self.setAcceptDrops(True)
        self.host = colorize_host()
        self.worker = self.host.worker
        self.photos = PhotoListModel(self)
        self.thumbnails = ThumbnailLoader(self)
        self.scanner_host = folder_scan_host()
        self.scanner = self.scanner_host.worker
        self._scans: dict[int, bool] = {}  # folder scans under way: number -> colorize after
        self._scan_number = 0
        self.stopped_cleanly = True  # every worker ended at quit (app.py reads it)
        self.generation = 0
        self._busy_jobs: set[int] = set()
        self._batch_total = 0
        self._batch_done = 0
        self._batch_failed = 0
        self._batch_ok = 0
        self._batch_started = 0.0
        self._batch_kind = ""
        self._closing = False
        self.panel = None  # the advanced panel, made the first time it is shown
        self._colorize_moved_to_cpu = False
        self.model_error = ""
        self.model_provenance = ""  # the loaded model's story, from the worker (About shows it)
        self.model_device = ""  # where it runs, in words
        self.save_options = self.settings.save_options
        self._model_scores: dict[str, tuple[float, float] | None] = {}

        self._build_ui()
        self._build_photo_options()
        self._build_list_edits()
        self._build_hints()
        self._build_actions()
        self._connect_worker()
        self.restore_panel: RestorePanel | None = None  # made when torch has loaded
        self._restore_settings()
        self._select_model_from_settings()
        # Torch (and CUDA) load on the worker, not while the window first draws; its answer
        # (_devices_found) brings the model list and the docks that need them.
        self.worker.devices_requested.emit()

    def _after_engine_loaded(self) -> None:
        """The docks whose modules import torch: made once the worker has loaded it, so the
        import here is instant and the window was on screen before."""
        from .restore_panel import attach_restore_panel

        self.restore_panel = attach_restore_panel(self)  # issue 28: gui/restore_panel.py
        if self.settings.advanced_visible:
            self.actions_by_name["advanced"].setChecked(True)
            self.toggle_advanced()

    # ---- layout -----------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.list_view = QListView()
        self.list_view.setModel(self.photos)
        self.list_view.setIconSize(QSize(96, 96))
        self.list_view.setUniformItemSizes(True)  # thousands of rows stay fast
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list_view.setMinimumWidth(220)
        self.list_view.setSpacing(2)
        self.list_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.selectionModel().currentChanged.connect(lambda *_: self._show_current())
        self.view = CompareView()
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z:.0f}%"))
        self.list_view.installEventFilter(ViewKeys(self.view))
        splitter = QSplitter()
        splitter.addWidget(self.list_view)
        splitter.addWidget(self.view)
        QWidget.setTabOrder(self.list_view, self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        self.setCentralWidget(splitter)
        self.splitter = splitter

        bar = QToolBar("Controls")
        bar.setObjectName("controls")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.toolbar = bar
        self.saturation = QSlider(Qt.Orientation.Horizontal)
        self.saturation.setRange(0, 200)
        self.saturation.setValue(100)
        self.saturation.setFixedWidth(140)
        self.saturation.setToolTip(
            "Colour strength of this photo (or of the selected ones): re-renders at once, "
            "without recolorizing; Photo > Apply Colour Strength to All"
        )
        self.saturation.valueChanged.connect(self._saturation_changed)
        self.saturation_label = QLabel("100%")
        self.saturation_label.setMinimumWidth(40)
        self.model_combo = QComboBox()
        self.model_combo.setMinimumWidth(150)
        self.model_combo.setToolTip("Model used to colorize: built-in and your own")
        self.device_combo = QComboBox()
        # GPUs join when the worker has found them (asking starts CUDA: not on this thread).
        self.devices = [("Automatic", "auto"), ("CPU", "cpu")]
        for label, value in self.devices:
            self.device_combo.addItem(label, value)
        self.device_combo.setToolTip("Where the model runs")
        self.device_label = QLabel("")
        self.zoom_label = QLabel("")

        status = self.statusBar()
        self.status_label = QLabel("Drop photos or folders on the window to begin.")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        status.addWidget(self.status_label, 1)
        status.addPermanentWidget(self.zoom_label)
        status.addPermanentWidget(self.device_label)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)

    def _connect_worker(self) -> None:
        w = self.worker
        w.started.connect(self._job_started)
        w.finished.connect(self._job_finished)
        w.failed.connect(self._job_failed)
        w.skipped.connect(self._job_skipped)
        w.saved.connect(self._save_done)
        w.save_failed.connect(self._save_failed)
        w.model_ready.connect(self._model_ready)
        w.model_failed.connect(self._model_failed)
        w.devices_found.connect(self._devices_found)
        w.scores_found.connect(self._scores_found)
        self.scanner.scanned.connect(self._scanned)
        self.thumbnails.ready.connect(self._thumbnail_ready)
        self.thumbnails.preview_ready.connect(self._preview_ready)

    # ---- adding photos ----------------------------------------------------------------------

    def add_paths(self, paths: Sequence[str | Path], colorize: bool = True) -> None:
        """Files and folders (recursive); duplicates are not added twice. The folders are
        walked on the scan worker; the photos join the list when it answers."""
        self._scan_number += 1
        self._scans[self._scan_number] = colorize
        self.status_label.setText("Looking for photos…")
        self.scanner.scan_requested.emit(self._scan_number, [str(p) for p in paths])

    def _scanned(self, number: int, files: list[Path], problem: str) -> None:
        colorize = self._scans.pop(number, None)
        if colorize is None or self._closing:
            return
        added = self.photos.add(files)
        self.load_hints(added)
        for item in added:
            self.thumbnails.request(str(item.path))
        if added:
            self.status_label.setText(f"Added {len(added)} photo(s).")
            if self.list_view.currentIndex().row() < 0:
                self.list_view.setCurrentIndex(self.photos.index(self.photos.row_of(added[0])))
            if colorize:
                self._colorize_items(added)
        elif problem:
            self.status_label.setText(problem)
        elif files:
            self.status_label.setText("Those photos are already in the list.")
        else:
            self.status_label.setText("No photos found there (JPEG, PNG, TIFF, BMP or WebP).")
        self._update_actions()

    def dragEnterEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if paths:
            self.add_paths(paths)
        elif mime.hasImage():
            self._add_image(QImage(mime.imageData()))
        event.acceptProposedAction()

    def open_dialog(self) -> None:
        start = self.settings.last_open_dir
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(
            self, "Open photos", start, f"Photos ({patterns});;All files (*)"
        )
        if files:
            self.settings.last_open_dir = str(Path(files[0]).parent)
            self.add_paths(files)

    def open_folder_dialog(self) -> None:
        start = self.settings.last_open_dir
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of photos", start)
        if folder:
            self.settings.last_open_dir = folder
            self.add_paths([folder])

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        if mime is None:
            return
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if paths:
            self.add_paths(paths)
        elif mime.hasImage():
            self._add_image(QApplication.clipboard().image())
        else:
            self.status_label.setText("The clipboard holds no image.")

    def _add_image(self, image: QImage) -> None:
        """A pasted image becomes a file in the app's data folder, so it can be re-read."""
        if image.isNull():
            return
        folder = user_models_dir().parent / "pasted"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / time.strftime("pasted-%Y%m%d-%H%M%S.png")
        from PySide6.QtCore import QBuffer, QIODevice

        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        # PySide6 takes the format as text; its stub names bytes, which it refuses at run time.
        image.save(buf, "PNG")  # type: ignore[call-overload]
        write_atomically(path, bytes(buf.data().data()))
        self.add_paths([path])

    def _thumbnail_ready(self, path: str, image: QImage) -> None:
        item = self.photos.item_for_path(path)
        if item is not None:
            item.thumbnail = image
            self.photos.changed(item)

    def _preview_ready(self, path: str, image: QImage) -> None:
        item = self.current_item()
        if item is not None and str(item.path) == path and item.result is None:
            self.view.set_images(image if not image.isNull() else None, None)

    # ---- list edits -------------------------------------------------------------------------

    def selected_items(self) -> list[PhotoItem]:
        rows = sorted({i.row() for i in self.list_view.selectionModel().selectedIndexes()})
        if not rows and self.current_item() is not None:
            rows = [self.list_view.currentIndex().row()]
        return [self.photos.items[r] for r in rows]

    def current_item(self) -> PhotoItem | None:
        row = self.list_view.currentIndex().row()
        return self.photos.items[row] if 0 <= row < len(self.photos.items) else None

    # ---- showing ----------------------------------------------------------------------------

    def _show_current(self) -> None:
        item = self.current_item()
        self._activate_undo(item)
        self._show_pins(item)
        self._show_photo_options(item)
        if item is None:
            self.view.placeholder = "Drop photos or folders here, or press Ctrl+O"
            self.view.set_images(None, None)
            return
        if item.result is not None:
            original = to_qimage(item.result.preview_rgb)
            colorized = to_qimage(item.result.render(item.strength))
            self.view.set_images(original, colorized, item.result.full_size[0])
        else:
            self.view.placeholder = (
                f"{item.path.name}\n\nCould not be colorized:\n{item.error}"
                if item.state == PhotoState.FAILED
                else f"{item.path.name}\n\nLoading…"
            )
            self.view.set_images(None, None)
            if item.state != PhotoState.FAILED:
                self.thumbnails.request_preview(str(item.path))
        self._update_actions()

    def toggle_side_by_side(self) -> None:
        self.view.side_by_side = self.actions_by_name["side"].isChecked()
        self.view.fit_to_window()

    # ---- misc -------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        a = self.actions_by_name
        has = bool(self.photos.items)
        done = any(it.result is not None for it in self.photos.items)
        for name in ("colorize", "colorize_all", "remove", "clear"):
            a[name].setEnabled(has)
        for name in ("save", "save_all", "pins"):
            a[name].setEnabled(done)
        a["undo_clear"].setEnabled(bool(self._cleared))
        current = self.current_item()
        a["clear_pins"].setEnabled(current is not None and bool(current.hints))
        a["cancel"].setEnabled(bool(self._busy_jobs))

    def about(self) -> None:
        show_about(self, self.model_provenance, self.model_device)

    def toggle_advanced(self) -> None:
        """The hidden panel: revealed by View > Advanced (Ctrl+Shift+A), and remembered."""
        show = self.actions_by_name["advanced"].isChecked()
        if show and self.panel is None:
            from PySide6.QtCore import Qt as _Qt

            from .training_panel import TrainingPanel

            self.panel = TrainingPanel(self)
            self.addDockWidget(_Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
            self._share_the_right_side(self.panel)
            self.panel.model_saved.connect(self.models_changed)
            self.panel.training_started.connect(self._training_started)
            self.panel.training_ended.connect(self._training_ended)
            self.panel.visibilityChanged.connect(
                lambda v: (
                    self.actions_by_name["advanced"].setChecked(v) if not self._closing else None
                )
            )
        if self.panel is not None:
            self.panel.setVisible(show)
            if show:
                self.panel.raise_()  # in front where it shares the side as a tab
            self.fit_to_screen()
        self.settings.advanced_visible = show

    def _share_the_right_side(self, dock: QDockWidget) -> None:
        """Two docks stacked on the right need more height than a small screen has (1920x1080
        at 200% is 540 tall): there they share the place as tabs, the new one in front."""
        other = self.restore_panel
        room = self._room()
        stacked = dock.minimumSizeHint().height() + (
            other.minimumSizeHint().height() if other is not None else 0
        )
        if other is not None and room is not None and stacked > room.height() * 0.6:
            self.tabifyDockWidget(other, dock)

    def _training_started(self, device_type: str) -> None:
        """Training holds the GPU: colorizing moves to the CPU until it ends."""
        if device_type != "cpu":
            self._colorize_moved_to_cpu = True
            self.worker.model_requested.emit(self.current_model(), "cpu")
            self.device_label.setText("colorizing on CPU while training uses the GPU")

    def _training_ended(self) -> None:
        if self._colorize_moved_to_cpu:
            self._colorize_moved_to_cpu = False
            self._model_changed()  # back to the device the person chose

    def open_models_folder(self) -> None:
        folder = user_models_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # ---- closing ----------------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        question = ""
        if self.panel is not None and self.panel.training:
            question = (
                "A model is being trained. Stop it and quit? "
                "(Resume continues from its last checkpoint.)"
            )
        elif self._busy_jobs:
            question = f"{len(self._busy_jobs)} photo(s) are still being processed. Stop and quit?"
        if question and not self._closing:
            answer = QMessageBox.question(
                self,
                "Quit Colorizer?",
                question,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self._closing = True
        self._store_settings()
        self.stopped_cleanly = self._stop_workers()
        event.accept()

    def _stop_workers(self) -> bool:
        """Quitting returns within QUIT_LIMIT_S: queued photos and thumbnails are dropped,
        each worker gets what is left of the time, the pins not yet written are written."""
        deadline = time.monotonic() + QUIT_LIMIT_S

        def left() -> float:
            return max(0.05, deadline - time.monotonic())

        ended = True
        if self.panel is not None:
            ended &= self.panel.stop(left())
        ended &= self.host.stop(left())
        ended &= self.thumbnails.stop(left())
        ended &= self.scanner_host.stop(left())
        ended &= self.stop_pin_store(left())
        return ended
