"""What a screen reader says for the window's main controls (a keyboard trial's reader found the
photo list, the photo and the Colour slider nameless, and the Detail box named by its value)."""

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
