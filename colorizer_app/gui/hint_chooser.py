"""The colour chooser that opens on a pin: the model's likely colours there, recent picks, any.

A menu, so it opens where the person clicked, closes with Esc or a click elsewhere, and each
choice is one keyboard- and screen-reader-friendly action with a swatch.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QColorDialog, QMenu, QWidget

RECENT_MAX = 8
# Colours an old photo's things often had: a start when the model has no opinion (only a and b
# are used; the photo keeps its own lightness).
COMMON_COLOURS = (
    ("Sky blue", "#7ea6d8"),
    ("Navy", "#2b3a67"),
    ("Foliage green", "#4f7a3a"),
    ("Grass green", "#7fa350"),
    ("Skin, light", "#e0b49a"),
    ("Skin, dark", "#8d5a3c"),
    ("Brick red", "#a4553f"),
    ("Wine red", "#7a2430"),
    ("Khaki", "#b9a77a"),
    ("Wood brown", "#6e4b2e"),
)


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
    """Emits `chosen("#rrggbb")`, or `remove_requested` for an existing pin; nothing if closed."""

    chosen = Signal(str)
    remove_requested = Signal()

    def __init__(
        self,
        likely: list[str],
        recent: list[str],
        current: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setToolTipsVisible(True)
        self.current = current
        self._section("Likely here" if likely else "")
        for i, colour in enumerate(likely):
            label = f"{colour}  (now)" if i == 0 else colour
            self._colour_action(
                colour,
                label,
                "The colour the model " + ("gave this spot" if i == 0 else "found likely here"),
            )
        extra = [c for c in recent if c not in likely][:RECENT_MAX]
        if extra:
            self._section("Recent")
            for colour in extra:
                self._colour_action(colour, colour, "A colour you picked before")
        common = self.addMenu("Common Colours")
        for name, colour in COMMON_COLOURS:
            self._colour_action(colour, name, colour, menu=common)
        self.addSeparator()
        other = self.addAction("Other Colour…")
        other.triggered.connect(self._other)
        if current is not None:
            remove = self.addAction("Remove Pin")
            remove.triggered.connect(self.remove_requested)

    def _section(self, title: str) -> None:
        if title:
            self.addSection(title)

    def _colour_action(self, colour: str, label: str, tip: str, menu: QMenu | None = None) -> None:
        action = (menu or self).addAction(swatch(colour), label)
        action.setData(colour)
        action.setToolTip(tip)
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
        start = QColor(
            self.current
            or (self.colour_actions()[0].data() if self.colour_actions() else "#808080")
        )
        colour = QColorDialog.getColor(start, self.parentWidget(), "Pin Colour")
        if colour.isValid():
            self.chosen.emit(colour.name())

    def open_at(self, where: QPoint) -> None:
        self.popup(where)
