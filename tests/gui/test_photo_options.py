"""Per-photo colour strength and detail, colour thumbnails, and a Clear List that can be undone."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from colorizer_app.core import lab
from colorizer_app.gui.photo_list import PhotoState
from colorizer_app.gui.qimage import from_qimage
from colorizer_app.gui.save_options import SaveOptions
from colorizer_app.gui.thumbnails import THUMB_SIDE

from .conftest import wait_idle


def _chroma(rgb: np.ndarray) -> float:
    ab = lab.rgb_to_lab(np.ascontiguousarray(rgb))[:, :, 1:]
    return float(np.hypot(ab[:, :, 0], ab[:, :, 1]).mean())


def _select(window, item):
    window.list_view.setCurrentIndex(window.photos.index(window.photos.row_of(item)))


def test_each_photo_keeps_its_own_strength_and_save_all_uses_it(qtbot, window, photo_dir, tmp_path):
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    first, second = window.photos.items
    _select(window, first)
    window.options.saturation.setValue(40)
    _select(window, second)
    assert window.options.saturation.value() == 100  # the second photo has its own, untouched
    window.options.saturation.setValue(160)
    _select(window, first)
    assert (
        window.options.saturation.value() == 40 and window.options.saturation_label.text() == "40%"
    )
    assert (first.strength, second.strength) == (0.4, 1.6)

    out = tmp_path / "out"
    assert window.save_all(SaveOptions(folder=out, fmt="png")) == 2
    wait_idle(qtbot, window)
    weak = np.asarray(Image.open(out / "photo0_colorized.png").convert("RGB"))
    strong = np.asarray(Image.open(out / "photo1_colorized.png").convert("RGB"))
    # each file at its own strength: compare against the photo's own colour at strength 1
    full0 = first.result.render(1.0)
    full1 = second.result.render(1.0)
    assert _chroma(weak) < 0.6 * _chroma(full0)
    assert _chroma(strong) > 1.3 * _chroma(full1)

    window.options.apply_strength_to_all()  # photo0's 40% for both
    assert (first.strength, second.strength) == (0.4, 0.4)


def test_thumbnails_show_the_colorized_photo_and_are_not_tinted_when_selected(
    qtbot, window, photo_dir
):
    window.add_paths([photo_dir / "photo0.jpg"])
    wait_idle(qtbot, window)
    item = window.photos.items[0]
    assert item.state == PhotoState.DONE
    thumb = from_qimage(item.thumbnail)
    # the colorized photo (at its strength), not the scan as loaded
    assert np.array_equal(thumb, item.result.render_thumbnail(THUMB_SIDE, 1.0))
    scan = np.asarray(
        Image.open(photo_dir / "photo0.jpg").convert("RGB").resize(thumb.shape[1::-1])
    )
    assert np.abs(thumb.astype(int) - scan).mean() > 3
    icon = window.photos.data(window.photos.index(0), Qt.ItemDataRole.DecorationRole)
    normal = from_qimage(icon.pixmap(96, 96, QIcon.Mode.Normal).toImage())
    selected = from_qimage(icon.pixmap(96, 96, QIcon.Mode.Selected).toImage())
    assert np.array_equal(normal, selected)
    window.options.saturation.setValue(0)  # the thumbnail follows the photo's strength
    assert _chroma(from_qimage(item.thumbnail)) < 1.5


def test_more_detail_colorizes_that_photo_again_at_a_larger_size(qtbot, window, photo_dir):
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    first, second = window.photos.items
    small = first.result.ab_small.shape
    runs = window.worker.network_runs
    _select(window, first)
    index = window.options.detail_combo.findData(640)
    window.options.detail_combo.setCurrentIndex(index)
    window.options.detail_combo.activated.emit(index)
    wait_idle(qtbot, window)
    assert window.worker.network_runs == runs + 1  # that photo only
    assert max(first.result.ab_small.shape[:2]) == 640 > max(small[:2])
    assert first.render_size == 640 and second.render_size == 0
    _select(window, second)
    assert window.options.detail_combo.currentData() == 0
    _select(window, first)
    assert window.options.detail_combo.currentData() == 640


def test_clear_list_can_be_undone_with_results_kept(qtbot, window, photo_dir, tmp_path):
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    window.status_label.setText("Saved to /somewhere/old")
    results = [it.result for it in window.photos.items]
    runs = window.worker.network_runs
    window.actions_by_name["clear"].trigger()
    assert window.photos.items == []
    assert "Cleared 2 photos" in window.status_label.text()  # not the old "Saved to"
    assert window.list_edits.undo_button.isVisible()
    undo = window.actions_by_name["undo"]  # Edit > Undo names it (its own entry then hidden)
    assert undo.isEnabled() and undo.text().replace("&", "") == "Undo Clear List"
    qtbot.mouseClick(window.list_edits.undo_button, Qt.MouseButton.LeftButton)
    assert [it.result for it in window.photos.items] == results
    assert all(it.state == PhotoState.DONE for it in window.photos.items)
    assert window.worker.network_runs == runs  # nothing colorized again
    assert window.view.colorized is not None
    assert not window.list_edits.undo_button.isVisible()
    # and saving still works from the restored results
    assert window.save_all(SaveOptions(folder=tmp_path / "out", fmt="png")) == 2
    wait_idle(qtbot, window)


def test_a_detail_chosen_for_a_waiting_photo_is_the_one_it_is_coloured_at(qtbot, window, photo_dir):
    """A review found a photo still in the queue coloured at the detail it had when queued,
    shown and saved as such under the new detail's name."""
    from .conftest import WorkerGate

    asked = []  # (photo, detail) as the colorize worker is asked
    window.worker.colorize_requested.connect(lambda _j, path, size, *_: asked.append((path, size)))
    gate = WorkerGate(window.worker)
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    qtbot.waitUntil(gate.first_done.is_set, timeout=60_000)  # photo1 waits in the queue
    second = next(it for it in window.photos.items if it.path.name == "photo1.jpg")
    window.selection.make_current(second)
    combo = window.options.detail_combo
    combo.setCurrentIndex(2)
    combo.activated.emit(2)  # "Most (640 px)"
    gate.release()
    wait_idle(qtbot, window)
    assert [size for path, size in asked if path.endswith("photo1.jpg")][-1] == 640
    assert second.render_size == 640 and second.result is not None


