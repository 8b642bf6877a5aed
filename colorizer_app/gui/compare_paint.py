"""How the compare view draws: the two images in register, the divider with its handle and
labels, the hint markers, the keyboard-focus frame; and where a pan may take the photo.

Kept apart from compare_view.py, which holds the view's state and what the person does.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QPointF, QRect, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPalette, QPen

from .elided_label import wrapped
from .hint_marks import Mark, paint_marks


class ShownView(Protocol):
    """What drawing needs of the compare view (compare_view.CompareView)."""

    original: QImage | None
    colorized: QImage | None
    scale: float
    offset: QPointF
    side_by_side: bool
    show_original: bool
    pin_mode: bool
    placeholder: str
    note: str
    after_label: str
    marks: list[Mark]
    selected_mark: int
    hover_mark: int

    def rect(self) -> QRect: ...
    def palette(self) -> QPalette: ...
    def backgroundRole(self) -> QPalette.ColorRole: ...
    def foregroundRole(self) -> QPalette.ColorRole: ...
    def pane_width(self) -> float: ...
    def divider_x(self) -> float: ...
    def pin_view_point(self, photo_point: QPointF) -> QPointF: ...
    def hint_overlay(self) -> tuple[int, QPointF, list[QPointF]]: ...


FOCUS_FRAME_PX = 3


def after_label(repaired: bool) -> str:
    """The after side's label: "After (restored)" where the photo was repaired before its
    colour (a trial closed the Restore panel and could not tell its photos were still being
    restored), not where its switches found nothing to do."""
    return "After (restored)" if repaired else "After"


def paint_divider(painter: QPainter, x: float, rect: QRect, label: str = "After") -> None:
    """The before/after divider at `x`: a line, a handle half way down, the two labels."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(255, 255, 255, 220), 2))
    painter.drawLine(QPointF(x, 0), QPointF(x, rect.height()))
    # Kept whole inside the view: at either edge it was half off it (a trial).
    handle_x = min(max(x, 9.0), rect.width() - 9.0)
    handle = QRectF(handle_x - 9, rect.height() / 2 - 18, 18, 36)
    painter.setBrush(QColor(255, 255, 255, 220))
    painter.setPen(QPen(QColor(0, 0, 0, 90), 1))
    painter.drawRoundedRect(handle, 5, 5)
    paint_labels(painter, rect, label)


def paint_labels(painter: QPainter, rect: QRect, after: str = "After") -> None:
    """ "Before" at the top left, "After" at the top right: with the divider, and side by side
    (where a trial found them gone)."""
    for label, align in (
        ("Before", Qt.AlignmentFlag.AlignLeft),
        (after, Qt.AlignmentFlag.AlignRight),
    ):
        # White on a dark edge: white alone was lost over a light sky or wall (a trial).
        where = rect.adjusted(10, 8, -10, -8)
        flags = align | Qt.AlignmentFlag.AlignTop
        painter.setPen(QColor(0, 0, 0, 170))
        for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            painter.drawText(where.translated(dx, dy), flags, label)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(where, flags, label)


NOTE_LINES = 3  # a note wraps onto up to this many lines before it is shortened with "…"


def note_band(metrics: QFontMetrics, rect: QRect, note: str) -> tuple[QRectF, str]:
    """Where the note's band lies at the foot of `rect`, and its text as it fits: wrapped onto
    up to NOTE_LINES lines (at 200% a one-line note lost its advice, "Colour makes it bolder",
    to "…" with the rest only in a tooltip, which needs a mouse), shortened only beyond them."""
    lines = wrapped(metrics, f"Note: {note}", max(40, rect.width() - 40), NOTE_LINES)
    width = max(metrics.horizontalAdvance(line) for line in lines) + 20
    band = QRectF(0, 0, width, metrics.height() * len(lines) + 10)
    band.moveCenter(QPointF(rect.center().x(), rect.bottom() - 10 - band.height() / 2))
    return band, "\n".join(lines)


def paint_note(painter: QPainter, rect: QRect, note: str) -> None:
    """What the photo's colouring says of it ("first page of 2 only", "already in colour"), on a
    dark band at the foot of the view: a trial found it only in the list's tooltip."""
    band, text = note_band(painter.fontMetrics(), rect, note)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 170))
    painter.drawRoundedRect(band, 4, 4)
    painter.setPen(QColor(255, 255, 255))
    painter.drawText(band, int(Qt.AlignmentFlag.AlignCenter), text)


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


def paint_view(painter: QPainter, view: ShownView) -> None:
    """The view's whole picture but the focus frame."""
    rect = view.rect()
    painter.fillRect(rect, view.palette().color(view.backgroundRole()).darker(115))
    original = view.original
    if original is None or original.isNull():
        painter.setPen(view.palette().color(view.foregroundRole()))
        # Wrapped within a margin: a failed photo's message is long, and a narrow photo area
        # cut it off at both sides (a trial).
        flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)
        painter.drawText(rect.adjusted(16, 16, -16, -16), flags, view.placeholder)
        return
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, view.scale < 2)
    w, h = original.width() * view.scale, original.height() * view.scale
    target = QRectF(view.offset.x(), view.offset.y(), w, h)
    after = view.colorized if view.colorized is not None and not view.show_original else None
    # Side by side, the after half starts half way; else where the divider is.
    after_from = view.pane_width() if view.side_by_side else view.divider_x()
    painter.setClipRect(QRectF(0, 0, after_from, rect.height()))
    painter.drawImage(target, original)
    painter.setClipRect(QRectF(after_from, 0, rect.width() - after_from, rect.height()))
    shift = after_from if view.side_by_side else 0.0
    painter.drawImage(target.translated(shift, 0), after or original)
    painter.setClipping(False)
    if view.side_by_side:
        painter.setPen(QPen(QColor(255, 255, 255, 160), 1))
        painter.drawLine(QPointF(after_from, 0), QPointF(after_from, rect.height()))
    if after is None:
        return
    if view.pin_mode and not view.show_original:  # markers while pinning, not while comparing
        clip = QRectF(after_from, 0, rect.width() - after_from, rect.height())
        moving, shift_by, drawing = view.hint_overlay()
        paint_marks(
            painter,
            view.marks,
            view.pin_view_point,
            clip,
            view.selected_mark,
            (moving, shift_by),
            drawing,
            view.hover_mark,
        )
    if view.side_by_side:
        paint_labels(painter, rect, view.after_label)
    elif after_from > 0:
        paint_divider(painter, after_from, rect, view.after_label)
    if view.note:
        paint_note(painter, rect, view.note)
