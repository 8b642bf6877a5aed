"""The compare view's keys from the photo list: Space (hold to see the original) and the arrows
that move the divider work as soon as a photo is shown, without clicking the photo first.

The photo list has the keyboard after photos are added; its own keys (Up, Down, Page Up/Down,
Home, End) still choose the photo, while Space and Left/Right, which a vertical list has no use
for, go to the view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

from .compare_view import CompareView

FORWARDED = (Qt.Key.Key_Space, Qt.Key.Key_Left, Qt.Key.Key_Right)


class ViewKeys(QObject):
    """An event filter for a widget beside the view (install with `installEventFilter`)."""

    def __init__(self, view: CompareView):
        super().__init__(view)
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        plain = not event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        if event.key() not in FORWARDED or not plain or self.view.original is None:
            return False
        if kind == QEvent.Type.KeyPress:
            return self.view.handle_key_press(event)
        return self.view.handle_key_release(event)
