"""A real X server with a window manager (Xvfb and openbox), for what only a real desktop shows:
the window manager's frame, real focus. Tests that need it skip where these are not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# For the scripts these tests run in a process of their own: waiting while Qt's events are
# handled. Not QTest.qWait, which keeps Python's lock while it waits: the colorize worker's
# thread, importing torch, then ran only between the waits, and a window took 70-90 s to list
# its models (3.6 CPU s) where it takes a few seconds in a person's app (app.exec lets go).
WAIT = """
from PySide6.QtCore import QEventLoop, QTimer
def wait(ms):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
"""
# What every such script starts with: the real window on the settings file given as argv[1].
WINDOW = (
    WAIT
    + r"""
import json, sys, time
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
from colorizer_app.gui.main_window import MainWindow
window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
"""
)


def _free_display() -> int:
    for number in range(91, 400):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise RuntimeError("no free X display number")


@contextmanager
def x_desktop(width: int, height: int) -> Iterator[dict[str, str]]:
    """An environment whose DISPLAY is a `width`x`height` screen managed by openbox."""
    if not (shutil.which("Xvfb") and shutil.which("openbox")):
        pytest.skip("Xvfb and openbox are not installed")
    number = _free_display()
    env = {**os.environ, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb"}
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    manager = None
    try:
        deadline = time.monotonic() + 30
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert time.monotonic() < deadline and server.poll() is None, "Xvfb did not start"
            time.sleep(0.05)
        manager = subprocess.Popen(
            ["openbox", "--sm-disable"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # openbox takes the screen before the app maps its window
        yield env
    finally:
        for proc in (manager, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