def test_a_detail_change_cancelled_goes_back_to_the_colour_shown(qtbot, window, photo_dir):
    """A trial chose "Most" for all its photos, then pressed Esc: those not yet coloured again
    showed no state and the new detail over their old colour, and Save All saved
    that colour under it. A cancelled photo keeps its colour and the detail it was made at."""
    from .conftest import WorkerGate

    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg", photo_dir / "more"])
    wait_idle(qtbot, window)
    assert len(window.photos.items) == 3
    gate = WorkerGate(window.worker)
    window.list_view.selectAll()
    combo = window.options.detail_combo
    combo.setCurrentIndex(2)
    combo.activated.emit(2)  # "Most (640 px)" for the three
    qtbot.waitUntil(gate.first_done.is_set, timeout=60_000)
    window.cancel()
    gate.release()
    wait_idle(qtbot, window)
    coloured = sorted((it.state.name, it.render_size, it.result.render_size)
                      for it in window.photos.items)  # fmt: skip
    assert coloured == [("DONE", 0, 0), ("DONE", 0, 0), ("DONE", 640, 640)], coloured
    for item in window.photos.items:  # what the Detail box says is what the photo shows
        _select(window, item)
        assert combo.currentData() == item.result.render_size


def test_after_a_detail_is_chosen_the_keys_go_back_to_the_list(qtbot, window, photo_dir):
    """A trial chose a Detail for its photos, then pressed End to reach the last photo: the
    keys were still in the Detail box, which went to "Most" for every selected photo and
    coloured them all again. Chosen, the keys go back to the list; a wheel turn over the box
    the keys are not in leaves it alone (a Model box turned so would colour every photo)."""
    from .test_training_panel import _wheel_down

    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg", photo_dir / "more"])
    wait_idle(qtbot, window)
    window.activateWindow()
    first = window.photos.items[0]
    _select(window, first)
    combo = window.options.detail_combo
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    combo.setCurrentIndex(1)
    combo.activated.emit(1)  # "More (448 px)", as a click in its list does
    qtbot.waitUntil(window.list_view.hasFocus)
    wait_idle(qtbot, window)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_End)
    assert window.current_item() is window.photos.items[-1]
    assert [it.render_size for it in window.photos.items] == [448, 0, 0]
    _wheel_down(combo)  # the last photo shown; the box does not have the keys
    assert combo.currentIndex() == 0 and not window.pending_jobs


