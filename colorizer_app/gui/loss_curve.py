"""A live loss curve (and validation PSNR per epoch), drawn with QPainter."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget


class LossCurve(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumHeight(140)
        self.losses: list[tuple[int, float]] = []
        self.psnrs: list[tuple[int, float]] = []
        self.total_steps = 1

    def clear(self) -> None:
        self.losses.clear()
        self.psnrs.clear()
        self.update()

    def add_loss(self, step: int, loss: float, total_steps: int) -> None:
        self.total_steps = max(total_steps, 1)
        if math.isfinite(loss):
            self.losses.append((step, loss))
        self.update()

    def last_step(self) -> int:
        return self.losses[-1][0] if self.losses else 0

    def add_psnr(self, step: int, psnr: float) -> None:
        self.psnrs.append((step, psnr))
        self.update()

    def _smoothed(self) -> list[tuple[int, float]]:
        out, avg = [], None
        for step, value in self.losses:
            avg = value if avg is None else 0.9 * avg + 0.1 * value
            out.append((step, avg))
        return out

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(pal.ColorRole.Base))
        smooth = self._smoothed()
        values = [v for _, v in smooth] or [0.0]
        lo, hi = min(values), max(values)
        # Room on the left for the loss scale's own labels ("0.773" is wider than a fixed 36 px
        # in some fonts, and was cut off at the widget's edge).
        labels = (f"{hi:.3g}", f"{lo:.3g}")
        left = max(38, max(p.fontMetrics().horizontalAdvance(t) for t in labels) + 6)
        area = QRectF(self.rect()).adjusted(left, 18, -38, -20)
        text = pal.color(pal.ColorRole.Text)
        p.setPen(QPen(text, 1))
        p.drawRect(area)
        p.drawText(
            QRectF(area.left(), 0, area.width(), 16), Qt.AlignmentFlag.AlignLeft, "training loss"
        )
        if self.psnrs:
            p.setPen(QColor("#2e9d4a"))
            p.drawText(
                QRectF(area.left(), 0, area.width(), 16),
                Qt.AlignmentFlag.AlignRight,
                f"held-out PSNR {self.psnrs[-1][1]:.2f} dB",
            )
        if len(self.losses) < 2:
            p.setPen(text)
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, "The curve appears when training runs")
            return
        span = (hi - lo) or 1.0

        def point(step: float, value: float, lo=lo, span=span) -> QPointF:
            x = area.left() + area.width() * min(step / self.total_steps, 1.0)
            y = area.bottom() - area.height() * (value - lo) / span
            return QPointF(x, y)

        path = QPainterPath(point(*smooth[0]))
        for step, value in smooth[1:]:
            path.lineTo(point(step, value))
        p.setClipRect(area.adjusted(-4, -4, 4, 4))  # nothing drawn outside the chart
        p.setPen(QPen(QColor("#2f7ed8"), 2))
        p.drawPath(path)
        p.setClipping(False)
        p.setPen(text)
        for y, label in ((area.top() - 6, labels[0]), (area.bottom() - 8, labels[1])):
            p.drawText(QRectF(0, y, left - 2, 14), Qt.AlignmentFlag.AlignRight, label)
        p.drawText(
            QRectF(area.left(), area.bottom() + 2, area.width(), 16),
            Qt.AlignmentFlag.AlignRight,
            f"step {self.losses[-1][0]}/{self.total_steps}",
        )
        if len(self.psnrs) >= 1:
            # The held-out score has its own scale, in dB, on the right (green like its points).
            ps = [v for _, v in self.psnrs]
            plo, phi = min(ps) - 0.1, max(ps) + 0.1
            green = QColor("#2e9d4a")
            p.setPen(green)
            right = QRectF(area.right() + 2, 0, 36, 14)
            p.drawText(
                right.translated(0, area.top() - 6), Qt.AlignmentFlag.AlignLeft, f"{phi:.1f}"
            )
            p.drawText(
                right.translated(0, area.bottom() - 8), Qt.AlignmentFlag.AlignLeft, f"{plo:.1f}"
            )
            p.drawText(
                QRectF(area.right() + 2, area.center().y() - 7, 36, 14),
                Qt.AlignmentFlag.AlignLeft,
                "dB",
            )
            p.setPen(QPen(green, 2))
            p.setBrush(QColor("#2e9d4a"))
            prev = None
            for step, value in self.psnrs:
                pt = point(step, value, plo, phi - plo)
                p.drawEllipse(pt, 3, 3)
                if prev is not None:
                    p.drawLine(prev, pt)
                prev = pt
