"""The training panel's loss curve as a person reads it: its scale's labels whole, in the widget."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage

from colorizer_app.gui.loss_curve import LossCurve


def _ink_at_left_edge(widget: LossCurve) -> int:
    """Pixels of the text colour in the widget's first two columns: a label that does not fit
    its margin runs off the left edge and is cut there."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    base = widget.palette().color(widget.palette().ColorRole.Base)
    return sum(QColor(image.pixel(x, y)) != base for x in range(2) for y in range(image.height()))


def test_the_loss_scale_labels_are_whole(qtbot):
    curve = LossCurve()
    qtbot.addWidget(curve)
    curve.resize(480, 140)
    for step, loss in enumerate([0.811, 0.80, 0.79, 0.785, 0.773], start=1):
        curve.add_loss(step, -loss, 5)  # a negative loss (the per-photo log error): "-0.773"
    curve.add_psnr(2, 19.0)
    curve.add_psnr(5, 18.4)
    curve.show()
    qtbot.waitExposed(curve)
    assert _ink_at_left_edge(curve) == 0
