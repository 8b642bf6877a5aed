"""Starting the desktop app."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QEventLoop, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel

from .. import __version__


class StartingCard(QLabel):
    """A small card saying the app is starting, shown while the window's own modules load
    (torch and the model load after the window shows). A frameless label with the splash-screen
    window type rather than a QSplashScreen: Qt's show() of that one returned only after 1.0 s
    on this machine (offscreen, and under Xvfb with openbox alike), which held the window back
    by as long; this one is on screen within 30 ms."""

    painted = Signal()

    def __init__(self, icon: QIcon | None):
        super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        pixmap = QPixmap(360, 150)
        pixmap.fill(QColor("#f4f1ea"))
        painter = QPainter(pixmap)
        if icon is not None:
            painter.drawPixmap(24, 43, icon.pixmap(64, 64))
        font = painter.font()
        font.setPointSize(15)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#333333"))
        painter.drawText(104, 70, "Colorizer")
        font.setPointSize(10)
        font.setBold(False)
        painter.setFont(font)
        painter.drawText(104, 96, "Starting… loading the colour model")
        painter.end()
        self.setPixmap(pixmap)
        self.resize(pixmap.size())
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            self.move(screen.availableGeometry().center() - self.rect().center())

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def show_painted(self, limit_ms: int = 300) -> None:
        """Show it and let it paint before the caller blocks on the window's imports: a local
        event loop until its first paint, at most `limit_ms`. One loop, not processEvents() in
        a Python loop: each call of this PySide6 build (6.12.0 on Python 3.11) takes a reference
        from None, and thousands of them end the process ("deallocating None")."""
        loop = QEventLoop()
        timer = QTimer(loop)
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        seen: list[bool] = []

        def painted() -> None:
            seen.append(True)
            loop.quit()

        self.painted.connect(painted)
        timer.start(limit_ms)
        self.show()
        if not seen:
            loop.exec()
        self.painted.disconnect(painted)


def run_app(files: list[str]) -> int:
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Colorizer")
    app.setOrganizationName("Colorizer")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("colorizer")
    from .resources import app_icon

    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    # Something on screen at once: loading torch takes seconds on a small machine.
    splash = StartingCard(icon)
    splash.show_painted()
    from .main_window import MainWindow

    window = MainWindow()
    window.show()
    QTimer.singleShot(0, splash.close)  # once the event loop runs, the window is up
    if files:
        window.add_paths(files)
    code = app.exec()
    if not window.stopped_cleanly:
        # A worker was still busy at the quit limit (a photo in the network, a huge folder):
        # everything the app writes is already on disk (written whole and renamed), so the
        # process ends now rather than waiting for it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
