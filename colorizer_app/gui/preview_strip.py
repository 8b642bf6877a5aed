"""The advanced panel's three previews of a held-out photo: input, the model now, the original.

They shrink with the panel (square, 90 to 150 px) so that the panel fits a narrow dock on a
small or scaled screen (1920x1080 at 200% leaves it about 400 px) without a sideways scroll bar;
the group's title stays short for the same reason (a group box is never narrower than its title).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel

from .qimage import to_qimage

PREVIEW_SIDE = 150
SMALLEST_SIDE = 90


class SquarePreview(QLabel):
    def __init__(self):
        super().__init__()
        self.setMinimumSize(SMALLEST_SIDE, SMALLEST_SIDE)
        self.setMaximumSize(PREVIEW_SIDE, PREVIEW_SIDE)
        self.setScaledContents(True)
        self.setStyleSheet("background: palette(mid);")

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def sizeHint(self) -> QSize:
        return QSize(PREVIEW_SIDE, PREVIEW_SIDE)

    def show_rgb(self, rgb: np.ndarray) -> None:
        image = to_qimage(rgb).scaled(PREVIEW_SIDE, PREVIEW_SIDE)
        self.setPixmap(QPixmap.fromImage(image))


class PreviewStrip(QGroupBox):
    def __init__(self):
        super().__init__("A held-out photo of yours")
        grid = QGridLayout(self)
        self.labels = [SquarePreview() for _ in range(3)]
        for column, (label, caption) in enumerate(
            zip(self.labels, ("Input", "The model now", "Your original"), strict=True)
        ):
            grid.addWidget(label, 0, column)
            text = QLabel(caption)
            text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            grid.addWidget(text, 1, column)

    def show_photos(self, gray: np.ndarray, now: np.ndarray, truth: np.ndarray) -> None:
        for label, rgb in zip(self.labels, (gray, now, truth), strict=True):
            label.show_rgb(rgb)
