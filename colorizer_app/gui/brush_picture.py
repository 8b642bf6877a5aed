"""The Restore panel's brush picture, and the larger window that carries the same brush.

The picture shows the repaired preview with the damage found over it; a drag on it paints (left
button) or erases (right) damage, told as points in the preview's own pixels, so the dock's
picture and the larger window's paint the one mask whatever size each is drawn at.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

LARGE_SHARE = 0.8  # of the screen's room the larger window takes at first


class BrushPicture(QLabel):
    """The repaired preview; a drag on it paints (left button) or erases (right) damage, told as
    points in the preview's own pixels."""

    brushed = Signal(float, float, bool, bool)  # x, y, adding?, first point of a stroke?
    released = Signal()
    resized = Signal()

    def __init__(self) -> None:
        super().__init__("Choose a photo")
        self.image_size: tuple[int, int] | None = None  # (w, h) of the preview shown
        self._adding = True
        # The pixmap is scaled to the label, never the label to the pixmap: a QLabel otherwise
        # holds the size of the pixmap it was given, and when the dock got shorter (at 200%, or
        # once the brush hint appeared) the photo was drawn over the text and buttons below it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.resized.emit()

    def _to_image(self, event: QMouseEvent) -> tuple[float, float] | None:
        pixmap = self.pixmap()
        if self.image_size is None or pixmap.isNull():
            return None
        pw, ph = pixmap.width(), pixmap.height()
        ox, oy = (self.width() - pw) / 2, (self.height() - ph) / 2  # centred
        pos = event.position()
        x = (pos.x() - ox) * self.image_size[0] / pw
        y = (pos.y() - oy) * self.image_size[1] / ph
        return x, y

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._adding = event.button() != Qt.MouseButton.RightButton
        point = self._to_image(event)
        if point is not None:
            self.brushed.emit(point[0], point[1], self._adding, True)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = self._to_image(event)
        if point is not None and event.buttons() != Qt.MouseButton.NoButton:
            self.brushed.emit(point[0], point[1], self._adding, False)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.released.emit()


class LargeBrushWindow(QDialog):
    """The brush on a picture as large as the screen allows, beside the main window (not modal:
    the dock's switches and the compare view stay in reach). It follows the photo shown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.picture = BrushPicture()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(320, 240)
        hint = QLabel(
            "Drag on the photo to correct the damage found (red): the left button adds, the "
            "right button erases. The photo is repaired again when you let go."
        )
        hint.setWordWrap(True)
        self.undo_button = QPushButton("Undo Brush")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            self.resize(int(room.width() * LARGE_SHARE), int(room.height() * LARGE_SHARE))

    def follow(self, path: Path | None) -> None:
        self.setWindowTitle(f"Correct the damage: {path.name}" if path else "Correct the damage")
