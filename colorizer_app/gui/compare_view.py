"""Before/after: the original left of a divider, the colorized photo right of it.

Both images are drawn with one transform (scale, offset), so they stay in register at every zoom.
The divider follows a drag and the arrow keys; holding Space shows the whole original; the
side-by-side mode shows both whole, each in one half, still sharing zoom and pan.

In pin mode (colour hints) a click asks for a pin there, a pin drags to a new place, a click on a
pin asks to recolour it, a right-click or Del removes it. The view only reports these as signals
in the photo's own pixels; the window keeps the hints and their undo history. Pins are drawn on
the after side only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPalette, QPen
from PySide6.QtWidgets import QWidget

DIVIDER_GRAB_PX = 10
ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.02, 32.0
PIN_RADIUS_PX = 7  # a pin's marker on screen, whatever the zoom
PIN_GRAB_PX = 11
CLICK_SLOP_PX = 4  # a press that moves less than this is a click, not a drag
FOCUS_FRAME_PX = 3


class CompareView(QWidget):
    zoom_changed = Signal(float)  # percent of the original's pixels
    # Pin mode; points in the original photo's upright pixels, QPoint: where to open a menu.
    pin_requested = Signal(QPointF, QPoint)
    pin_clicked = Signal(int, QPoint)
    pin_moved = Signal(int, QPointF)
    pin_dragging = Signal(int, QPointF)  # while the button is held: a live preview, not an edit
    pin_removed = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)
        self.original: QImage | None = None
        self.colorized: QImage | None = None
        self.full_width = 0  # the original's real width: 100% means one of its pixels per pixel
        self.divider = 0.5  # fraction of the view's width
        self.side_by_side = False
        self.show_original = False
        self.scale = 1.0  # view pixels per preview pixel
        self.offset = QPointF(0, 0)
        self.fit_mode = True
        self._drag: str | None = None
        self._drag_start = QPointF()
        self._offset_start = QPointF()
        self.placeholder = "Drop photos or folders here, or press Ctrl+O"
        self.pin_mode = False
        self.pins: list[tuple[QPointF, QColor]] = []  # in the original's pixels
        self.selected_pin = -1
        self._pin_drag = -1
        self._pin_drag_at = QPointF()
        self._press_at = QPointF()
        self.hover_pin = -1  # the pin under the pointer: Del removes it wherever the focus is
        self._keyboard_focus = False  # focus came by Tab: draw the focus frame

    # ---- content ----------------------------------------------------------------------------

    def set_images(
        self,
        original: QImage | None,
        colorized: QImage | None,
        full_width: int = 0,
        keep_view: bool = False,
    ) -> None:
        same_size = (
            self.original is not None
            and original is not None
            and original.size() == self.original.size()
        )
        self.original = original
        self.colorized = colorized
        self.full_width = full_width or (original.width() if original is not None else 0)
        if not (keep_view and same_size):
            self.fit_mode = True
            self._fit()
        self.update()

    def set_colorized(self, colorized: QImage | None) -> None:
        self.colorized = colorized
        self.update()

    # ---- geometry ---------------------------------------------------------------------------

    def _pane_width(self) -> float:
        return self.width() / 2 if self.side_by_side else self.width()

    def _fit(self) -> None:
        if self.original is None or self.original.isNull():
            return
        w, h = self.original.width(), self.original.height()
        pane = self._pane_width()
        self.scale = max(MIN_SCALE, min(pane / w, self.height() / h))
        self.offset = QPointF((pane - w * self.scale) / 2, (self.height() - h * self.scale) / 2)
        self.zoom_changed.emit(self.zoom_percent())

    def fit_to_window(self) -> None:
        self.fit_mode = True
        self._fit()
        self.update()

    def zoom_percent(self) -> float:
        if self.original is None or not self.full_width:
            return 100.0
        ratio = self.devicePixelRatioF() or 1.0
        return 100.0 * self.scale * self.original.width() / self.full_width * ratio

    def actual_size(self) -> None:
        """100%: one pixel of the original photo per device pixel, centred on the view."""
        if self.original is None:
            return
        ratio = self.devicePixelRatioF() or 1.0
        target = self.full_width / self.original.width() / ratio
        self._zoom_to(target, QPointF(self._pane_width() / 2, self.height() / 2))

    def _zoom_to(self, new_scale: float, anchor: QPointF) -> None:
        new_scale = max(MIN_SCALE, min(MAX_SCALE, new_scale))
        # keep the image point under `anchor` where it is
        self.offset = anchor - (anchor - self.offset) * (new_scale / self.scale)
        self.scale = new_scale
        self.fit_mode = False
        self.zoom_changed.emit(self.zoom_percent())
        self.update()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        if anchor is None:
            anchor = QPointF(self._pane_width() / 2, self.height() / 2)
        elif self.side_by_side and anchor.x() > self._pane_width():
            anchor = QPointF(anchor.x() - self._pane_width(), anchor.y())
        self._zoom_to(self.scale * factor, anchor)

    def divider_x(self) -> float:
        return self.divider * self.width()

    def image_point(self, view_point: QPointF) -> QPointF:
        """The preview pixel under a point of the view (same in both halves)."""
        x = view_point.x()
        if self.side_by_side and x >= self._pane_width():
            x -= self._pane_width()
        return (QPointF(x, view_point.y()) - self.offset) / self.scale

    def _photo_per_preview(self) -> float:
        return self.full_width / self.original.width() if self.original is not None else 1.0

    def photo_point(self, view_point: QPointF) -> QPointF:
        """The original photo's pixel under a point of the view."""
        return self.image_point(view_point) * self._photo_per_preview()

    def pin_view_point(self, photo_point: QPointF) -> QPointF:
        """Where a pin at `photo_point` is drawn (the after side in side-by-side)."""
        p = self.offset + photo_point / self._photo_per_preview() * self.scale
        return p + QPointF(self._pane_width(), 0) if self.side_by_side else p

    def pin_at(self, view_point: QPointF) -> int:
        """The index of the pin drawn under `view_point` (the topmost), or -1."""
        if self.original is None:
            return -1
        for i in range(len(self.pins) - 1, -1, -1):
            d = self.pin_view_point(self.pins[i][0]) - view_point
            if d.x() * d.x() + d.y() * d.y() <= PIN_GRAB_PX * PIN_GRAB_PX:
                return i
        return -1

    def set_pin_mode(self, on: bool) -> None:
        self.pin_mode = on
        self.selected_pin = -1
        if on and not self.side_by_side:
            self.divider = 0.0  # pins live on the after side: show all of it
        elif not on and self.divider == 0.0:
            self.divider = 0.5
        self.unsetCursor()
        self.update()

    def set_pins(self, pins: list[tuple[QPointF, QColor]]) -> None:
        self.pins = list(pins)
        if self.selected_pin >= len(self.pins):
            self.selected_pin = -1
        self.update()

    def _paint_pins(self, painter: QPainter) -> None:
        if self.show_original or not self.pin_mode:  # markers while pinning, not while comparing
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        after_from = self._pane_width() if self.side_by_side else self.divider_x()
        painter.setClipRect(QRectF(after_from, 0, self.width() - after_from, self.height()))
        for i, (point, colour) in enumerate(self.pins):
            at = self._pin_drag_at if i == self._pin_drag else self.pin_view_point(point)
            r = PIN_RADIUS_PX + (2 if i == self.selected_pin else 0)
            painter.setPen(QPen(QColor(0, 0, 0, 200), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(at, r + 1, r + 1)
            painter.setPen(QPen(QColor(255, 255, 255), 2))
            painter.setBrush(colour)
            painter.drawEllipse(at, r, r)
        painter.setClipping(False)

    # ---- painting ---------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            if self.hasFocus() and self._keyboard_focus:
                self._paint_focus(painter)
            painter.end()

    def _paint_focus(self, painter: QPainter) -> None:
        """A frame in the style's highlight colour: where Tab has put the keys."""
        painter.setClipping(False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), FOCUS_FRAME_PX))
        half = FOCUS_FRAME_PX / 2
        painter.drawRect(QRectF(self.rect()).adjusted(half, half, -half, -half))

    def focusInEvent(self, event) -> None:
        self._keyboard_focus = event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
            Qt.FocusReason.ShortcutFocusReason,
        )
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)

    def _paint(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), self.palette().color(self.backgroundRole()).darker(115))
        if self.original is None or self.original.isNull():
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.scale < 2)
        w, h = self.original.width(), self.original.height()
        target = QRectF(self.offset.x(), self.offset.y(), w * self.scale, h * self.scale)
        after = self.colorized if self.colorized is not None and not self.show_original else None
        if self.side_by_side:
            pane = self._pane_width()
            painter.setClipRect(QRectF(0, 0, pane, self.height()))
            painter.drawImage(target, self.original)
            painter.setClipRect(QRectF(pane, 0, pane, self.height()))
            painter.drawImage(target.translated(pane, 0), after or self.original)
            painter.setClipping(False)
            painter.setPen(QPen(QColor(255, 255, 255, 160), 1))
            painter.drawLine(QPointF(pane, 0), QPointF(pane, self.height()))
            if after is not None and self.pins:
                self._paint_pins(painter)
            return
        x = self.divider_x()
        painter.setClipRect(QRectF(0, 0, x, self.height()))
        painter.drawImage(target, self.original)
        painter.setClipRect(QRectF(x, 0, self.width() - x, self.height()))
        painter.drawImage(target, after or self.original)
        painter.setClipping(False)
        if after is not None and self.pins:
            self._paint_pins(painter)
        if after is not None and x > 0:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(255, 255, 255, 220), 2))
            painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
            handle = QRectF(x - 9, self.height() / 2 - 18, 18, 36)
            painter.setBrush(QColor(255, 255, 255, 220))
            painter.setPen(QPen(QColor(0, 0, 0, 90), 1))
            painter.drawRoundedRect(handle, 5, 5)
            painter.setPen(QColor(255, 255, 255))
            for label, align in (
                ("Before", Qt.AlignmentFlag.AlignLeft),
                ("After", Qt.AlignmentFlag.AlignRight),
            ):
                painter.drawText(
                    self.rect().adjusted(10, 8, -10, -8), align | Qt.AlignmentFlag.AlignTop, label
                )

    # ---- input ------------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:
        if self.fit_mode:
            self._fit()
        super().resizeEvent(event)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(ZOOM_STEP**steps, event.position())

    def mousePressEvent(self, event) -> None:
        if self.pin_mode and self.colorized is not None and self._pin_press(event):
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self.setFocus()
        pos = event.position()
        near_divider = abs(pos.x() - self.divider_x()) <= DIVIDER_GRAB_PX
        if (
            self.colorized is not None
            and not self.side_by_side
            and (near_divider or event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        ):
            self._drag = "divider"
            self._set_divider(pos.x())
        else:
            self._drag = "pan"
            self._drag_start = pos
            self._offset_start = QPointF(self.offset)
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def _pin_press(self, event) -> bool:
        """Pin mode's press: True when it was about a pin (not a pan)."""
        self.setFocus()
        pos = event.position()
        hit = self.pin_at(pos)
        if event.button() == Qt.MouseButton.RightButton:
            if hit >= 0:
                self.pin_removed.emit(hit)
            return True
        if event.button() != Qt.MouseButton.LeftButton:
            return True
        self._press_at = pos
        if hit >= 0:
            self.selected_pin = hit
            self._pin_drag = hit
            self._pin_drag_at = pos
            self._drag = "pin"
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self.update()
            return True
        return False  # a click here adds a pin on release; a drag pans

    def _moved_far(self, pos: QPointF) -> bool:
        d = pos - self._press_at
        return abs(d.x()) + abs(d.y()) >= CLICK_SLOP_PX

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        if self._drag == "pin":
            if self._moved_far(pos):
                self._pin_drag_at = pos
                self.pin_dragging.emit(self._pin_drag, self._clamped_photo_point(pos))
                self.update()
            return
        if self.pin_mode and self._drag is None and self.colorized is not None:
            self.hover_pin = self.pin_at(pos)
            over = self.hover_pin >= 0
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.CrossCursor
            )
            return
        if self._drag == "divider":
            self._set_divider(pos.x())
        elif self._drag == "pan":
            offset = self._kept_in_view(self._offset_start + (pos - self._drag_start))
            if offset != self.offset:  # a photo that fits stays where fitting put it
                self.offset = offset
                self.fit_mode = False
                self.update()
        elif self.colorized is not None and not self.side_by_side:
            near = abs(pos.x() - self.divider_x()) <= DIVIDER_GRAB_PX
            self.setCursor(Qt.CursorShape.SplitHCursor if near else Qt.CursorShape.OpenHandCursor)

    def mouseReleaseEvent(self, event) -> None:
        drag, self._drag = self._drag, None
        pos = event.position()
        if drag == "pin":
            index, self._pin_drag = self._pin_drag, -1
            if self._moved_far(pos):
                self.pin_moved.emit(index, self._clamped_photo_point(pos))
            else:
                self.pin_clicked.emit(index, self.mapToGlobal(pos.toPoint()))
            self.update()
        elif (
            self.pin_mode
            and drag == "pan"
            and event.button() == Qt.MouseButton.LeftButton
            and not self._moved_far(pos)
            and self._on_photo(pos)
        ):
            self.pin_requested.emit(self.photo_point(pos), self.mapToGlobal(pos.toPoint()))
        self.unsetCursor()

    def _kept_in_view(self, offset: QPointF) -> QPointF:
        """A pan moves the photo only along a side where it is larger than the view, and never
        past its edges; along a side where it fits it stays centred."""
        if self.original is None:
            return offset

        def axis(value: float, extent: float, room: float) -> float:
            if extent <= room:
                return (room - extent) / 2
            return min(0.0, max(room - extent, value))

        return QPointF(
            axis(offset.x(), self.original.width() * self.scale, self._pane_width()),
            axis(offset.y(), self.original.height() * self.scale, self.height()),
        )

    def _on_photo(self, pos: QPointF) -> bool:
        p = self.image_point(pos)
        return (
            self.original is not None
            and 0 <= p.x() < self.original.width()
            and 0 <= p.y() < self.original.height()
        )

    def _clamped_photo_point(self, pos: QPointF) -> QPointF:
        """The photo pixel under `pos`, kept inside the photo: a pin dragged past its edge stays
        on its border."""
        p = self.image_point(pos)
        if self.original is None:  # the photo went away mid-drag: nothing to keep it inside
            return p
        w, h = self.original.width(), self.original.height()
        inside = QPointF(min(max(p.x(), 0.0), w - 0.01), min(max(p.y(), 0.0), h - 0.01))
        return inside * self._photo_per_preview()

    def event(self, event) -> bool:
        # Del removes the pin here, before the window's "Remove from List" shortcut.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and self.pin_to_delete() >= 0
            and event.matches(QKeySequence.StandardKey.Delete)
        ):
            event.accept()
            return True
        return super().event(event)

    def _set_divider(self, x: float) -> None:
        self.divider = min(1.0, max(0.0, x / max(self.width(), 1)))
        self.update()

    def pin_to_delete(self) -> int:
        """The pin Del means in pin mode: the one under the pointer, else the selected one."""
        if not self.pin_mode or self.colorized is None:
            return -1
        if self.hover_pin >= 0 and self.underMouse():
            return self.hover_pin
        return self.selected_pin

    def delete_pin(self) -> bool:
        """Del in pin mode: removes the pin it means; False when it means none."""
        index = self.pin_to_delete()
        if index < 0:
            return False
        self.selected_pin = self.hover_pin = -1
        self.pin_removed.emit(index)
        return True

    def leaveEvent(self, event) -> None:
        self.hover_pin = -1
        super().leaveEvent(event)

    def keyPressEvent(self, event) -> None:
        if not self.handle_key_press(event):
            super().keyPressEvent(event)

    def handle_key_press(self, event) -> bool:
        """The view's keys; the window also hands it Space and the arrows pressed in the photo
        list, so they work without clicking the photo first. True when the key was used."""
        key = event.key()
        if event.matches(QKeySequence.StandardKey.Delete) and self.delete_pin():
            return True
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.show_original = True
            self.update()
        elif key == Qt.Key.Key_Space:
            pass  # held: the original stays shown
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = 0.1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 0.02
            self.divider = min(
                1.0, max(0.0, self.divider + (step if key == Qt.Key.Key_Right else -step))
            )
            self.update()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / ZOOM_STEP)
        else:
            return False
        return True

    def keyReleaseEvent(self, event) -> None:
        if not self.handle_key_release(event):
            super().keyReleaseEvent(event)

    def handle_key_release(self, event) -> bool:
        if event.key() != Qt.Key.Key_Space:
            return False
        if not event.isAutoRepeat():
            self.show_original = False
            self.update()
        return True
