"""Starting the desktop app."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSplashScreen

from .. import __version__


def starting_splash(icon: QIcon | None) -> QSplashScreen:
    """A small card saying the app is starting, shown before torch and the model load."""
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
    return QSplashScreen(pixmap)


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
    splash.show()
    app.processEvents()
    from .main_window import MainWindow

    window = MainWindow()
    window.show()
    splash.finish(window)
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
