"""Pins from the keyboard. In pin mode, with the photo focused (F6 or a click), the arrows move
an aim across the photo (Shift: five times as far) and Enter asks for a pin there, with the same
menu of colours as a click: a keyboard trial found pins reachable only with a mouse.

The aim is kept in the photo's own pixels, so zooming and panning (+, -, the mouse) keep it on
the same spot; it is drawn by a see-through layer over the view, which the view never knows of.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from .compare_view import CompareView

STEP_PX = 12  # one press, in the view's pixels; Shift: five times
MOVES = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}
ASK = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
RADIUS = 9


class PinAim(QObject):
    """The aim's keys on `view` (an event filter) and where the aim is."""

    def __init__(self, view: CompareView):
        super().__init__(view)
        self.view = view
        self.point: QPointF | None = None  # in the original photo's pixels; None: not yet aimed
        self.photo: object = None  # the photo it was aimed on (another starts in its middle)
        self.layer = _AimLayer(self)
        view.installEventFilter(self)

    def active(self) -> bool:
        v = self.view
        return v.pin_mode and v.colorized is not None and not v.show_original and v.hasFocus()

    def show(self, photo: object) -> None:
        """The photo shown (its list item): on another, the aim starts again in the middle (a
        review aimed at the corner of a large photo, chose a small one, and pinned outside it)."""
        if photo is not self.photo:
            self.photo, self.point = photo, None
            self.layer.update()

    def where(self) -> QPointF | None:
        """Where the aim is drawn in the view, if it is."""
        if self.point is None or not self.active():
            return None
        return self.view.pin_view_point(self._inside(self.point))

    def _photo_size(self) -> tuple[float, float]:
        v = self.view
        assert v.original is not None
        k = v.photo_per_preview()
        return v.original.width() * k, v.original.height() * k

    def _start(self) -> QPointF:
        """The middle of the photo as it is seen on the after side."""
        v = self.view
        rect = v.rect()
        x = v.pane_width() * 1.5 if v.side_by_side else rect.width() / 2
        return self._inside(v.photo_point(QPointF(x, rect.height() / 2)))

    def _inside(self, p: QPointF) -> QPointF:
        w, h = self._photo_size()
        return QPointF(min(max(p.x(), 0.0), w - 0.01), min(max(p.y(), 0.0), h - 0.01))

    def move(self, dx: int, dy: int, far: bool) -> None:
        v = self.view
        if self.point is None:
            self.point = self._start()
        step = STEP_PX * (5 if far else 1) * v.photo_per_preview() / v.scale  # in photo pixels
        self.point = self._inside(self.point + QPointF(dx * step, dy * step))
        self.layer.update()

    def ask(self) -> None:
        """A pin asked for at the aim, as a click there asks."""
        self.point = self._start() if self.point is None else self._inside(self.point)
        at = self.view.pin_view_point(self.point)
        self.view.pin_requested.emit(QPointF(self.point), self.view.mapToGlobal(at.toPoint()))
        self.layer.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self.layer.setGeometry(self.view.rect())
        elif kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.layer.update()
        elif kind == QEvent.Type.KeyPress and self.active():
            assert isinstance(event, QKeyEvent)
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if event.key() in MOVES and mods in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.ShiftModifier,
            ):
                self.move(*MOVES[event.key()], far=bool(mods))  # type: ignore[index]
                return True
            if event.key() in ASK and mods == Qt.KeyboardModifier.NoModifier:
                self.ask()
                return True
        return False


class _AimLayer(QWidget):
    """A see-through layer over the view that draws the aim: a ring and a cross."""

    def __init__(self, aim: PinAim):
        super().__init__(aim.view)
        self.aim = aim
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setGeometry(aim.view.rect())
        self.show()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        at = self.aim.where()
        if at is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for colour, width in ((QColor(0, 0, 0, 200), 4), (QColor(255, 255, 255), 2)):
            painter.setPen(QPen(colour, width))
            painter.drawEllipse(at, RADIUS, RADIUS)
            painter.drawLine(at + QPointF(-2 * RADIUS, 0), at + QPointF(-RADIUS, 0))
            painter.drawLine(at + QPointF(RADIUS, 0), at + QPointF(2 * RADIUS, 0))
            painter.drawLine(at + QPointF(0, -2 * RADIUS), at + QPointF(0, -RADIUS))
            painter.drawLine(at + QPointF(0, RADIUS), at + QPointF(0, 2 * RADIUS))
        painter.end()
