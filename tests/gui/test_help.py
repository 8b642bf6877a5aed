"""Help in the real window: F1 opens a guide a person can follow, with the window's own keys, and
Open Models Folder says where the folder is when no file manager can be opened."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMessageBox, QPushButton

from colorizer_app.core.paths import user_models_dir
from colorizer_app.gui.help_window import GuideWindow


def test_f1_opens_a_guide_with_every_key_of_the_menus_not_about(qtbot, window):
    """A trial pressed F1 and got About's paragraph on encoders and Lab channels."""
    a = window.actions_by_name
    assert a["guide"].shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    assert a["about"].shortcut().isEmpty()
    a["guide"].trigger()
    guide = window.findChild(GuideWindow)
    assert guide is not None and guide.isVisible() and not guide.isModal()
    text = guide.text.toPlainText()
    for step in ("Bring your photos in", "Compare", "Colour Pins", "Restore", "Save"):
        assert step in text, step
    # Every key the menus give, as the menus name it: the table cannot drift from them.
    native = QKeySequence.SequenceFormat.NativeText
    for name in ("save", "open_folder", "pins", "undo", "side"):
        what = a[name].text().replace("&", "").rstrip("…")
        assert what in text, what
        assert a[name].shortcut().toString(native) in text, name
    a["guide"].trigger()  # again: the same guide raised, not a second one
    assert len(window.findChildren(GuideWindow)) == 1
    guide.close()


def test_the_guide_names_undo_as_undo_whatever_the_last_step(qtbot, window, photo_dir):
    """A review: the key table was made once, with the Undo entry's text of that moment."""
    from .conftest import wait_idle

    a = window.actions_by_name
    window.add_paths([photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    a["clear"].trigger()
    assert a["undo"].text() == "&Undo Clear List"
    a["guide"].trigger()
    guide = window.findChild(GuideWindow)
    assert "Undo Clear List" not in guide.text.toPlainText()
    guide.close()
    window.actions_by_name["pins"].setShortcut(QKeySequence("Ctrl+Shift+K"))
    a["guide"].trigger()  # opened again: the keys as they are now
    assert "Ctrl+Shift+K" in guide.text.toPlainText()
    guide.close()


def test_open_models_folder_without_a_file_manager_says_where_it_is(qtbot, window):
    """A trial's Open Models Folder did nothing at all where no file manager answered (here,
    offscreen, none does): the folder's path is shown, selectable, and Copy Path copies it
    leaving the message open."""
    QGuiApplication.clipboard().setText("")
    window.actions_by_name["models_folder"].trigger()
    box = next(w for w in window.findChildren(QMessageBox) if w.isVisible())
    folder = str(user_models_dir())
    assert folder in box.text() and "file manager" in box.text()
    assert box.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    copy = next(b for b in box.findChildren(QPushButton) if b.text() == "Copy Path")
    copy.click()
    assert QGuiApplication.clipboard().text() == folder
    assert box.isVisible()
    box.close()
