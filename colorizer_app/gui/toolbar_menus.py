"""The toolbar's choices in the Photo menu too: Colour strength by key, and Detail, Model and
Device as submenus that mirror their toolbar lists.

A trial looked in the menus for the colour strength and the model and found them only on the
toolbar (which a person can hide, and which overflows on a small screen). Each submenu is read
from its toolbar list when it opens, so the two never disagree and new models appear in both.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QMenu, QSlider, QWidget

from .window_actions import make_action

STRENGTH_STEP = 10  # percent per key press: the slider's own page step is too coarse to aim


def combo_menu(parent: QWidget, title: str, combo: QComboBox, tip: str) -> QAction:
    """A submenu whose entries are `combo`'s, the current one checked; choosing one chooses it
    in the combo as a person's click there would (its `activated` signal included)."""
    menu = QMenu(title, parent)
    menu.setToolTipsVisible(True)

    def choose(index: int) -> None:
        # The toolbar's list says `activated` for the entry already shown too: over a selection
        # of mixed details, choosing the shown photo's one gives it to all (a review found the
        # menu doing nothing there). Model and device act on a change of index only.
        if combo.isEnabled():
            combo.setCurrentIndex(index)
            combo.activated.emit(index)

    # One group for the menu's life: the entries cleared on each opening leave it by themselves
    # (a group made per opening stayed behind as a child of the menu).
    group = QActionGroup(menu)

    def fill() -> None:
        menu.clear()
        for index in range(combo.count()):
            entry = menu.addAction(combo.itemText(index))
            entry.setCheckable(True)
            entry.setChecked(index == combo.currentIndex())
            # "Loading…" is a word, not a model: nothing to choose yet
            entry.setEnabled(combo.isEnabled() and combo.itemData(index) is not None)
            entry.triggered.connect(lambda _checked=False, i=index: choose(i))
            group.addAction(entry)

    menu.aboutToShow.connect(fill)
    fill()
    action = menu.menuAction()
    action.setToolTip(tip)
    return action


def strength_actions(parent: QWidget, slider: QSlider) -> dict[str, QAction]:
    """More and less colour for the photo shown (and the selected ones), as the slider gives."""

    def step(by: int) -> None:
        if slider.isEnabled():
            slider.setValue(slider.value() + by)

    actions = {
        "stronger": make_action(
            parent, "Stronger Colour", lambda: step(STRENGTH_STEP), "Ctrl+]",
            f"{STRENGTH_STEP}% more colour for this photo (the Colour slider)",
        ),
        "paler": make_action(
            parent, "Paler Colour", lambda: step(-STRENGTH_STEP), "Ctrl+[",
            f"{STRENGTH_STEP}% less colour for this photo (the Colour slider)",
        ),
    }  # fmt: skip
    # [ and ] take AltGr on German, French and Nordic keyboards (a review): arrows too.
    for name, arrow in (("stronger", "Ctrl+Shift+Up"), ("paler", "Ctrl+Shift+Down")):
        actions[name].setShortcuts([actions[name].shortcut(), QKeySequence(arrow)])
    return actions
