"""The desktop app as a person uses it: drop, colorize, compare, saturation, save, cancel."""

import hashlib
import time
import warnings

import numpy as np
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from colorizer_app.gui.photo_list import PhotoState
from colorizer_app.gui.qimage import from_qimage
from colorizer_app.gui.save_options import SaveOptions

from .conftest import WorkerGate, wait_idle, wait_scanned


def drop(win, paths):
    """What a drag from the file manager delivers: a drag-enter, then the drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(200, 200), *args)
    QApplication.sendEvent(win, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(win, QDropEvent(QPointF(200, 200), *args))
    wait_scanned(win)


def states(win):
    return {it.path.name: it.state for it in win.photos.items}


def digest(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def test_drop_a_folder_colorize_compare_and_save(qtbot, window, photo_dir, tmp_path):
    before = digest(photo_dir)
    assert window.models.model_combo.currentText() == "tiny (yours)"
    drop(window, [photo_dir])
    assert len(window.photos.items) == 4  # the subfolder too
    drop(window, [photo_dir / "photo0.jpg"])
    assert len(window.photos.items) == 4  # no duplicates
    wait_idle(qtbot, window)
    s = states(window)
    assert s["broken.jpg"] == PhotoState.FAILED
    assert all(s[f"photo{i}.jpg"] == PhotoState.DONE for i in range(3))
    broken = next(it for it in window.photos.items if it.path.name == "broken.jpg")
    assert "broken.jpg" in broken.error and "not an image" in broken.error
    tip = window.photos.data(
        window.photos.index(window.photos.row_of(broken)), Qt.ItemDataRole.ToolTipRole
    )
    assert "not an image" in tip
    assert (
        "tiny" in window.models.device_label.text() and "CPU" in window.models.device_label.text()
    )

    # compare view: original left of the divider, colour right of it
    photo0 = next(it for it in window.photos.items if it.path.name == "photo0.jpg")
    window.list_view.setCurrentIndex(window.photos.index(window.photos.row_of(photo0)))
    view = window.view
    qtbot.waitUntil(lambda: view.colorized is not None)
    qtbot.mouseClick(
        view, Qt.MouseButton.LeftButton, pos=QPoint(int(view.width() * 0.3), view.height() // 2)
    )
    qtbot.mousePress(
        view, Qt.MouseButton.LeftButton, pos=QPoint(int(view.divider_x()), view.height() // 2)
    )
    qtbot.mouseMove(view, QPoint(int(view.width() * 0.7), view.height() // 2))
    qtbot.mouseRelease(
        view, Qt.MouseButton.LeftButton, pos=QPoint(int(view.width() * 0.7), view.height() // 2)
    )
    assert abs(view.divider - 0.7) < 0.02
    shot = from_qimage(view.grab().toImage()).astype(int)
    view.setFocus()
    qtbot.keyPress(view, Qt.Key.Key_Space)  # hold Space: the whole original
    original_only = from_qimage(view.grab().toImage()).astype(int)
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    y, w = view.height() // 2, view.width()
    left = np.s_[y - 20 : y + 20, int(w * 0.4) : int(w * 0.6)]
    right = np.s_[y - 20 : y + 20, int(w * 0.75) : int(w * 0.85)]
    assert np.array_equal(shot[left], original_only[left])  # left of the divider: the original
    assert np.abs(shot[right] - original_only[right]).mean() > 3  # right of it: colorized
    # arrow keys move the divider
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert abs(view.divider - 0.68) < 0.005

    # saturation re-renders at once without running the network
    runs = window.worker.network_runs
    before_img = from_qimage(view.colorized)
    window.options.saturation.setValue(0)
    after_img = from_qimage(view.colorized)
    assert window.worker.network_runs == runs
    assert not np.array_equal(before_img, after_img)
    assert np.abs(after_img[..., 0].astype(int) - after_img[..., 2]).mean() < 2  # gray now
    window.options.saturation.setValue(100)

    # Save All to a folder: full size, originals unchanged
    out = tmp_path / "out"
    assert window.save_all(SaveOptions(folder=out, fmt="png")) == 3
    wait_idle(qtbot, window)
    for i in range(3):
        src = next(photo_dir.rglob(f"photo{i}.jpg"))
        saved = out / src.parent.relative_to(photo_dir) / f"photo{i}_colorized.png"  # more/ too
        assert saved.is_file()
        assert Image.open(saved).size == Image.open(src).size
    assert digest(photo_dir) == before
    assert window.status_label.text() == f"Saved 3 photos in {out} and its subfolders"
    # saving again asks; "No" keeps the earlier outputs
    stamp = (out / "photo0_colorized.png").stat().st_mtime_ns
    assert window.save_all(SaveOptions(folder=out, fmt="png", overwrite=False)) == 0
    assert (out / "photo0_colorized.png").stat().st_mtime_ns == stamp


def test_zoom_and_side_by_side_keep_register(qtbot, window, photo_dir):
    drop(window, [photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    view = window.view
    qtbot.waitUntil(lambda: view.colorized is not None)
    center = QPointF(view.width() / 2, view.height() / 2)
    point_before = view.image_point(center)
    view.zoom_by(2.0, center)
    assert abs(view.image_point(center).x() - point_before.x()) < 1e-6  # zoom about the cursor
    window.actions_by_name["actual"].trigger()
    assert abs(view.zoom_percent() - 100) < 1
    window.actions_by_name["fit"].trigger()
    window.actions_by_name["side"].trigger()
    assert view.side_by_side
    left = QPointF(view.width() / 4, view.height() / 2)
    right = QPointF(view.width() * 3 / 4, view.height() / 2)
    assert abs(view.image_point(left).x() - view.image_point(right).x()) < 1e-6


def many_photos(folder, sources, count):
    folder.mkdir()
    for i, src in enumerate(sorted(sources.glob("*.jpg"))[:count]):
        Image.open(src).save(folder / f"scan{i:02d}.jpg")
    return folder


def test_cancel_mid_batch(qtbot, window, photo_dir, tmp_path, data_dir):
    gate = WorkerGate(window.worker)  # the worker waits after its first photo
    drop(window, [many_photos(tmp_path / "many", data_dir / "bsds500" / "test", 30)])
    qtbot.waitUntil(gate.first_done.is_set, timeout=30_000)
    window.cancel_button.click()
    gate.release()
    wait_idle(qtbot, window)
    s = states(window)
    done = sum(v == PhotoState.DONE for v in s.values())
    assert done == 1  # the photo under way finishes; every queued one is skipped
    assert all(v in (PhotoState.DONE, PhotoState.ADDED) for v in s.values())
    # a cancelled photo can be colorized later
    window.colorize_all()
    wait_idle(qtbot, window)
    assert all(v == PhotoState.DONE for v in states(window).values())


def test_closing_during_a_batch_asks_then_stops_the_worker(qtbot, window, tmp_path, data_dir):
    gate = WorkerGate(window.worker)  # the batch is surely still running when we close
    drop(window, [many_photos(tmp_path / "many", data_dir / "bsds500" / "val", 40)])
    qtbot.waitUntil(gate.first_done.is_set, timeout=30_000)
    answers = []

    def answer(button):
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            answers.append(box.text())
            if button == QMessageBox.StandardButton.Yes:
                gate.release()  # stopping must not wait on the held worker
            box.button(button).click()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(300, lambda: answer(QMessageBox.StandardButton.No))
    window.close()
    assert window.isVisible() and answers and "Stop and quit" in answers[0]
    QTimer.singleShot(300, lambda: answer(QMessageBox.StandardButton.Yes))
    window.close()
    assert not window.isVisible()
    assert window.host.thread.isFinished()


def test_the_quit_question_keeps_up_with_the_batch_and_quits_once_it_ends(
    qtbot, window, tmp_path, data_dir
):
    """Found by the new-user trial: the question kept the count it opened with, and went on
    asking after the batch had ended. It now counts down and, with nothing left, quits."""
    from PySide6.QtCore import QTimer

    window.resize(1024, 700)  # a small laptop's screen: the status bar is crowded
    gate = WorkerGate(window.worker)
    drop(window, [many_photos(tmp_path / "many", data_dir / "bsds500" / "val", 30)])
    qtbot.waitUntil(gate.first_done.is_set, timeout=30_000)
    seen: list[str] = []
    room: list[int] = []  # the progress bar's width less its words' (the status bar squeezed it)
    started = time.monotonic()

    def look() -> None:
        bar = window.progress
        if bar.isVisible() and "s left" in bar.text():  # as a batch of a shoebox's scans reads
            room.append(bar.width() - bar.fontMetrics().horizontalAdvance("76/380 · 59 s left"))
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            if not seen or seen[-1] != box.text():
                seen.append(box.text())
            gate.release()  # the batch goes on while the question is open
            if time.monotonic() - started > 90:  # the old box never moves: answer No
                box.button(QMessageBox.StandardButton.No).click()

    # A timer of the window's own: it cannot fire into a window the next test has deleted.
    watch = QTimer(window)
    watch.timeout.connect(look)
    watch.start(50)
    window.close()
    watch.stop()
    counts = [int(text.split()[0]) for text in seen]
    assert seen and "photos are still being colorized or saved" in seen[0] and counts[0] >= 20
    assert "No copy is left half-written" in seen[0]
    assert len(counts) > 1 and counts == sorted(counts, reverse=True)  # it fell while open
    assert not window.isVisible()  # the batch ended: the question answered itself
    assert window.pending_jobs == 0
    assert all(it.result is not None for it in window.photos.items)  # nothing was dropped
    assert room and min(room) > 0  # its words whole, not broken over two lines and cut off


def test_a_model_that_fails_to_load_leaves_the_app_usable(qtbot, window, photo_dir, tmp_path):
    from colorizer_app.core.paths import user_models_dir

    bad = user_models_dir() / "broken-model.pt"
    bad.write_bytes(b"garbage")
    window.models.refresh()
    window.models.model_combo.setCurrentIndex(
        window.models.model_combo.findText("broken-model (yours)")
    )
    drop(window, [photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    item = window.photos.items[0]
    assert item.state == PhotoState.FAILED and "broken-model.pt" in item.error
    assert "not a Colorizer model file" in window.status_label.text()
    window.models.model_combo.setCurrentIndex(window.models.model_combo.findText("tiny (yours)"))
    window.colorize_all()
    wait_idle(qtbot, window)
    assert window.photos.items[0].state == PhotoState.DONE


def test_a_gpu_out_of_memory_while_loading_fails_the_photo_and_ends_the_batch(
    qtbot, window, photo_dir, monkeypatch
):
    """A review: an error at load that is not the app's own (CUDA out of memory, a
    MemoryError) escaped the worker's slot, leaving the photo "colorizing" and the progress
    bar, Cancel and Quit waiting for ever. No GPU here: the load is made to fail as CUDA's
    does."""
    from colorizer_app.engine import colorizer

    def out_of_memory(*_args, **_kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    window.models.model_combo.setCurrentIndex(window.models.model_combo.findText("tiny (yours)"))
    monkeypatch.setattr(colorizer.Colorizer, "__init__", out_of_memory)
    window.worker._colorizer = None  # loaded again for the next photo, as after a new choice
    drop(window, [photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    item = window.photos.items[0]
    assert item.state == PhotoState.FAILED and "out of memory" in item.error
    assert "choose Device: CPU" in item.error
    assert not window.batch.pending
    monkeypatch.undo()
    window.colorize_all()
    wait_idle(qtbot, window)
    assert window.photos.items[0].state == PhotoState.DONE


def test_a_model_chosen_mid_batch_colours_the_photos_still_waiting(qtbot, window, photo_dir):
    """A review: the photos queued before another model was chosen were coloured with the
    model before, never again, and saved so under the new one's name."""
    import shutil

    from colorizer_app.core.paths import user_models_dir

    from .conftest import WorkerGate

    shutil.copy(user_models_dir() / "tiny.pt", user_models_dir() / "other.pt")
    window.models.refresh()
    combo = window.models.model_combo
    combo.setCurrentIndex(combo.findText("tiny (yours)"))
    gate = WorkerGate(window.worker)
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg", photo_dir / "more"])
    qtbot.waitUntil(gate.first_done.is_set, timeout=60_000)
    combo.setCurrentIndex(combo.findText("other (yours)"))
    gate.release()
    wait_idle(qtbot, window)
    assert [it.result.model_name for it in window.photos.items] == ["other"] * 3


