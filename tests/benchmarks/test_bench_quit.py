"""Seconds `close()` takes with 200 thumbnails queued and a folder scan under way (issue 25:
within 1 s), the real window (tests/gui/test_quit.py checks what is dropped). Printed, not
asserted."""

from __future__ import annotations

import json
import shutil

from PySide6.QtCore import QSettings

from colorizer_app.gui.worker_host import wait_for_the_rest
from tests.gui.test_quit import close_with_work_queued, queued_work

from .conftest import RESULTS, machine


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
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "quit.json").write_text(json.dumps(result, indent=1))
