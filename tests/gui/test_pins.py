"""Colour pins as a person uses them: pin a colour, see it, move it, undo, remove, save, reopen."""

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt

from colorizer_app.core import lab
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


def test_pin_move_undo_remove_save_and_reopen(qtbot, window, photo_dir, tmp_path):
    from colorizer_app.gui.main_window import MainWindow

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
    shown = from_qimage(view.grab().toImage())
    assert _b_at(shown, click.x(), click.y(), 2) < -15  # the marker is drawn on the view

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
    window.close()
    again = MainWindow(window.settings.store)
    qtbot.addWidget(again)
    again.resize(1100, 700)
    again.show()
    item2 = _open_photo(qtbot, again, photo)
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
    assert view2.selected_pin == 0
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
