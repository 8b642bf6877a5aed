"""Where and how colorized copies are saved, and the small dialog that asks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from ..core.fileio import COLORIZED_SUFFIX
from .elided_label import PathWrapLabel

NAME_NEEDED = "Beside the originals a copy needs an ending, or it would be the original."
OWN_FOLDER = "The photos are in this folder: a copy needs an ending, or it would be the original."
FOLDER_NEEDED = "Type or choose the folder to save in."
BAD_ENDING = "A name ending cannot hold / \\ .. or control characters: it is not a folder."

# The copies a quality applies to, by the name each is said with.
LOSSY = (("JPEG", {".jpg", ".jpeg"}), ("WebP", {".webp"}))
FORMATS = [("Same as original", "same"), ("PNG", "png"), ("JPEG", "jpg"), ("TIFF", "tiff")]


@dataclass
class SaveOptions:
    folder: Path | None = None  # None: beside each original
    fmt: str = "same"
    quality: int = 95
    suffix: str = COLORIZED_SUFFIX
    overwrite: bool | None = None  # None: ask before replacing an earlier output

    def destination(self, source: Path, root: Path | None = None) -> Path:
        """Beside `source`, or in the folder under `source`'s place below `root`."""
        from ..engine.batch import output_path

        return output_path(source, self.folder, root, self.suffix, self.fmt)


