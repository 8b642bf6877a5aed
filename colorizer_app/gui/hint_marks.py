"""Colour hints as the compare view shows them: a pin is a disc, a stroke a line along its path.

Geometry and painting only, in view pixels; the points live in the photo's own pixels and
`to_view` maps them (the view's zoom, pan and side-by-side). The view decides what a press means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

PIN_RADIUS_PX = 7  # a pin's marker on screen, whatever the zoom
PIN_GRAB_PX = 11
STROKE_PX = 4  # the colour line of a stroke on screen, inside its white and black rims
STROKE_GRAB_PX = 7
STROKE_STEP_PX = 4.0  # a stroke being drawn keeps a point every few screen pixels

ToView = Callable[[QPointF], QPointF]


@dataclass(frozen=True)
class Mark:
    """One hint on the view: its points in the photo's pixels (one for a pin) and its colour."""

    points: tuple[QPointF, ...]
    colour: QColor

    @property
    def is_stroke(self) -> bool:
        return len(self.points) > 1


def _length(p: QPointF) -> float:
    return math.hypot(p.x(), p.y())


def distance_to_path(p: QPointF, path: Sequence[QPointF]) -> float:
    """The shortest distance from `p` to the polyline through `path`."""
    if len(path) == 1:
        return _length(p - path[0])
    best = math.inf
    for a, b in pairwise(path):
        ab, ap = b - a, p - a
        span = ab.x() * ab.x() + ab.y() * ab.y()
        t = 0.0 if span == 0 else max(0.0, min(1.0, (ap.x() * ab.x() + ap.y() * ab.y()) / span))
        best = min(best, _length(ap - ab * t))
    return best


def mark_at(marks: Sequence[Mark], to_view: ToView, at: QPointF) -> int:
    """The index of the mark under `at`, or -1. Pins first (topmost first): a pin is a small
    target and a stroke a long one, so a pin on a stroke can still be taken."""
    for i in range(len(marks) - 1, -1, -1):
        if not marks[i].is_stroke and _length(to_view(marks[i].points[0]) - at) <= PIN_GRAB_PX:
            return i
    for i in range(len(marks) - 1, -1, -1):
        if marks[i].is_stroke:
            path = [to_view(p) for p in marks[i].points]
            if distance_to_path(at, path) <= STROKE_GRAB_PX:
                return i
    return -1


def kept_on_photo(points: Sequence[QPointF], d: QPointF, width: float, height: float) -> QPointF:
    """`d` (photo pixels) cut short where it would take any of `points` off the photo."""
    xs, ys = [p.x() for p in points], [p.y() for p in points]
    dx = min(max(d.x(), -min(xs)), width - 0.01 - max(xs))
    dy = min(max(d.y(), -min(ys)), height - 0.01 - max(ys))
    return QPointF(dx, dy)


def thinned(points: Sequence[QPointF], step: float) -> list[QPointF]:
    """`points` with one every `step` pixels or more, the last one always kept: the hint needs
    the path's shape, not every move the mouse sent."""
    if not points:
        return []
    stroke = DrawnStroke(points[0], 0.0, step)
    for p in points[1:]:
        stroke.add(p)
    return stroke.finish()


class DrawnStroke:
    """A stroke being drawn, in view pixels: a point every `step` pixels as the mouse moves
    (a slow stroke sends hundreds of moves, each one repainted), and the x where the pane it
    began in starts (side by side, every point is read on that half)."""

    def __init__(self, start: QPointF, pane_x: float, step: float = STROKE_STEP_PX):
        self.points = [QPointF(start)]
        self.pane_x, self.step = pane_x, step
        self._last = QPointF(start)

    def add(self, p: QPointF) -> None:
        self._last = QPointF(p)
        if _length(p - self.points[-1]) >= self.step:
            self.points.append(QPointF(p))

    def finish(self) -> list[QPointF]:
        if self.points[-1] != self._last:
            self.points.append(self._last)  # where the person let go
        return self.points

    @property
    def length(self) -> float:
        return sum(_length(b - a) for a, b in pairwise(self.points))


def _line(points: Sequence[QPointF]) -> QPainterPath:
    path = QPainterPath(points[0])
    for p in points[1:]:
        path.lineTo(p)
    return path


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def paint_stroke(
    painter: QPainter, points: Sequence[QPointF], colour: QColor, wider: float
) -> None:
    """A stroke in view pixels: its colour inside a white rim inside a dark one, so it shows on
    any photo, light or dark."""
    line = _line(points)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for pen_colour, width in (
        (QColor(0, 0, 0, 200), STROKE_PX + 6),
        (QColor(255, 255, 255), STROKE_PX + 3),
        (colour, STROKE_PX),
    ):
        painter.setPen(_pen(pen_colour, width + wider))
        painter.drawPath(line)


def paint_marks(
    painter: QPainter,
    marks: Sequence[Mark],
    to_view: ToView,
    clip: QRectF,
    selected: int = -1,
    drag: tuple[int, QPointF] = (-1, QPointF()),
    drawing: Sequence[QPointF] = (),
    hover: int = -1,
) -> None:
    """Strokes under pins; the selected mark drawn larger, the one under the pointer a little;
    the one being dragged (`drag`: its index and how far) drawn that many view pixels from where
    it is; a stroke being drawn (view pixels; its colour is chosen once it is drawn) in gray,
    over them all."""
    moving, shift = drag
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setClipRect(clip)
    order = [i for i, m in enumerate(marks) if m.is_stroke]
    order += [i for i, m in enumerate(marks) if not m.is_stroke]
    for i in order:
        mark = marks[i]
        offset = shift if i == moving else QPointF()
        at = [to_view(p) + offset for p in mark.points]
        grow = 2 if i == selected else 1 if i == hover else 0
        if mark.is_stroke:
            paint_stroke(painter, at, mark.colour, grow)
            continue
        r = PIN_RADIUS_PX + grow
        painter.setPen(QPen(QColor(0, 0, 0, 200), 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(at[0], r + 1, r + 1)
        painter.setPen(QPen(QColor(255, 255, 255), 2))
        painter.setBrush(mark.colour)
        painter.drawEllipse(at[0], r, r)
    if len(drawing) > 1:
        paint_stroke(painter, drawing, QColor(150, 150, 150), 0)
    painter.setClipping(False)
