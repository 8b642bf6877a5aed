"""Per-photo choices: colour strength and detail (the size the network sees).

A controller: it owns the strength slider, its label and the detail chooser (the window lays
them out on the toolbar) and Photo > Apply Colour Strength to All. Each photo keeps its own
strength (Save All uses each photo's own) and its own detail; a new detail asks for that photo
to be colorized again (`colorize_requested`), while strength only re-composes the kept colour,
on the compare view and in the list's thumbnail.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QSlider, QWidget

from ..core.wording import photos
from .compare_view import CompareView
from .photo_list import PhotoItem, PhotoListModel
from .qimage import to_qimage
from .selection import Selection
from .strength_undo import StrengthChange
from .window_actions import make_action

# (label, longest side the network sees; 0: the model's own recommended size)
DETAIL_CHOICES = (
    ("Standard", 0),
    ("More (448 px)", 448),
    ("Most (640 px)", 640),
)


class PhotoOptions(QObject):
    colorize_requested = Signal(object)  # [PhotoItem]: colorize again, at their new detail
    choices_changed = Signal(object)  # [PhotoItem] whose strength or detail the person changed
    status = Signal(str)  # a line for the status bar

    def __init__(
        self, photos: PhotoListModel, selection: Selection, view: CompareView, host: QWidget
    ):
        super().__init__(host)
        self.photos = photos
        self.selection = selection
        self.view = view
        self.saturation = QSlider(Qt.Orientation.Horizontal)
        self.saturation.setRange(0, 200)
        self.saturation.setValue(100)
        self.saturation.setFixedWidth(110)
        self.saturation.setAccessibleName("Colour strength")  # a screen reader's name for it
        self.saturation.setToolTip(
            "Colour strength of this photo (or of the selected ones): re-renders at once, "
            "without recolorizing; Photo > Apply Colour Strength to All"
        )
        self.saturation.valueChanged.connect(self._saturation_changed)
        self.saturation_label = QLabel("100%")
        self.saturation_label.setMinimumWidth(40)
        self.detail_combo = QComboBox()
        self.detail_combo.setAccessibleName("Detail")  # not its value ("Standard") alone
        for label, size in DETAIL_CHOICES:
            self.detail_combo.addItem(label, size)
        self.detail_combo.setToolTip(
            "Detail of this photo (or of the selected ones: select all with Ctrl+A to set "
            "every photo's): how large a copy the model looks at. More sees small things "
            "(faces in a crowd) and takes longer; Standard is the model's own size."
        )
        self.detail_combo.activated.connect(self._detail_chosen)
        # What Edit > Undo takes back (strength_undo.py): the person's own last change, and
        # the last Apply Colour Strength to All.
        self.own_change = StrengthChange("Colour Strength", self._give_back, self, joins_runs=True)
        self.all_change = StrengthChange("Colour Strength for All", self._give_back, self)
        self.actions: dict[str, QAction] = {
            "strength_all": make_action(
                host,
                "Apply Colour Strength to &All",
                self.apply_strength_to_all,
                None,
                "Give every photo in the list the colour strength of the one shown",
            )
        }

    def show(self, item: PhotoItem | None) -> None:
        """The choices of the photo shown now."""
        self.own_change.open = False  # another photo's strength changes are a change of their own
        strength = item.strength if item is not None else 1.0
        self.saturation.blockSignals(True)
        self.saturation.setValue(round(strength * 100))
        self.saturation.blockSignals(False)
        self.saturation_label.setText(f"{round(strength * 100)}%")
        size = item.render_size if item is not None else 0
        self.detail_combo.setCurrentIndex(max(0, self.detail_combo.findData(size)))

    def show_if_current(self, item: PhotoItem) -> None:
        """`item`'s choices changed from elsewhere (they came back from the store)."""
        if item is self.selection.current():
            self.show(item)

    def apply_strength_to_all(self) -> None:
        strength = self.saturation.value() / 100.0
        changed = [item for item in self.photos.items if item.strength != strength]
        self.all_change.made(changed, strength)
        self.own_change.open = False
        self._set_strengths([(item, strength) for item in changed])
        self.status.emit(
            f"Colour strength {round(strength * 100)}% for {photos(len(self.photos.items))}"
            + (f"; Ctrl+Z gives {photos(len(changed))} back their own." if changed else ".")
        )

    def _give_back(self, before: list[tuple[PhotoItem, float]]) -> None:
        """An undone change: each photo's strength as before it, the shown one's on the slider."""
        self._set_strengths(before)
        current = self.selection.current()
        if current is not None:
            self.show(current)
            if current.result is not None:
                self.view.set_colorized(to_qimage(current.result.render(current.strength)))
        if len(before) == 1:
            self.status.emit(f"Colour strength back to {round(before[0][1] * 100)}%.")
        else:
            self.status.emit(f"Gave {photos(len(before))} back their own colour strength.")

    def _set_strengths(self, strengths: list[tuple[PhotoItem, float]]) -> None:
        for item, strength in strengths:
            item.strength = strength
            self.photos.show_result(item)
        self.choices_changed.emit([item for item, _ in strengths])

    # ---- what the person does -----------------------------------------------------------------

    def _saturation_changed(self, value: int) -> None:
        self.saturation_label.setText(f"{value}%")
        current = self.selection.current()
        targets = self.selection.selected()
        if current is not None and current not in targets:
            targets.append(current)
        self.own_change.made(targets, value / 100.0)
        for item in targets:
            item.strength = value / 100.0
            self.photos.show_result(item)
        self.choices_changed.emit(targets)
        if current is not None and current.result is not None:
            self.view.set_colorized(to_qimage(current.result.render(current.strength)))

    def _detail_chosen(self, index: int) -> None:
        size = int(self.detail_combo.itemData(index))
        changed = [it for it in self.selection.selected() if it.render_size != size]
        for item in changed:
            item.render_size = size
        self.choices_changed.emit(changed)
        # Those waiting too: their run was asked for at the detail before (a review found the
        # photo shown at its old detail under the new one's name).
        if changed:
            self.colorize_requested.emit(changed)
            self.status.emit(
                f"Colorizing {photos(len(changed))} again at detail "
                f"“{self.detail_combo.itemText(index)}”…"
            )