def test_photos_of_one_name_in_two_folders_name_their_folders_in_the_list(
    qtbot, window, photo_dir, tmp_path
):
    """A trial's box held 1920s/scan001.jpg and 1950s/scan001.jpg: both read "scan001.jpg" in
    the list. Where names are shared the folder below the one opened is named too; the others,
    and the last of a name once its twin is removed, read as before."""
    import shutil

    box = tmp_path / "box"
    for decade in ("1920s", "1950s"):
        (box / decade).mkdir(parents=True)
        shutil.copy(photo_dir / ("photo0.jpg" if decade == "1920s" else "photo1.jpg"),
                    box / decade / "scan001.jpg")  # fmt: skip
    shutil.copy(photo_dir / "more" / "photo2.jpg", box / "1950s" / "scan002.jpg")
    window.add_paths([box])
    wait_idle(qtbot, window)
    photos = window.photos

    def names():
        return sorted(photos.data(photos.index(r)).split("\n")[0] for r in range(photos.rowCount()))

    assert names() == ["1920s/scan001.jpg", "1950s/scan001.jpg", "scan002.jpg"]
    twin = next(
        it for it in photos.items if it.path.parent.name == "1950s" and "001" in it.path.name
    )
    photos.remove_rows([photos.row_of(twin)])
    assert names() == ["scan001.jpg", "scan002.jpg"]
    # Two folders opened, each holding a scan001.jpg right inside it (a trial's box2 beside its
    # scans: both read "scan001.jpg"): each is named with its folder.
    (tmp_path / "box2").mkdir()
    shutil.copy(photo_dir / "photo1.jpg", tmp_path / "box2" / "scan001.jpg")
    shutil.copy(photo_dir / "photo0.jpg", tmp_path / "box2" / "scan003.jpg")
    window.clear_all()
    window.add_paths([box / "1920s", tmp_path / "box2"])
    wait_idle(qtbot, window)
    assert names() == ["1920s/scan001.jpg", "box2/scan001.jpg", "scan003.jpg"]


MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _ctrl_z(qtbot, window) -> None:
    qtbot.keyClick(window.list_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    # and Ctrl let go: Qt would take later clicks (and tests) for Ctrl+clicks
    qtbot.keyRelease(window.list_view, Qt.Key.Key_Control)
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier


def test_ctrl_z_takes_back_clear_list_and_then_the_pin_edit_before_it(qtbot, window, photo_dir):
    """A trial cleared the list, pressed Ctrl+Z, and nothing came back: Ctrl+Z knew only the
    shown photo's pins. It takes back the newest thing done, a list step or a pin edit."""
    from colorizer_app.core.hints import Hint

    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    first = window.photos.items[0]
    _select(window, first)
    window.pins.edit_hints(first, (Hint.pin(10, 10, "#2a55d8"),), "Add Pin")
    undo = window.actions_by_name["undo"]
    assert undo.text() == "&Undo Add Pin"
    window.actions_by_name["clear"].trigger()
    assert window.photos.items == [] and undo.isEnabled()
    assert undo.text() == "&Undo Clear List"
    _ctrl_z(qtbot, window)
    assert [it.path.name for it in window.photos.items] == ["photo0.jpg", "photo1.jpg"]
    assert first.hints and not window.list_edits.undo_button.isVisible()
    _select(window, first)
    assert undo.text() == "&Undo Add Pin"  # the step before it, next
    _ctrl_z(qtbot, window)
    assert first.hints == ()

    # a pin edit after a Remove is newer: Ctrl+Z takes the pin back first, then the Remove
    window.list_edits.remove_selected()  # photo0 off the list
    second = window.photos.items[0]
    _select(window, second)
    window.pins.edit_hints(second, (Hint.pin(5, 5, "#722f37"),), "Add Pin")
    undo.trigger()
    assert second.hints == () and len(window.photos.items) == 1
    assert undo.text() == "&Undo Remove"
    undo.trigger()
    assert len(window.photos.items) == 2


def test_a_waiting_photo_taken_off_and_put_back_is_colorized(qtbot, window, photo_dir):
    """A review: a photo removed while it waited to be colorized, then put back with Undo,
    showed "Loading…" for ever: its run was cancelled with it and nothing asked for another."""
    from .conftest import WorkerGate

    gate = WorkerGate(window.worker)
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg", photo_dir / "more"])
    qtbot.waitUntil(gate.first_done.is_set, timeout=60_000)
    waiting = next(
        it
        for it in window.photos.items
        if it.result is None and it.state in (PhotoState.QUEUED, PhotoState.COLORIZING)
    )
    _select(window, waiting)
    window.list_edits.remove_selected()
    gate.release()
    wait_idle(qtbot, window)
    assert waiting not in window.photos.items
    window.actions_by_name["undo"].trigger()
    assert waiting in window.photos.items
    wait_idle(qtbot, window)
    assert waiting.state == PhotoState.DONE and waiting.result is not None


def test_apply_colour_strength_to_all_can_be_undone(qtbot, window, photo_dir):
    """A trial's photo at 60% was set to 100% by Apply Colour Strength to All, and Ctrl+Z did
    nothing; each photo now gets its own back, the shown one with its slider."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg", photo_dir / "more"])
    wait_idle(qtbot, window)
    first, second, third = window.photos.items
    _select(window, first)
    window.options.saturation.setValue(60)
    _select(window, third)
    window.options.saturation.setValue(130)
    _select(window, second)
    window.options.apply_strength_to_all()
    assert [it.strength for it in (first, second, third)] == [1.0, 1.0, 1.0]
    assert "Ctrl+Z gives 2 photos back their own" in window.status_label.text()
    window.options.saturation.setValue(80)  # the shown one changed since: its own change
    _select(window, first)
    undo = window.actions_by_name["undo"]
    assert undo.text() == "&Undo Colour Strength"
    _ctrl_z(qtbot, window)
    assert [it.strength for it in (first, second, third)] == [1.0, 1.0, 1.0]
    assert undo.text() == "&Undo Colour Strength for All"
    _ctrl_z(qtbot, window)
    assert [it.strength for it in (first, second, third)] == [0.6, 1.0, 1.3]
    assert window.options.saturation.value() == 60  # the slider of the photo shown
    # each photo's own change is one step that the next one replaces: nothing more to undo
    assert not undo.isEnabled()


def test_ctrl_z_reaches_a_remove_done_before_an_undone_apply_strength_to_all(
    qtbot, window, photo_dir
):
    """A review found Ctrl+Z kept only the newest list step: with a Remove and then an Apply
    Colour Strength to All, undoing the second left the Remove out of reach."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg", photo_dir / "more"])
    wait_idle(qtbot, window)
    first, second, third = window.photos.items
    _select(window, first)
    window.list_edits.remove_selected()  # photo0 off the list
    _select(window, third)
    window.options.saturation.setValue(130)
    window.options.apply_strength_to_all()
    undo = window.actions_by_name["undo"]
    assert undo.text() == "&Undo Colour Strength for All"
    _ctrl_z(qtbot, window)
    assert third.strength == 1.3
    assert undo.text() == "&Undo Colour Strength"  # third's own 130%, done after the Remove
    _ctrl_z(qtbot, window)
    assert third.strength == 1.0
    assert undo.isEnabled() and undo.text() == "&Undo Remove"
    _ctrl_z(qtbot, window)
    assert first in window.photos.items and len(window.photos.items) == 3
    assert not undo.isEnabled()


