"""Thumbnails made off the GUI thread, so a folder of thousands never freezes the list."""

from __future__ import annotations

from PIL import Image, ImageOps
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

THUMB_SIDE = 96


class _Signals(QObject):
    ready = Signal(str, QImage, int)  # path, image, requested side


def make_thumbnail(path: str, side: int = THUMB_SIDE) -> QImage:
    with Image.open(path) as file:
        file.draft("RGB", (side * 2, side * 2))  # JPEG decodes at a fraction of full size
        im = ImageOps.exif_transpose(file).convert("RGB")
        im.thumbnail((side, side))
        data = im.tobytes()
        return QImage(data, im.width, im.height, 3 * im.width, QImage.Format.Format_RGB888).copy()


class _ThumbnailJob(QRunnable):
    def __init__(self, path: str, side: int, signals: _Signals):
        super().__init__()
        self.path = path
        self.side = side
        self.signals = signals

    def run(self) -> None:
        try:
            image = make_thumbnail(self.path, self.side)
        except Exception:
            image = QImage()  # the photo will fail with a proper message when colorized
        self.signals.ready.emit(self.path, image, self.side)


class ThumbnailLoader(QObject):
    """Thumbnails for the list, and screen-sized previews of photos not colorized yet."""

    ready = Signal(str, QImage)
    preview_ready = Signal(str, QImage)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._signals = _Signals()
        self._signals.ready.connect(self._route)

    def _route(self, path: str, image: QImage, side: int) -> None:
        (self.ready if side == THUMB_SIDE else self.preview_ready).emit(path, image)

    def request(self, path: str) -> None:
        self.pool.start(_ThumbnailJob(path, THUMB_SIDE, self._signals))

    def request_preview(self, path: str, side: int = 1600) -> None:
        self.pool.start(_ThumbnailJob(path, side, self._signals), priority=1)

    def stop(self, limit_s: float) -> bool:
        """Drops every thumbnail not yet started and waits at most `limit_s` for the ones being
        made; True if none is still running."""
        self.pool.clear()
        return self.pool.waitForDone(max(1, int(limit_s * 1000)))
