"""The colour chooser that opens on a pin: the model's likely colours there, recent picks, any.

A menu, so it opens where the person clicked, closes with Esc or a click elsewhere, and each
choice is one keyboard- and screen-reader-friendly action with a swatch and a name (the code is
its tooltip). Colours too near each other to tell apart are offered once. "Other Colour..."
only asks: the window opens the colour dialog after the menu has closed (and been deleted).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QWidget

from .colour_names import COMMON_COLOURS, colour_name, distinct

RECENT_MAX = 8


def swatch(colour: str, side: int = 18) -> QIcon:
    pixmap = QPixmap(side, side)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 140))
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(1, 1, side - 2, side - 2, 4, 4)
    painter.end()
    return QIcon(pixmap)


class PinColourMenu(QMenu):
    """Emits `chosen("#rrggbb")`, `other_requested(start colour)` for the colour dialog, or
    `remove_requested` for an existing pin or stroke (`kind` names which); nothing if
    closed."""

    chosen = Signal(str)
    other_requested = Signal(str)
    remove_requested = Signal()

    def __init__(
        self,
        likely: list[str],
        recent: list[str],
        current: str | None = None,
        parent: QWidget | None = None,
        kind: str = "Pin",
    ):
        super().__init__(parent)
        self.setToolTipsVisible(True)
        self.current = current
        named: dict[str, str] = {}  # two swatches under one name read as one colour twice
        for colour in distinct(likely):
            named.setdefault(colour_name(colour), colour)
        likely = list(named.values())
        self._section("Likely here" if likely else "")
        for i, (name, colour) in enumerate(named.items()):
            self._colour_action(
                colour,
                f"{name}  (now)" if i == 0 else name,
                "The colour the model " + ("gave this spot" if i == 0 else "found likely here"),
            )
        extra = [c for c in recent if c not in likely][:RECENT_MAX]
        if extra:
            self._section("Recent")
            for colour in extra:
                self._colour_action(colour, colour_name(colour), "A colour you picked before")
        common = self.addMenu("Common Colours")
        for name, colour in COMMON_COLOURS:
            self._colour_action(colour, name, "", menu=common)
        self.addSeparator()
        other = self.addAction("Other Colour…")
        other.triggered.connect(self._other)
        if current is not None:
            remove = self.addAction(f"Remove {kind}")
            remove.triggered.connect(self.remove_requested)

    def _section(self, title: str) -> None:
        if title:
            self.addSection(title)

    def _colour_action(self, colour: str, label: str, tip: str, menu: QMenu | None = None) -> None:
        action = (menu or self).addAction(swatch(colour), label)
        action.setData(colour)
        action.setToolTip(f"{tip} ({colour})" if tip else colour)
        if colour == self.current:
            action.setCheckable(True)
            action.setChecked(True)
        action.triggered.connect(lambda _=False, c=colour: self.chosen.emit(c))

    def colour_actions(self) -> list:
        """Every colour offered, the common ones' submenu included."""
        actions = []
        for a in self.actions():
            menu = a.menu()
            if isinstance(menu, QMenu):
                actions += [b for b in menu.actions() if isinstance(b.data(), str)]
            elif isinstance(a.data(), str):
                actions.append(a)
        return actions

    def _other(self) -> None:
        actions = self.colour_actions()
        self.other_requested.emit(self.current or (actions[0].data() if actions else "#808080"))

    def open_at(self, where: QPoint) -> None:
        self.popup(where)
