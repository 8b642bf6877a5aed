"""The Save dialog as a person fills it in: typing a folder, then Save."""

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from colorizer_app.gui.save_options import SaveOptions, SaveOptionsDialog

from .conftest import wait_idle, wait_scanned


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


def _answer_warnings(warnings: list[str], watching: list[bool]) -> None:
    """Closes each warning box that opens, keeping its text, while `watching[0]`."""
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        warnings.append(box.text())
        box.accept()
    if watching[0]:
        QTimer.singleShot(20, lambda: _answer_warnings(warnings, watching))


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
    # Closed, the dialog is gone: left a child of the window until the app's teardown, it
    # crashed Quit after a save in 11 of 15 tries (a bus error, "shared QObject was deleted").
    qtbot.waitUntil(lambda: not window.findChildren(SaveOptionsDialog), timeout=2000)


def test_save_all_into_a_folder_that_cannot_be_made_warns_at_once_naming_it(
    qtbot, window, photo_dir, tmp_path
):
    """Said before anything is queued, naming the folder chosen: a trial's Save All into a
    read-only folder worked through 14 photos for 10 s, then named a subfolder it would have
    made."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg", photo_dir / "more"])
    wait_idle(qtbot, window)
    blocker = tmp_path / "a file, not a folder"
    blocker.write_bytes(b"x")
    warnings: list[str] = []
    watching = [True]  # until this test ends: it closed every later test's boxes too
    QTimer.singleShot(0, lambda: _answer_warnings(warnings, watching))
    try:
        queued = window.save_all(SaveOptions(folder=blocker / "colorized", fmt="png"))
        pending = bool(window.saving.pending)
        wait_idle(qtbot, window)
        qtbot.wait(300)  # a second warning, had there been one, would have shown by now
    finally:
        watching[0] = False
    assert queued == 0 and not pending
    assert len(warnings) == 1, warnings
    qtbot.waitUntil(lambda: not window.findChildren(QMessageBox), timeout=2000)  # gone, as above
    assert f"Cannot save here: {blocker} is a file, not a folder" in warnings[0]
    assert "choose another folder" in warnings[0]  # what to do next, not only what went wrong
    assert "The colorized photos are still here" in warnings[0]  # 3 of them: one, below
    assert window.status_label.text().startswith("Not saved (3 photos): ")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("a file")) == [
        blocker.name
    ]


def test_saving_a_photo_whose_original_was_moved_says_to_put_it_back(
    qtbot, window, photo_dir, tmp_path
):
    """The copy is made from the original at full size; a trial moved it away after opening
    and was told "file not found; check the path", then to choose another folder or make room."""
    window.add_paths([photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    shutil.move(photo_dir / "photo0.jpg", tmp_path / "elsewhere.jpg")
    warnings: list[str] = []
    watching = [True]
    QTimer.singleShot(0, lambda: _answer_warnings(warnings, watching))
    try:
        assert window.save_all(SaveOptions(folder=tmp_path / "out", fmt="png")) == 1
        wait_idle(qtbot, window)
        qtbot.waitUntil(lambda: bool(warnings))
    finally:
        watching[0] = False
    assert warnings[0].startswith(f"photo0.jpg is no longer in {photo_dir} (moved, renamed")
    assert "put it back, or open it from where it is now" in warnings[0]
    assert "make room" not in warnings[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_opening_a_folder_again_leaves_out_the_copies_saved_beside_the_originals(
    qtbot, window, photo_dir
):
    """A family saves beside the scans, then opens the same folder another day: the scans come
    back, their colorized and restored copies do not (Save All would have written
    photo0_colorized_colorized);
    a copy opened by name is still opened."""
    window.add_paths([photo_dir])
    wait_scanned(window)
    wait_idle(qtbot, window)
    assert window.save_all(SaveOptions(folder=None)) == 3
    wait_idle(qtbot, window)
    copies = sorted(photo_dir.rglob("*_colorized.jpg"))
    assert len(copies) == 3
    # and a restored copy (Save Restored Copy's name): a trial found it back as an 11th photo
    shutil.copyfile(photo_dir / "photo0.jpg", photo_dir / "photo0_restored.jpg")
    window.clear_all()

    window.add_paths([photo_dir], colorize=False)
    wait_scanned(window)
    names = sorted(item.path.name for item in window.photos.items)
    assert names == ["broken.jpg", "photo0.jpg", "photo1.jpg", "photo2.jpg"]
    # Said, for a while: a trial's own grandma_colorized.jpg was left out without a word.
    said = window.statusBar().toolTip() or window.statusBar().currentMessage()  # whole text
    assert said.startswith(
        "Left out 4 photos whose names end in _colorized or _restored, as the copies Colorizer "
        "saves do (e.g. photo"
    ) and said.endswith("); open them by name to add them."), said
    window.add_paths([copies[0]], colorize=False)
    wait_scanned(window)
    assert copies[0] in [item.path for item in window.photos.items]


def test_saving_again_asks_by_name_and_enter_keeps_the_earlier_copy(
    qtbot, window, photo_dir, tmp_path
):
    """Found by a new-user trial: saving one photo again asked about "1 colorized file(s)" with
    "No saves only the new ones", and Enter saved nothing but said "Nothing new to save". Now
    the question names the file and offers Replace or Cancel (Enter keeps it); with new photos
    among them, saving only the new ones is offered and is what Enter does."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    out = tmp_path / "out"
    first = window.photos.items[:1]
    assert window.saving.save(first, SaveOptions(folder=out, fmt="png")) == 1
    wait_idle(qtbot, window)
    copy = out / "photo0_colorized.png"
    before = copy.read_bytes()
    copy.write_bytes(b"an earlier copy")
    seen: list = []

    def answer(key_or_label):
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, lambda: answer(key_or_label))
            return
        names = sorted(b.text().replace("&", "") for b in box.buttons())
        seen.append((box.text(), names, box.windowTitle()))
        if key_or_label == "Return":
            qtbot.keyClick(box, Qt.Key.Key_Return)
        elif key_or_label == "Alt+R":  # a keyboard trial's Alt+R did nothing
            box.activateWindow()  # as the question is, on a desktop, when it opens
            qtbot.waitUntil(box.isActiveWindow, timeout=2000)
            qtbot.keyClick(box, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
            QTimer.singleShot(2000, box.reject)  # not answered by Alt+R: no hang, the test fails
        else:
            next(b for b in box.buttons() if b.text().replace("&", "") == key_or_label).click()

    QTimer.singleShot(0, lambda: answer("Return"))
    assert window.saving.save(first, SaveOptions(folder=out, fmt="png")) == 0
    text, labels, title = seen[-1]
    assert title == "Replace the earlier colorized copy?"  # one copy: not "copies" (a trial)
    assert "photo0_colorized.png already exists" in text and str(out) in text
    assert labels == ["Cancel", "Replace"]
    assert copy.read_bytes() == b"an earlier copy"  # Enter kept it
    assert window.status_label.text() == "Not saved: the earlier colorized copy is kept."
    # Both photos: one copy exists, one is new; Enter saves only the new one.
    QTimer.singleShot(0, lambda: answer("Return"))
    assert window.saving.save(window.photos.items, SaveOptions(folder=out, fmt="png")) == 1
    wait_idle(qtbot, window)
    assert seen[-1][1] == ["Cancel", "Replace", "Save only the new one"]
    assert (out / "photo1_colorized.png").is_file()
    # the earlier copy left is said too (a trial read "Saved 3 photos" and missed the fourth)
    assert window.status_label.text() == (
        f"Saved photo1_colorized.png in {out}; the earlier copy kept as it was"
    ), window.status_label.text()
    assert copy.read_bytes() == b"an earlier copy"
    QTimer.singleShot(0, lambda: answer("Alt+R"))
    assert window.saving.save(first, SaveOptions(folder=out, fmt="png")) == 1
    wait_idle(qtbot, window)
    assert copy.read_bytes() == before
    qtbot.waitUntil(lambda: not window.findChildren(QMessageBox), timeout=2000)


def test_save_all_keeps_every_photo_when_two_share_a_name(qtbot, window, tmp_path, data_dir):
    """A trial's shoebox had box1/photo.jpg, box2/photo.jpg and photo.jpeg: Save All into one
    folder wrote them over one another as photo_colorized.jpg and said it had saved three. (Given
    one by one, as here, they share the folder; a folder opened keeps its subfolders, below.)"""
    import hashlib

    from PIL import Image

    box = tmp_path / "dups"
    kodak = sorted((data_dir / "kodak24").glob("*.png"))
    for i, name in enumerate(("box1/photo.jpg", "box2/photo.jpg", "photo.jpeg")):
        (box / name).parent.mkdir(parents=True, exist_ok=True)
        Image.open(kodak[i]).convert("L").resize((120, 80)).save(box / name)
    window.add_paths([box / "box1/photo.jpg", box / "box2/photo.jpg", box / "photo.jpeg"])
    wait_scanned(window)
    wait_idle(qtbot, window)
    out = tmp_path / "out"
    assert window.save_all(SaveOptions(folder=out, fmt="jpg")) == 3
    wait_idle(qtbot, window)
    written = sorted(p.name for p in out.iterdir())
    assert written == ["photo_colorized-2.jpg", "photo_colorized-3.jpg", "photo_colorized.jpg"]
    assert len({hashlib.sha256((out / n).read_bytes()).digest() for n in written}) == 3
    assert window.status_label.text() == f"Saved 3 photos in {out}"
    # Saved again: the same three names, each asked about, none of them a fourth file.
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer)
            return
        seen.append(box.text())
        box.reject()  # Cancel: nothing is replaced

    QTimer.singleShot(0, answer)
    assert window.save_all(SaveOptions(folder=out, fmt="jpg")) == 0
    assert "3 colorized files already exist" in seen[0]
    assert sorted(p.name for p in out.iterdir()) == written