def test_a_strength_change_is_undone_as_one_step_as_the_guide_says(qtbot, window, photo_dir):
    """A trial dragged the Colour slider, read "Too strong or wrong? Edit > Undo takes it back"
    in the guide, and found Undo grayed. A drag (or a run of Ctrl+Shift+Down) is one step."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    first, second = window.photos.items
    _select(window, first)
    undo = window.actions_by_name["undo"]
    assert not undo.isEnabled()
    slider = window.options.saturation
    for value in (110, 140, 179):  # one drag
        slider.setValue(value)
    assert first.strength == 1.79 and undo.text() == "&Undo Colour Strength"
    _select(window, second)
    window.list_view.setFocus()
    for _ in range(3):
        qtbot.keyClick(window.list_view, Qt.Key.Key_Down, MODIFIERS)
    qtbot.keyRelease(window.list_view, Qt.Key.Key_Shift)
    qtbot.keyRelease(window.list_view, Qt.Key.Key_Control)
    assert second.strength == pytest.approx(0.7)
    _ctrl_z(qtbot, window)
    assert second.strength == 1.0 and slider.value() == 100
    assert window.status_label.text() == "Colour strength back to 100%."
    assert first.strength == 1.79  # another photo's change: a step of its own, not this one's
    assert first.result.render(first.strength) is not None


def _menu_entry(window, menu_title: str, submenu: str, text: str):
    """The entry `text` of a submenu of the menu bar, read as a person opening it sees it."""
    menu = window.menus[menu_title]
    sub = next(a.menu() for a in menu.actions() if a.menu() and a.text() == submenu)
    sub.aboutToShow.emit()  # filled from its toolbar list as it opens
    return next(a for a in sub.actions() if a.text() == text), sub


def test_photo_detail_gives_the_shown_photos_detail_to_a_mixed_selection(qtbot, window, photo_dir):
    """A review: with one photo at Most and one at Standard selected, the first shown, Photo >
    Detail > Most did nothing, where the toolbar's list gives Most to both."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    first, second = window.photos.items
    _select(window, first)
    _menu_entry(window, "&Photo", "&Detail", "Most (640 px)")[0].trigger()
    wait_idle(qtbot, window)
    window.list_view.selectAll()  # the first still the one shown
    assert window.selection.current() is first
    assert {it.render_size for it in window.selection.selected()} == {640, 0}
    _menu_entry(window, "&Photo", "&Detail", "Most (640 px)")[0].trigger()
    wait_idle(qtbot, window)
    assert (first.render_size, second.render_size) == (640, 640)
    assert second.result is not None


def test_the_toolbar_choices_are_in_the_photo_menu_too(qtbot, window, photo_dir):
    """A trial looked in the menus for the colour strength, the detail and the model and found
    them only on the toolbar. Photo > Detail does what the toolbar's Detail does; the Model and
    Device submenus show the toolbar's lists with the current one ticked; Ctrl+] and Ctrl+[ give
    the shown photo 10% more or less colour."""
    window.add_paths([photo_dir / "photo0.jpg", photo_dir / "photo1.jpg"])
    wait_idle(qtbot, window)
    first, second = window.photos.items
    _select(window, first)
    runs = window.worker.network_runs
    most, detail = _menu_entry(window, "&Photo", "&Detail", "Most (640 px)")
    assert [a.text() for a in detail.actions()] == ["Standard", "More (448 px)", "Most (640 px)"]
    assert detail.actions()[0].isChecked() and not most.isChecked()
    most.trigger()
    wait_idle(qtbot, window)
    assert first.render_size == 640 and second.render_size == 0
    assert window.worker.network_runs == runs + 1
    assert window.options.detail_combo.currentData() == 640
    assert _menu_entry(window, "&Photo", "&Detail", "Most (640 px)")[0].isChecked()

    tiny, models = _menu_entry(window, "&Photo", "&Model", window.models.model_combo.currentText())
    assert tiny.isChecked() and len(models.actions()) == window.models.model_combo.count()
    cpu, _ = _menu_entry(window, "&Photo", "De&vice", window.models.device_combo.currentText())
    assert cpu.isChecked()

    a = window.actions_by_name
    assert a["stronger"].shortcut().toString() == "Ctrl+]"
    a["stronger"].trigger()
    assert first.strength == pytest.approx(1.1) and window.options.saturation_label.text() == "110%"
    a["paler"].trigger()
    a["paler"].trigger()
    assert first.strength == pytest.approx(0.9) and second.strength == pytest.approx(1.0)
    # [ and ] need AltGr on many European keyboards (a review): Ctrl+Shift+arrows as well,
    # pressed in the list, which keeps its selection
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_Up, MODIFIERS)
    qtbot.keyRelease(window.list_view, Qt.Key.Key_Shift)
    qtbot.keyRelease(window.list_view, Qt.Key.Key_Control)
    assert first.strength == pytest.approx(1.0)
    assert window.selection.selected() == [first]
    qtbot.keyClick(window.list_view, Qt.Key.Key_Down, MODIFIERS)
    qtbot.keyRelease(window.list_view, Qt.Key.Key_Shift)
    qtbot.keyRelease(window.list_view, Qt.Key.Key_Control)
    assert first.strength == pytest.approx(0.9) and window.selection.selected() == [first]
