"""Starting the desktop app."""

from __future__ import annotations

import atexit
import os
import signal
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel

from .. import __version__

if TYPE_CHECKING:
    from .main_window import MainWindow


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
        a Python loop: each call of PySide6 6.12.0 on Python 3.11 took a reference from None,
        and thousands of them ended the process ("deallocating None"; pyproject keeps 6.12 out
        now, and one loop is the cheaper wait with any version)."""
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
    closer = CloseOnSignals(app)
    # Something on screen at once: loading torch takes seconds on a small machine.
    splash = StartingCard(icon)
    splash.show_painted()
    from .main_window import MainWindow

    window = MainWindow()
    closer.watch(window)
    window.show()
    QTimer.singleShot(0, splash.close)  # once the event loop runs, the window is up
    if files:
        window.last_list.set_aside()
        window.add_paths(files)
    else:  # the list as it was at the last quit (a shoebox takes many evenings)
        window.last_list.reopen()
    code = app.exec()
    # Everything the app writes is on disk by now: settings synced, pins written, every file
    # written whole and renamed. Python's own teardown of torch and Qt took another 2-5 s on a
    # 2-core machine, the process lingering after Quit: run the exit handlers and end it.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None in a windowed app on Windows (pythonw, the installer's)
            stream.flush()
    if window.stopped_cleanly:
        atexit._run_exitfuncs()
    # Else a worker was still busy at the quit limit (a photo in the network, a huge folder) and
    # an exit handler would wait for it: it writes nothing that is not already whole on disk.
    os._exit(code)


class CloseOnSignals:
    """SIGTERM (the desktop session ending, `kill`) and Ctrl+C in the terminal close the window
    as Quit does, so pins not yet written and the window's settings are kept; by default either
    ended the process on the spot. Installed before the window exists: a signal that comes while
    torch loads closes the window as soon as it is there."""

    def __init__(self, app: QApplication):
        self.window: MainWindow | None = None
        self.asked = False
        signal.signal(signal.SIGTERM, self._close)
        signal.signal(signal.SIGINT, self._close)
        # Python runs a signal's handler only between its own bytecodes; while Qt's loop waits
        # in C it would wait for the next event, so a timer lets Python look a few times a second.
        self._wake = QTimer(app)
        self._wake.timeout.connect(lambda: None)
        self._wake.start(250)

    def watch(self, window: MainWindow) -> None:
        self.window = window
        if self.asked:
            QTimer.singleShot(0, window.close_without_asking)

    def _close(self, _signum, _frame) -> None:
        self.asked = True
        if self.window is not None:
            QTimer.singleShot(0, self.window.close_without_asking)
