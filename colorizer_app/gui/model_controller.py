"""The model and device choosers, and what the colorize worker says of the model it loaded.

A controller: it owns the two choosers and the device label (the window only lays them out), the
model asked for before torch has loaded, the devices found, the fine-tuned models' scores, and
the loaded model's story and error. It speaks to the window through its signals only.

A person's own (fine-tuned) models show their held-out score before and after in the chooser;
the scores are read from the model files on the colorize worker, never on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QLabel

from .app_settings import AppSettings
from .worker import ColorizeWorker

FIRST_DEVICES = [("Automatic", "auto"), ("CPU", "cpu")]  # GPUs join when the worker found them


class ModelController(QObject):
    engine_loaded = Signal()  # the worker's first answer: torch is loaded, the chooser is full
    engine_failed = Signal(str)  # the worker's first answer: torch could not be loaded, why
    devices_changed = Signal(object)  # [(label, value)]: every device found, Automatic first
    model_chosen = Signal(str)  # the model now asked of the worker (a name or a file's path)
    status = Signal(str)  # a line for the status bar (why a model could not be loaded)

    def __init__(
        self, worker: ColorizeWorker, settings: AppSettings, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.worker = worker
        self.settings = settings
        self.engine_ready = False  # the worker has loaded torch; the chooser lists every model
        self.devices = list(FIRST_DEVICES)
        self.error = ""  # why the chosen model could not be loaded ("" when it was)
        self.provenance = ""  # the loaded model's story (About shows it)
        self.device = ""  # where it runs, in words
        self._scores: dict[str, tuple[float, float] | None] = {}  # None: asked, or none in file
        self._pending = ""  # the model asked for before the chooser could list them
        self._moved_to_cpu = False  # training holds the GPU

        self.model_combo = QComboBox()
        self.model_combo.setAccessibleName("Model")  # a screen reader's name for it
        # As wide as the names it holds ("default" is short), so the toolbar keeps room for
        # Open Folder and Colour Pins on a 1366 px laptop.
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.model_combo.setMinimumWidth(90)
        self.model_combo.setToolTip("Model used to colorize: built-in and your own")
        self.device_combo = QComboBox()
        self.device_combo.setAccessibleName("Device")
        # Asking for GPUs starts CUDA: not on this thread, the worker answers with them.
        for label, value in self.devices:
            self.device_combo.addItem(label, value)
        self.device_combo.setToolTip("Where the model runs")
        self.device_label = QLabel("")
        self.model_combo.currentIndexChanged.connect(self._choice_changed)
        self.device_combo.currentIndexChanged.connect(self._choice_changed)
        worker.model_ready.connect(self._model_ready)
        worker.model_failed.connect(self._model_failed)
        worker.devices_found.connect(self._devices_found)
        worker.engine_failed.connect(self._engine_failed)
        worker.scores_found.connect(self._scores_found)

    def start(self) -> None:
        """At start, before torch: the worker is asked for the model and device the settings
        name, then for the devices (its first request loads torch); the chooser lists every
        model once it has answered, since listing them imports the model store."""
        self._pending = self.settings.model or "default"
        self.model_combo.blockSignals(True)
        # "Loading…", not "Loading models…", which a trial saw clipped to "Loading models."
        self.model_combo.addItem("Loading…")  # no data: current_model() is the pending
        self.model_combo.blockSignals(False)
        index = self.device_combo.findData(self.settings.device)
        self.device_combo.blockSignals(True)
        self.device_combo.setCurrentIndex(max(index, 0))
        self.device_combo.blockSignals(False)
        self._choice_changed()
        self.worker.devices_requested.emit()

    # ---- what the window asks ---------------------------------------------------------------

    def current_model(self) -> str:
        return self.model_combo.currentData() or self._pending or "default"

    def current_device(self) -> str:
        return self.device_combo.currentData() or "auto"

    def choose(self, model: str) -> None:
        """Colorize with `model` from now on (a name or a file's path), as if chosen."""
        if not self.engine_ready:
            self._pending = model
        self.refresh(model)
        self._choice_changed()

    def refresh(self, select: str | None = None) -> None:
        from ..engine.catalog import chooser_entries  # torch: loaded on the worker by now

        current = select or self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        unscored = []
        for label, value in chooser_entries():
            self.model_combo.addItem(self._scored(label, value), value)
            if label.endswith("(yours)") and value not in self._scores:
                self._scores[value] = None  # asked once; the worker reads the file
                unscored.append(value)
        if self.model_combo.count() == 0:
            self.model_combo.addItem("(no model installed)", "default")
        index = self.model_combo.findData(current) if current else -1
        self.model_combo.setCurrentIndex(max(index, 0))
        self.model_combo.blockSignals(False)
        if unscored:
            self.worker.scores_requested.emit(unscored)
        if current and index < 0 and select is None:
            # The model in use was renamed or deleted: the chooser showed the first entry while
            # the worker went on with the old file, and Quit stored the first (a review).
            self._choice_changed()
            self.status.emit(
                f"The model in use is no longer in the models folder; colorizing with "
                f"{self.model_combo.currentText()} from now on."
            )

    def models_changed(self, path: str = "", before: str = "") -> None:
        """A model was saved, renamed (from `before` to `path`) or deleted: its file (and score)
        may be another now. The model in use renamed is still the one in use, under its new
        name (a trial's rename switched every photo to the built-in model)."""
        self._scores.clear()
        if path and before and before == self.model_combo.currentData():
            self.refresh(path)
            # The same weights under another name: the worker reads the file from its new
            # place, and nothing is coloured again.
            self.worker.model_requested.emit(path, self.current_device())
            return
        self.refresh()

    def training_started(self, device_type: str) -> None:
        """Training holds the GPU: colorizing moves to the CPU until it ends."""
        if device_type != "cpu":
            self._moved_to_cpu = True
            self.worker.model_requested.emit(self.current_model(), "cpu")
            self.device_label.setText("colorizing on CPU while training uses the GPU")

    def training_ended(self) -> None:
        if self._moved_to_cpu:
            self._moved_to_cpu = False
            self._choice_changed()  # back to the device the person chose

    # ---- the choosers and the worker's answers ----------------------------------------------

    def _scored(self, label: str, value: str) -> str:
        """A fine-tuned model's label carries its held-out score before and after."""
        scores = self._scores.get(value)
        if scores is None:
            return label
        return f"{label[: -len(')')]}; {scores[0]:.1f} → {scores[1]:.1f} dB)"

    def _scores_found(self, scores: dict) -> None:
        self._scores.update(scores)
        self.refresh()

    def _engine_failed(self, why: str) -> None:
        """Torch did not load (a broken install): said, not left "Loading…" for ever."""
        said = f"Colorizer could not load PyTorch ({why}); reinstall Colorizer"
        # Kept in the chooser, which said "Loading…": the status line is soon another's.
        self.model_combo.setItemText(0, "Not loaded")
        self.model_combo.setToolTip(said)
        self.status.emit(said)
        self.engine_failed.emit(said)

    def _devices_found(self, devices: list) -> None:
        """The worker's first answer: torch is loaded (on its thread) by now."""
        if not self.engine_ready:
            self.engine_ready = True
            wanted, self._pending = self._pending, ""
            self.refresh(wanted)
            if self.current_model() != wanted:  # the model the settings named is gone
                self._choice_changed()
            self.engine_loaded.emit()
        self.devices = list(devices)
        wanted = self.settings.device
        for label, value in devices:
            if self.device_combo.findData(value) < 0:
                self.device_combo.addItem(label, value)
        if self.device_combo.currentData() == "auto" and wanted != "auto":
            index = self.device_combo.findData(wanted)
            if index >= 0:
                self.device_combo.setCurrentIndex(index)  # the GPU a person chose last time
        self.devices_changed.emit(self.devices)

    def _choice_changed(self, *_args: object) -> None:
        model = self.current_model()
        self.worker.model_requested.emit(model, self.current_device())
        self.provenance = ""
        self.device = ""
        self.device_label.setText("")
        self.error = ""
        self.model_chosen.emit(model)

    def _model_ready(self, name: str, device: str, provenance: str = "") -> None:
        self.error = ""
        self.provenance = provenance
        self.device = device
        self.device_label.setText(f"{name} · {device}")

    def _model_failed(self, message: str) -> None:
        self.error = message
        self.device_label.setText("model not loaded")
        self.status.emit(message)
