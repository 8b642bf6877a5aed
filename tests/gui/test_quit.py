"""Quitting never waits on queued work (issue 25, item 5): with 200 thumbnails queued and a
folder being looked through, the window closes at once, the queued thumbnails are dropped, and
the scan's late answer adds nothing. The time it takes is in tests/benchmarks/test_bench_quit.py.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image
from PySide6.QtWidgets import QApplication

from colorizer_app.gui.worker_host import wait_for_the_rest


def queued_work(tmp_path, data_dir, photos=200, scan_files=3000):
    """A folder of `photos` large PNGs (hard links of one: thumbnails of PNGs decode them
    whole) and a tree of `scan_files` files that takes seconds to look through."""
    big = tmp_path / "big.png"
    src = sorted((data_dir / "kodak24").glob("*.png"))[0]
    Image.open(src).convert("RGB").resize((2304, 1536)).save(big, compress_level=1)
    album = tmp_path / "album"
    album.mkdir()
    for i in range(photos):
        os.link(big, album / f"scan{i:03}.png")
    tree = tmp_path / "archive"
    for i in range(scan_files):
        folder = tree / f"box{i // 100:02}"
        folder.mkdir(parents=True, exist_ok=True)
        os.link(big, folder / f"p{i:04}.png")
    return album, tree


def close_with_work_queued(qtbot, window, album, tree):
    """Adds the album (its thumbnails queue), starts the scan of the tree, closes; returns the
    seconds `close()` took and how many thumbnails were made."""
    made = []
    window.thumbnails.ready.connect(lambda path, _image: made.append(path))
    window.add_paths([album], colorize=False)
    qtbot.waitUntil(lambda: len(window.photos.items) == 200, timeout=60_000)
    window.add_paths([tree], colorize=False)
    assert window.intake.scanning  # the scan is under way
    QApplication.processEvents()  # thumbnails made so far are counted as made before the quit
    start = time.monotonic()
    window.close()
    return time.monotonic() - start, made


def test_quitting_drops_queued_thumbnails_and_leaves_the_scan(qtbot, window, tmp_path, data_dir):
    album, tree = queued_work(tmp_path, data_dir)
    seconds, made = close_with_work_queued(qtbot, window, album, tree)
    assert window._closing and not window.isVisible()
    queued_then = len(made)
    # Everything that will ever run has run (not a fixed wait, which a loaded machine outlasts):
    # the thumbnails being made at the quit are done, the abandoned scan has ended, and what
    # they sent is delivered.
    assert window.thumbnails.pool.waitForDone(120_000)
    wait_for_the_rest()
    QApplication.processEvents()
    # At most the ones being made at the quit (two threads), and two more that ended between
    # the count above and the queue's drop, their signals still on their way.
    assert len(made) - queued_then <= 4
    assert len(made) < 100, len(made)  # far from all 200: the queue was dropped
    assert len(window.photos.items) == 200  # the scan's late answer added nothing
    print(f"close() took {seconds:.2f} s with {200 - len(made)} thumbnails dropped")


def started_app(tmp_path, *paths):
    """`colorizer gui PATHS` as a person starts it, in a fresh process with its own settings
    and app-data folders; returned once its window exists (its workers' threads are named)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLORIZER_USER_DIR": str(tmp_path / "appdata"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "colorizer_app", "gui", *map(str, paths)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while "folder-scan" not in thread_names(proc.pid):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the window did not appear in 120 s"
        time.sleep(0.05)
    return proc


def thread_names(pid: int) -> set[str]:
    names = set()
    for comm in Path(f"/proc/{pid}/task").glob("*/comm"):
        try:
            names.add(comm.read_text().strip())
        except OSError:  # the thread ended while we looked
            pass
    return names


def test_the_session_ending_closes_the_app_as_quit_does(tmp_path, data_dir):
    """SIGTERM (the desktop session ending, `kill`) ended the app on the spot: no settings
    written, pins not yet written lost. Now it closes as Quit does, without asking, with 200
    thumbnails queued and a folder scan running, and the process ends (how soon: the quit
    benchmark)."""
    album, tree = queued_work(tmp_path, data_dir)
    proc = started_app(tmp_path, album, tree)
    time.sleep(1.0)  # thumbnails queue and the scan gets going
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    settings = (tmp_path / "config" / "Colorizer" / "Colorizer.conf").read_text()
    assert "geometry" in settings.lower(), settings  # the window's place was kept
