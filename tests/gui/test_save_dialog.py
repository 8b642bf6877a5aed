"""The Save dialog as a person fills it in: typing a folder, then Save."""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from colorizer_app.gui.save_options import SaveOptionsDialog

from .conftest import wait_idle


def _fill_in_when_open(qtbot, folder_text: str, seen: list) -> None:
    """Types `folder_text` into the open Save dialog's folder field and presses Save."""

    def act():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SaveOptionsDialog):
            QTimer.singleShot(50, act)
            return
        seen.append(dialog.beside.isChecked())
        dialog.folder_edit.setFocus()
        qtbot.keyClicks(dialog.folder_edit, folder_text)
        seen.append(dialog.in_folder.isChecked())
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    QTimer.singleShot(0, act)


def test_typing_a_folder_saves_there_not_beside_the_originals(
    qtbot, window, photo_dir, tmp_path, monkeypatch
):
    window.add_paths([photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    home = tmp_path / "home"
    (home / "Family scans").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    seen: list = []
    _fill_in_when_open(qtbot, "  ~/Family scans ", seen)
    assert window.save_all() == 1
    wait_idle(qtbot, window)
    # The dialog opened on "beside each original"; typing the folder chose "in this folder".
    assert seen == [True, True]
    assert (home / "Family scans" / "photo0_colorized.jpg").is_file()
    assert not (photo_dir / "photo0_colorized.jpg").exists()
    assert window.saving.options.folder == home / "Family scans"
