"""The model and device choosers, and what the worker says of the model it loaded. A mixin of
MainWindow.

A person's own (fine-tuned) models show their held-out score before and after in the chooser;
the scores are read from the model files on the colorize worker, never on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from .photo_list import PhotoState
from .window_base import WindowBase


class ModelsMixin(WindowBase):
    _model_scores: dict[str, tuple[float, float] | None]  # None: asked, or none in the file
    _pending_model = ""  # the model asked for before the chooser could list them
    engine_ready = False  # the worker has loaded torch; the chooser and the docks are there

    def refresh_models(self, select: str | None = None) -> None:
        from ..engine.catalog import chooser_entries  # torch: loaded on the worker by now

        current = select or self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        unscored = []
        for label, value in chooser_entries():
            self.model_combo.addItem(self._scored(label, value), value)
            if label.endswith("(yours)") and value not in self._model_scores:
                self._model_scores[value] = None  # asked once; the worker reads the file
                unscored.append(value)
        if self.model_combo.count() == 0:
            self.model_combo.addItem("(no model installed)", "default")
        index = self.model_combo.findData(current) if current else -1
        self.model_combo.setCurrentIndex(max(index, 0))
        self.model_combo.blockSignals(False)
        if unscored:
            self.worker.scores_requested.emit(unscored)

    def _scored(self, label: str, value: str) -> str:
        """A fine-tuned model's label carries its held-out score before and after."""
        scores = self._model_scores.get(value)
        if scores is None:
            return label
        return f"{label[: -len(')')]}; {scores[0]:.1f} → {scores[1]:.1f} dB)"

    def _scores_found(self, scores: dict) -> None:
        self._model_scores.update(scores)
        self.refresh_models()

    def models_changed(self, _path: str = "") -> None:
        """A model was saved, renamed or deleted: its file (and score) may be another now."""
        self._model_scores.clear()
        self.refresh_models()

    def _select_model_from_settings(self) -> None:
        """At start, before torch: the worker is asked for the model and device the settings
        name; the chooser lists every model once the worker has loaded torch (`_engine_loaded`),
        since listing them imports the model store."""
        self._pending_model = self.settings.model or "default"
        self.model_combo.blockSignals(True)
        self.model_combo.addItem("Loading models…")  # no data: current_model() is the pending
        self.model_combo.blockSignals(False)
        index = self.device_combo.findData(self.settings.device)
        self.device_combo.blockSignals(True)
        self.device_combo.setCurrentIndex(max(index, 0))
        self.device_combo.blockSignals(False)
        self._model_changed()

    def _engine_loaded(self) -> None:
        wanted, self._pending_model = self._pending_model, ""
        self.refresh_models(wanted)
        if self.current_model() != wanted:  # the model the settings named is gone
            self._model_changed()

    def _devices_found(self, devices: list) -> None:
        """The worker's first answer: torch is loaded (on its thread) by now."""
        if not self.engine_ready:
            self.engine_ready = True
            self._engine_loaded()
            self._after_engine_loaded()
        self.devices = list(devices)
        wanted = self.settings.device
        for label, value in devices:
            if self.device_combo.findData(value) < 0:
                self.device_combo.addItem(label, value)
        if self.device_combo.currentData() == "auto" and wanted != "auto":
            index = self.device_combo.findData(wanted)
            if index >= 0:
                self.device_combo.setCurrentIndex(index)  # the GPU a person chose last time
        if self.panel is not None:
            self.panel.set_devices(self.devices)

    def current_model(self) -> str:
        return self.model_combo.currentData() or self._pending_model or "default"

    def _model_changed(self, *_args) -> None:
        model, device = self.current_model(), self.device_combo.currentData() or "auto"
        self.worker.model_requested.emit(model, device)
        self.model_provenance = ""
        self.model_device = ""
        self.device_label.setText("")
        self.model_error = ""
        redo = [
            it
            for it in self.photos.items
            if it.state == PhotoState.DONE
            and it.result is not None
            and it.result.model_name != Path(model).stem
        ]
        if redo:
            self._colorize_items(redo)

    def _model_ready(self, name: str, device: str, provenance: str = "") -> None:
        self.model_error = ""
        self.model_provenance = provenance
        self.model_device = device
        self.device_label.setText(f"{name} · {device}")

    def _model_failed(self, message: str) -> None:
        self.model_error = message
        self.device_label.setText("model not loaded")
        self.status_label.setText(message)
