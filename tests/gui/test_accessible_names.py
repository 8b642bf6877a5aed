"""What a screen reader says for the window's main controls (a keyboard trial's reader found the
photo list, the photo and the Colour slider nameless, and the Detail box named by its value)."""

import numpy as np
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel


def _spoken_name(widget) -> str:
    """The name Qt hands the platform's screen reader for `widget`."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


def test_the_main_controls_have_names_a_screen_reader_says(window):
    named = {
        window.list_view: "Photos",
        window.view: "Photo, before and after",
        window.options.saturation: "Colour strength",
    }
    for widget, name in named.items():
        assert _spoken_name(widget) == name, (type(widget).__name__, _spoken_name(widget))
    boxes = {
        window.options.detail_combo: "Detail",
        window.models.model_combo: "Model",
        window.models.device_combo: "Device",
    }
    for box, caption in boxes.items():
        # Qt names a combo box by its value ("Standard"); its own name is what Windows' and
        # macOS' readers say with it, and its caption labels it (buddy) for the rest.
        assert box.accessibleName() == caption, box.accessibleName()
        captions = [w for w in window.toolbar.findChildren(QLabel) if w.buddy() is box]
        assert [c.text().strip() for c in captions] == [caption]


def test_the_photo_list_shows_when_it_has_the_keys(qtbot, window):
    """A keyboard trial could not tell the list with focus from the list without it (Up and
    Down then moved the Colour slider instead of the photos): it has a frame in the highlight
    colour while it has the keys, as the photo view has."""
    from PySide6.QtGui import QPalette

    from colorizer_app.gui.qimage import from_qimage

    highlight = window.list_view.palette().color(QPalette.ColorRole.Highlight)
    want = np.array([highlight.red(), highlight.green(), highlight.blue()])

    def left_edge_is_highlight() -> bool:
        pixels = from_qimage(window.list_view.grab().toImage())
        edge = pixels[20:-20, 0, :3].astype(int)
        return bool((np.abs(edge - want).sum(axis=1) < 30).mean() > 0.9)

    window.activateWindow()
    window.list_view.setFocus()
    qtbot.waitUntil(window.list_view.hasFocus)
    assert left_edge_is_highlight()
    window.view.setFocus()
    qtbot.waitUntil(lambda: not window.list_view.hasFocus())
    assert not left_edge_is_highlight()


def test_f6_moves_the_keys_between_the_list_the_photo_and_the_restore_panel(qtbot, window):
    """A keyboard trial needed ten presses of Tab from the Restore panel back to the list, and
    F6 (which moves between panes in most desktop apps) did nothing."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    panel = window.restore_panel
    window.activateWindow()
    window.list_view.setFocus()
    qtbot.waitUntil(window.list_view.hasFocus)

    def press(key_modifier=Qt.KeyboardModifier.NoModifier) -> object:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, key_modifier)
        return QApplication.focusWidget()

    assert press() is window.view
    assert panel.isAncestorOf(press())  # the Restore panel's first switch
    assert press() is window.list_view  # round again
    assert panel.isAncestorOf(press(Qt.KeyboardModifier.ShiftModifier))  # and back
    assert "Next Pane" in [a.text().replace("&", "") for a in window.menus["&View"].actions()]
    # The Advanced panel (in front of the Restore panel's tab): its first control, not the
    # scroll area round its settings (a review: the keys landed on a frame that shows nothing).
    from PySide6.QtWidgets import QAbstractScrollArea

    window.actions_by_name["advanced"].trigger()
    qtbot.waitUntil(lambda: not window.panel.visibleRegion().isEmpty())
    window.list_view.setFocus()
    press()
    landed = press()
    assert window.panel.isAncestorOf(landed) and not isinstance(landed, QAbstractScrollArea)
    assert landed is window.panel.form.folder_edit, landed