def test_the_model_in_use_deleted_is_followed_by_the_worker_and_said(qtbot, window, photo_dir):
    """A review: the model in use renamed or deleted in the models folder, the chooser showed
    the first entry while the worker went on with the old file."""
    import shutil

    from colorizer_app.core.paths import user_models_dir

    family = user_models_dir() / "family.pt"
    shutil.copy(user_models_dir() / "tiny.pt", family)
    window.models.refresh()
    combo = window.models.model_combo
    combo.setCurrentIndex(combo.findText("family (yours)"))
    asked: list[str] = []
    window.worker.model_requested.connect(
        lambda model, _device: asked.append(model), Qt.ConnectionType.DirectConnection
    )
    said: list[str] = []
    window.models.status.connect(said.append)
    family.unlink()
    window.models.models_changed(str(family))
    assert combo.currentText() == "tiny (yours)"
    assert asked and asked[-1] == combo.currentData() and "family" not in asked[-1]
    assert said == [
        "The model in use is no longer in the models folder; colorizing with tiny (yours) "
        "from now on."
    ]
    drop(window, [photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    assert window.photos.items[0].result.model_name == "tiny"


def test_a_folder_joins_the_list_without_its_photos_stated_on_the_window(
    qtbot, window, photo_dir, monkeypatch
):
    """A review: each photo a scan found had its real path worked out on the window's thread,
    a stat per folder level (a folder of 200 on a share: 1,200 stats), and again for each
    thumbnail and pin store answer."""
    import os
    import threading
    import traceback

    from .conftest import wait_scanned

    photos_there = {str(p) for p in photo_dir.rglob("*.jpg")}
    on_window: list[str] = []  # who asked, on the window's thread
    realpath = os.path.realpath

    def noted(path, *args, **kwargs):
        if str(path) in photos_there and threading.current_thread() is threading.main_thread():
            on_window.extend(f.filename for f in traceback.extract_stack(limit=4)[:-1])
        return realpath(path, *args, **kwargs)

    monkeypatch.setattr(os.path, "realpath", noted)
    window.add_paths([photo_dir])
    wait_scanned(window)
    wait_idle(qtbot, window)
    assert len(window.photos.items) == 4
    first = next(it for it in window.photos.items if it.path.name == "photo0.jpg")
    assert window.photos.item_for_path(photo_dir / "photo0.jpg") is first
    # the shown photo's Restore switches are looked up for it alone; the list stats nothing
    assert not [f for f in on_window if f.endswith(("photo_list.py", "photo_intake.py"))]


def test_the_model_in_use_renamed_stays_in_use_and_nothing_is_coloured_again(
    qtbot, window, photo_dir
):
    """A trial renamed the model in use in the Advanced panel: the chooser jumped to the
    built-in model and every photo was coloured again with it."""
    import shutil

    from colorizer_app.core.paths import user_models_dir
    from colorizer_app.engine.user_models import rename_user_model

    shutil.copy(user_models_dir() / "tiny.pt", user_models_dir() / "tune20.pt")
    window.models.refresh()
    combo = window.models.model_combo
    combo.setCurrentIndex(combo.findText("tune20 (yours)"))
    drop(window, [photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    runs = window.worker.network_runs
    before = str(user_models_dir() / "tune20.pt")
    after = rename_user_model("tune20", "family 70s")
    window._models_changed(str(after), before)  # as the panel's Rename says it
    assert combo.currentText() == "family 70s (yours)" and combo.currentData() == str(after)
    wait_idle(qtbot, window)
    assert window.worker.network_runs == runs  # the same weights: nothing coloured again
    window.colorize_all()
    wait_idle(qtbot, window)
    assert window.photos.items[0].result.model_name == "family 70s"


def test_a_photo_with_something_to_say_shows_it_in_the_list(qtbot, window, tmp_path):
    """A two-page TIFF is colorized from its first page, and the list says so."""
    gray = Image.fromarray(np.tile(np.arange(0, 256, 2, dtype=np.uint8), (96, 1)))
    path = tmp_path / "two_pages.tif"
    gray.save(path, save_all=True, append_images=[gray.rotate(90)])
    drop(window, [path])
    wait_idle(qtbot, window)
    item = window.photos.items[0]
    assert item.state == PhotoState.DONE
    index = window.photos.index(0)
    assert "with a note" in window.photos.data(index, Qt.ItemDataRole.DisplayRole)
    assert "first page of 2" in window.photos.data(index, Qt.ItemDataRole.ToolTipRole)
    # And under the photo, without hovering anything (a trial found it only in the tooltip).
    view = window.view
    assert "first page of 2" in view.note
    with_note = from_qimage(view.grab().toImage())
    view.note = ""
    without = from_qimage(view.grab().toImage())
    foot = np.abs(with_note[-40:].astype(int) - without[-40:]).sum(axis=2) > 60
    assert foot.mean() > 0.01 and not (with_note[:-40] != without[:-40]).any()
    gray.save(tmp_path / "one_page.png")
    drop(window, [tmp_path / "one_page.png"])
    wait_idle(qtbot, window)
    window.list_view.setCurrentIndex(window.photos.index(1))
    assert window.photos.items[1].result is not None and view.note == ""  # nothing to say
    window.list_view.setCurrentIndex(window.photos.index(0))
    assert "first page of 2" in view.note


def test_about_shows_the_loaded_models_story_sent_by_the_worker(qtbot, window, photo_dir):
    """The worker reads the model file; the GUI thread only shows what it sent."""
    assert window.models.provenance == ""
    drop(window, [photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    assert "preset tiny" in window.models.provenance
    assert "tiny_a" in window.models.provenance  # its fused classifiers


def test_a_pasted_image_becomes_a_png_in_the_app_data_and_is_colorized(qtbot, window, photo_dir):
    """Edit > Paste with an image (not a file) on the clipboard."""
    QApplication.clipboard().setImage(QImage(str(photo_dir / "photo0.jpg")))
    window.intake.paste()
    wait_idle(qtbot, window)
    [item] = window.photos.items
    assert item.path.suffix == ".png" and item.path.parent.name == "pasted"
    with Image.open(item.path) as pasted, Image.open(photo_dir / "photo0.jpg") as source:
        assert pasted.format == "PNG" and pasted.size == source.size
    assert item.state == PhotoState.DONE


def test_two_images_pasted_within_a_second_keep_a_file_each(qtbot, window):
    """A review: both pastes took pasted-<second>.png, the second written over the first
    photo's file (and then refused as already in the list)."""
    blue, red = (
        QImage(40, 30, QImage.Format.Format_RGB32),
        QImage(40, 30, QImage.Format.Format_RGB32),
    )
    blue.fill(QColor("#2040c0"))
    red.fill(QColor("#c02020"))
    window.intake.add_image(blue)
    window.intake.add_image(red)
    wait_idle(qtbot, window)
    paths = sorted(it.path for it in window.photos.items)
    assert len(paths) == 2 and paths[0] != paths[1]
    colours = sorted(tuple(np.asarray(Image.open(p).convert("RGB"))[0, 0]) for p in paths)
    assert colours == [(32, 64, 192), (192, 32, 32)]


def test_a_long_status_message_is_shortened_with_its_whole_text_in_the_tooltip(window):
    """A message naming a file deep in an archive: cut off mid-word before, the end (what to
    do) unreadable."""
    label = window.status_label
    folder = "/home/someone/Pictures/The family archive from grandmother's attic/" * 3
    message = f"Could not read {folder}1952 summer.jpg: not an image. Open it in another program."
    label.setText(message)
    QApplication.processEvents()
    shown = label.shown_text()
    assert label.text() == message and shown != message and "…" in shown
    assert shown.startswith("Could not read") and shown.endswith("another program.")
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.toolTip() == message
    assert window.width() <= 1100  # the window did not grow to hold it
    label.setText("Added 3 photos.")
    assert label.shown_text() == "Added 3 photos." and label.toolTip() == ""
    # A message of two lines is drawn as one, not as two lines over one another.
    label.setText("Could not save photo0.jpg:\nthe disk is full")
    assert label.shown_text() == "Could not save photo0.jpg: the disk is full"
    assert label.toolTip() == ""


def test_a_long_notice_keeps_what_to_do_and_its_whole_text_in_the_tooltip(window):
    """A review: a notice (photos left out by their names, a recent place gone) was drawn by the
    status bar clipped at its right, where it says what to do, with no way to read the rest."""
    bar = window.statusBar()
    names = ", ".join(f"grandma_{i}_colorized.jpg" for i in range(12))
    text = f"Left out 12 photos whose names end in _colorized (e.g. {names}); open them by name."
    window.intake.notice.emit(text)
    QApplication.processEvents()
    shown = bar.currentMessage()
    assert shown != text and "…" in shown and shown.endswith("open them by name.")
    assert bar.fontMetrics().horizontalAdvance(shown) <= window.status_label.width()
    assert bar.toolTip() == text
    bar.clearMessage()  # the person's next act answers over it; the tooltip goes with it
    assert bar.toolTip() == ""


def test_an_empty_list_offers_nothing_to_act_on_and_a_cleared_one_shows_no_photo(
    qtbot, window, photo_dir
):
    """From a trial: Remove and Clear were offered on a window just opened, the Restore panel
    kept the last photo's preview and switches after Clear List, and Save on a photo that could
    not be read said to colorize it first."""
    a = window.actions_by_name
    assert not any(a[name].isEnabled() for name in ("remove", "clear", "colorize", "save"))
    # Nothing shown, so no zoom figure (a trial saw "100%" over an empty view), and the view
    # names both ways in, a folder of scans too.
    assert window.zoom_label.text() == ""
    assert "Ctrl+O" in window.view.placeholder and "Ctrl+Shift+O" in window.view.placeholder
    window.add_paths([photo_dir / "photo0.jpg"])
    wait_scanned(window)
    wait_idle(qtbot, window)
    assert window.zoom_label.text().endswith("%")
    panel = window.restore_panel
    assert panel.path is not None and panel.switches["scratches"].isEnabled()
    window.clear_all()
    assert window.zoom_label.text() == ""
    assert panel.path is None and not panel.switches["scratches"].isEnabled()
    assert panel.picture.pixmap().isNull() and panel.picture.text() == "Choose a photo"
    assert not a["remove"].isEnabled()
    window.add_paths([photo_dir / "broken.jpg"])
    wait_scanned(window)
    wait_idle(qtbot, window)
    assert window.save_selected() == 0
    text = window.status_label.text()
    assert text.startswith("Nothing to save: broken.jpg could not be colorized")
    assert "not an image" in text


def test_before_and_after_are_named_side_by_side_too(qtbot):
    """A trial found the labels gone when Ctrl+B put the photos side by side."""
    from colorizer_app.gui.compare_view import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    dark = QImage(400, 300, QImage.Format.Format_RGB888)
    dark.fill(0)
    view.set_images(dark, dark.copy(), 400)
    for side_by_side in (False, True):
        view.side_by_side = side_by_side
        view.update()
        QApplication.processEvents()
        shown = from_qimage(view.grab().toImage())
        # White text on the black photo in both top corners: "Before" and "After".
        assert shown[4:30, 5:70].max() > 200 and shown[4:30, -70:-5].max() > 200, side_by_side


def test_a_note_cut_short_at_the_foot_of_a_narrow_view_is_shown_whole_on_hover(qtbot):
    """The note band is shortened with "…" to fit the view; hovering it shows all of it (it
    was only in the list's tooltip, where a person looking at the photo does not look)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    from colorizer_app.gui.compare_paint import note_band
    from colorizer_app.gui.compare_view import CompareView

    view = CompareView()
    qtbot.addWidget(view)
    view.resize(640, 400)
    view.show()
    gray = QImage(400, 300, QImage.Format.Format_RGB888)
    gray.fill(0x808080)
    view.set_images(gray, gray.copy(), 400)
    # Wider than the view on one line: it wraps and shows whole, within the view (at 200% the
    # pale photo's advice, "Colour makes it bolder", was cut to "…" on one line).
    view.note = (
        "unsure of its colours, the model left it near gray: Colour makes it bolder, pins (H) "
        "add what you know"
    )
    metrics = view.fontMetrics()
    assert metrics.horizontalAdvance(f"Note: {view.note}") > view.width() - 40
    band, text = note_band(metrics, view.rect(), view.note)
    assert "…" not in text and text.replace("\n", " ") == f"Note: {view.note}"
    assert 2 <= len(text.splitlines()) <= 3 and view.rect().contains(band.toRect())
    # Too long for three lines at this width: shortened, and hovering shows all of it.
    part, room = "first page of 2 only, already in colour or toned (sepia)", view.width() - 40
    view.note = "; ".join([part] * (4 * room // metrics.horizontalAdvance(part) + 4))
    band, text = note_band(metrics, view.rect(), view.note)
    assert text.endswith("…") and len(text.splitlines()) == 3
    centre = band.center().toPoint()
    QApplication.sendEvent(view, QHelpEvent(QEvent.Type.ToolTip, centre, view.mapToGlobal(centre)))
    assert QToolTip.text() == f"Note: {view.note}"
    QToolTip.hideText()


def test_a_symlink_loop_in_a_folder_keeps_no_photo_off_the_list(qtbot, window, photo_dir):
    """A review: one link to itself (loop.jpg -> loop.jpg) made the list's Path.resolve raise
    RuntimeError, so none of the folder's photos were added and the status stayed on "Looking
    for photos…". It is listed (and fails, saying why); the rest are colorized."""
    import os

    os.symlink("loop.jpg", photo_dir / "loop.jpg")
    window.add_paths([photo_dir])
    wait_scanned(window)
    wait_idle(qtbot, window)
    items = {it.path.name: it for it in window.photos.items}
    assert items["photo0.jpg"].state == PhotoState.DONE
    assert (
        items["loop.jpg"].state == PhotoState.FAILED and "symlink loop" in items["loop.jpg"].error
    )


def test_a_photo_opened_later_is_the_one_shown(qtbot, window, photo_dir):
    """A trial opened one more photo (File > Open Photos) while looking at another: it was
    added at the end of the list, out of sight, and the view stayed where it was."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_scanned(window)
    wait_idle(qtbot, window)
    assert window.current_item().path.name == "photo0.jpg"
    window.add_paths([photo_dir / "more" / "photo2.jpg"])
    wait_scanned(window)
    wait_idle(qtbot, window)
    shown = window.current_item()
    assert shown.path.name == "photo2.jpg" and window.selected_items() == [shown]
    assert window.view.colorized is not None and window.view.full_width == shown.result.full_size[0]


def test_open_starts_where_the_photos_came_from(qtbot, window, photo_dir, tmp_path, monkeypatch):
    """A keyboard trial started the app on a folder of scans and Ctrl+O opened the home
    folder. Open and Open Folder now start where the photos last added are, however they came
    (the command line, a drop, a dialog)."""
    from PySide6.QtWidgets import QFileDialog

    starts: list[str] = []

    def chooser(_parent, _title, start, *_rest):  # the dialog a person would see, answered
        starts.append(start)
        return ([], "") if _rest else ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", chooser)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", chooser)
    window.add_paths([photo_dir])  # as from the command line: a folder
    wait_scanned(window)
    window.actions_by_name["open"].trigger()
    other = tmp_path / "elsewhere"
    other.mkdir()
    Image.new("RGB", (40, 30), (90, 90, 90)).save(other / "scan.png")
    drop(window, [other / "scan.png"])  # a photo dropped from another folder
    wait_scanned(window)
    window.actions_by_name["open_folder"].trigger()
    assert starts == [str(photo_dir), str(other)]


def test_a_notice_is_shortened_again_when_the_window_narrows(window):
    """A trial at 200%: the notice of the reopened list was shown as the window opened, the
    window then fitted itself to the screen, and the notice was cut off under the zoom figure:
    "…File > Clear List sta185%". It is shortened again to the bar's new width, and leaves room
    for the zoom figure that comes after it."""
    window.resize(1400, 500)
    QApplication.processEvents()
    bar = window.statusBar()
    text = (
        "Opened 12 photos; the 12 photos listed last time are set aside: File > Open Recent "
        "opens them again, File > Clear List starts empty."
    )
    window.intake.notice.emit(text)
    QApplication.processEvents()
    assert bar.currentMessage() == text  # room for all of it
    window.resize(700, 500)
    window.zoom_label.setText("185%")  # the first photo shown
    QApplication.processEvents()
    shown = bar.currentMessage()
    assert "…" in shown and shown.endswith("starts empty.") and bar.toolTip() == text
    left = window.zoom_label.geometry().left()
    assert bar.fontMetrics().horizontalAdvance(shown) < left, (shown, left)


def test_the_divider_handle_and_the_labels_can_be_seen_at_the_edges(qtbot, window, tmp_path):
    """A trial: the before/after line dragged to the right edge left its handle half off the
    view, and "After" in white was lost over a light photo."""
    light, dark = tmp_path / "light.png", tmp_path / "dark.png"
    Image.new("RGB", (400, 300), (250, 250, 250)).save(light)
    Image.new("RGB", (400, 300), (20, 20, 20)).save(dark)
    window.resize(1000, 700)
    window.add_paths([dark, light])
    wait_idle(qtbot, window)
    view = window.view
    window.list_view.setCurrentIndex(window.photos.index(0))  # the dark one
    qtbot.waitUntil(lambda: view.colorized is not None)
    view.divider = 1.0
    shown = from_qimage(view.grab().toImage())
    k = view.devicePixelRatioF()
    mid, right = int(view.height() / 2 * k), int(view.width() * k)
    assert shown[mid, right - int(14 * k)].min() > 180, "the handle's left half, inside the view"
    window.list_view.setCurrentIndex(window.photos.index(1))  # the light one
    qtbot.waitUntil(lambda: view.full_width == 400 and view.original.pixel(5, 5) != 0xFF141414)
    shown = from_qimage(view.grab().toImage())
    label = shown[int(6 * k) : int(30 * k), right - int(60 * k) : right - int(8 * k)]
    assert label.min() < 100 and label.max() > 240  # white letters on a dark edge