def test_an_empty_name_ending_keeps_the_names_in_a_folder_and_waits_beside_the_originals(
    qtbot, window, photo_dir, tmp_path
):
    """A cleared "Name ends with" was put back to _colorized without a word. In a folder of their
    own the copies now keep the originals' names; beside the originals Save waits for an ending
    and says why."""
    window.add_paths([photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    out = tmp_path / "colour copies"
    out.mkdir()
    seen: list = []

    def act():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SaveOptionsDialog):
            QTimer.singleShot(50, act)
            return
        dialog.suffix_edit.selectAll()
        qtbot.keyClick(dialog.suffix_edit, Qt.Key.Key_Delete)
        # Still beside the originals: Save waits, and the note says why.
        seen.append((dialog.save_button.isEnabled(), dialog.suffix_note.isVisible()))
        dialog.folder_edit.setFocus()
        qtbot.keyClicks(dialog.folder_edit, str(out))
        seen.append((dialog.save_button.isEnabled(), dialog.suffix_note.isVisible()))
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    QTimer.singleShot(0, act)
    before = (photo_dir / "photo0.jpg").read_bytes()
    assert window.save_all() == 1
    wait_idle(qtbot, window)
    assert seen == [(False, True), (True, False)]
    assert sorted(p.name for p in out.iterdir()) == ["photo0.jpg"]
    assert (photo_dir / "photo0.jpg").read_bytes() == before
    assert window.saving.options.suffix == ""
    # Opened again, a folder holding that one shows its photos, not the copies named as them.
    inside = photo_dir / "colour"
    assert window.save_all(SaveOptions(folder=inside, suffix="")) == 1
    wait_idle(qtbot, window)
    assert (inside / "photo0.jpg").is_file()
    window.settings.save_options = window.saving.options = SaveOptions(folder=inside, suffix="")
    window.clear_all()
    window.add_paths([photo_dir])
    wait_scanned(window)
    assert sorted(it.path.relative_to(photo_dir).as_posix() for it in window.photos.items) == [
        "broken.jpg",
        "more/photo2.jpg",
        "photo0.jpg",
        "photo1.jpg",
    ]
    # Remembered as chosen, with its folder; beside the originals it would be _colorized again.
    assert window.settings.save_options.suffix == ""
    window.settings.save_options = SaveOptions(None, "same", 95, "")
    assert window.settings.save_options.suffix == "_colorized"


def test_save_all_of_an_opened_folder_keeps_its_subfolders(qtbot, window, tmp_path, data_dir):
    """A shoebox opened as a folder, saved into another: box1/photo.jpg and box2/photo.jpg land
    in box1/ and box2/ there, as `colorizer colorize DIR -o OUT` puts them (the window put all
    of them side by side, renamed -2, -3)."""
    from PIL import Image

    shoebox = tmp_path / "shoebox"
    kodak = sorted((data_dir / "kodak24").glob("*.png"))
    names = ("box1/photo.jpg", "box2/photo.jpg", "box2/1950s/wedding.jpg", "cover.jpg")
    for i, name in enumerate(names):
        (shoebox / name).parent.mkdir(parents=True, exist_ok=True)
        Image.open(kodak[i]).convert("L").resize((120, 80)).save(shoebox / name)
    loose = tmp_path / "loose.jpg"  # given by name beside the folder: saved at the top
    Image.open(kodak[5]).convert("L").resize((120, 80)).save(loose)
    window.add_paths([shoebox, loose])
    wait_scanned(window)
    wait_idle(qtbot, window)
    out = tmp_path / "colour"
    assert window.save_all(SaveOptions(folder=out)) == 5
    wait_idle(qtbot, window)
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == [
        "box1/photo_colorized.jpg",
        "box2/1950s/wedding_colorized.jpg",
        "box2/photo_colorized.jpg",
        "cover_colorized.jpg",
        "loose_colorized.jpg",
    ]


def test_copies_named_as_their_originals_never_replace_a_photo(qtbot, window, tmp_path, data_dir):
    """A review: with the ending left empty, box2/scan001.jpg saved into box1 was asked about as
    an "earlier colorized copy" and, on Replace, written over box1's own scan001.jpg. A photo of
    the list is never a destination, and with no ending nothing already there is replaced. A
    trial then found such a copy saved nowhere, said only on the status bar: it takes the next
    free name."""
    from PIL import Image

    kodak = sorted((data_dir / "kodak24").glob("*.png"))
    for i, box in enumerate(("box1", "box2")):
        (tmp_path / box).mkdir()
        Image.open(kodak[i]).convert("L").resize((120, 80)).save(tmp_path / box / "scan001.jpg")
    Image.open(kodak[2]).convert("L").resize((120, 80)).save(tmp_path / "box2" / "scan002.jpg")
    original = (tmp_path / "box1" / "scan001.jpg").read_bytes()
    window.add_paths([tmp_path / "box2"])
    wait_scanned(window)
    wait_idle(qtbot, window)
    asked: list = []
    QTimer.singleShot(0, lambda: asked.append(QApplication.activeModalWidget()))
    assert window.save_all(SaveOptions(folder=tmp_path / "box1", suffix="")) == 2
    wait_idle(qtbot, window)
    assert asked == [None]  # no question: the file there was kept without one
    box1 = tmp_path / "box1"
    assert (box1 / "scan001.jpg").read_bytes() == original
    assert (box1 / "scan002.jpg").is_file() and (box1 / "scan001-2.jpg").is_file()
    said = window.status_label.text()
    assert "scan001.jpg was there already (maybe yours): kept, its copy is scan001-2.jpg" in said, (
        said
    )
    # On the list too, and Replace forced: still never written over; the copies go beside.
    window.add_paths([box1 / "scan001.jpg"])
    wait_scanned(window)
    wait_idle(qtbot, window)
    box2 = [it for it in window.photos.items if it.path.parent.name == "box2"]
    again = SaveOptions(folder=box1, suffix="", overwrite=True)
    assert window.saving.save(box2, again) == 2
    wait_idle(qtbot, window)
    assert (box1 / "scan001.jpg").read_bytes() == original
    assert sorted(p.name for p in box1.iterdir()) == [
        "scan001-2.jpg", "scan001-3.jpg", "scan001.jpg", "scan002-2.jpg", "scan002.jpg"
    ]  # fmt: skip
    assert "and 1 more like it" in window.status_label.text()


def test_save_waits_for_a_folder_and_for_an_ending_that_is_a_name(qtbot, tmp_path):
    """A review: "In this folder" with the field cleared saved beside the originals without a
    word, and an ending such as colour/x failed with a traceback and nothing said."""
    dialog = SaveOptionsDialog(SaveOptions(folder=tmp_path, suffix=""), [Path("a.jpg")] * 2)
    qtbot.addWidget(dialog)
    assert dialog.save_button.isEnabled()
    dialog.folder_edit.clear()
    assert not dialog.save_button.isEnabled() and "folder" in dialog.suffix_note.text()
    dialog.folder_edit.setText(str(tmp_path))
    dialog.suffix_edit.setText("colour/x")
    assert not dialog.save_button.isEnabled() and "cannot hold" in dialog.suffix_note.text()
    dialog.suffix_edit.setText("_colour")
    assert dialog.save_button.isEnabled() and dialog.options().suffix == "_colour"


def test_two_saves_in_a_row_into_one_folder_keep_both_photos(qtbot, window, tmp_path, data_dir):
    """A review: card1/IMG_0001.jpg saved into OUT, then card2/IMG_0001.jpg saved into OUT while
    the first was still queued: both got OUT/IMG_0001_colorized.jpg, nothing was asked (neither
    file was there yet), and the second replaced the first."""
    import hashlib

    from PIL import Image

    from .conftest import WorkerGate

    kodak = sorted((data_dir / "kodak24").glob("*.png"))
    cards = []
    for i in (1, 2):
        (tmp_path / f"card{i}").mkdir()
        cards.append(tmp_path / f"card{i}" / "IMG_0001.jpg")
        Image.open(kodak[i]).convert("L").resize((120, 80)).save(cards[-1])
    window.add_paths(cards)
    wait_scanned(window)
    wait_idle(qtbot, window)
    gate = WorkerGate(window.worker)  # the worker is held, so both saves wait in its queue
    window.colorize_all()
    qtbot.waitUntil(gate.first_done.is_set, timeout=120_000)
    out = tmp_path / "out"
    first, second = ([it] for it in window.photos.items)
    assert window.saving.save(first, SaveOptions(folder=out)) == 1
    assert window.saving.save(second, SaveOptions(folder=out)) == 1
    gate.release()
    wait_idle(qtbot, window)
    written = sorted(p.name for p in out.iterdir())
    assert written == ["IMG_0001_colorized-2.jpg", "IMG_0001_colorized.jpg"]
    assert len({hashlib.sha256((out / n).read_bytes()).digest() for n in written}) == 2


def test_the_dialog_counts_the_photos_and_offers_quality_only_for_a_jpeg(qtbot, tmp_path):
    """A trial: "Beside each original" and no count for one photo, and JPEG quality offered for
    PNG scans saved as "Same as original". The name the first copy gets is shown as it changes."""
    scans = [tmp_path / "scan001.png", tmp_path / "scan002.png", tmp_path / "scan003.png"]
    dialog = SaveOptionsDialog(SaveOptions(), scans)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Save 3 colorized photos"
    assert dialog.beside.text() == "Beside each original"
    assert not dialog.quality.isEnabled()  # PNG as they came: no quality to choose
    assert dialog.example.text() == "scan001_colorized.png (beside it), and 2 more named alike"
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jpg"))
    assert dialog.quality.isEnabled()
    assert dialog.example.text().startswith("scan001_colorized.jpg (beside it)")
    dialog.suffix_edit.setText("")  # beside the originals: no name, nothing shown but why
    assert dialog.example.text() == "" and not dialog.save_button.isEnabled()

    one = SaveOptionsDialog(SaveOptions(folder=tmp_path / "out"), [tmp_path / "IMG_0001.JPG"])
    qtbot.addWidget(one)
    assert one.windowTitle() == "Save colorized photo"
    assert one.beside.text() == "Beside the original"
    assert one.quality.isEnabled()  # a JPEG, saved as it came
    assert one.example.text() == f"IMG_0001_colorized.jpg (in {tmp_path / 'out'})"


def test_webp_scans_are_offered_quality_and_the_example_keeps_the_subfolder(qtbot, tmp_path):
    """A review: WebP copies are written at the quality chosen, yet it was grayed for them; and
    a photo found in a subfolder of the folder opened is saved into that subfolder, yet the
    example named the folder chosen."""
    scans = tmp_path / "scans"
    webp = SaveOptionsDialog(SaveOptions(), [scans / "a.webp"])
    qtbot.addWidget(webp)
    assert webp.quality.isEnabled() and webp.quality.suffix() == " (WebP)"
    out = tmp_path / "out"
    both = SaveOptionsDialog(
        SaveOptions(folder=out), [scans / "1920s" / "b.jpg", scans / "a.webp"], None, [scans, None]
    )
    qtbot.addWidget(both)
    assert both.quality.suffix() == " (JPEG, WebP)"
    assert both.example.text() == (f"b_colorized.jpg (in {out / '1920s'}), and 1 more named alike")
    both.format_combo.setCurrentIndex(both.format_combo.findData("png"))
    assert not both.quality.isEnabled()


def test_no_ending_into_the_photos_own_folder_is_refused_saying_why(qtbot, tmp_path):
    """A trial chose "In this folder", typed the scans' own folder and cleared the ending: each
    Save All wrote scan-2.jpg, then scan-2-2.jpg, beside every scan, and they came back as
    photos when the folder was opened again."""
    from colorizer_app.gui.save_options import OWN_FOLDER

    scans = tmp_path / "scans"
    (scans / "1920s").mkdir(parents=True)
    photos = [scans / "a.jpg", scans / "1920s" / "b.jpg"]
    dialog = SaveOptionsDialog(SaveOptions(), photos, None, [scans, scans])
    qtbot.addWidget(dialog)
    dialog.in_folder.setChecked(True)
    dialog.folder_edit.setText(str(scans) + "/")
    dialog.suffix_edit.setText("")
    assert not dialog.save_button.isEnabled()
    assert dialog.suffix_note.text() == OWN_FOLDER and not dialog.suffix_note.isHidden()
    dialog.suffix_edit.setText("_colour")  # an ending: beside the originals, told apart
    assert dialog.save_button.isEnabled()
    dialog.suffix_edit.setText("")
    dialog.folder_edit.setText(str(tmp_path / "colour"))  # another folder: the names kept
    assert dialog.save_button.isEnabled()
    assert dialog.example.text().startswith(f"a.jpg (in {tmp_path / 'colour'})")
    # a photo opened by itself: its own folder is the one it lies in
    one = SaveOptionsDialog(SaveOptions(folder=scans / "1920s", suffix=""), [photos[1]])
    qtbot.addWidget(one)
    assert not one.save_button.isEnabled() and one.suffix_note.text() == OWN_FOLDER


def test_a_read_only_subfolder_is_named_before_the_replace_question(
    qtbot, window, photo_dir, tmp_path
):
    """A review: saving a folder of scans keeps its subfolders, and each was judged by the
    folder chosen, so a read-only out/more failed later, photo by photo; and the Replace
    question came first, asked of a copy that could not be replaced anyway."""
    import subprocess

    import pytest

    window.add_paths([photo_dir])
    wait_scanned(window)
    wait_idle(qtbot, window)
    out = tmp_path / "out"
    (out / "more").mkdir(parents=True)
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(out / "more")]).returncode != 0:
        pytest.skip("a read-only drive cannot be mounted here (needs root)")
    try:
        (out / "more" / "photo2_colorized.png").write_bytes(b"an earlier copy")
        subprocess.run(["mount", "-o", "remount,ro", str(out / "more")], check=True)
        warnings: list[str] = []
        watching = [True]
        QTimer.singleShot(0, lambda: _answer_warnings(warnings, watching))
        try:
            queued = window.save_all(SaveOptions(folder=out, fmt="png"))
            wait_idle(qtbot, window)
            qtbot.wait(300)
        finally:
            watching[0] = False
        assert queued == 2, warnings  # photo0 and photo1 beside out/more
        assert len(warnings) == 1 and "Replace" not in warnings[0], warnings
        assert warnings[0].startswith(
            f"Cannot save 1 photo of 3: {out / 'more'} is on a drive that cannot be written"
        ), warnings
        assert sorted(p.name for p in out.glob("*.png")) == [
            "photo0_colorized.png",
            "photo1_colorized.png",
        ]
        assert (out / "more" / "photo2_colorized.png").read_bytes() == b"an earlier copy"
    finally:
        subprocess.run(["umount", str(out / "more")], check=True)


