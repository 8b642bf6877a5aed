"""The compare view's parts that hold no state: the divider with its handle and labels, the
keyboard-focus frame, where a pan may take the photo.

Kept apart from compare_view.py, which is about what the person does.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

FOCUS_FRAME_PX = 3


def paint_divider(painter: QPainter, x: float, rect: QRect) -> None:
    """The before/after divider at `x`: a line, a handle half way down, the two labels."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(255, 255, 255, 220), 2))
    painter.drawLine(QPointF(x, 0), QPointF(x, rect.height()))
    handle = QRectF(x - 9, rect.height() / 2 - 18, 18, 36)
    painter.setBrush(QColor(255, 255, 255, 220))
    painter.setPen(QPen(QColor(0, 0, 0, 90), 1))
    painter.drawRoundedRect(handle, 5, 5)
    painter.setPen(QColor(255, 255, 255))
    for label, align in (
        ("Before", Qt.AlignmentFlag.AlignLeft),
        ("After", Qt.AlignmentFlag.AlignRight),
    ):
        painter.drawText(rect.adjusted(10, 8, -10, -8), align | Qt.AlignmentFlag.AlignTop, label)


def paint_focus_frame(painter: QPainter, rect: QRect, colour: QColor) -> None:
    """A frame in the style's highlight colour: where Tab has put the keys."""
    painter.setClipping(False)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(colour, FOCUS_FRAME_PX))
    half = FOCUS_FRAME_PX / 2
    painter.drawRect(QRectF(rect).adjusted(half, half, -half, -half))


def kept_in_view(offset: QPointF, photo: QSizeF, room: QSizeF) -> QPointF:
    """A pan moves the photo (`photo`: its size on screen) only along a side where it is larger
    than the view, and never past its edges; along a side where it fits it stays centred."""

    def axis(value: float, extent: float, space: float) -> float:
        if extent <= space:
            return (space - extent) / 2
        return min(0.0, max(space - extent, value))

    return QPointF(
        axis(offset.x(), photo.width(), room.width()),
        axis(offset.y(), photo.height(), room.height()),
    )
