"""Before/after: the original left of a divider, the colorized photo right of it.

Both images are drawn with one transform (scale, offset), so they stay in register at every zoom.
The divider follows a drag and the arrow keys; holding Space shows the whole original; the
side-by-side mode shows both whole, each in one half, still sharing zoom and pan.

In pin mode (colour hints) a click asks for a pin there and a Shift+drag draws a stroke; a pin
or stroke drags to a new place, a click on one asks to recolour it, a right-click or Del removes
it. The view only reports these as signals in the photo's own pixels; the window keeps the hints
and their undo history. Hints are drawn on the after side only (hint_marks.py).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QSizeF, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

from .compare_paint import kept_in_view, note_band, paint_focus_frame, paint_view
from .hint_marks import DrawnStroke, Mark, kept_on_photo, mark_at

DIVIDER_GRAB_PX = 10
ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.02, 32.0
CLICK_SLOP_PX = 4  # a press that moves less than this is a click, not a drag
# What the empty view says: both ways in, a box of folders being the usual (a trial was sent to
# Ctrl+O, whose chooser cannot pick a folder).
EMPTY_TEXT = (
    "Drop photos or folders here,\nor open photos (Ctrl+O) or a folder of them (Ctrl+Shift+O)"
)
MARK_TIP = "A colour {}: drag to move it, click to change its colour, right-click or Del removes it"


class CompareView(QWidget):
    zoom_changed = Signal(float)  # percent of the original's pixels
    # Pin mode; points in the original photo's upright pixels, QPoint: where to open a menu.
    pin_requested = Signal(QPointF, QPoint)
    stroke_drawn = Signal(list, QPoint)  # its points (QPointF), thinned to a few pixels apart
    # A hint (pin or stroke) by its index in set_marks' list; a move gives where its first
    # point goes, the whole hint kept on the photo.
    mark_clicked = Signal(int, QPoint)
    mark_moved = Signal(int, QPointF)
    mark_dragging = Signal(int, QPointF)  # while the button is held: a live preview, not an edit
    mark_removed = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(280, 240)  # beside the list and the Restore dock on 800x600
        self.original: QImage | None = None
        self.colorized: QImage | None = None
        self.full_width = 0  # the original's real width: 100% means one of its pixels per pixel
        self.divider = 0.5  # fraction of the view's width
        self._divider_before_pins = 0.5
        self.side_by_side = False
        self.show_original = False
        self.scale = 1.0  # view pixels per preview pixel
        self.offset = QPointF(0, 0)
        self.fit_mode = True
        self._drag: str | None = None
        self._drag_start = QPointF()
        self._offset_start = QPointF()
        self.placeholder = EMPTY_TEXT
        self.note = ""  # what the shown photo's colouring says of it, drawn at the foot
        self.after_label = "After"  # "After (restored)" where the photo was repaired first
        self.pin_mode = False
        self.marks: list[Mark] = []  # the photo's pins and strokes, in the original's pixels
        self.selected_mark = -1
        self._mark_drag = -1
        self._mark_shift = QPointF()  # how far the dragged mark is drawn from where it is
        # The stroke being drawn; kept on screen after release while its colour is being
        # chosen (drop_drawn_stroke ends that).
        self._stroke: DrawnStroke | None = None
        self._press_at = QPointF()
        self.hover_mark = -1  # the mark under the pointer: Del removes it wherever the focus is
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
            self._let_go("mark", "stroke")  # another photo
        self.update()

    def _let_go(self, *held: str) -> None:
        """What the pointer holds, if of the `held` kinds (a hint being dragged, a stroke being
        drawn), is let go without an edit."""
        if self._drag in held:
            self._drag, self._mark_drag, self._mark_shift, self._stroke = None, -1, QPointF(), None
            self.unsetCursor()

    def set_colorized(self, colorized: QImage | None) -> None:
        self.colorized = colorized
        self.update()

    # ---- geometry ---------------------------------------------------------------------------

    def pane_width(self) -> float:
        return self.width() / 2 if self.side_by_side else self.width()

    def _fit(self) -> None:
        if self.original is None or self.original.isNull():
            self.zoom_changed.emit(0.0)  # no photo, no zoom (an empty list showed "192%")
            return
        w, h = self.original.width(), self.original.height()
        pane = self.pane_width()
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
        self._zoom_to(target, QPointF(self.pane_width() / 2, self.height() / 2))

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
            anchor = QPointF(self.pane_width() / 2, self.height() / 2)
        elif self.side_by_side and anchor.x() > self.pane_width():
            anchor = QPointF(anchor.x() - self.pane_width(), anchor.y())
        self._zoom_to(self.scale * factor, anchor)

    def divider_x(self) -> float:
        return self.divider * self.width()

    def _pane_x(self, view_point: QPointF) -> float:
        """Where the half under `view_point` starts: side by side, the after half's left."""
        after = self.side_by_side and view_point.x() >= self.pane_width()
        return self.pane_width() if after else 0.0

    def image_point(self, view_point: QPointF, pane_x: float | None = None) -> QPointF:
        """The preview pixel under a point of the view (same in both halves), read on the half
        that starts at `pane_x` if given (a stroke begun on one half stays on it)."""
        x = view_point.x() - (self._pane_x(view_point) if pane_x is None else pane_x)
        return (QPointF(x, view_point.y()) - self.offset) / self.scale

    def photo_per_preview(self) -> float:
        return self.full_width / self.original.width() if self.original is not None else 1.0

    def photo_point(self, view_point: QPointF) -> QPointF:
        """The original photo's pixel under a point of the view."""
        return self.image_point(view_point) * self.photo_per_preview()

    def pin_view_point(self, photo_point: QPointF) -> QPointF:
        """Where a pin at `photo_point` is drawn (the after side in side-by-side)."""
        p = self.offset + photo_point / self.photo_per_preview() * self.scale
        return p + QPointF(self.pane_width(), 0) if self.side_by_side else p

    def mark_at(self, view_point: QPointF) -> int:
        """The index of the pin or stroke drawn under `view_point`, or -1."""
        if self.original is None:
            return -1
        return mark_at(self.marks, self.pin_view_point, view_point)

    def set_pin_mode(self, on: bool) -> None:
        self.pin_mode = on
        self.selected_mark = -1
        if on and not self.side_by_side:  # pins live on the after side: show all of it
            self._divider_before_pins = self.divider  # given back after (a trial's went to 0.5)
            self.divider = 0.0
        elif not on and self.divider == 0.0:
            self.divider = self._divider_before_pins
        self.unsetCursor()
        self.update()

    def hint_overlay(self) -> tuple[int, QPointF, list[QPointF]]:
        """What the hint markers need beyond the marks: the one being dragged and how far,
        and the stroke being drawn (view pixels)."""
        drawing = self._stroke.points if self._stroke is not None else []
        return self._mark_drag, self._mark_shift, drawing

    def set_marks(self, marks: list[Mark]) -> None:
        """The photo's hints changed (an edit, an undo, another photo): a drag of one of the
        old ones ends here, and what was under the pointer is looked up again."""
        self._let_go("mark")
        self.marks = list(marks)
        self.hover_mark = -1
        if self.selected_mark >= len(self.marks):
            self.selected_mark = -1
        self.update()

    # ---- painting ---------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        try:
            paint_view(painter, self)
        finally:
            if self.hasFocus() and self._keyboard_focus:
                highlight = self.palette().color(QPalette.ColorRole.Highlight)
                paint_focus_frame(painter, self.rect(), highlight)
            painter.end()

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
        """Pin mode's press: True when it was about a hint (not a pan)."""
        self.setFocus()
        pos = event.position()
        hit = self.mark_at(pos)
        if event.button() == Qt.MouseButton.RightButton:
            if hit >= 0:
                self.mark_removed.emit(hit)
            return True
        if event.button() != Qt.MouseButton.LeftButton:
            return True
        self._press_at = pos
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:  # on a hint too, or off the
            self._drag = "stroke"  # photo's edge: the points are kept on the photo
            self._stroke = DrawnStroke(pos, self._pane_x(pos))
            return True
        if hit >= 0:
            self.selected_mark = hit
            self._mark_drag = hit
            self._mark_shift = QPointF()
            self._drag = "mark"
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self.update()
            return True
        return False  # a click here adds a pin on release; a drag pans

    def _moved_mark(self, pos: QPointF) -> QPointF:
        """Where the dragged mark's first point goes (photo pixels): as far as the pointer has
        moved, the whole mark kept on the photo. Sets how far it is drawn from where it was."""
        per_view = self.photo_per_preview() / self.scale  # photo pixels per view pixel
        mark = self.marks[self._mark_drag]
        height = self.original.height() * self.photo_per_preview() if self.original else 0
        d = kept_on_photo(mark.points, (pos - self._press_at) * per_view, self.full_width, height)
        self._mark_shift = d / per_view
        return mark.points[0] + d

    def _moved_far(self, pos: QPointF) -> bool:
        d = pos - self._press_at
        return abs(d.x()) + abs(d.y()) >= CLICK_SLOP_PX

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        if self._drag == "mark":
            if self._moved_far(pos):
                self.mark_dragging.emit(self._mark_drag, self._moved_mark(pos))
                self.update()
            return
        if self._drag == "stroke" and self._stroke is not None:
            self._stroke.add(pos)
            self.update()
            return
        if self.pin_mode and self._drag is None and self.colorized is not None:
            hover, self.hover_mark = self.hover_mark, self.mark_at(pos)
            over = self.hover_mark >= 0
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.CrossCursor
            )
            if hover != self.hover_mark:  # the one under the pointer is drawn larger, and named
                kind = "stroke" if over and self.marks[self.hover_mark].is_stroke else "pin"
                self.setToolTip(MARK_TIP.format(kind) if over else "")
                self.update()
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
        if drag == "mark":
            moved = self._moved_mark(pos) if self._moved_far(pos) else None
            index, self._mark_drag, self._mark_shift = self._mark_drag, -1, QPointF()
            if moved is not None:
                self.mark_moved.emit(index, moved)
            else:
                self.mark_clicked.emit(index, self.mapToGlobal(pos.toPoint()))
            self.update()
        elif drag == "stroke":
            self._stroke_done(pos)
        elif (
            self.pin_mode
            and drag == "pan"
            and event.button() == Qt.MouseButton.LeftButton
            and not self._moved_far(pos)
            and self._on_photo(pos)
        ):
            self.pin_requested.emit(self.photo_point(pos), self.mapToGlobal(pos.toPoint()))
        self.unsetCursor()

    def _stroke_done(self, pos: QPointF) -> None:
        stroke = self._stroke
        if stroke is None:
            return
        stroke.add(pos)
        drawn, where = stroke.finish(), self.mapToGlobal(pos.toPoint())
        if stroke.length >= 2 * CLICK_SLOP_PX:
            # The chooser opens past the stroke's lower right, not over the line it is about.
            corner = QPointF(max(p.x() for p in drawn), max(p.y() for p in drawn)) + QPointF(8, 8)
            where, pane = self.mapToGlobal(corner.toPoint()), stroke.pane_x
            self.stroke_drawn.emit([self._clamped_photo_point(p, pane) for p in drawn], where)
            return
        self.drop_drawn_stroke()  # a Shift+click is a click
        hit = self.mark_at(drawn[0])
        if hit >= 0:
            self.mark_clicked.emit(hit, where)
        elif self._on_photo(drawn[0]):
            self.pin_requested.emit(self.photo_point(drawn[0]), where)

    def drop_drawn_stroke(self) -> None:
        """The stroke just drawn has its colour, or none was chosen: it stops being drawn."""
        self._stroke = None
        self.update()

    def _kept_in_view(self, offset: QPointF) -> QPointF:
        if self.original is None:
            return offset
        size = QSizeF(self.original.size()) * self.scale
        return kept_in_view(offset, size, QSizeF(self.pane_width(), self.height()))

    def _on_photo(self, pos: QPointF) -> bool:
        p, photo = self.image_point(pos), self.original
        return photo is not None and 0 <= p.x() < photo.width() and 0 <= p.y() < photo.height()

    def _clamped_photo_point(self, pos: QPointF, pane_x: float | None = None) -> QPointF:
        """The photo pixel under `pos`, kept inside the photo (a stroke drawn past its edge)."""
        p = self.image_point(pos, pane_x)
        if self.original is None:  # the photo went away mid-drag: nothing to keep it inside
            return p
        w, h = self.original.width(), self.original.height()
        inside = QPointF(min(max(p.x(), 0.0), w - 0.01), min(max(p.y(), 0.0), h - 0.01))
        return inside * self.photo_per_preview()

    def event(self, event) -> bool:
        # Del removes the hint here, before the window's "Remove from List" shortcut.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and self.mark_to_delete() >= 0
            and event.matches(QKeySequence.StandardKey.Delete)
        ):
            event.accept()
            return True
        if event.type() == QEvent.Type.ToolTip and self.note:  # a note cut short: all of it
            band, text = note_band(self.fontMetrics(), self.rect(), self.note)
            if band.contains(QPointF(event.pos())) and "…" in text:
                QToolTip.showText(event.globalPos(), f"Note: {self.note}", self)
                return True
        return super().event(event)

    def _set_divider(self, x: float) -> None:
        self.divider = min(1.0, max(0.0, x / max(self.width(), 1)))
        self.update()

    def mark_to_delete(self) -> int:
        """The hint Del means in pin mode: the one under the pointer, else the selected one."""
        if not self.pin_mode or self.colorized is None:
            return -1
        if self.hover_mark >= 0 and self.underMouse():
            return self.hover_mark
        return self.selected_mark

    def delete_mark(self) -> bool:
        """Del in pin mode: removes the hint it means; False when it means none."""
        index = self.mark_to_delete()
        if index < 0:
            return False
        self.selected_mark = self.hover_mark = -1
        self.mark_removed.emit(index)
        return True

    def leaveEvent(self, event) -> None:
        self.hover_mark = -1
        super().leaveEvent(event)

    def keyPressEvent(self, event) -> None:
        if not self.handle_key_press(event):
            super().keyPressEvent(event)

    def handle_key_press(self, event) -> bool:
        """The view's keys; the window also hands it Space and the arrows pressed in the photo
        list, so they work without clicking the photo first. True when the key was used."""
        key = event.key()
        if event.matches(QKeySequence.StandardKey.Delete) and self.delete_mark():
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
