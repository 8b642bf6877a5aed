"""The pins' store in the app data (issue 26, item 14; issue 25, item 6): a store that is a FIFO
or nested past reason never stops the app from starting, a store that cannot be written is said
while the pin stays, and pins placed just before quitting are remembered."""

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings

from colorizer_app.core.hints import Hint

from .conftest import wait_idle
from .xdisplay import WINDOW

BLUE = "#2a55d8"

START_AND_ADD = (
    WINDOW
    + r"""
window.show()
window.add_paths([sys.argv[2]], colorize=False)
for _ in range(3000):
    if window.photos.items:
        break
    wait(10)
print("window up with", len(window.photos.items), "photo(s)", flush=True)
window.close()
"""
)


@pytest.mark.parametrize("kind", ["fifo", "nested"])
def test_a_strange_hints_store_never_stops_the_app(tmp_path, photo_dir, kind):
    """The real window in a fresh process (a FIFO blocked the old start for ever)."""
    user = tmp_path / "appdata"
    user.mkdir()
    store = user / "hints.json"
    if kind == "fifo":
        os.mkfifo(store)
    else:
        store.write_text('{"photos": ' + "[" * 200_000 + "]" * 200_000 + "}")
    env = {**os.environ, "COLORIZER_USER_DIR": str(user), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", START_AND_ADD, str(tmp_path / "s.ini"), photo_dir / "photo0.jpg"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "window up with 1 photo(s)" in proc.stdout
    for said in ("RecursionError", "hint_store", "pin_store", "Fatal"):  # not ours to say
        assert said not in proc.stderr, proc.stderr[-2000:]


def _pin(window, item, fx=0.4):
    fw, fh = item.result.full_size
    window.pins.edit_hints(item, item.hints + (Hint.pin(fw * fx, fh * 0.5, BLUE),), "Add Pin")


def test_a_pin_where_the_app_data_cannot_be_written_stays_and_is_said(
    qtbot, window, photo_dir, tmp_path
):
    window.pins.pin_store.store.path.mkdir(parents=True)  # a folder in the way of hints.json
    window.add_paths([photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    item = window.photos.items[0]
    window.pins.set_mode(True)
    _pin(window, item)
    assert len(item.hints) == 1 and len(window.view.marks) == 1  # pinned and drawn
    assert item.result.hints == item.hints  # and in the colour shown
    qtbot.waitUntil(lambda: "could not be remembered" in window.status_label.text())
    assert "hints.json" in window.status_label.text()


def test_pins_placed_just_before_quitting_are_remembered(qtbot, window, photo_dir):
    from colorizer_app.gui.main_window import MainWindow

    window.add_paths([photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    item = window.photos.items[0]
    for fx in (0.2, 0.4, 0.6):
        _pin(window, item, fx)
    window.close()  # at once: before the store's delayed write
    saved = json.loads(window.pins.pin_store.store.path.read_text())
    kept = next(iter(saved["photos"].values()))["hints"]
    assert len(kept) == 3 and all("x" in pin for pin in kept)
    again = MainWindow(QSettings(window.settings.store.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    again.add_paths([photo_dir / "photo0.jpg"])
    qtbot.waitUntil(lambda: bool(again.photos.items) and len(again.photos.items[0].hints) == 3)
    assert again.photos.items[0].hints == item.hints
    again._closing = True
    again.close()


def test_save_keeps_the_pins_it_was_asked_with(qtbot, window, photo_dir, tmp_path):
    """Save hands the worker a snapshot: a pin placed while the save waits in the queue changes
    the screen, not the file."""
    import numpy as np
    from PIL import Image

    from colorizer_app.gui.save_options import SaveOptions

    from .conftest import WorkerGate

    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    first, second = window.photos.items
    expected = first.result.snapshot()  # no pins
    gate = WorkerGate(window.worker)
    window.batch.colorize([second])  # the worker holds after this one
    qtbot.waitUntil(gate.first_done.is_set, timeout=60_000)
    out = tmp_path / "out"
    window.list_view.setCurrentIndex(window.photos.index(0))
    assert window.save_selected(SaveOptions(folder=out, fmt="png")) == 1  # queued behind it
    _pin(window, first)  # while the save waits
    assert first.hints and first.result.hints == first.hints
    gate.release()
    wait_idle(qtbot, window)
    saved = np.asarray(Image.open(out / "photo0_colorized.png").convert("RGB")).astype(int)
    from colorizer_app.engine.session import save_colorized

    save_colorized(expected, tmp_path / "plain.png", 1.0, 95)
    plain = np.asarray(Image.open(tmp_path / "plain.png").convert("RGB")).astype(int)
    assert np.abs(saved - plain).max() <= 1  # as it was when Save was pressed
