"""Seconds `close()` takes with 200 thumbnails queued and a folder scan under way (issue 25:
within 1 s), the real window (tests/gui/test_quit.py checks what is dropped). Printed, not
asserted."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QSettings

from colorizer_app.gui.worker_host import wait_for_the_rest
from tests.gui.test_quit import close_with_work_queued, queued_work

from .conftest import machine, save_result


def test_quit_with_work_queued(qtbot, tmp_path, data_dir, tiny_model_path, monkeypatch):
    from colorizer_app.core.paths import user_models_dir
    from colorizer_app.gui.main_window import MainWindow

    album, tree = queued_work(tmp_path, data_dir)
    user = user_models_dir()
    user.mkdir(parents=True, exist_ok=True)
    shutil.copy(tiny_model_path, user / "tiny.pt")
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.models.engine_ready, timeout=120_000)
    seconds, made = close_with_work_queued(qtbot, window, album, tree)
    result = {"close_s": seconds, "thumbnails_made": len(made), "machine": machine()}
    print(f"\nquit with 200 thumbnails queued and a scan running: close() took {seconds:.2f} s "
          f"({len(made)} thumbnails made)  [{result['machine']}]")  # fmt: skip
    wait_for_the_rest()  # the abandoned scan ends before this process does
    save_result("quit", result)


def test_process_exit_with_work_queued(tmp_path, data_dir):
    """Seconds from SIGTERM (a quit from outside, as a session ending sends) to the end of the
    real `colorizer gui` process, 200 thumbnails queued and a scan running (issue 25: the
    process within 1 s). Python's own teardown of torch and Qt took 2-5 s of it before."""
    import signal
    import time

    from tests.gui.test_quit import started_app

    album, tree = queued_work(tmp_path, data_dir)
    proc = started_app(tmp_path, album, tree)
    time.sleep(1.0)
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    seconds = time.monotonic() - start
    result = {"process_exit_s": seconds, "returncode": proc.returncode, "machine": machine()}
    print(f"\nquit from outside with 200 thumbnails queued: the process ended {seconds:.2f} s "
          f"after SIGTERM  [{result['machine']}]")  # fmt: skip
    save_result("quit_process", result)
