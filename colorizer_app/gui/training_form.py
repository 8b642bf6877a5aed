"""The advanced panel's form: which photos, which model to start from, how to train, the name
of the new model. It turns what the person filled in into the same typed settings the CLI
builds (`FinetuneSettings`); counting the folder's photos is the training worker's, asked for
with `scan_requested` and answered with `show_report`.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..core.errors import ColorizerError
from ..core.fileio import write_atomically
from ..core.paths import user_data_dir, user_models_dir
from ..engine.catalog import chooser_entries
from ..engine.user_models import MODEL_SUFFIX
from ..training.data import ScanReport
from ..training.finetune import MIN_PHOTOS, hold_out
from ..training.settings import MAX_FINETUNE_LR, FinetuneSettings
from .training_worker import scan_side

MODES = {  # mode: (label, steps, learning rate)
    "finetune": ("Fine-tune (quick; keeps what the model knows)", 300, 1e-4),
    "retrain": ("Retrain encoder and decoder from fresh (long)", 3000, 1e-3),
}


def form_file() -> Path:  # read when used: the app data may move (tests)
    return user_data_dir() / "training-form.json"


class TrainingForm(QWidget):
    scan_requested = Signal(str, int)  # folder, the side its photos are kept at
    changed = Signal()  # the folder's count or the model's name changed: Start and Resume follow

    def __init__(self, devices: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.report: ScanReport | None = None  # the chosen folder's count, once made
        self._counting: tuple[str, int] | None = None  # the folder and size last asked to count
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("A folder of your own colour photos")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        form.addRow("Photos:", row)
        self.counts_label = QLabel("Choose a folder: its photos are counted before training.")
        self.counts_label.setWordWrap(True)
        form.addRow("", self.counts_label)
        self.base_combo = QComboBox()
        form.addRow("Start from:", self.base_combo)
        self.mode_combo = QComboBox()
        for key, (label, _, _) in MODES.items():
            self.mode_combo.addItem(label, key)
        self.mode_combo.currentIndexChanged.connect(self._mode_changed)
        for combo in (self.base_combo, self.mode_combo):  # may shrink in a narrow dock
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
            # Cut short in a narrow dock ("Fine-tune (quick; kee"): the whole text on hover.
            combo.currentTextChanged.connect(combo.setToolTip)
            combo.setToolTip(combo.currentText())
        form.addRow("Mode:", self.mode_combo)
        self.steps = QSpinBox()
        self.steps.setRange(5, 1_000_000)
        self.steps.setSingleStep(50)
        form.addRow("Steps:", self.steps)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        # At most what the shipped models were trained at (settings.MAX_FINETUNE_LR): 0.1 was
        # offered, and 20 steps at it saved a model that turned every photo sepia (issue 26).
        self.lr.setRange(1e-6, MAX_FINETUNE_LR)
        self.lr.setSingleStep(1e-4)
        form.addRow("Learning rate:", self.lr)
        self.image_size = QSpinBox()
        self.image_size.setRange(32, 512)
        self.image_size.setSingleStep(32)
        self.image_size.setValue(128)
        self.image_size.setSuffix(" px")
        form.addRow("Image size:", self.image_size)
        self.batch = QSpinBox()
        self.batch.setRange(1, 64)
        self.batch.setValue(8)
        form.addRow("Batch:", self.batch)
        self.device_combo = QComboBox()
        self.set_devices(devices)
        form.addRow("Device:", self.device_combo)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Name of the new model")
        form.addRow("Save as:", self.name_edit)
        self.keep_anyway = QCheckBox("Keep it even if it is not better")
        self.keep_anyway.setToolTip(
            "By default a fine-tune that does not beat the starting model on your held-out "
            "photos saves nothing. Tick to save it anyway (it is never chosen for you)."
        )
        form.addRow("", self.keep_anyway)
        self._mode_changed()
        self.folder_edit.editingFinished.connect(self._folder_typed)
        self.name_edit.textChanged.connect(lambda _t: self.changed.emit())
        self.refresh_bases()

    # ---- the form as it was at the last Start -----------------------------------------------

    def _state(self) -> dict:
        return {
            "folder": self.folder_edit.text(),
            "base": self.base_combo.currentData(),
            "mode": self.mode_combo.currentData(),
            "steps": self.steps.value(),
            "lr": self.lr.value(),
            "size": self.image_size.value(),
            "batch": self.batch.value(),
            "name": self.name_edit.text(),
            "keep_anyway": self.keep_anyway.isChecked(),
        }

    def remember(self) -> None:
        """What the person filled in, kept at Start in the app data: a trial quit mid-run and,
        the next day, found the form empty, so Resume (which needs the same name and folder)
        stayed grayed. Not written: nothing lost but the convenience."""
        try:
            write_atomically(form_file(), json.dumps(self._state()).encode("utf-8"))
        except (OSError, ColorizerError):
            pass

    def recall(self) -> None:
        """The form as at the last Start; a missing or damaged file leaves it as it is. Called
        once the folder count is wired (it asks for one)."""
        try:
            kept = json.loads(form_file().read_text("utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(kept, dict):
            return
        for combo, key in ((self.base_combo, "base"), (self.mode_combo, "mode")):
            index = combo.findData(kept.get(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        for box, key in ((self.steps, "steps"), (self.image_size, "size"), (self.batch, "batch")):
            if isinstance(kept.get(key), int):
                box.setValue(kept[key])
        if isinstance(kept.get("lr"), float):
            self.lr.setValue(kept["lr"])
        self.keep_anyway.setChecked(kept.get("keep_anyway") is True)
        if isinstance(kept.get("name"), str):
            self.name_edit.setText(kept["name"])
        if isinstance(kept.get("folder"), str) and kept["folder"]:
            self.set_folder(kept["folder"])  # counted again: Start and Resume follow

    # ---- what the panel asks ----------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Enough usable photos were counted to train."""
        return self.report is not None and len(self.report.usable) >= MIN_PHOTOS

    def set_devices(self, devices: list[tuple[str, str]]) -> None:
        """The window's one device list (found on its worker thread)."""
        for label, value in devices:
            if self.device_combo.findData(value) < 0:
                self.device_combo.addItem(label, value)

    def refresh_bases(self) -> None:
        """The models to start from: built-in and the person's own, the choice kept."""
        current = self.base_combo.currentData()
        self.base_combo.clear()
        for label, value in chooser_entries():
            self.base_combo.addItem(label, value)
        index = self.base_combo.findData(current) if current else -1
        self.base_combo.setCurrentIndex(max(index, 0))

    def output_path(self) -> Path:
        name = self.name_edit.text().strip() or "my-photos"
        safe = "".join(c if c.isalnum() or c in "-_ ." else "_" for c in name).strip(" .")
        return user_models_dir() / f"{safe or 'my-photos'}{MODEL_SUFFIX}"

    def settings(self, device: str, resume: bool) -> FinetuneSettings:
        """The same typed settings the CLI builds: the panel is another shell around finetune."""
        return FinetuneSettings(
            base=self.base_combo.currentData() or "default",
            folders=[Path(self.folder_edit.text())],
            output=self.output_path(),
            steps=self.steps.value(),
            lr=self.lr.value(),
            # A multiple of 8, as the networks halve it three times (a typed 100 crashed).
            size=max(32, round(self.image_size.value() / 8) * 8),
            batch_size=self.batch.value(),
            device=device,
            fresh=self.mode_combo.currentData() == "retrain",
            resume=resume,
            keep_anyway=self.keep_anyway.isChecked(),
        )

    # ---- the folder -------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "A folder of your colour photos", self.folder_edit.text()
        )
        if folder:
            self.set_folder(folder)

    def _folder_typed(self) -> None:
        folder = self.folder_edit.text()
        if not self.folder_edit.hasFocus() and (
            (folder, scan_side(self.image_size.value())) == self._counting
        ):
            # The field giving up the keys after its Return (a click on Start): counting the
            # same folder again disabled Start under the pointer, and the click was lost.
            return
        self.set_folder(folder)

    def set_folder(self, folder: str) -> None:
        if not folder:
            return
        asked = self._counting = (folder, scan_side(self.image_size.value()))
        self.folder_edit.setText(folder)
        if not self.name_edit.text():
            self.name_edit.setText(Path(folder).name)
        self.report = None
        self.changed.emit()
        self.counts_label.setText("Counting photos…")
        # Photos are kept at the size training will crop from: a later, larger size rescans.
        self.scan_requested.emit(*asked)

    def show_report(self, report: ScanReport) -> None:
        self.report = report
        if len(report.usable) >= MIN_PHOTOS:
            # Said before Start, not after the run (a trial learnt only then that half of its
            # 16 photos were held out).
            train, held = hold_out(report.usable)
            need = f" {len(train)} to learn from, {len(held)} held out to judge the result."
        else:
            need = (
                f" At least {MIN_PHOTOS} usable colour photos are needed: add "
                f"{MIN_PHOTOS - len(report.usable)} more."
            )
        n = len(report.copies)
        copies = f" · {n} {'copy' if n == 1 else 'copies'} the app made (left out)" if n else ""
        self.counts_label.setText(
            f"{len(report.usable)} usable · {len(report.gray)} too gray (left out) · "
            f"{len(report.unreadable)} unreadable{copies}.{need}"
        )
        if report.unreadable:
            self.counts_label.setToolTip("\n".join(r for _, r in report.unreadable[:30]))
        self.changed.emit()

    def _mode_changed(self) -> None:
        _, steps, lr = MODES[self.mode_combo.currentData()]
        self.steps.setValue(steps)
        self.lr.setValue(lr)
