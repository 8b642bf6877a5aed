"""F6 and Shift+F6: the keys move between the window's panes (the photo list, the photo, the
docks on the right), as in most desktop apps. A keyboard trial needed ten presses of Tab to get
from the Restore panel back to the list, and F6 did nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDockWidget, QWidget

from .window_actions import make_action

PANE_TIP = "Move the keys to the next pane: the photo list, the photo, the panels on the right"


def pane_actions(window: QWidget, fixed: list[QWidget]) -> dict[str, QAction]:
    """View > Next Pane (F6) and Previous Pane (Shift+F6) over `fixed` (the photo list and the
    photo) and the window's docks on the right."""

    def move(step: int) -> None:
        move_focus(window_panes(window, fixed), step)

    return {
        "next_pane": make_action(window, "Next &Pane", lambda: move(1), "F6", PANE_TIP),
        "previous_pane": make_action(window, "Pre&vious Pane", lambda: move(-1), "Shift+F6"),
    }


def window_panes(window: QWidget, fixed: list[QWidget]) -> list[QWidget]:
    """`fixed`, then the window's docks a person can see now (not closed, not behind a tab)."""
    docks = [getattr(window, name, None) for name in ("restore_panel", "panel")]
    seen = [d for d in docks if d is not None and d.isVisible() and not d.visibleRegion().isEmpty()]
    return [*fixed, *seen]


def move_focus(panes: list[QWidget], step: int) -> QWidget | None:
    """The keys to the pane `step` away from the one that has them (the first one where none
    has); in a dock, to its first control that takes Tab. The widget given them."""
    if not panes:
        return None
    focus = QApplication.focusWidget()
    at = next(
        (
            i
            for i, p in enumerate(panes)
            if focus is not None and (p is focus or p.isAncestorOf(focus))
        ),
        -1 if step > 0 else 0,
    )
    pane = panes[(at + step) % len(panes)]
    target = first_tab_stop(pane) if isinstance(pane, QDockWidget) else pane
    if target is not None:
        target.setFocus(Qt.FocusReason.TabFocusReason)
    return target


def first_tab_stop(dock: QDockWidget) -> QWidget | None:
    """The first control of `dock` that Tab reaches: its focus chain followed from the dock's
    inside, past containers (a scroll area takes focus but is no control: F6 left the keys on
    the Advanced panel's scroll area, a review found)."""
    inside = dock.widget()
    if inside is None:
        return None
    widget = inside.nextInFocusChain()
    while widget is not None and widget is not inside:  # the chain is a ring
        if (
            inside.isAncestorOf(widget)
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and widget.isVisible()
            and widget.isEnabled()
            and not isinstance(widget, QAbstractScrollArea)
        ):
            return widget
        widget = widget.nextInFocusChain()
    return None
