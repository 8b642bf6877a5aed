"""The photo list comes back at the next start: which photos, their order, the folder each was
found in and the one shown; gone photos are counted, not listed; a cleared list stays empty."""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import QSettings

from colorizer_app.gui.last_list import read_entries
from colorizer_app.gui.main_window import MainWindow

from .conftest import wait_idle, wait_scanned


def _quit(qtbot, win) -> None:
    wait_idle(qtbot, win)
    win.close()
    assert win._closing  # it quit (nothing asked): the settings were stored


def _start_again(qtbot, tmp_path) -> MainWindow:
    """The app started again on the same settings, with no photos of its own to open."""
    win = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    return win


def _close(win) -> None:
    win._closing = True
    win.close()


def test_the_list_comes_back_as_it_was_at_quit(qtbot, window, photo_dir, tmp_path):
    """A trial closed the app with its photos listed and found an empty window the next day."""
    window.add_paths([photo_dir])
    wait_scanned(window)
    wait_idle(qtbot, window)
    before = [(it.path, it.root) for it in window.photos.items]
    assert len(before) == 4 and all(root == photo_dir for _, root in before)
    shown = window.photos.items[2]
    window.selection.make_current(shown)
    _quit(qtbot, window)

    again = _start_again(qtbot, tmp_path)
    try:
        assert again.last_list.reopen() == 4
        wait_scanned(again)
        qtbot.waitUntil(lambda: len(again.photos.items) == 4, timeout=30_000)
        assert [(it.path, it.root) for it in again.photos.items] == before
        assert again.current_item().path == shown.path
        text = again.statusBar().toolTip() or again.statusBar().currentMessage()
        assert text.startswith("Opened the 4 photos listed when Colorizer was last closed"), text
        wait_idle(qtbot, again, timeout=120_000)  # colorized again, as they were
        assert sum(it.result is not None for it in again.photos.items) == 3  # not broken.jpg
    finally:
        _close(again)


def test_a_photo_gone_since_is_counted_and_a_cleared_list_stays_empty(
    qtbot, window, photo_dir, tmp_path
):
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_scanned(window)
    _quit(qtbot, window)
    (photo_dir / "photo1.jpg").unlink()

    again = _start_again(qtbot, tmp_path)
    try:
        assert again.last_list.reopen() == 2  # looked for; one is found
        qtbot.waitUntil(lambda: len(again.photos.items) == 1, timeout=30_000)
        assert again.photos.items[0].path == photo_dir / "photo0.jpg"
        said = again.statusBar().toolTip() or again.statusBar().currentMessage()
        assert "1 photo of them is no longer there (photo1.jpg)" in said, said
        wait_idle(qtbot, again, timeout=120_000)
        again.clear_all()
        _quit(qtbot, again)
    finally:
        _close(again)

    third = _start_again(qtbot, tmp_path)
    try:
        assert third.last_list.reopen() == 0 and third.photos.items == []
    finally:
        _close(third)


def test_a_damaged_last_list_costs_the_list_not_the_start(qtbot, tmp_path, window):
    _close(window)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    for damaged in ('{"photos": [["a.jpg"]], "current": 3}', "[[[", '{"photos": 7}'):
        settings.setValue("last_list", damaged)
        settings.sync()
        again = _start_again(qtbot, tmp_path)
        try:
            assert again.last_list.reopen() == 0
        finally:
            _close(again)


