"""File > Open Recent: a folder dropped one evening is opened again the next with one click."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QSettings

from .conftest import wait_idle, wait_scanned
from .test_main_window import drop


def recent_actions(win):
    """The Open Recent entries as the File menu shows them (its Clear item left out)."""
    menu = win.recent.menu
    menu.aboutToShow.emit()  # what opening the submenu does
    return [a for a in menu.actions() if not a.isSeparator() and "Clear" not in a.text()]


def test_a_dropped_folder_is_opened_again_after_a_relaunch(qtbot, window, photo_dir, tmp_path):
    from colorizer_app.gui.main_window import MainWindow

    file_menu = window.menus["&File"]
    assert window.recent.menu.menuAction() in file_menu.actions()
    assert not window.recent.menu.menuAction().isEnabled()  # nothing opened yet
    drop(window, [photo_dir])
    drop(window, [photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    entries = recent_actions(window)
    assert [a.text().split(" — ")[0] for a in entries] == ["&1. photo0.jpg and 1 more", "&2. scans"]
    assert str(photo_dir.parent) in entries[1].text() or "~" in entries[1].text()
    wait_idle(qtbot, window)
    window.close()

    again = MainWindow(QSettings(window.settings.store.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.models.engine_ready, timeout=120_000)
    entries = recent_actions(again)
    assert len(entries) == 2 and all(a.isEnabled() for a in entries)
    entries[1].trigger()  # the folder
    wait_scanned(again)
    assert sorted(it.path.name for it in again.photos.items) == [
        "broken.jpg",
        "photo0.jpg",
        "photo1.jpg",
        "photo2.jpg",
    ]
    # Opened again, the folder is first on the list; the list holds each entry once.
    assert [a.text().split(" — ")[0] for a in recent_actions(again)] == [
        "&1. scans",
        "&2. photo0.jpg and 1 more",
    ]
    wait_idle(qtbot, again)

    # A folder that has gone (a drive unplugged) stays on the list, greyed, and says so.
    shutil.move(photo_dir, tmp_path / "moved")
    scans, pair = recent_actions(again)
    assert not scans.isEnabled() and "(not found)" in scans.text()
    assert not pair.isEnabled()
    # Clear This List empties it, for this launch and the next.
    clear = next(a for a in again.recent.menu.actions() if "Clear" in a.text())
    clear.trigger()
    assert recent_actions(again) == [] and not again.recent.menu.menuAction().isEnabled()
    assert again.settings.recent_places == []
    again._closing = True
    again.close()


def test_an_entry_with_some_photos_gone_opens_the_rest_and_says_so(qtbot, window, photo_dir):
    drop(window, [photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    window.clear_all()  # Edit > Clear List
    assert not window.photos.items
    (photo_dir / "photo1.jpg").unlink()
    (entry,) = recent_actions(window)
    assert entry.isEnabled()  # its first photo is still there
    entry.trigger()
    wait_scanned(window)
    wait_idle(qtbot, window)  # the batch's own lines have come and gone beneath the notice
    assert [it.path.name for it in window.photos.items] == ["photo0.jpg"]
    bar = window.statusBar()
    # Whole, or shortened in the middle to the room left with its whole text in the tooltip.
    assert (bar.toolTip() or bar.currentMessage()) == (
        "1 of these 2 photos is no longer there (moved, renamed, or on a drive unplugged)."
    )
    assert bar.currentMessage().endswith("on a drive unplugged).")
    # What the person does next answers at once, over the notice (Clear List's Undo hint).
    window.clear_all()
    assert window.statusBar().currentMessage() == ""
    assert window.status_label.text().startswith("Cleared 1 photo ")
    # Kept as it was chosen, both photos: the other may be on a drive that comes back.
    assert window.recent.entries == [[str(photo_dir / "photo0.jpg"), str(photo_dir / "photo1.jpg")]]


def test_only_places_that_held_photos_are_kept_and_each_once(qtbot, window, photo_dir, tmp_path):
    """A dropped letter or an empty folder is no place to come back to; the same photos chosen
    in another order are the same entry."""
    letter = tmp_path / "notes & letters.txt"
    letter.write_text("not a photo")
    (tmp_path / "empty").mkdir()
    drop(window, [letter])
    drop(window, [tmp_path / "empty"])
    assert recent_actions(window) == []
    drop(window, [photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    drop(window, [photo_dir / "photo1.jpg", photo_dir / "photo0.jpg"])
    assert len(window.recent.entries) == 1
    wait_idle(qtbot, window)


def test_the_list_keeps_the_ten_newest_and_survives_a_damaged_setting(tmp_path):
    from colorizer_app.gui.app_settings import AppSettings
    from colorizer_app.gui.recent_places import RECENT_MAX, RecentPlaces

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    recent = RecentPlaces(AppSettings(store))
    for i in range(RECENT_MAX + 3):
        recent.remember([tmp_path / f"box{i}"])
    kept = recent.entries
    assert len(kept) == RECENT_MAX and kept[0] == [str(tmp_path / f"box{RECENT_MAX + 2}")]
    for damaged in ("{not json", "[" * 100_000 + "]" * 100_000, '{"a": 1}', "[[1, 2], 3]"):
        store.setValue("recent_places", damaged)  # a settings file edited by hand
        assert RecentPlaces(AppSettings(store)).entries == []


def test_photos_from_several_folders_are_named_by_the_folder_that_holds_them():
    """A trial's entry of photos from two folders named only the first photo's folder."""
    from colorizer_app.gui.recent_places import label

    one = ["/srv/box/scans/a.jpg", "/srv/box/scans/b.jpg"]
    assert label(one) == "a.jpg and 1 more — /srv/box/scans"
    assert label([*one, "/srv/box/more/c.jpg"]) == "a.jpg and 2 more — /srv/box, 2 folders"
