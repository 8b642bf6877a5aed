"""The Restore panel: per photo, which repairs to make (scratches, fading, grain), a look at the
repaired photo with the damage found drawn over it, and a repaired copy saved beside the photo.

A dock of its own, hooked into the window by `attach_restore_panel(window)`: it follows the
list's current photo itself. The repair runs on a thread pool (engine.restoring), never on the
GUI thread; a result for a photo or settings no longer shown is dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..engine.restoring import RestoreChoices, restore_preview, save_restored
from ..restore.pipeline import RestoreOptions
from .qimage import to_qimage
from .window_base import WindowBase

SWITCHES = (
    ("scratches", "Scratches, dust and cracks"),
    ("fading", "Fading"),
    ("grain", "Grain"),
)
OVERLAY = np.array([255, 40, 40], np.float32)  # the damage found, drawn half over the photo


class _Signals(QObject):
    done = Signal(object, object, object)  # (path, options), (original, repaired, mask), error
    saved = Signal(str)


class _Job(QRunnable):
    """Work for one photo and its switches (`key`), told back through `signals`."""

    def __init__(self, key: tuple[Path, RestoreOptions], signals: _Signals):
        super().__init__()
        self.key, self.signals = key, signals


class _PreviewJob(_Job):
    def run(self) -> None:
        try:
            self.signals.done.emit(self.key, restore_preview(*self.key), None)
        except Exception as exc:  # noqa: BLE001 - shown in the panel, never a crash of the app
            self.signals.done.emit(self.key, None, f"{type(exc).__name__}: {exc}")


class _SaveJob(_Job):
    def run(self) -> None:
        try:
            result = save_restored(*self.key)
        except Exception as exc:  # noqa: BLE001
            self.signals.saved.emit(f"Not saved: {type(exc).__name__}: {exc}")
            return
        if result.done:
            self.signals.saved.emit(f"Saved {result.done[0].name}")
        elif result.skipped:
            self.signals.saved.emit("A restored copy is already there; it was kept")
        else:
            self.signals.saved.emit(f"Not saved: {result.failed[0][1]}")


def overlay(rgb: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    if mask is None or not mask.any():
        return rgb
    out = rgb.astype(np.float32)
    out[mask] = 0.5 * out[mask] + 0.5 * OVERLAY
    return out.astype(np.uint8)


class RestorePanel(QDockWidget):
    """Restore: the three switches for the photo shown (each photo keeps its own)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Restore", parent)
        self.setObjectName("restore_panel")
        self.choices = RestoreChoices()  # each photo's own switches, kept in the app data
        self.path: Path | None = None
        self.result: tuple | None = None  # (original, repaired, mask) of what is shown
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.signals = _Signals()
        self.signals.done.connect(self._preview_done)

        body = QWidget()
        layout = QVBoxLayout(body)
        self.switches: dict[str, QCheckBox] = {}
        for name, label in SWITCHES:
            box = QCheckBox(label)
            box.toggled.connect(self._switched)
            self.switches[name] = box
            layout.addWidget(box)
        self.show_damage = QCheckBox("Show the damage found")
        self.show_damage.setChecked(True)
        self.show_damage.toggled.connect(lambda _on: self._show())
        layout.addWidget(self.show_damage)
        self.picture = QLabel("Choose a photo")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(260, 200)
        layout.addWidget(self.picture, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.signals.saved.connect(self.status.setText)
        layout.addWidget(self.status)
        self.save_button = QPushButton("Save Restored Copy")
        self.save_button.setToolTip("Writes NAME_restored beside the photo, without colour")
        self.save_button.clicked.connect(self.save)
        layout.addWidget(self.save_button)
        self.setWidget(body)
        self.show_photo(None)

    # ---- the photo shown and its switches -----------------------------------------------------

    def current_options(self) -> RestoreOptions:
        return RestoreOptions(**{n: box.isChecked() for n, box in self.switches.items()})

    def show_photo(self, path: Path | None) -> None:
        self.path = path
        options = self.choices.get(path) if path else RestoreOptions()
        for name, box in self.switches.items():
            box.blockSignals(True)
            box.setChecked(getattr(options, name))
            box.setEnabled(path is not None)
            box.blockSignals(False)
        self.save_button.setEnabled(path is not None and options.any)
        self.result = None
        self._request()

    def _switched(self) -> None:
        if self.path is None:
            return
        self.choices.remember(self.path, self.current_options())
        self.save_button.setEnabled(self.current_options().any)
        self._request()

    def _request(self) -> None:
        if self.path is None:
            self.picture.setText("Choose a photo")
            self.picture.setPixmap(QPixmap())
            self.status.setText("")
            return
        self.status.setText("Restoring…" if self.current_options().any else "")
        self.pool.start(_PreviewJob((self.path, self.current_options()), self.signals))

    def _preview_done(self, key, result, error) -> None:
        if key != (self.path, self.current_options()):
            return  # another photo or other switches since: a newer job is on its way
        if error is not None:
            self.result = None
            self.status.setText(f"Cannot restore this photo: {error}")
            return
        self.result = result
        mask = result[2]
        self.status.setText(
            f"Damage found on {mask.mean():.1%} of the photo" if mask is not None else ""
        )
        self._show()

    def _show(self) -> None:
        if self.result is None:
            return
        _original, repaired, mask = self.result
        shown = overlay(repaired, mask) if self.show_damage.isChecked() else repaired
        pixmap = QPixmap.fromImage(to_qimage(shown))
        self.picture.setPixmap(
            pixmap.scaled(
                self.picture.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def save(self) -> None:
        if self.path is not None and self.current_options().any:
            self.status.setText("Saving the restored copy…")
            self.pool.start(_SaveJob((self.path, self.current_options()), self.signals))

    def wait(self) -> None:
        self.pool.waitForDone()


def attach_restore_panel(window: WindowBase) -> RestorePanel:
    """Docks the panel on the right and has it follow the list's current photo."""
    panel = RestorePanel(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)

    def follow(*_args) -> None:
        item = window.current_item()
        panel.show_photo(item.path if item is not None else None)

    window.list_view.selectionModel().currentChanged.connect(follow)
    return panel
