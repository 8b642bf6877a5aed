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
from .batch_controller import BatchController
from .compare_view import CompareView
from .folder_scan import folder_scan_host
from .model_controller import ModelController
from .photo_list import PhotoItem, PhotoListModel, PhotoState
from .pin_controller import PinController
from .qimage import to_qimage
from .save_controller import SaveController
from .save_options import SaveOptions
from .thumbnails import ThumbnailLoader
from .view_keys import ViewKeys
from .window_actions import ActionsMixin
from .window_list import ListEditsMixin
from .window_photo_options import PhotoOptionsMixin
from .window_state import WindowStateMixin
from .worker import colorize_host

if TYPE_CHECKING:
    from .restore_panel import RestorePanel

QUIT_LIMIT_S = 0.6  # issue 25: quitting returns within a second, whatever is queued


class MainWindow(
    ActionsMixin,
    ListEditsMixin,
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
        self._closing = False
        self.panel = None  # the advanced panel, made the first time it is shown
        self.models = ModelController(self.worker, self.settings, self)
        self.batch = BatchController(self.photos, self.worker, self)
        self.saving = SaveController(self.photos, self.worker, self.settings, self, self)

        self._build_ui()
        self._build_photo_options()
        self._build_list_edits()
        self.pins = PinController(self.view, self.photos, self)
        self._build_actions()
        self._connect_worker()
        self.restore_panel: RestorePanel | None = None  # made when torch has loaded
        self._restore_settings()
        # Torch (and CUDA) load on the worker, not while the window first draws; its answer
        # (models.engine_loaded) brings the model list and the docks that need them.
        self.models.start()

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
        status.addPermanentWidget(self.models.device_label)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)

    def _connect_worker(self) -> None:
        self.scanner.scanned.connect(self._scanned)
        self.thumbnails.ready.connect(self._thumbnail_ready)
        self.thumbnails.preview_ready.connect(self._preview_ready)
        m = self.models
        m.engine_loaded.connect(self._after_engine_loaded)
        m.devices_changed.connect(lambda d: self.panel.set_devices(d) if self.panel else None)
        m.model_chosen.connect(self.batch.colorize_again_with)
        m.status.connect(self.status_label.setText)
        for jobs in (self.batch, self.saving):
            jobs.progress_changed.connect(self._show_progress)
            jobs.status.connect(self.status_label.setText)
        self.batch.photo_changed.connect(self._photo_changed)
        self.pins.hints_changed.connect(lambda _item: self._update_actions())
        self.pins.status.connect(self.status_label.setText)
        self.batch.ended.connect(
            lambda summary: self.status_label.setText(self.models.error or summary)
        )

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
        self.pins.load(added)
        for item in added:
            self.thumbnails.request(str(item.path))
        if added:
            self.status_label.setText(f"Added {len(added)} photo(s).")
            if self.list_view.currentIndex().row() < 0:
                self.list_view.setCurrentIndex(self.photos.index(self.photos.row_of(added[0])))
            if colorize:
                self.batch.colorize(added)
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

    # ---- colorizing and saving --------------------------------------------------------------

    def colorize_selected(self) -> None:
        self.batch.colorize(self.selected_items())

    def colorize_all(self) -> None:
        self.batch.colorize(self.photos.items)

    def save_selected(self, options: SaveOptions | None = None) -> int:
        return self.saving.save(self.selected_items(), options)

    def save_all(self, options: SaveOptions | None = None) -> int:
        return self.saving.save(self.photos.items, options)

    @property
    def pending_jobs(self) -> int:
        """Photos queued on the colorize worker, to colorize or to save."""
        return self.batch.pending + self.saving.pending

    @property
    def busy(self) -> bool:
        """Photos being colorized or saved, or folders still being looked through."""
        return bool(self.pending_jobs or self._scans)

    def cancel(self) -> None:
        """Stop after the current photo: everything still queued is skipped."""
        if not self.pending_jobs:
            return
        self.worker.cancel_queued()
        self.status_label.setText("Cancelling after the current photo…")

    def _show_progress(self) -> None:
        """The bar follows the colorize batch, else the saves."""
        jobs = self.batch if self.batch.pending else self.saving
        busy = bool(jobs.pending)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            done, total, left_s = jobs.progress()
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)
            self.progress.setFormat(f"%v/%m · {left_s:.0f} s left" if left_s >= 0 else "%v/%m")
        self._update_actions()

    def _photo_changed(self, item: PhotoItem) -> None:
        if item is self.current_item():
            self._show_current()

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
        self.pins.show(item)
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
        a["cancel"].setEnabled(bool(self.pending_jobs))

    def about(self) -> None:
        show_about(self, self.models.provenance, self.models.device)

    def toggle_advanced(self) -> None:
        """The hidden panel: revealed by View > Advanced (Ctrl+Shift+A), and remembered."""
        show = self.actions_by_name["advanced"].isChecked()
        if show and self.panel is None:
            from PySide6.QtCore import Qt as _Qt

            from .training_panel import TrainingPanel

            self.panel = TrainingPanel(self.models.devices, self)
            self.addDockWidget(_Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
            self._share_the_right_side(self.panel)
            self.panel.model_saved.connect(self.models.models_changed)
            self.panel.training_started.connect(self.models.training_started)
            self.panel.training_ended.connect(self.models.training_ended)
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
        elif self.pending_jobs:
            question = f"{self.pending_jobs} photo(s) are still being processed. Stop and quit?"
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
        ended &= self.pins.stop(left())
        return ended
