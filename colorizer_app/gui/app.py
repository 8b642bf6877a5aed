"""Starting the desktop app."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from .. import __version__


def starting_splash(icon: QIcon | None) -> QLabel:
    """A small card saying the app is starting, shown while the window's own modules load
    (torch and the model load after the window shows). A frameless label with the splash-screen
    window type rather than a QSplashScreen: Qt's show() of that one returned only after 1.0 s
    on this machine (offscreen, and under Xvfb with openbox alike), which held the window back
    by as long; this one is on screen within 30 ms."""
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
    splash = QLabel(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    splash.setPixmap(pixmap)
    splash.resize(pixmap.size())
    screen = QGuiApplication.primaryScreen()
    if screen is not None:
        splash.move(screen.availableGeometry().center() - splash.rect().center())
    return splash


def show_at_once(widget: QWidget, limit_s: float = 0.3) -> None:
    """Show `widget` and let it paint before the caller blocks (the window's imports): events
    are handled until the window system says it is on screen, for at most `limit_s`."""
    widget.show()
    deadline = time.monotonic() + limit_s
    handle = widget.windowHandle()
    app = QApplication.instance()
    while app is not None and handle is not None and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if handle.isExposed():
            app.processEvents()  # its paint
            break


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
    splash = starting_splash(icon)
    show_at_once(splash)
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