def test_a_format_the_settings_name_that_the_dialog_lacks_opens_as_same_as_original(qtbot):
    """A review: save/format=webp in the settings file (edited, or from a later version) raised
    in the dialog, and Save did nothing, every time."""
    dialog = SaveOptionsDialog(SaveOptions(fmt="webp"), [Path("a.jpg")])
    qtbot.addWidget(dialog)
    assert dialog.format_combo.currentData() == "same"


def test_clear_list_during_a_save_all_leaves_the_saves_to_finish(
    qtbot, window, photo_dir, tmp_path
):
    """A review: Clear List cancelled every save still queued, and the status said "Saved 2
    photos" of the 5 asked for, as if that were all."""
    import threading

    window.add_paths([photo_dir])
    wait_scanned(window)
    wait_idle(qtbot, window)
    first_saved, go_on = threading.Event(), threading.Event()

    def hold(*_args):  # on the worker's thread: the first copy written, the rest still queued
        if not first_saved.is_set():
            first_saved.set()
            go_on.wait(60)

    window.worker.saved.connect(hold, Qt.ConnectionType.DirectConnection)
    out = tmp_path / "out"
    assert window.save_all(SaveOptions(folder=out, fmt="png")) == 3
    qtbot.waitUntil(first_saved.is_set, timeout=60_000)
    window.clear_all()
    go_on.set()
    wait_idle(qtbot, window)
    assert window.photos.items == []
    assert sorted(p.name for p in out.rglob("*.png")) == [
        "photo0_colorized.png",
        "photo1_colorized.png",
        "photo2_colorized.png",
    ]


