"""The real window, driven offscreen with the tiny model installed as a user's model."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image
from PySide6.QtCore import QSettings


@pytest.fixture
def photo_dir(tmp_path, data_dir):
    """Real photos (and one broken file) in a folder with a subfolder."""
    folder = tmp_path / "scans"
    (folder / "more").mkdir(parents=True)
    sources = sorted((data_dir / "kodak24").glob("*.png"))[:3]
    for i, src in enumerate(sources):
        dest = folder / ("more" if i == 2 else "") / f"photo{i}.jpg"
        Image.open(src).convert("RGB").save(dest, quality=92)
    (folder / "broken.jpg").write_bytes(b"not a photo at all")
    return folder


def new_window(tmp_path, monkeypatch, tiny_model_path, qtbot, size=(1100, 700)):
    """The real window with the tiny model installed as a user's model, shown at `size` (the
    offscreen screen is 800 x 600: a larger window is fitted to it when events are handled);
    its worker still loading torch."""
    from colorizer_app.core.paths import user_models_dir
    from colorizer_app.gui.main_window import MainWindow

    monkeypatch.setenv("COLORIZER_MODELS_DIR", str(tmp_path / "no-builtin"))
    user = user_models_dir()
    user.mkdir(parents=True, exist_ok=True)
    shutil.copy(tiny_model_path, user / "tiny.pt")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    return win


def close_window(win) -> None:
    if not win._closing:
        # A test that failed mid-run must not hang on the quit question: no question now.
        win._closing = True
        win.close()


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, tiny_model_path):
    win = new_window(tmp_path, monkeypatch, tiny_model_path, qtbot)
    qtbot.waitExposed(win)
    # Torch loads on the worker after the window shows; then the chooser lists the models.
    qtbot.waitUntil(lambda: win.models.engine_ready, timeout=120_000)
    yield win
    close_window(win)


class WorkerGate:
    """Holds the colorize worker on its own thread right after its first photo, until the test
    releases it: a test acts mid-batch without racing a worker that may finish everything first.
    """

    def __init__(self, worker):
        import threading

        from PySide6.QtCore import Qt

        self.first_done = threading.Event()
        self.released = threading.Event()
        worker.finished.connect(self._hold, Qt.ConnectionType.DirectConnection)

    def _hold(self, *args) -> None:
        if not self.first_done.is_set():
            self.first_done.set()
            self.released.wait(120)

    def release(self) -> None:
        self.released.set()


def wait_scanned(win, timeout_s=30.0):
    """Folders are looked through on a worker: the photos join the list when it answers."""
    import time

    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_s
    while win.intake.scanning:
        assert time.monotonic() < deadline, "the folder scan did not answer"
        loop = QEventLoop()  # not QTest.qWait, which keeps Python's lock from the scan's thread
        QTimer.singleShot(10, loop.quit)
        loop.exec()


def wait_idle(qtbot, win, timeout=60_000):
    qtbot.waitUntil(lambda: not win.busy, timeout=timeout)