class SaveOptionsDialog(QDialog):
    """Asks where and how the colorized copies of `sources` are saved: it counts them, offers
    quality only where a JPEG or WebP is written, and shows where the first copy will go
    (`roots`: the folder each photo was found in, whose subfolders a save keeps)."""

    def __init__(
        self,
        options: SaveOptions,
        sources: Sequence[Path],
        parent: QWidget | None = None,
        roots: Sequence[Path | None] = (),
    ):
        super().__init__(parent)
        self.sources = list(sources)
        # The folder each was found in (None: opened by itself): a save keeps its subfolders.
        self._roots = list(roots) or [None] * len(self.sources)
        # Where a copy with no ending would be its own original: each photo's folder, or the
        # folder it was found in (its subfolders kept below it). Few: found once, not per key.
        pairs = zip(self.sources, self._roots, strict=True)
        self._own_folders = {
            os.path.realpath(f) for f in {root or src.parent for src, root in pairs}
        }
        # One photo of each name ending: what format a copy takes depends on nothing else, and
        # the check below runs on every key typed (Save All over thousands of photos).
        self._one_per_ending = list({src.suffix.lower(): src for src in self.sources}.values())
        many = len(self.sources) > 1
        self.setWindowTitle(
            f"Save {len(self.sources)} colorized photos" if many else "Save colorized photo"
        )
        form = QFormLayout(self)
        self.beside = QRadioButton("Beside each original" if many else "Beside the original")
        self.in_folder = QRadioButton("In this folder:")
        group = QButtonGroup(self)
        group.addButton(self.beside)
        group.addButton(self.in_folder)
        self.folder_edit = QLineEdit(str(options.folder or ""))
        # Room for a folder's last parts as it is typed (the dialog no longer widens with it).
        self.folder_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 36)
        # Typing a folder means "in this folder": left on "beside", the copies went beside the
        # originals and the folder typed was ignored without a word.
        self.folder_edit.textEdited.connect(lambda text: self.in_folder.setChecked(bool(text)))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.in_folder)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        form.addRow("Save to:", self.beside)
        form.addRow("", row)
        (self.in_folder if options.folder else self.beside).setChecked(True)
        self.format_combo = QComboBox()
        for label, value in FORMATS:
            self.format_combo.addItem(label, value)
        # findData: a format the settings file names that this list does not (edited by hand,
        # or from a later version) raised here, and Save did nothing, every time (a review).
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(options.fmt)))
        form.addRow("Format:", self.format_combo)
        self.quality = QSpinBox()
        self.quality.setRange(50, 100)
        self.quality.setValue(options.quality)
        self.quality.setSuffix(" (JPEG)")
        form.addRow("Quality:", self.quality)
        self.suffix_edit = QLineEdit(options.suffix)
        # Left empty, the copies keep the originals' names: only in another folder, since beside
        # the originals each copy would be its original (it was silently put back to _colorized).
        self.suffix_edit.setPlaceholderText("nothing: the originals' names, in another folder")
        form.addRow("Name ends with:", self.suffix_edit)
        self.suffix_note = PathWrapLabel(NAME_NEEDED)
        form.addRow("", self.suffix_note)
        self.example = PathWrapLabel("")
        form.addRow("Saved as:", self.example)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        form.addRow(buttons)
        for changed in (
            self.suffix_edit.textChanged,
            self.folder_edit.textChanged,
            self.in_folder.toggled,
            self.format_combo.currentIndexChanged,
        ):
            changed.connect(self._check)
        self._check()

    def _check(self) -> None:
        """Save waits, saying why, while the answers cannot be saved as they stand: no name
        ending beside the originals, no folder typed for "In this folder" (it saved beside the
        originals without a word), an ending that names a folder (it failed with no word)."""
        from ..engine.batch import suffix_problem

        ending, in_folder = self.suffix_edit.text(), self.in_folder.isChecked()
        why = ""
        if in_folder and not self.folder_edit.text().strip():
            why = FOLDER_NEEDED
        elif not ending and not in_folder:
            why = NAME_NEEDED
        elif not ending and self._into_own_folder():
            why = OWN_FOLDER
        elif suffix_problem(ending):
            why = BAD_ENDING
        self.suffix_note.setText(why)
        self.suffix_note.setVisible(bool(why))
        self.save_button.setEnabled(not why)
        from ..engine.batch import output_suffix

        fmt = self.format_combo.currentData()
        # Quality only where a lossy copy is written: "Same as original" for PNG scans left it
        # on; and WebP scans' copies take it too (a review found it grayed for them).
        written = {output_suffix(src, fmt) for src in self._one_per_ending}
        lossy = [name for name, kinds in LOSSY if written & kinds]
        self.quality.setEnabled(bool(lossy))
        self.quality.setSuffix(f" ({', '.join(lossy) or 'JPEG'})")
        self.example.setText("" if why or not self.sources else self._example())
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as its lines need at its width: a window does not grow by itself for a label
        that wraps onto more lines (at 200% the 'Saved as' lines were cut to half their
        height), nor shrink when a note that took lines is gone (only growing, it was left
        a third taller than its contents)."""
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth() or not self.isVisible():
            return
        need = layout.totalHeightForWidth(self.width())
        if need != self.height():
            self.resize(self.width(), need)

    def _into_own_folder(self) -> bool:
        """The folder typed is one the photos are in: with no ending, each copy's name there
        is its original's (a trial's Save All into the scans' own folder wrote scan-2.jpg,
        then scan-2-2.jpg, beside each scan at each save, and they came back as photos)."""
        folder = self.options().folder
        return folder is not None and os.path.realpath(folder) in self._own_folders

    def _example(self) -> str:
        options = self.options()
        first = options.destination(self.sources[0], self._roots[0])
        where = f"in {first.parent}" if options.folder else "beside it"
        more = len(self.sources) - 1
        return f"{first.name} ({where})" + (f", and {more} more named alike" if more else "")

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Save colorized photos in", self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)
            self.in_folder.setChecked(True)

    def options(self) -> SaveOptions:
        typed = self.folder_edit.text().strip()
        # "~/Pictures" is the person's home, not a folder named "~" wherever the app started.
        folder = Path(typed).expanduser() if (self.in_folder.isChecked() and typed) else None
        return SaveOptions(
            folder,
            self.format_combo.currentData(),
            self.quality.value(),
            self.suffix_edit.text(),  # never empty beside the originals: Save waits (_check)
        )
