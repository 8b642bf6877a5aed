"""Scrolling a panel of settings scrolls the panel, not the setting under the pointer.

Qt's spin boxes, combo boxes and sliders take every wheel event over them, so a person
scrolling down the training settings silently changed Steps or the learning rate as the pointer
crossed them. Guarded, such a widget takes the wheel only once it has focus (a click or Tab);
otherwise the turn goes to the scroll area round it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFrame,
    QScrollArea,
    QWidget,
)

_GUARDED = (QAbstractSpinBox, QComboBox, QAbstractSlider)


class _WheelGuard(QObject):
    def __init__(self, area: QAbstractScrollArea | None, parent: QObject):
        super().__init__(parent)
        self.area = area

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            event.type() != QEvent.Type.Wheel
            or not isinstance(watched, QWidget)
            or watched.hasFocus()
        ):
            return False
        if self.area is not None and isinstance(event, QWheelEvent):
            # Handed to the scroll area here rather than left to Qt's propagation, which
            # passes on only wheel events that came from the mouse (not one sent in a test).
            viewport = self.area.viewport()
            at = viewport.mapFromGlobal(event.globalPosition())
            turn = QWheelEvent(
                at, event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                event.buttons(), event.modifiers(), event.phase(), event.inverted(),
            )  # fmt: skip
            QApplication.sendEvent(viewport, turn)
        return True  # taken: the setting under the pointer keeps its value


def guard_wheel(container: QWidget) -> None:
    """Guards every spin box, combo box and slider inside `container` (made before the call);
    their wheel turns scroll the scroll area that holds `container`, if any."""
    area = None
    parent = container.parentWidget()
    while parent is not None and area is None:
        area = parent if isinstance(parent, QAbstractScrollArea) else None
        parent = parent.parentWidget()
    guard = _WheelGuard(area, container)  # lives as long as the container
    for kind in _GUARDED:
        for widget in container.findChildren(kind):
            # Wheel focus would let the first wheel turn take focus and the value with it.
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(guard)


def scrolling_panel(body: QWidget, sideways: bool = True) -> QScrollArea:
    """`body` (made, with its controls) in a frameless scroll area that gives it the area's
    size where there is room and scrolls it where there is not; wheel turns over its settings
    scroll it (guard_wheel). Not `sideways`: the area is never narrower than `body` can be,
    its scroll bar beside it, and has no sideways scroll bar."""
    scroll = QScrollArea()
    if not sideways:
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(body.minimumSizeHint().width() + bar)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    # A click on it, between controls, leaves the keys where they were (the photo list): the
    # area took them, and Space no longer showed the original (a test).
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    scroll.setWidget(body)
    guard_wheel(body)
    return scroll
