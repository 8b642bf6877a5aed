"""The main window: photos pane, compare view, controls, save, status bar.

It adds threads and pixels, never logic: colorizing and saving run on the worker through the
core's Colorizer; the GUI thread only composes the screen-sized preview (no network).

The window lays out the widgets and wires its controllers, each a QObject that owns its state
and speaks through typed signals: adding photos (photo_intake.py), the model and device choosers
(model_controller.py), colorize batches (batch_controller.py), saving (save_controller.py),
colour pins (pin_controller.py), per-photo strength and detail (photo_options.py), removing
photos and undoing it (list_edits.py). No controller reaches another or the window's fields.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QProgressBar, QPushButton, QSplitter, QToolBar, QWidget

from ..core.paths import user_models_dir
from ..core.wording import photos
from .about import show_about
from .app_settings import AppSettings
from .batch_controller import BatchController
from .compare_paint import after_label
from .compare_view import EMPTY_TEXT, CompareView
from .elided_label import NOTICE_MS, ElidedLabel, label_with_room, show_notice
from .help_window import show_folder, show_guide
from .last_list import LastList
from .list_edits import ListEdits
from .model_controller import ModelController
from .pane_keys import pane_actions
from .photo_intake import PhotoIntake
from .photo_list import PhotoItem, PhotoListModel, PhotoState, photo_list_view
from .photo_options import PhotoOptions
from .pin_aim import PinAim
from .pin_controller import PinController
from .qimage import to_qimage
from .quit_question import ask_to_quit
from .recent_places import attach_recent_places
from .restore_dock import attach_restore_panel
from .save_controller import SaveController
from .save_options import SaveOptions
from .selection import Selection
from .thumbnails import ThumbnailLoader
from .toolbar_menus import combo_menu, strength_actions
from .view_keys import ViewKeys
from .window_actions import add_to_view, build_menus, build_toolbar, make_action, offered_no_more
from .window_base import WindowBase
from .window_state import fit_to_screen, restore_place, room_text, share_the_right_side
from .window_undo import WindowUndo
from .worker import colorize_host

if TYPE_CHECKING:
    from .training_panel import TrainingPanel

QUIT_LIMIT_S = 0.6  # issue 25: quitting returns within a second, whatever is queued


class MainWindow(WindowBase):
    """The window: layout, wiring, showing the current photo, quitting (settings: app_settings)."""

    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.settings = AppSettings(settings)
        self.setWindowTitle("Colorizer")
        self.setAcceptDrops(True)
        self.host = colorize_host()
        self.worker = self.host.worker
        self.photos = PhotoListModel(self)
        self.thumbnails = ThumbnailLoader(self)
        self.stopped_cleanly = True  # every worker ended at quit (app.py reads it)
        self._closing = False
        self.panel: TrainingPanel | None = None  # the advanced panel, made when first shown
        self._build_ui()
        self.selection = Selection(self.list_view, self.photos)
        self.intake = PhotoIntake(self.photos, self.settings, self)
        self.models = ModelController(self.worker, self.settings, self)
        self.batch = BatchController(self.photos, self.worker, self)
        self.saving = SaveController(self.photos, self.worker, self.settings, self, self)
        self.pins = PinController(self.view, self.photos, self, settings=self.settings)
        self.options = PhotoOptions(self.photos, self.selection, self.view, self)
        self.list_edits = ListEdits(self.photos, self.selection, self)
        self._build_actions()
        self._build_status_bar()
        self._connect()
        # Its slot on intake.added after the window's: the photo shown at quit is shown again.
        self.last_list = LastList(self.settings, self.photos, self.intake, self.selection, self)
        self.last_list.status.connect(lambda t: show_notice(self.statusBar(), t, NOTICE_MS))
        # Docked before the window's place (restoreState) and first showing, not after torch.
        self.restore_panel = attach_restore_panel(self)  # issue 28: gui/restore_dock.py
        self._update_actions()  # an empty list: nothing to remove, colorize or save yet
        s = self.settings
        restore_place(self, s.geometry, s.window_state, s.inner_place, s.screen_room)
        # Torch (and CUDA) load on the worker, not while the window first draws; its answer
        # (models.engine_loaded) brings the model list and the docks that need them.
        self.models.start()

    def _after_engine_loaded(self) -> None:
        """Torch has loaded on the worker: the Advanced panel (its modules import torch) can be
        made, the import here instant (the Restore panel starts its previews itself)."""
        if self.settings.advanced_visible:
            self.actions_by_name["advanced"].setChecked(True)
            self.toggle_advanced()

    # ---- layout and wiring ------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.list_view = photo_list_view(self.photos)
        self.view = CompareView()
        self.view.setAccessibleName("Photo, before and after")  # a screen reader's name for it
        self.pin_aim = PinAim(self.view)  # pins from the keyboard: arrows and Enter
        self.zoom_label = label_with_room("8888%")
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z:.0f}%" if z else ""))
        self.list_view.installEventFilter(ViewKeys(self.view))
        splitter = QSplitter()
        splitter.addWidget(self.list_view)
        splitter.addWidget(self.view)
        QWidget.setTabOrder(self.list_view, self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        self.setCentralWidget(splitter)
        self.splitter = splitter
        self.toolbar = QToolBar("Controls")
        self.toolbar.setObjectName("controls")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey

        def act(text: str, slot, shortcut=None):
            return make_action(self, text, slot, shortcut)

        a = self.actions_by_name = {
            "open": act("&Open Photos…", self.intake.open_files, K.Open),
            "open_folder": act("Open &Folder…", self.intake.open_folder, "Ctrl+Shift+O"),
            "paste": act("&Paste Image", self.intake.paste, K.Paste),
            "save": act("&Save Colorized…", self.save_selected, K.Save),
            "save_all": act("Save &All Colorized…", self.save_all, "Ctrl+Shift+S"),
            "quit": act("&Quit", self.close, K.Quit),
            "remove": act("&Remove from List", self.delete_pressed, K.Delete),
            "clear": act("&Clear List", self.clear_all, "Ctrl+Shift+Delete"),
            "colorize": act("&Colorize Selected", self.colorize_selected, "Ctrl+R"),
            "colorize_all": act("Colorize A&ll", self.colorize_all, "Ctrl+Shift+R"),
            "cancel": act("Cance&l", self.cancel, "Esc"),
            "fit": act("&Fit to Window", self.view.fit_to_window, "Ctrl+0"),
            "actual": act("&Actual Size (100%)", self.view.actual_size, "Ctrl+1"),
            "zoom_in": act("Zoom &In", lambda: self.view.zoom_by(1.25), K.ZoomIn),
            "zoom_out": act("Zoom &Out", lambda: self.view.zoom_by(0.8), K.ZoomOut),
            "side": act("&Side by Side", self.toggle_side_by_side, "Ctrl+B"),
            "guide": act("Colorizer &Guide", self.guide, K.HelpContents),
            "about": act("&About Colorizer", self.about),
            "models_folder": act(
                "Open &Models Folder", lambda: show_folder(self, user_models_dir(), "Your models")
            ),
            "advanced": act("&Advanced: Teach Your Colours", self.toggle_advanced, "Ctrl+Shift+A"),
        }
        for controller in (self.pins, self.options, self.list_edits):
            a.update(controller.actions)
        o, m = self.options, self.models
        a.update(strength_actions(self, o.saturation))  # the toolbar's choices in the menus too
        a.update(pane_actions(self, [self.list_view, self.view]))  # F6, Shift+F6
        a["detail_menu"] = combo_menu(self, "&Detail", o.detail_combo, o.detail_combo.toolTip())
        a["model_menu"] = combo_menu(self, "&Model", m.model_combo, m.model_combo.toolTip())
        a["device_menu"] = combo_menu(self, "De&vice", m.device_combo, m.device_combo.toolTip())
        steps = (self.list_edits, self.options.all_change, self.options.own_change)
        a["undo"] = WindowUndo(self, self.pins.undo_group, self.pins.edited, steps).action
        a["advanced"].setCheckable(True)
        self.models.engine_failed.connect(lambda why: offered_no_more(a["advanced"], why))
        a["side"].setCheckable(True)
        self.menus = build_menus(self.menuBar(), a)
        self.recent = attach_recent_places(
            self.settings, self.intake, self.menus["&File"], a["paste"], self.statusBar()
        )
        add_to_view(self.menus, self.toolbar.toggleViewAction(), "&Toolbar")
        groups: list[list[tuple[str, QWidget]]] = [
            [("Colour", o.saturation), ("", o.saturation_label), ("Detail", o.detail_combo)],
            [("Model", m.model_combo), ("Device", m.device_combo)],
        ]
        build_toolbar(self.toolbar, a, groups, home=self.list_view)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.status_label = ElidedLabel("Drop photos or folders on the window to begin.")
        self.progress = QProgressBar()
        # Room for its longest words ("1234/5678 · 999 s left"): the status text's stretch
        # squeezed it until they broke over two lines and were cut off.
        wide = self.progress.fontMetrics().horizontalAdvance("0000/0000 · 000 s left")
        self.progress.setMinimumWidth(wide + 24)
        self.progress.setMaximumWidth(max(220, wide + 48))
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        status.addWidget(self.status_label, 1)
        for widget in (
            self.zoom_label,
            self.models.device_label,
            self.progress,
            self.cancel_button,
            self.list_edits.undo_button,
        ):
            status.addPermanentWidget(widget)

    def _connect(self) -> None:
        say = self.status_label.setText
        self.list_view.selectionModel().currentChanged.connect(lambda *_: self._show_current())
        self.thumbnails.ready.connect(self._thumbnail_ready)
        self.thumbnails.preview_ready.connect(self._preview_ready)
        controllers = (self.intake, self.models, self.batch, self.saving, self.pins, self.options)
        for controller in (*controllers, self.list_edits):
            controller.status.connect(say)
        for own in (self.saving, self.pins, self.options, self.list_edits):  # the person's acts
            own.status.connect(self.statusBar().clearMessage)  # answer over a notice at once
        self.intake.added.connect(self._photos_added)
        self.intake.notice.connect(lambda text: show_notice(self.statusBar(), text, NOTICE_MS))
        self.models.engine_loaded.connect(self._after_engine_loaded)
        self.models.devices_changed.connect(
            lambda devices: self.panel.form.set_devices(devices) if self.panel else None
        )
        self.models.model_chosen.connect(self.batch.colorize_again_with)
        for jobs in (self.batch, self.saving):
            jobs.progress_changed.connect(self._show_progress)
        self.batch.photo_changed.connect(self._photo_changed)
        self.batch.ended.connect(lambda summary: say(self.models.error or summary))
        self.pins.hints_changed.connect(lambda _item: self._update_actions())
        # Each photo's colour strength and detail are kept with its pins, and come back with them.
        self.options.choices_changed.connect(self.pins.remember)
        self.batch.choices_reverted.connect(self.pins.remember)
        self.pins.choices_found.connect(self.options.show_if_current)
        self.pins.colour_again.connect(self.batch.colorize_again)
        for asks in (self.options, self.list_edits):  # photos to colour (again)
            asks.colorize_requested.connect(self.batch.colorize_all_again)
        self.list_edits.forgotten.connect(self.pins.forget)
        self.list_edits.changed.connect(self._show_current)

    # ---- adding photos ----------------------------------------------------------------------

    def add_paths(self, paths: Sequence[str | Path], colorize: bool = True) -> None:
        """Files and folders (recursive), looked through on the scan worker."""
        self.intake.add_paths(paths, colorize)

    def _photos_added(self, added: list[PhotoItem], colorize: bool) -> None:
        if self._closing:
            return
        # Colorized once their remembered detail is known (the store answers on its thread).
        self.pins.load(added, self.batch.colorize if colorize else None)
        for item in added:
            self.thumbnails.request(str(item.path))
        if added:  # what was just opened is shown (a trial's was added out of sight)
            self.selection.make_current(added[0])
        self._update_actions()

    def dragEnterEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.intake.add_mime(event.mimeData())
        event.acceptProposedAction()

    def _thumbnail_ready(self, path: str, image: QImage) -> None:
        item = self.photos.item_for_path(path)
        if item is not None:
            item.thumbnail = image
            self.photos.changed(item)

    def _preview_ready(self, path: str, image: QImage) -> None:
        item = self.current_item()
        if item is not None and str(item.path) == path and item.result is None:
            self.view.set_images(image if not image.isNull() else None, None)

    # ---- colorizing, saving, list edits -----------------------------------------------------

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
        return bool(self.pending_jobs or self.intake.scanning or self.pins.loading)

    def cancel(self) -> None:  # stop after the current photo: everything still queued is skipped
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

    def delete_pressed(self) -> None:
        """Del: in pin mode with the pointer on the photo, it is about the pin or stroke under
        the pointer (wherever the keys are), never the list; else the selection leaves it."""
        if self.view.pin_mode and self.view.underMouse() and self.view.colorized is not None:
            if not self.view.delete_mark():
                self.status_label.setText(
                    "Del removes the pin or stroke under the pointer. To take the photo off the "
                    "list, use Edit > Remove from List."
                )
            return
        self.list_edits.remove_selected()

    def clear_all(self) -> None:
        if self.batch.pending:  # the colorizing queued for them; saves asked for go on
            self.worker.cancel_queued(saves=False)
        self.list_edits.clear()

    # ---- showing ----------------------------------------------------------------------------

    def selected_items(self) -> list[PhotoItem]:
        return self.selection.selected()

    def current_item(self) -> PhotoItem | None:
        return self.selection.current()

    def _show_current(self) -> None:
        item = self.current_item()
        self.pins.show(item)
        self.pin_aim.show(item)
        self.options.show(item)
        self.view.note = "; ".join(item.result.notes) if item and item.result else ""
        self.view.after_label = after_label(bool(item and item.result and item.result.repaired))
        if item is None:
            self.view.placeholder = EMPTY_TEXT
            self.view.set_images(None, None)
            self._update_actions()
            return
        if item.result is not None:
            # With Restore switches on, the original as it came against restored and coloured.
            before = item.result.original_preview
            original = to_qimage(before if before is not None else item.result.preview_rgb)
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

    def _update_actions(self) -> None:
        a = self.actions_by_name
        has = bool(self.photos.items)
        done = any(it.result is not None for it in self.photos.items)
        for name in ("colorize", "colorize_all", "remove", "clear"):
            a[name].setEnabled(has)
        for name in ("save", "save_all", "pins"):
            a[name].setEnabled(done)
        a["undo_clear"].setEnabled(self.list_edits.can_undo)
        current = self.current_item()
        a["clear_pins"].setEnabled(current is not None and bool(current.hints))
        a["cancel"].setEnabled(bool(self.pending_jobs))

    # ---- the advanced panel and the rest ----------------------------------------------------

    def guide(self) -> None:
        show_guide(self, self.actions_by_name)

    def about(self) -> None:
        show_about(self, self.models.provenance, self.models.device)

    def toggle_advanced(self) -> None:
        """The hidden panel: revealed by View > Advanced (Ctrl+Shift+A), and remembered."""
        show = self.actions_by_name["advanced"].isChecked()
        if show and self.panel is None and not self.models.engine_ready:
            # Its modules import torch, which the worker is importing: made once it has (a
            # review: importing it on two threads at once can deadlock).
            self.settings.advanced_visible = True
            return
        if show and self.panel is None:
            from .training_panel import TrainingPanel

            self.panel = TrainingPanel(self.models.devices, self)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
            share_the_right_side(self, self.restore_panel, self.panel)
            self.panel.model_saved.connect(self._models_changed)
            self.panel.manager.changed.connect(self._models_changed)
            self.panel.training_started.connect(self.models.training_started)
            self.panel.training_ended.connect(self.models.training_ended)
            # Checked while open, in front or as a tab behind (visibilityChanged said hidden).
            advanced = self.actions_by_name["advanced"]
            self.panel.toggleViewAction().toggled.connect(
                lambda v: advanced.setChecked(v) if not self._closing else None
            )
        if self.panel is not None:
            self.panel.setVisible(show)
            if show:
                self.panel.raise_()  # in front where it shares the side as a tab
            elif self.restore_panel.isVisible():
                # Back to the Restore panel's own width (it kept the Advanced panel's: a trial)
                narrow = [self.restore_panel.sizeHint().width()]
                self.resizeDocks([self.restore_panel], narrow, Qt.Orientation.Horizontal)
            fit_to_screen(self)
        self.settings.advanced_visible = show

    def _models_changed(self, path: str = "", before: str = "") -> None:
        """A model was saved, renamed (from `before`) or deleted: every list of models follows."""
        self.models.models_changed(path, before)
        if self.panel is not None:
            self.panel.form.refresh_bases()
            self.panel.manager.refresh()

    # ---- closing ----------------------------------------------------------------------------

    def close_without_asking(self) -> None:
        """Quit as the menu does, minus the "still working, quit?" question: the session is
        ending (SIGTERM) or Ctrl+C was pressed in the terminal, and no one is there to answer."""
        self._closing = True
        self.close()

    def quit_question(self) -> str:
        """What quitting now would stop, as a question; "" when nothing would be lost."""
        if self.panel is not None and self.panel.training:
            return self.panel.quit_question()
        if n := self.pending_jobs:  # a trial asked whether Stop would leave broken copies
            done = "still being colorized or saved. Stop and quit? No copy is left half-written."
            return f"{photos(n)} {'is' if n == 1 else 'are'} {done}"
        return ""

    def closeEvent(self, event) -> None:
        if self.quit_question() and not self._closing and not ask_to_quit(self, self.quit_question):
            event.ignore()
            return
        self._closing = True
        self._store_settings()
        self.stopped_cleanly = self._stop_workers()
        event.accept()

    def _store_settings(self) -> None:
        s = self.settings
        s.geometry, s.screen_room = self.saveGeometry(), room_text(self)
        s.inner_place = self.geometry().topLeft()
        s.window_state = self.saveState()
        s.model = self.models.current_model()
        s.device = self.models.device_combo.currentData()
        s.advanced_visible = self.panel is not None and self.panel.isVisible()
        s.pin_mode = self.view.pin_mode
        self.last_list.remember()
        s.sync()

    def _stop_workers(self) -> bool:
        """Quitting returns within QUIT_LIMIT_S: queued photos and thumbnails are dropped,
        each worker gets what is left of the time, the pins not yet written are written."""
        deadline = time.monotonic() + QUIT_LIMIT_S

        def left() -> float:
            return max(0.05, deadline - time.monotonic())

        # The thumbnails first: their queue is dropped at once, where waiting on the other
        # workers first let the pool go on making queued thumbnails meanwhile.
        ended = self.thumbnails.stop(left())
        if self.panel is not None:
            ended &= self.panel.stop(left())
        ended &= self.host.stop(left())
        ended &= self.intake.stop(left())
        ended &= self.pins.stop(left())
        return ended
