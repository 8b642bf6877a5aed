"""Colour pins as a person uses them: pin a colour, see it, move it, undo, remove, save, reopen."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QColor

from colorizer_app.core import lab
from colorizer_app.core.hints import Hint
from colorizer_app.core.imageio import load_image
from colorizer_app.engine.colorizer import Colorizer
from colorizer_app.gui.qimage import from_qimage
from colorizer_app.gui.save_options import SaveOptions

from .conftest import wait_idle

BLUE = "#2a55d8"


def _b_at(image: np.ndarray, x: int, y: int, r: int = 3) -> float:
    """Lab b (yellow +, blue -) around a pixel of an RGB image."""
    patch = image[y - r : y + r + 1, x - r : x + r + 1]
    return float(lab.rgb_to_lab(np.ascontiguousarray(patch))[:, :, 2].mean())


def _open_photo(qtbot, window, path):
    window.add_paths([path])
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.view.colorized is not None)
    return window.photos.items[0]


def _pin_view_point(view, x, y) -> QPoint:
    return view.pin_view_point(QPointF(x, y)).toPoint()


def _on_screen(view, at: QPoint, r: int = 1) -> np.ndarray:
    """The view as drawn, around a point in its (logical) coordinates, on any pixel ratio."""
    shown = from_qimage(view.grab().toImage())
    k = view.devicePixelRatioF()
    x, y, r = round(at.x() * k), round(at.y() * k), max(1, round(r * k))
    return shown[y - r : y + r + 1, x - r : x + r + 1]


def _reopened(qtbot, window, photo):
    """The window closed and the app started again on its settings, the photo added again."""
    from colorizer_app.gui.main_window import MainWindow

    window.close()
    again = MainWindow(window.settings.store)
    qtbot.addWidget(again)
    again.resize(1100, 700)
    again.show()
    return again, _open_photo(qtbot, again, photo)


def test_the_line_comes_back_where_it_was_after_pins(qtbot, window, photo_dir):
    """A trial dragged the before/after line to three quarters, turned pins on and off, and
    found the line back in the middle."""
    _open_photo(qtbot, window, photo_dir / "photo0.jpg")
    view = window.view
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() // 2, 40))
    qtbot.mouseMove(view, QPoint(view.width() * 3 // 4, 40))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(view.width() * 3 // 4, 40))
    dragged = view.divider
    assert 0.7 < dragged < 0.8
    window.actions_by_name["pins"].trigger()
    assert view.divider == 0.0
    window.actions_by_name["pins"].trigger()
    assert view.divider == dragged


def test_pin_move_undo_remove_save_and_reopen(qtbot, window, photo_dir, tmp_path):

    photo = photo_dir / "photo0.jpg"
    item = _open_photo(qtbot, window, photo)
    view = window.view
    auto = from_qimage(view.colorized)
    window.actions_by_name["pins"].trigger()
    assert view.pin_mode and window.actions_by_name["pins"].isChecked()
    assert view.divider == 0.0  # the whole after side, where pins are drawn

    # click on the photo: the chooser opens with the model's colour there and the recent ones
    window.pins.recent_colours = [BLUE]
    fw, fh = item.result.full_size
    target = (fw * 0.3, fh * 0.5)
    click = _pin_view_point(view, *target)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=click)
    menu = window.pins.pin_menu
    assert menu is not None and menu.isVisible()
    colours = [a.data() for a in menu.colour_actions()]
    now = item.result.likely_colours(*target)[0]  # first: the automatic colour at that spot
    assert (
        max(abs(int(colours[0][i : i + 2], 16) - int(now[i : i + 2], 16)) for i in (1, 3, 5)) < 12
    )
    assert BLUE in colours
    next(a for a in menu.colour_actions() if a.data() == BLUE).trigger()
    assert len(item.hints) == 1 and item.hints[0].color == BLUE
    px = abs(item.hints[0].points[0][0] - target[0])
    assert px <= fw / view.original.width() * 2 / view.scale + 1  # where the click was

    pinned = from_qimage(view.colorized)
    sx = view.original.width() / fw
    x, y = int(target[0] * sx), int(target[1] * sx)
    assert _b_at(pinned, x, y) < _b_at(auto, x, y) - 10  # bluer where the pin is
    marker = _on_screen(view, click, 2)
    assert _b_at(marker, marker.shape[1] // 2, marker.shape[0] // 2, 1) < -15  # drawn on the view

    # drag the pin to another place: the hint moves, one undo step each
    dest = _pin_view_point(view, fw * 0.7, fh * 0.4)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=click)
    qtbot.mouseMove(view, QPoint((click.x() + dest.x()) // 2, (click.y() + dest.y()) // 2))
    qtbot.mouseMove(view, dest)
    # while the button is held the after side already follows the pin (no edit yet)
    qtbot.waitUntil(lambda: not np.array_equal(from_qimage(view.colorized), pinned))
    assert abs(item.hints[0].points[0][0] - target[0]) < fw * 0.02
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=dest)
    moved_x = item.hints[0].points[0][0]
    assert abs(moved_x - fw * 0.7) < fw * 0.02
    window.actions_by_name["undo"].trigger()
    assert abs(item.hints[0].points[0][0] - target[0]) < fw * 0.02
    assert np.array_equal(from_qimage(view.colorized), pinned)
    window.actions_by_name["redo"].trigger()
    assert abs(item.hints[0].points[0][0] - moved_x) < 1e-6

    # save: the pinned colour is in the file at full size, the marker is not
    out = tmp_path / "out"
    assert window.save_selected(SaveOptions(folder=out, fmt="png")) == 1
    wait_idle(qtbot, window)
    saved = np.asarray(Image.open(out / "photo0_colorized.png").convert("RGB"))
    colorizer = Colorizer(window.models.current_model())
    expected = colorizer.colorize(load_image(photo).rgb, hints=item.hints)
    assert np.abs(saved.astype(int) - expected).max() <= 2
    mx, my = (int(v) for v in item.hints[0].points[0])
    plain = colorizer.colorize(load_image(photo).rgb)
    assert _b_at(saved, mx, my) < _b_at(plain, mx, my) - 10

    # a new session: the photo reopened has its pin back, and Del removes it
    again, item2 = _reopened(qtbot, window, photo)
    assert item2.hints == item.hints
    # and the chooser's recent colours are back too (a trial found them gone after a restart)
    assert again.pins.recent_colours[:1] == [BLUE]
    again.pins.set_mode(True)
    view2 = again.view
    view2.setFocus()
    pin_at = _pin_view_point(view2, *item2.hints[0].points[0])
    qtbot.mousePress(view2, Qt.MouseButton.LeftButton, pos=pin_at)
    qtbot.mouseRelease(view2, Qt.MouseButton.LeftButton, pos=pin_at)
    if again.pins.pin_menu is not None:  # a click on a pin offers to recolour it; Esc closes that
        again.pins.pin_menu.close()
    assert view2.selected_mark == 0
    qtbot.keyClick(view2, Qt.Key.Key_Delete)
    assert item2.hints == ()
    assert len(again.photos.items) == 1  # Del took the pin, not the photo
    assert np.array_equal(from_qimage(view2.colorized), auto)  # no pins: the automatic colour
    # right-click removes too (after undoing the Del)
    again.actions_by_name["undo"].trigger()
    assert len(item2.hints) == 1
    qtbot.mouseClick(view2, Qt.MouseButton.RightButton, pos=pin_at)
    assert item2.hints == ()
    again.close()


def test_stroke_draw_recolour_move_undo_remove_and_reopen(qtbot, window, photo_dir):
    """Shift+drag draws a stroke of colour (a sky along the top, a dress from hem to collar):
    it colours along its whole length, is drawn on the view, moves whole, and comes back."""

    photo = photo_dir / "photo0.jpg"
    item = _open_photo(qtbot, window, photo)
    view = window.view
    auto = from_qimage(view.colorized)
    window.pins.set_mode(True)
    window.pins.recent_colours = [BLUE]
    fw, fh = item.result.full_size
    path = [_pin_view_point(view, fw * f, fh * 0.3) for f in (0.15, 0.3, 0.45, 0.6, 0.75, 0.85)]
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, path[0])
    for p in path[1:]:
        qtbot.mouseMove(view, p)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, path[-1])
    menu = window.pins.pin_menu
    assert menu is not None and menu.isVisible()  # the same chooser as a pin's
    on_line = _pin_view_point(view, fw * 0.5, fh * 0.3)
    drawn = _on_screen(view, on_line, 0)[0, 0].astype(int)
    assert np.abs(drawn - 150).max() < 25  # the line stays shown, gray, while its colour is chosen
    next(a for a in menu.colour_actions() if a.data() == BLUE).trigger()
    assert len(item.hints) == 1
    stroke = item.hints[0]
    assert stroke.is_stroke and stroke.color == BLUE and len(stroke.points) >= 3
    xs = [x for x, _ in stroke.points]
    assert min(xs) < fw * 0.2 and max(xs) > fw * 0.8  # it runs where the pointer ran
    assert all(abs(y - fh * 0.3) < fh * 0.03 for _, y in stroke.points)

    # bluer along the whole stroke, not only near one point of it
    stroked = from_qimage(view.colorized)
    sx = view.original.width() / fw
    for f in (0.2, 0.5, 0.8):
        x, y = int(fw * f * sx), int(fh * 0.3 * sx)
        assert _b_at(stroked, x, y) < _b_at(auto, x, y) - 10
    line = _on_screen(view, on_line)
    assert _b_at(line, line.shape[1] // 2, line.shape[0] // 2, 0) < -15  # drawn in its colour
    window.pins.pin_menu.close()  # as a click on its entry does
    qtbot.mouseMove(view, on_line)  # the pointer over it: the view says what it is and can do
    assert "stroke" in view.toolTip() and view.hover_mark == 0

    # a stroke whose chooser is closed without a colour is no edit, and is not left drawn
    low = [_pin_view_point(view, fw * f, fh * 0.85) for f in (0.3, 0.5, 0.7)]
    qtbot.mouseMove(view, low[0])
    before = from_qimage(view.grab().toImage())
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, low[0])
    qtbot.mouseMove(view, low[1])
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, low[2])
    window.pins.pin_menu.close()
    assert len(item.hints) == 1
    qtbot.waitUntil(lambda: np.array_equal(from_qimage(view.grab().toImage()), before))

    # drag it down by its middle: every point moves by the same amount, one undo step
    below = _pin_view_point(view, fw * 0.5, fh * 0.6)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=on_line)
    qtbot.mouseMove(view, QPoint(on_line.x(), (on_line.y() + below.y()) // 2))
    qtbot.mouseMove(view, below)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=below)
    moved = item.hints[0]
    dy = [my - y for (_, y), (_, my) in zip(stroke.points, moved.points, strict=True)]
    assert max(dy) - min(dy) < 1e-6 and abs(dy[0] - fh * 0.3) < fh * 0.03
    assert [x for x, _ in moved.points] == pytest.approx(xs)
    assert window.pins.undo_group.undoText() == "Move Stroke"
    window.actions_by_name["undo"].trigger()
    assert item.hints == (stroke,)

    # a Shift+click without a drag is a pin, as a click is
    spot = _pin_view_point(view, fw * 0.5, fh * 0.8)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, spot)
    menu = window.pins.pin_menu
    assert menu is not None
    next(a for a in menu.colour_actions() if a.data() == BLUE).trigger()
    assert len(item.hints) == 2 and not item.hints[1].is_stroke

    # a new session has the stroke back; right-click on its line removes it, the pin stays
    again, item2 = _reopened(qtbot, window, photo)
    assert item2.hints == item.hints
    view2 = again.view
    assert view2.pin_mode  # left on at the quit: the strokes are shown again
    at = view2.pin_view_point(QPointF(*item2.hints[0].points[1])).toPoint()
    qtbot.mouseClick(view2, Qt.MouseButton.RightButton, pos=at)
    assert len(item2.hints) == 1 and not item2.hints[0].is_stroke
    again.close()


def _shift_drag(qtbot, view, path: list[QPoint]) -> None:
    shift = Qt.KeyboardModifier.ShiftModifier
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, shift, path[0])
    for p in path[1:]:
        qtbot.mouseMove(view, p)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, shift, path[-1])


def _choose(window, colour: str) -> None:
    next(a for a in window.pins.pin_menu.colour_actions() if a.data() == colour).trigger()


def test_strokes_at_the_edges_side_by_side_and_while_dragging(qtbot, window, photo_dir):
    """What a review found: a stroke begun off the photo, a stroke across the halves of the
    side-by-side view, Del while a stroke is held, Del after a right-click, Other Colour."""
    from PySide6.QtWidgets import QApplication, QColorDialog

    item = _open_photo(qtbot, window, photo_dir / "photo0.jpg")
    view = window.view
    window.pins.set_mode(True)
    window.pins.recent_colours = [BLUE]
    fw, fh = item.result.full_size

    # begun in the margin left of the photo: a stroke (its points kept on the photo), not a
    # move of the divider that would hide the after side
    start = _pin_view_point(view, 0, fh * 0.2) - QPoint(12, 0)
    _shift_drag(qtbot, view, [start, _pin_view_point(view, fw * 0.3, fh * 0.2)])
    assert view.divider == 0.0
    _choose(window, BLUE)
    assert item.hints[-1].is_stroke and min(x for x, _ in item.hints[-1].points) == 0

    # side by side, a stroke begun on the after half and drawn past its left edge stays on
    # the after half's photo (it jumped to the far side of the photo, point by point)
    window.actions_by_name["side"].trigger()
    assert view.side_by_side
    a, b = _pin_view_point(view, fw * 0.4, fh * 0.5), _pin_view_point(view, fw * 0.1, fh * 0.5)
    _shift_drag(qtbot, view, [a, b, b - QPoint(60, 0), b - QPoint(120, 0)])
    _choose(window, BLUE)
    xs = [x for x, _ in item.hints[-1].points]
    assert xs == sorted(xs, reverse=True) and xs[-1] == 0 and xs[0] > fw * 0.35
    window.actions_by_name["side"].trigger()
    window.pins.clear()

    # drawn right to left: the chooser opens past the stroke's lower right, not over the line
    leftward = [_pin_view_point(view, fw * f, fh * 0.3) for f in (0.8, 0.6, 0.4, 0.25)]
    _shift_drag(qtbot, view, leftward)
    menu = window.pins.pin_menu
    assert menu.isVisible()
    assert not any(menu.geometry().contains(view.mapToGlobal(p)) for p in leftward)
    menu.close()

    # Del while a stroke is held: it goes, the drag ends, nothing breaks
    _shift_drag(qtbot, view, [_pin_view_point(view, fw * f, fh * 0.5) for f in (0.2, 0.5, 0.8)])
    _choose(window, BLUE)
    on_line = _pin_view_point(view, fw * 0.5, fh * 0.5)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=on_line)
    qtbot.mouseMove(view, on_line + QPoint(0, 20))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert item.hints == ()
    qtbot.mouseMove(view, on_line + QPoint(0, 40))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=on_line + QPoint(0, 40))
    assert item.hints == ()
    window.actions_by_name["undo"].trigger()
    assert len(item.hints) == 1

    # a right-click removes the stroke under the pointer; Del right after, the pointer still
    # there, removes nothing more (it removed another, far-away pin)
    window.pins.edit_hints(item, item.hints + (Hint.pin(fw * 0.2, fh * 0.2, BLUE),), "Add Pin")
    qtbot.mouseMove(view, on_line)
    qtbot.mouseClick(view, Qt.MouseButton.RightButton, pos=on_line)
    assert len(item.hints) == 1 and not item.hints[0].is_stroke
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert len(item.hints) == 1

    # Other Colour... clicked as a person does: the line stays shown while the dialog is open
    low = [_pin_view_point(view, fw * f, fh * 0.8) for f in (0.2, 0.5, 0.8)]
    _shift_drag(qtbot, view, low)
    menu = window.pins.pin_menu
    other = next(a for a in menu.actions() if a.text().startswith("Other Colour"))
    seen = []

    def in_dialog():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QColorDialog):
            QTimer.singleShot(50, in_dialog)
            return
        seen.append(_on_screen(view, low[1], 0)[0, 0].astype(int))
        dialog.setCurrentColor(QColor("#3a8f3a"))
        dialog.accept()

    QTimer.singleShot(50, in_dialog)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(other).center())
    qtbot.waitUntil(lambda: len(item.hints) == 2, timeout=5000)
    assert seen and np.abs(seen[0] - 150).max() < 25
    assert item.hints[-1].is_stroke and item.hints[-1].color == "#3a8f3a"


def test_a_photos_colour_strength_comes_back_with_it(qtbot, window, photo_dir, tmp_path):
    """A trial set a photo to 136%, quit, and found it at 100% after a relaunch while its pins
    and restore switches were back: saving it again gave another file."""
    photo = photo_dir / "photo0.jpg"
    item = _open_photo(qtbot, window, photo)
    window.options.saturation.setValue(136)
    assert item.strength == 1.36
    out = tmp_path / "before"
    assert window.save_selected(SaveOptions(folder=out, fmt="png")) == 1
    wait_idle(qtbot, window)
    again, item2 = _reopened(qtbot, window, photo)
    qtbot.waitUntil(lambda: item2.strength == 1.36, timeout=10_000)
    assert again.options.saturation.value() == 136
    assert again.options.saturation_label.text() == "136%"
    after = tmp_path / "after"
    assert again.save_selected(SaveOptions(folder=after, fmt="png")) == 1
    wait_idle(qtbot, again)
    assert (after / "photo0_colorized.png").read_bytes() == (
        out / "photo0_colorized.png"
    ).read_bytes()
    again.close()


def test_a_photos_detail_comes_back_with_it(qtbot, window, photo_dir, tmp_path):
    """Like its strength, a photo's detail (More: the network sees 448 px) is the person's
    choice: after a relaunch the photo is coloured at it again, and saves the same file."""
    photo = photo_dir / "photo0.jpg"
    item = _open_photo(qtbot, window, photo)
    standard = tmp_path / "standard"
    assert window.save_selected(SaveOptions(folder=standard, fmt="png")) == 1
    wait_idle(qtbot, window)
    combo = window.options.detail_combo
    combo.setCurrentIndex(1)
    combo.activated.emit(1)  # what choosing "More (448 px)" in the list does
    assert item.render_size == 448
    wait_idle(qtbot, window)
    more = tmp_path / "more"
    assert window.save_selected(SaveOptions(folder=more, fmt="png")) == 1
    wait_idle(qtbot, window)
    name = "photo0_colorized.png"
    assert (more / name).read_bytes() != (standard / name).read_bytes()

    from colorizer_app.gui.main_window import MainWindow

    window.close()
    again = MainWindow(window.settings.store)
    qtbot.addWidget(again)
    sizes = []  # what the colorize worker is asked for: once, at the photo's own detail
    again.worker.colorize_requested.connect(lambda _job, _path, size, *_: sizes.append(size))
    item2 = _open_photo(qtbot, again, photo)
    assert item2.render_size == 448 and sizes == [448]
    assert again.options.detail_combo.currentText() == "More (448 px)"
    after = tmp_path / "after"
    assert again.save_selected(SaveOptions(folder=after, fmt="png")) == 1
    wait_idle(qtbot, again)
    assert (after / name).read_bytes() == (more / name).read_bytes()
    again.close()


def test_a_strength_set_before_the_store_answers_keeps_the_pins_and_detail(
    qtbot, window, photo_dir
):
    """A review found the store losing a photo's pins and detail: the slider moved in the moment
    between the photo joining the list and the store's answer wrote the photo's entry without
    them; they were shown, from the answer, but gone after the next relaunch."""
    from colorizer_app.gui.main_window import MainWindow

    photo = photo_dir / "photo0.jpg"
    item = _open_photo(qtbot, window, photo)
    window.pins.set_hints(item, (Hint.pin(20, 20, "#2a55d8"),))
    combo = window.options.detail_combo
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    wait_idle(qtbot, window)

    def relaunched(before, on_added=None):
        before.close()
        again = MainWindow(before.settings.store)
        qtbot.addWidget(again)
        if on_added is not None:  # before the store can answer: it reads on its own thread
            again.intake.added.connect(lambda _added, _colorize: on_added(again))
        return again, _open_photo(qtbot, again, photo)

    again, item2 = relaunched(window, lambda win: win.options.saturation.setValue(50))
    assert item2.hints and item2.render_size == 448 and item2.strength == 0.5
    third, item3 = relaunched(again)
    qtbot.waitUntil(lambda: bool(item3.hints), timeout=10_000)
    assert item3.render_size == 448 and item3.strength == 0.5
    third.close()


def test_a_pin_from_the_keyboard(qtbot, window, photo_dir):
    """A keyboard trial could not pin a colour without a mouse. In pin mode, with the photo
    focused, the arrows move an aim (drawn on the photo) and Enter opens the same chooser as a
    click; the pin lands where the aim was, and the photo takes its colour there."""
    item = _open_photo(qtbot, window, photo_dir / "photo0.jpg")
    view = window.view
    auto = from_qimage(view.colorized)
    window.actions_by_name["pins"].trigger()
    window.pins.recent_colours = [BLUE]
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    aim = window.pin_aim.point
    fw, fh = item.result.full_size
    assert aim is not None and 0.1 * fw < aim.x() < fw * 0.45 and aim.y() < fh * 0.5
    at = view.pin_view_point(aim).toPoint()
    ring = _on_screen(view, at + QPoint(9, 0), 1)  # the aim's ring: white, edged in black
    assert ring[1, 1].min() > 200 and ring.min() < 100, ring
    qtbot.keyClick(view, Qt.Key.Key_Return)
    menu = window.pins.pin_menu
    assert menu is not None and menu.isVisible()
    assert menu.geometry().contains(view.mapToGlobal(at)) or menu.pos() == view.mapToGlobal(at)
    _choose(window, BLUE)
    menu.close()  # as Enter on its entry does
    assert len(item.hints) == 1 and item.hints[0].color == BLUE
    x, y = item.hints[0].points[0]
    assert abs(x - aim.x()) < 1 and abs(y - aim.y()) < 1
    sx = view.original.width() / fw
    pinned = from_qimage(view.colorized)
    assert _b_at(pinned, int(x * sx), int(y * sx)) < _b_at(auto, int(x * sx), int(y * sx)) - 10
    # Out of pin mode the arrows move the before/after line again, as before.
    window.actions_by_name["pins"].trigger()
    before = view.divider
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.divider < before and window.pin_aim.point == aim


def test_the_keyboard_aim_starts_again_on_another_photo(qtbot, window, tmp_path):
    """A review aimed at the corner of a large photo, chose a smaller one and pressed Enter:
    the pin was stored outside the small photo. On another photo the aim starts in its middle."""
    big, small = tmp_path / "big.jpg", tmp_path / "small.jpg"
    Image.new("RGB", (500, 500), (120, 120, 120)).save(big)
    Image.new("RGB", (200, 120), (90, 90, 90)).save(small)
    window.add_paths([big, small])
    wait_idle(qtbot, window)
    window.list_view.setCurrentIndex(window.photos.index(0))
    qtbot.waitUntil(lambda: window.view.colorized is not None)
    view = window.view
    window.actions_by_name["pins"].trigger()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    for _ in range(12):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    corner = window.pin_aim.point
    assert corner.x() > 490 and corner.y() > 490
    window.list_view.setCurrentIndex(window.photos.index(1))
    qtbot.waitUntil(lambda: window.view.full_width == 200)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    aim = window.pin_aim.point
    assert abs(aim.x() - 100) < 20 and abs(aim.y() - 60) < 20, aim
    window.pins.pin_menu.close()