def test_the_kept_list_is_looked_for_off_the_window_and_kept_by_an_early_quit(
    qtbot, window, photo_dir, tmp_path, monkeypatch
):
    """A review found the kept photos stat'ed on the window's thread (a list on a network share
    froze the start for seconds), and a quit before the list came back storing an empty one."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_scanned(window)
    _quit(qtbot, window)
    kept = read_entries(window.settings)

    looked_from = []
    isfile = os.path.isfile

    def noted_isfile(path):
        if str(path) in {p for p, _ in kept[0]}:  # the kept photos, not whatever else looks
            looked_from.append(threading.current_thread() is threading.main_thread())
        return isfile(path)

    monkeypatch.setattr(os.path, "isfile", noted_isfile)
    again = _start_again(qtbot, tmp_path)
    try:
        assert again.last_list.reopen() == 2
        assert not any(looked_from)  # none stat'ed on the window's thread (the worker may be)
        again.last_list.remember()  # quit at once: the scan has not answered
        assert read_entries(again.settings) == kept
        qtbot.waitUntil(lambda: len(again.photos.items) == 2, timeout=30_000)
        assert looked_from and not any(looked_from)  # on the scan worker
        wait_idle(qtbot, again, timeout=120_000)
    finally:
        _close(again)


def test_a_list_whose_photos_are_all_gone_says_so(qtbot, window, photo_dir, tmp_path):
    """A memory card taken out since: the window says where the photos went, lists nothing."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_scanned(window)
    _quit(qtbot, window)
    for name in ("photo0.jpg", "photo1.jpg"):
        (photo_dir / name).unlink()

    again = _start_again(qtbot, tmp_path)
    said: list[str] = []  # what the window is told to show (a hover's tip may cover it)
    again.last_list.status.connect(said.append)
    try:
        assert again.last_list.reopen() == 2
        wait_scanned(again)
        qtbot.waitUntil(lambda: not again.last_list._reopening, timeout=30_000)
        assert said == ["The 2 photos listed last time are no longer where they were."], said
        assert again.photos.items == []
    finally:
        _close(again)


def _two_kept_then_started_again(qtbot, window, photo_dir, tmp_path):
    """photo0 and photo1 listed at a quit; the next start, and the notices it gives."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_scanned(window)
    _quit(qtbot, window)
    again = _start_again(qtbot, tmp_path)
    said: list[str] = []
    again.last_list.status.connect(said.append)
    return again, said


def test_photos_opened_at_start_set_the_kept_list_aside_saying_where_it_is(
    qtbot, window, photo_dir, tmp_path
):
    """A trial started the app with a photo of its own and its 19 photos were gone from the
    window without a word: it says so, and Open Recent has them as one entry."""
    again, said = _two_kept_then_started_again(qtbot, window, photo_dir, tmp_path)
    try:
        again.last_list.set_aside()  # as the app does when given photos to open
        again.add_paths([photo_dir / "more" / "photo2.jpg"])
        wait_scanned(again)
        qtbot.waitUntil(lambda: bool(said), timeout=30_000)
        assert said == [
            "Opened 1 photo; the 2 photos listed last time were set aside: File > Open Recent "
            "opens them again."
        ]
        again.recent.menu.aboutToShow.emit()
        entries = [a.text() for a in again.recent.menu.actions() if a.text()]
        assert any("photo0.jpg and 1 more" in text for text in entries), entries
        wait_idle(qtbot, again)
    finally:
        _close(again)


def test_photos_opened_again_at_start_are_not_said_to_be_set_aside(
    qtbot, window, photo_dir, tmp_path
):
    """A trial reopened the app on the same folder and was told "the 6 photos listed last time
    were set aside", the same six it was looking at. Only those not opened again are named."""
    again, said = _two_kept_then_started_again(qtbot, window, photo_dir, tmp_path)
    try:
        again.last_list.set_aside()
        again.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
        wait_scanned(again)
        qtbot.wait(300)
        assert said == [] and len(again.photos.items) == 2
        wait_idle(qtbot, again)
    finally:
        _close(again)

    third = _start_again(qtbot, tmp_path)
    said.clear()
    third.last_list.status.connect(said.append)
    try:
        third.last_list.set_aside()
        third.add_paths([photo_dir / "photo0.jpg", photo_dir / "more" / "photo2.jpg"])
        wait_scanned(third)
        qtbot.waitUntil(lambda: bool(said), timeout=30_000)
        assert said == [
            "Opened 2 photos; the 1 other photo listed last time was set aside: File > Open "
            "Recent opens it again."
        ]
        wait_idle(qtbot, third)
    finally:
        _close(third)
