"""The window's menus and toolbar: how actions are made, and where each one goes.

Which slot an action calls is the window's wiring (main_window.py) or a controller's own (its
`actions`); this module only makes actions and lays them out by name.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractSlider, QComboBox, QLabel, QMenu, QMenuBar, QToolBar, QWidget

from .wheel_guard import guard_wheel

MENUS = {  # menu: its actions by name, None a separator
    "&File": ("open", "open_folder", "paste", None, "save", "save_all", None, "quit"),
    "&Edit": ("undo", "redo", None, "remove", "clear", "undo_clear"),
    "&Photo": (
        "colorize",
        "colorize_all",
        "cancel",
        None,
        "stronger",
        "paler",
        "strength_all",
        "detail_menu",
        None,
        "pins",
        "clear_pins",
        None,
        "model_menu",
        "device_menu",
    ),  # fmt: skip
    "&View": (
        "fit",
        "actual",
        "zoom_in",
        "zoom_out",
        None,
        "side",
        None,
        "next_pane",
        "previous_pane",
        None,
        "advanced",
    ),  # fmt: skip
    "&Help": ("guide", None, "models_folder", "about"),
}
# Short words on the toolbar (the menus keep the full ones), so a 1366 px laptop shows every
# control, Colour Pins included, without the overflow menu.
TOOLBAR_WORDS = {
    "open": "Open",
    "open_folder": "Open Folder",
    "colorize": "Colorize",
    "save": "Save",
    "save_all": "Save All",
}


def make_action(
    host: QWidget,
    text: str,
    slot: Callable[..., object],
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    tip: str = "",
) -> QAction:
    """An action of the window's menus, its shortcut working wherever the focus is."""
    action = QAction(text, host)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip or text.replace("&", ""))  # "&" marks the mnemonic only
    action.triggered.connect(slot)
    host.addAction(action)
    return action


def build_menus(menus: QMenuBar, actions: dict[str, QAction]) -> dict[str, QMenu]:
    """The menu bar from MENUS; the menus by title, for what joins them later (the docks)."""
    built = {}
    for title, names in MENUS.items():
        menu = built[title] = menus.addMenu(title)
        for name in names:
            menu.addSeparator() if name is None else menu.addAction(actions[name])
    return built


def add_to_view(menus: dict[str, QMenu], shown: QAction, text: str) -> None:
    """A toolbar's or dock's show/hide action on the View menu: one closed by its own button or
    the bar's context menu comes back from there (a trial found no way back to the Restore dock
    but the toolbar's hidden context menu)."""
    shown.setText(text)
    menus["&View"].addAction(shown)


def build_toolbar(
    bar: QToolBar,
    actions: dict[str, QAction],
    groups: list[list[tuple[str, QWidget]]],
    home: QWidget | None = None,
) -> None:
    """The main actions, then each group of labelled controls, then the view's switches. Once
    a control's choice is made the keys go back to `home` (the photo list), and a wheel turn
    over a control the keys are not in leaves it alone: a trial chose a Detail, pressed End to
    reach the last photo, and set every selected photo to "Most", colouring them all again."""
    # Open Folder too: a box of scans sorted into folders is opened whole (a trial found only
    # Open, whose chooser cannot pick a folder).
    for name in ("open", "open_folder", "colorize", "colorize_all", "save", "save_all"):
        if name in TOOLBAR_WORDS:
            actions[name].setIconText(TOOLBAR_WORDS[name])
        bar.addAction(actions[name])
    for group in groups:
        bar.addSeparator()
        for label, widget in group:
            if label:
                caption = QLabel(f" {label} ")
                # The caption labels its control for a screen reader (a combo box is named by
                # its value, "Standard", and by the caption that labels it).
                caption.setBuddy(widget)
                bar.addWidget(caption)
                if not widget.accessibleName():
                    widget.setAccessibleName(label)
            bar.addWidget(widget)
    bar.addSeparator()
    bar.addAction(actions["side"])
    bar.addAction(actions["pins"])
    if home is not None:
        for group in groups:
            for _, widget in group:
                if isinstance(widget, QComboBox):
                    widget.activated.connect(lambda _i, h=home: h.setFocus())
                elif isinstance(widget, QAbstractSlider):
                    widget.sliderReleased.connect(lambda h=home: h.setFocus())
        guard_wheel(bar)


def offered_no_more(action: QAction, why: str) -> None:
    """An action whose work needs torch, which did not load (Advanced trains with it): unticked
    and greyed, where pressing it had ticked it and shown nothing (a review). Its tips say why
    (a greyed menu item shows none; the model chooser and the Restore panel say it). The
    person's choice to see it stays in the settings, for when torch loads again."""
    action.setChecked(False)
    action.setEnabled(False)
    action.setToolTip(why)
    action.setStatusTip(why)
