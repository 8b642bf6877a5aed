"""The advanced panel's "Your models" box: a person's own models, renamed, deleted, exported.

Only user models are listed (the built-in ones cannot be changed); every change is said with
`changed(path, before)` so the choosers refresh and follow a renamed model ("" when one went
away).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import ColorizerError
from ..core.paths import user_models_dir
from ..engine.catalog import list_models
from ..engine.user_models import (
    MODEL_SUFFIX,
    delete_user_model,
    export_model,
    rename_user_model,
)


class ModelManager(QGroupBox):
    # the path of a renamed model ("" when one was deleted), and its path before
    changed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Your models", parent)
        layout = QVBoxLayout(self)
        self.models_list = QListWidget()
        self.models_list.setMaximumHeight(110)
        layout.addWidget(self.models_list)
        row = QHBoxLayout()
        self.buttons: list[QPushButton] = []
        for text, slot in (
            ("Rename…", self.rename_model),
            ("Delete…", self.delete_model),
            ("Export…", self.export_model),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons.append(button)
        layout.addLayout(row)
        # Only with a model to act on: a trial clicked them over an empty list, and nothing
        # happened.
        self.models_list.currentItemChanged.connect(lambda *_: self._follow_selection())
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.refresh()

    def _follow_selection(self) -> None:
        for button in self.buttons:
            button.setEnabled(self.models_list.currentItem() is not None)

    def refresh(self) -> None:
        self.models_list.clear()
        for entry in list_models():
            if entry.kind == "user":
                self.models_list.addItem(entry.name)
        self._follow_selection()

    def _selected_model(self) -> Path | None:
        item = self.models_list.currentItem()
        return user_models_dir() / f"{item.text()}{MODEL_SUFFIX}" if item else None

    def rename_model(self) -> None:
        path = self._selected_model()
        if path is None:
            return
        name, ok = QInputDialog.getText(self, "Rename model", "New name:", text=path.stem)
        if ok and name.strip() and name.strip() != path.stem:
            try:
                target = rename_user_model(path.stem, name)
            except ColorizerError as exc:
                QMessageBox.warning(self, "Rename model", str(exc))
                return
            self.changed.emit(str(target), str(path))

    def delete_model(self) -> None:
        path = self._selected_model()
        if path is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete model",
            f"Delete your model {path.stem!r}? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,  # Enter keeps it (a trial found Yes the default)
        )
        if answer == QMessageBox.StandardButton.Yes:
            try:
                delete_user_model(path.stem)
            except ColorizerError as exc:
                QMessageBox.warning(self, "Delete model", str(exc))
            self.changed.emit("", str(path))

    def export_model(self) -> None:
        path = self._selected_model()
        if path is None:
            return
        dest, _ = QFileDialog.getSaveFileName(
            self, "Export model", path.name, "Colorizer models (*.pt)"
        )
        if dest:
            try:
                written = export_model(path, Path(dest))
            except ColorizerError as exc:
                QMessageBox.warning(self, "Export model", str(exc))
                return
            # said, as every other writer is (a trial's export said nothing)
            self.status.setText(f"Exported {path.stem!r} to {written}.")