@pytest.mark.parametrize(
    "folder",
    [
        "Family scans/Grandmother Margaret's album 1950s/colourised copies, second try",
        "archive_2026/box_14_of_60/negatives_scanned_at_2400dpi/colourised_for_the_exhibition",
    ],
    ids=["spaces", "no-spaces"],
)
def test_a_long_folder_typed_does_not_widen_the_dialog_off_the_screen(qtbot, tmp_path, folder):
    """A keyboard trial typed a long folder: the dialog grew wider with each letter (its 'Saved
    as' line never wrapped) until Save, Cancel and Choose… were off a 1366 px screen. The line
    now wraps, at spaces and after each '/', and the dialog keeps its width."""
    scans = [tmp_path / f"scan{i:03d}.jpg" for i in range(17)]
    dialog = SaveOptionsDialog(SaveOptions(), scans)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    width = dialog.sizeHint().width()
    qtbot.keyClicks(dialog.folder_edit, str(tmp_path / folder))
    assert dialog.in_folder.isChecked()
    assert dialog.example.text().startswith(f"scan000_colorized.jpg (in {tmp_path / folder})")
    assert dialog.sizeHint().width() <= width + 10, (width, dialog.sizeHint().width())
    qtbot.wait(50)  # as shown, without anything resizing it (at 200% the lines were cut)
    label = dialog.example
    assert label.width() < label.fontMetrics().horizontalAdvance(label.text())  # it wraps ...
    assert label.height() >= 2 * label.fontMetrics().height()  # ... onto lines that show
    tall = dialog.height()
    dialog.folder_edit.setText(str(tmp_path / "out"))  # one line again: no empty band left
    qtbot.wait(50)
    assert dialog.height() < tall
