"""Per-photo choices: colour strength and detail (the size the network sees), and the colorized
thumbnail that shows them. A mixin of MainWindow.

Each photo keeps its own strength (Save All uses each photo's own; Photo > Apply Colour Strength
to All sets them together) and its own detail; a new detail runs the network again for that photo
only, while strength only re-composes the kept colour.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from .photo_list import PhotoItem, PhotoState
from .qimage import to_qimage
from .window_base import WindowBase

# (label, longest side the network sees; 0: the model's own recommended size)
DETAIL_CHOICES = (
    ("Standard", 0),
    ("More (448 px)", 448),
    ("Most (640 px)", 640),
)


class PhotoOptionsMixin(WindowBase):
    def _build_photo_options(self) -> None:
        self.detail_combo = QComboBox()
        for label, size in DETAIL_CHOICES:
            self.detail_combo.addItem(label, size)
        self.detail_combo.setToolTip(
            "Detail: how large a copy of the photo the model looks at. More sees small things "
            "(faces in a crowd) and takes longer; Standard is the model's own size."
        )
        self.detail_combo.activated.connect(self._detail_chosen)

    def _photo_option_actions(self) -> dict:
        return {
            "strength_all": self._action(
                "Apply Colour Strength to &All",
                self.apply_strength_to_all,
                None,
                "Give every photo in the list the colour strength of the one shown",
            )
        }

    # ---- showing the current photo's own choices ----------------------------------------------

    def _show_photo_options(self, item: PhotoItem | None) -> None:
        strength = item.strength if item is not None else 1.0
        self.saturation.blockSignals(True)
        self.saturation.setValue(round(strength * 100))
        self.saturation.blockSignals(False)
        self.saturation_label.setText(f"{round(strength * 100)}%")
        size = item.render_size if item is not None else 0
        self.detail_combo.setCurrentIndex(max(0, self.detail_combo.findData(size)))

    # ---- what the person does -----------------------------------------------------------------

    def _saturation_changed(self, value: int) -> None:
        self.saturation_label.setText(f"{value}%")
        current = self.current_item()
        targets = self.selected_items()
        if current is not None and current not in targets:
            targets.append(current)
        for item in targets:
            item.strength = value / 100.0
            self.photos.show_result(item)
        if current is not None and current.result is not None:
            self.view.set_colorized(to_qimage(current.result.render(current.strength)))

    def apply_strength_to_all(self) -> None:
        strength = self.saturation.value() / 100.0
        for item in self.photos.items:
            if item.strength != strength:
                item.strength = strength
                self.photos.show_result(item)
        self.status_label.setText(
            f"Colour strength {round(strength * 100)}% for all {len(self.photos.items)} photos."
        )

    def _detail_chosen(self, index: int) -> None:
        size = int(self.detail_combo.itemData(index))
        items = self.selected_items()
        changed = [it for it in items if it.render_size != size]
        for item in changed:
            item.render_size = size
        redo = [it for it in changed if it.state not in (PhotoState.QUEUED, PhotoState.COLORIZING)]
        if redo:
            self.batch.colorize(redo)
            self.status_label.setText(
                f"Colorizing {len(redo)} photo(s) again at detail "
                f"“{self.detail_combo.itemText(index)}”…"
            )
