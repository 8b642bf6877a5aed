"""The Restore panel's brush picture, and the larger window that carries the same brush.

The picture shows the repaired preview with the damage found over it; a drag on it paints (left
button) or erases (right) damage, told as points in the preview's own pixels, so the dock's
picture and the larger window's paint the one mask whatever size each is drawn at.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .damage_brush import BRUSH_HINT

LARGE_SHARE = 0.8  # of the screen's room the larger window takes at first
BRUSH_KEYS = (("[", -1), ("]", 1))  # smaller, bigger (as in GIMP and Photoshop)


def add_brush_keys(widget: QWidget, resize) -> list[QShortcut]:
    """[ and ] anywhere in `widget`'s window call `resize(steps)`, while enabled. The window,
    not the panel: a person brushing has the focus wherever it was (the photo list, as a trial
    under X found), since the picture and the switches do not take it from there; a line being
    typed in keeps its [ and ] (a text field takes them first)."""
    keys = []
    for key, steps in BRUSH_KEYS:
        shortcut = QShortcut(QKeySequence(key), widget)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(lambda steps=steps: resize(steps))
        shortcut.setEnabled(False)  # until a brush is shown
        keys.append(shortcut)
    return keys


class BrushPicture(QLabel):
    """The repaired preview; a drag on it paints (left button) or erases (right) damage, told as
    points in the preview's own pixels. Under the mouse, the brush's outline at its size (a
    person could not tell how much a stroke would take); the wheel asks for another size."""

    brushed = Signal(float, float, bool, bool)  # x, y, adding?, first point of a stroke?
    released = Signal()
    resized = Signal()
    wheeled = Signal(int)  # notches: + bigger, - smaller

    def __init__(self) -> None:
        super().__init__("Choose a photo")
        self.image_size: tuple[int, int] | None = None  # (w, h) of the preview shown
        self._adding = True
        # The pixmap is scaled to the label, never the label to the pixmap: a QLabel otherwise
        # holds the size of the pixmap it was given, and when the dock got shorter (at 200%, or
        # once the brush hint appeared) the photo was drawn over the text and buttons below it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # No tooltip: the hint under each picture says how to brush, and a tooltip popped up
        # over the photo being aimed at in the larger window (seen under Xvfb at 200%).
        self.brush_radius = 0.0  # in the preview's pixels (0: no brush to show)
        self._hover: QPointF | None = None
        self._wheel = 0  # wheel movement not yet a whole notch (eighths of a degree)
        self.setMouseTracking(True)

    def set_brush_radius(self, radius: float) -> None:
        self.brush_radius = radius
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        shown = self._shown()
        if self._hover is None or self.brush_radius <= 0 or shown is None:
            return
        if not shown.contains(self._hover):
            return  # beside the photo: nothing to paint there
        assert self.image_size is not None  # a photo shown has one
        r = self.brush_radius * shown.width() / self.image_size[0]
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for colour, width in ((QColor(0, 0, 0, 160), 3.0), (QColor(255, 255, 255), 1.0)):
            painter.setPen(QPen(colour, width))  # a light ring on a dark edge: seen on any photo
            painter.drawEllipse(self._hover, r, r)
        painter.end()

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if self.brush_radius <= 0:
            super().wheelEvent(event)
            return
        # A touchpad or smooth-scrolling mouse sends eighths of a notch: summed, so that up and
        # down step alike (a review: 15 // 120 was 0 and -15 // 120 was -1, and the brush only
        # ever shrank).
        self._wheel += event.angleDelta().y()
        notches = int(self._wheel / 120)  # toward zero, either way
        self._wheel -= notches * 120
        if notches:
            self.wheeled.emit(notches)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.resized.emit()

    def _shown(self) -> QRectF | None:
        """Where the photo is drawn in the label (centred), None while there is none."""
        pixmap = self.pixmap()
        if self.image_size is None or pixmap.isNull():
            return None
        pw, ph = pixmap.width(), pixmap.height()
        return QRectF((self.width() - pw) / 2, (self.height() - ph) / 2, pw, ph)

    def _to_image(self, event: QMouseEvent) -> tuple[float, float] | None:
        shown = self._shown()
        if shown is None or self.image_size is None:
            return None
        pos = event.position()
        x = (pos.x() - shown.x()) * self.image_size[0] / shown.width()
        y = (pos.y() - shown.y()) * self.image_size[1] / shown.height()
        return x, y

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._adding = event.button() != Qt.MouseButton.RightButton
        point = self._to_image(event)
        if point is not None:
            self.brushed.emit(point[0], point[1], self._adding, True)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._hover = event.position()
        self.update()
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
        self.picture.setMinimumSize(320, 240)
        hint = QLabel(f"{BRUSH_HINT} The photo is repaired again when you let go.")
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
