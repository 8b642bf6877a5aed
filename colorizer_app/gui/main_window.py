"""The main window: photos pane, compare view, controls, save, status bar.

It adds threads and pixels, never logic: colorizing and saving run on the worker through the
core's Colorizer; the GUI thread only composes the screen-sized preview (no network).
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QImage, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
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
)

from .. import __version__
from ..core.device import describe_device
from ..core.fileio import write_atomically
from ..core.imageio import IMAGE_SUFFIXES, find_images
from ..core.paths import user_models_dir
from ..engine.catalog import list_models, open_model
from .compare_view import CompareView
from .photo_list import PhotoItem, PhotoListModel, PhotoState
from .qimage import to_qimage
from .save_options import SaveOptions, SaveOptionsDialog
from .thumbnails import ThumbnailLoader
from .worker import WorkerHost

SETTINGS_ORG, SETTINGS_APP = "Colorizer", "Colorizer"


def available_devices() -> list[tuple[str, str]]:
    import torch

    devices = [("Automatic", "auto"), ("CPU", "cpu")]
    if torch.cuda.is_available():
        devices.append((describe_device(torch.device("cuda")), "cuda"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append(("Apple GPU (MPS)", "mps"))
    return devices


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings(SETTINGS_ORG, SETTINGS_APP)
        self.setWindowTitle("Colorizer")
        self.setAcceptDrops(True)
        self.host = WorkerHost()
        self.worker = self.host.worker
        self.photos = PhotoListModel(self)
        self.thumbnails = ThumbnailLoader(self)
        self.generation = 0
        self._busy_jobs: set[int] = set()
        self._batch_total = 0
        self._batch_done = 0
        self._batch_started = 0.0
        self._batch_kind = ""
        self._closing = False
        self.panel = None  # the advanced panel, made the first time it is shown
        self._colorize_moved_to_cpu = False
        self.model_error = ""
        self.save_options = self._load_save_options()

        self._build_ui()
        self._build_actions()
        self._connect_worker()
        self._restore_settings()
        self._select_model_from_settings()
        if self.settings.value("advanced_visible", False, type=bool):
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
        splitter = QSplitter()
        splitter.addWidget(self.list_view)
        splitter.addWidget(self.view)
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
        self.saturation.setToolTip("Colour strength: re-renders at once, without recolorizing")
        self.saturation.valueChanged.connect(self._saturation_changed)
        self.saturation_label = QLabel("100%")
        self.saturation_label.setMinimumWidth(40)
        self.model_combo = QComboBox()
        self.model_combo.setMinimumWidth(150)
        self.model_combo.setToolTip("Model used to colorize: built-in and your own")
        self.device_combo = QComboBox()
        for label, value in available_devices():
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

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work wherever the focus is
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        a = self.actions_by_name = {
            "open": self._action("&Open Photos…", self.open_dialog, K.Open),
            "open_folder": self._action("Open &Folder…", self.open_folder_dialog, "Ctrl+Shift+O"),
            "paste": self._action("&Paste Image", self.paste, K.Paste),
            "save": self._action("&Save Colorized…", self.save_selected, K.Save),
            "save_all": self._action("Save &All Colorized…", self.save_all, "Ctrl+Shift+S"),
            "quit": self._action("&Quit", self.close, K.Quit),
            "remove": self._action("&Remove from List", self.remove_selected, K.Delete),
            "clear": self._action("&Clear List", self.clear_all, "Ctrl+Shift+Delete"),
            "colorize": self._action("&Colorize Selected", self.colorize_selected, "Ctrl+R"),
            "colorize_all": self._action("Colorize A&ll", self.colorize_all, "Ctrl+Shift+R"),
            "cancel": self._action("Cance&l", self.cancel, "Esc"),
            "fit": self._action("&Fit to Window", self.view.fit_to_window, "Ctrl+0"),
            "actual": self._action("&Actual Size (100%)", self.view.actual_size, "Ctrl+1"),
            "zoom_in": self._action("Zoom &In", lambda: self.view.zoom_by(1.25), K.ZoomIn),
            "zoom_out": self._action("Zoom &Out", lambda: self.view.zoom_by(0.8), K.ZoomOut),
            "side": self._action("&Side by Side", self.toggle_side_by_side, "Ctrl+B"),
            "about": self._action("&About Colorizer", self.about, K.HelpContents),
            "models_folder": self._action("Open &Models Folder", self.open_models_folder),
            "advanced": self._action("&Advanced: Teach Your Colours", self.toggle_advanced,
                                     "Ctrl+Shift+A"),
        }
        a["advanced"].setCheckable(True)
        a["side"].setCheckable(True)
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        for name in ("open", "open_folder", "paste", None, "save", "save_all", None, "quit"):
            file_menu.addSeparator() if name is None else file_menu.addAction(a[name])
        edit = menus.addMenu("&Edit")
        for name in ("remove", "clear"):
            edit.addAction(a[name])
        photo = menus.addMenu("&Photo")
        for name in ("colorize", "colorize_all", "cancel"):
            photo.addAction(a[name])
        self.view_menu = menus.addMenu("&View")
        for name in ("fit", "actual", "zoom_in", "zoom_out", None, "side", None, "advanced"):
            self.view_menu.addSeparator() if name is None else self.view_menu.addAction(a[name])
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(a["models_folder"])
        help_menu.addAction(a["about"])

        t = self.toolbar
        for name in ("open", "colorize", "colorize_all", "save", "save_all"):
            t.addAction(a[name])
        t.addSeparator()
        t.addWidget(QLabel(" Colour "))
        t.addWidget(self.saturation)
        t.addWidget(self.saturation_label)
        t.addSeparator()
        t.addWidget(QLabel(" Model "))
        t.addWidget(self.model_combo)
        t.addWidget(QLabel(" Device "))
        t.addWidget(self.device_combo)
        t.addSeparator()
        t.addAction(a["side"])
        self.model_combo.currentIndexChanged.connect(self._model_changed)
        self.device_combo.currentIndexChanged.connect(self._model_changed)
        self._update_actions()

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
        self.thumbnails.ready.connect(self._thumbnail_ready)
        self.thumbnails.preview_ready.connect(self._preview_ready)

    # ---- models -----------------------------------------------------------------------------

    def refresh_models(self, select: str | None = None) -> None:
        current = select or self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for entry in list_models():
            label = entry.name if entry.kind == "built-in" else f"{entry.name} (yours)"
            self.model_combo.addItem(label, str(entry.path) if entry.kind == "user" else entry.name)
        if self.model_combo.count() == 0:
            self.model_combo.addItem("(no model installed)", "default")
        index = self.model_combo.findData(current) if current else -1
        self.model_combo.setCurrentIndex(max(index, 0))
        self.model_combo.blockSignals(False)

    def _select_model_from_settings(self) -> None:
        self.refresh_models(self.settings.value("model", "default"))
        device = self.settings.value("device", "auto")
        index = self.device_combo.findData(device)
        self.device_combo.setCurrentIndex(max(index, 0))
        self._model_changed()

    def current_model(self) -> str:
        return self.model_combo.currentData() or "default"

    def _model_changed(self, *_args) -> None:
        model, device = self.current_model(), self.device_combo.currentData() or "auto"
        self.worker.model_requested.emit(model, device)
        self.device_label.setText("")
        self.model_error = ""
        redo = [it for it in self.photos.items if it.state == PhotoState.DONE
                and it.result is not None and it.result.model_name != Path(model).stem]
        if redo:
            self._colorize_items(redo)

    def _model_ready(self, name: str, device: str) -> None:
        self.model_error = ""
        self.device_label.setText(f"{name} · {device}")

    def _model_failed(self, message: str) -> None:
        self.model_error = message
        self.device_label.setText("model not loaded")
        self.status_label.setText(message)

    # ---- adding photos ----------------------------------------------------------------------

    def add_paths(self, paths: list[str | Path], colorize: bool = True) -> list[PhotoItem]:
        """Files and folders (recursive); duplicates are not added twice."""
        files = find_images([Path(p) for p in paths])
        added = self.photos.add(files)
        for item in added:
            self.thumbnails.request(str(item.path))
        if added:
            self.status_label.setText(f"Added {len(added)} photo(s).")
            if self.list_view.currentIndex().row() < 0:
                self.list_view.setCurrentIndex(self.photos.index(self.photos.row_of(added[0])))
            if colorize:
                self._colorize_items(added)
        elif files:
            self.status_label.setText("Those photos are already in the list.")
        else:
            self.status_label.setText("No photos found there (JPEG, PNG, TIFF, BMP or WebP).")
        self._update_actions()
        return added

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
        start = self.settings.value("last_open_dir", str(Path.home()))
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(self, "Open photos", start,
                                                f"Photos ({patterns});;All files (*)")  # fmt: skip
        if files:
            self.settings.setValue("last_open_dir", str(Path(files[0]).parent))
            self.add_paths(files)

    def open_folder_dialog(self) -> None:
        start = self.settings.value("last_open_dir", str(Path.home()))
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of photos", start)
        if folder:
            self.settings.setValue("last_open_dir", folder)
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
        image.save(buf, "PNG")
        write_atomically(path, bytes(buf.data()))
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

    def remove_selected(self) -> None:
        items = self.selected_items()
        self.photos.remove_rows([self.photos.row_of(it) for it in items])
        self._show_current()
        self._update_actions()

    def clear_all(self) -> None:
        if self._busy_jobs:
            self.cancel()
        self.photos.clear()
        self._show_current()
        self._update_actions()

    # ---- colorizing -------------------------------------------------------------------------

    def colorize_selected(self) -> None:
        self._colorize_items(self.selected_items())

    def colorize_all(self) -> None:
        self._colorize_items(self.photos.items)

    def _start_batch(self, kind: str, count: int) -> None:
        if not self._busy_jobs or self._batch_kind != kind:
            self._batch_total, self._batch_done = 0, 0
            self._batch_started = time.monotonic()
        self._batch_kind = kind
        self._batch_total += count

    def _colorize_items(self, items: list[PhotoItem]) -> None:
        items = [it for it in items if it.state not in (PhotoState.QUEUED, PhotoState.COLORIZING)]
        if not items:
            return
        self._start_batch("colorize", len(items))
        for item in items:
            job = self.photos.new_job(item)
            item.state = PhotoState.QUEUED
            item.error = ""
            self._busy_jobs.add(job)
            self.photos.changed(item)
            self.worker.colorize_requested.emit(job, str(item.path), self.generation)
        self._update_progress()
        self._update_actions()

    def cancel(self) -> None:
        """Stop after the current photo: everything still queued is skipped."""
        if not self._busy_jobs:
            return
        self.generation += 1
        self.worker.cancel(self.generation)
        self.status_label.setText("Cancelling after the current photo…")

    def _job_started(self, job: int) -> None:
        item = self.photos.item_for_job(job)
        if item is not None:
            item.state = PhotoState.COLORIZING
            self.photos.changed(item)
            self.status_label.setText(f"Colorizing {item.path.name}…")

    def _job_done(self, job: int) -> None:
        self.photos.forget_job(job)
        self._busy_jobs.discard(job)
        self._batch_done += 1
        self._update_progress()
        self._update_actions()

    def _job_finished(self, job: int, result) -> None:
        item = self.photos.item_for_job(job)
        if item is not None:
            item.result = result
            item.state = PhotoState.DONE
            self.photos.changed(item)
            if item is self.current_item():
                self._show_current()
        self._job_done(job)

    def _job_failed(self, job: int, message: str) -> None:
        item = self.photos.item_for_job(job)
        if item is not None:
            item.state = PhotoState.FAILED
            item.error = message
            self.photos.changed(item)
            if item is self.current_item():
                self._show_current()
        self._job_done(job)

    def _job_skipped(self, job: int) -> None:
        item = self.photos.item_for_job(job)
        if item is not None and item.state in (PhotoState.QUEUED, PhotoState.COLORIZING):
            item.state = PhotoState.ADDED
            self.photos.changed(item)
        self._job_done(job)

    def _update_progress(self) -> None:
        busy = bool(self._busy_jobs)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            failed = sum(it.state == PhotoState.FAILED for it in self.photos.items)
            done = sum(it.state == PhotoState.DONE for it in self.photos.items)
            if self.model_error:
                self.status_label.setText(self.model_error)
            elif self._batch_total and self._batch_kind == "colorize":
                self.status_label.setText(
                    f"Colorized {done} of {len(self.photos.items)} photo(s)"
                    + (f"; {failed} failed (hover a photo for the reason)" if failed else ".")
                )
            self._batch_total = self._batch_done = 0
            return
        self.progress.setMaximum(max(self._batch_total, 1))
        self.progress.setValue(self._batch_done)
        elapsed = time.monotonic() - self._batch_started
        if self._batch_done:
            eta = elapsed / self._batch_done * (self._batch_total - self._batch_done)
            self.progress.setFormat(f"%v/%m · {eta:.0f} s left")
        else:
            self.progress.setFormat("%v/%m")

    @property
    def busy(self) -> bool:
        return bool(self._busy_jobs)

    # ---- showing ----------------------------------------------------------------------------

    def saturation_value(self) -> float:
        return self.saturation.value() / 100.0

    def _show_current(self) -> None:
        item = self.current_item()
        if item is None:
            self.view.placeholder = "Drop photos or folders here, or press Ctrl+O"
            self.view.set_images(None, None)
            return
        if item.result is not None:
            original = to_qimage(item.result.preview_rgb)
            colorized = to_qimage(item.result.render(self.saturation_value()))
            self.view.set_images(original, colorized, item.result.full_size[0])
        else:
            self.view.placeholder = (
                f"{item.path.name}\n\nCould not be colorized:\n{item.error}"
                if item.state == PhotoState.FAILED else f"{item.path.name}\n\nLoading…"
            )  # fmt: skip
            self.view.set_images(None, None)
            if item.state != PhotoState.FAILED:
                self.thumbnails.request_preview(str(item.path))
        self._update_actions()

    def _saturation_changed(self, value: int) -> None:
        self.saturation_label.setText(f"{value}%")
        item = self.current_item()
        if item is not None and item.result is not None:
            self.view.set_colorized(to_qimage(item.result.render(self.saturation_value())))

    def toggle_side_by_side(self) -> None:
        self.view.side_by_side = self.actions_by_name["side"].isChecked()
        self.view.fit_to_window()

    # ---- saving -----------------------------------------------------------------------------

    def save_selected(self, options: SaveOptions | None = None) -> int:
        return self._save([it for it in self.selected_items() if it.result is not None], options)

    def save_all(self, options: SaveOptions | None = None) -> int:
        return self._save([it for it in self.photos.items if it.result is not None], options)

    def _save(self, items: list[PhotoItem], options: SaveOptions | None) -> int:
        if not items:
            self.status_label.setText("Nothing to save yet: colorize a photo first.")
            return 0
        if not isinstance(options, SaveOptions):
            dialog = SaveOptionsDialog(self.save_options, len(items), self)
            if dialog.exec() != SaveOptionsDialog.DialogCode.Accepted:
                return 0
            options = dialog.options()
            self.save_options = options
            self._store_save_options(options)
        plan = [(it, options.destination(it.path)) for it in items]
        plan = [(it, dest) for it, dest in plan if dest.resolve() != it.path.resolve()]
        existing = [dest for _, dest in plan if dest.exists()]
        overwrite = options.overwrite
        if existing and overwrite is None:
            answer = QMessageBox.question(
                self, "Replace earlier outputs?",
                f"{len(existing)} colorized file(s) already exist, e.g. {existing[0].name}.\n"
                "Replace them? (No saves only the new ones.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.No,
            )  # fmt: skip
            if answer == QMessageBox.StandardButton.Cancel:
                return 0
            overwrite = answer == QMessageBox.StandardButton.Yes
        if not overwrite:
            plan = [(it, dest) for it, dest in plan if not dest.exists()]
        if not plan:
            self.status_label.setText("Nothing new to save.")
            return 0
        self._start_batch("save", len(plan))
        for item, dest in plan:
            job = self.photos.new_job(item)
            self._busy_jobs.add(job)
            self.worker.save_requested.emit(job, item.result, str(dest), self.saturation_value(),
                                            options.quality, self.generation)  # fmt: skip
        self._update_progress()
        self.status_label.setText(f"Saving {len(plan)} photo(s)…")
        return len(plan)

    def _save_done(self, job: int, dest: str) -> None:
        item = self.photos.item_for_job(job)
        if item is not None:
            item.saved_to = dest
            self.photos.changed(item)
        self._job_done(job)
        if not self._busy_jobs:
            self.status_label.setText(f"Saved to {Path(dest).parent}")

    def _save_failed(self, job: int, message: str) -> None:
        self._job_done(job)
        self.status_label.setText(f"Save failed: {message}")
        QMessageBox.warning(self, "Could not save", message)

    # ---- misc -------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        a = self.actions_by_name
        has = bool(self.photos.items)
        done = any(it.result is not None for it in self.photos.items)
        for name in ("colorize", "colorize_all", "remove", "clear"):
            a[name].setEnabled(has)
        for name in ("save", "save_all"):
            a[name].setEnabled(done)
        a["cancel"].setEnabled(bool(self._busy_jobs))

    def about(self) -> None:
        model = self.current_model()
        try:
            mf = open_model(model)
            meta = mf.metadata
            val = meta.get("val") or {}
            provenance = (
                f"<b>Model:</b> {Path(model).stem} (preset {mf.preset}; classifiers "
                f"{', '.join(mf.config.backbones) or 'none'})<br>"
                f"{meta.get('description', '')}<br>"
                f"Trained: {meta.get('steps', '?')} steps on "
                f"{', '.join(Path(d).name for d in meta.get('data', [])) or 'unknown data'}"
                + (f"; held-out PSNR {val['psnr']:.2f} dB" if "psnr" in val else "")
            )
        except Exception as exc:
            provenance = f"<b>Model:</b> not available ({exc})"
        QMessageBox.about(
            self, "About Colorizer",
            f"<h3>Colorizer {__version__}</h3>"
            "<p>Gives old black-and-white photographs their colour back.</p>"
            "<p>The deep hybrid model of Kiani, Hemmatpour and Rastgoo (JADM 2021): a "
            "convolutional encoder, the averaged outputs of frozen pretrained classifiers fused "
            "into it, and a decoder that predicts colour (CIE Lab a, b).</p>"
            f"<p>{provenance}</p><p>Device: {self.device_label.text() or 'not loaded yet'}</p>",
        )  # fmt: skip

    def toggle_advanced(self) -> None:
        """The hidden panel: revealed by View > Advanced (Ctrl+Shift+A), and remembered."""
        show = self.actions_by_name["advanced"].isChecked()
        if show and self.panel is None:
            from PySide6.QtCore import Qt as _Qt

            from .training_panel import TrainingPanel

            self.panel = TrainingPanel(self)
            self.addDockWidget(_Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
            self.panel.model_saved.connect(lambda _p: self.refresh_models())
            self.panel.training_started.connect(self._training_started)
            self.panel.training_ended.connect(self._training_ended)
            self.panel.visibilityChanged.connect(
                lambda v: self.actions_by_name["advanced"].setChecked(v) if not self._closing
                else None)  # fmt: skip
        if self.panel is not None:
            self.panel.setVisible(show)
        self.settings.setValue("advanced_visible", show)

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

    # ---- settings and closing ---------------------------------------------------------------

    def _load_save_options(self) -> SaveOptions:
        s = self.settings
        folder = s.value("save/folder", "")
        return SaveOptions(Path(folder) if folder else None, s.value("save/format", "same"),
                           int(s.value("save/quality", 95)), s.value("save/suffix", "_colorized"))

    def _store_save_options(self, o: SaveOptions) -> None:
        s = self.settings
        s.setValue("save/folder", str(o.folder) if o.folder else "")
        s.setValue("save/format", o.fmt)
        s.setValue("save/quality", o.quality)
        s.setValue("save/suffix", o.suffix)

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self.settings.value("window_state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def _store_settings(self) -> None:
        s = self.settings
        s.setValue("geometry", self.saveGeometry())
        s.setValue("window_state", self.saveState())
        s.setValue("model", self.current_model())
        s.setValue("device", self.device_combo.currentData())
        s.setValue("advanced_visible", self.panel is not None and self.panel.isVisible())
        s.sync()

    def closeEvent(self, event) -> None:
        question = ""
        if self.panel is not None and self.panel.training:
            question = ("A model is being trained. Stop it and quit? "
                        "(Resume continues from its last checkpoint.)")  # fmt: skip
        elif self._busy_jobs:
            question = f"{len(self._busy_jobs)} photo(s) are still being processed. Stop and quit?"
        if question and not self._closing:
            answer = QMessageBox.question(
                self, "Quit Colorizer?", question,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )  # fmt: skip
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self._closing = True
        self._store_settings()
        if self.panel is not None:
            self.panel.stop()
        self.host.stop()
        self.thumbnails.wait()
        event.accept()
