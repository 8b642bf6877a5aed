"""The hidden advanced panel: fine-tune or retrain on a person's own folder of colour photos.

A dock, so the rest of the app stays usable. What to train is its form (training_form.py); the
panel runs it on its own worker thread through `training.finetune` (which calls the one
training loop) and shows what it reports: progress, the loss curve, previews, the outcome. The
"Your models" box below (model_manager.py) is the person's models, managed on their own; the
window keeps every list of models in step when one is saved, renamed or deleted.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.device import describe_device, pick_device
from ..training.finetune import CHECKPOINT_EVERY
from ..training.outputs import checkpoint_path
from .loss_curve import LossCurve
from .model_manager import ModelManager
from .preview_strip import PreviewStrip
from .training_form import TrainingForm
from .training_worker import TrainingWorker
from .wheel_guard import scrolling_panel
from .worker_host import WorkerHost


def loss_words(loss: float) -> str:
    """The training loss as a person reads it. The `psnr` objective is the log10 of each photo's
    colour error, a negative number that falls as the model improves; it is said as the PSNR
    it stands for (-10 x loss, positive, higher is better). The others are errors already."""
    if loss < 0:
        return f"training PSNR {-10 * loss:.2f} dB (higher is better)"
    return f"loss {loss:.4f} (lower is better)"


class TrainingPanel(QDockWidget):
    model_saved = Signal(str)  # path of a new user model (the window refreshes the lists)
    training_started = Signal(str)  # device type: "cpu", "cuda", "mps"
    training_ended = Signal()

    def __init__(self, devices: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__("Advanced: teach the model your colours", parent)
        self.setObjectName("advanced_panel")
        self.setAllowedAreas(self.allowedAreas())
        worker = TrainingWorker()
        self.host = WorkerHost(worker, "training-worker", worker.cancel)
        self.worker = worker
        self.training = False
        self._started_at = 0.0
        self._stopping = False  # Cancel pressed; the step in flight is finishing
        self._kept_step = 0  # the step this run's last checkpoint holds (0: none yet)
        self._last_output: Path | None = None  # the run Resume would continue
        self._build(devices)
        self._connect()

    # ---- layout -----------------------------------------------------------------------------

    def _build(self, devices: list[tuple[str, str]]) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        self.form = TrainingForm(devices)
        layout.addWidget(self.form)

        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(lambda: self.start(resume=False))
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue a cancelled run from its last checkpoint")
        self.resume_button.clicked.connect(lambda: self.start(resume=True))
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        for b in (self.start_button, self.resume_button, self.pause_button, self.cancel_button):
            buttons.addWidget(b)
        self.progress = QProgressBar()
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.device_note = QLabel("")
        self.device_note.setWordWrap(True)
        layout.addWidget(self.device_note)
        self.curve = LossCurve()
        layout.addWidget(self.curve)
        self.previews = PreviewStrip()
        layout.addWidget(self.previews)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)

        self.manager = ModelManager()  # the window wires it: it is about every list of models
        layout.addWidget(self.manager)
        layout.addStretch(1)
        # The settings scroll rather than growing the window (it must fit a 1366x768 laptop
        # screen); Start, Pause, Cancel and the progress stay below them, always in view.
        scroll = scrolling_panel(body)
        self.settings_scroll = scroll
        outer = QWidget()
        column = QVBoxLayout(outer)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(scroll, 1)
        run = QVBoxLayout()
        run.setContentsMargins(9, 0, 9, 9)
        run.addWidget(self.progress)
        run.addWidget(self.status_label)
        # The buttons last, at the panel's foot: above the status line, they moved each time
        # it took a line more or less, and a trial's click on Cancel missed.
        run.addLayout(buttons)
        column.addLayout(run)
        self.setWidget(outer)
        self._set_training(False)

    def _connect(self) -> None:
        w = self.worker
        w.scanned.connect(self.form.show_report)
        w.scan_failed.connect(self.form.counts_label.setText)
        w.status.connect(self._status)
        w.progress.connect(self._progress)
        w.paused.connect(self._held)
        w.epoch.connect(self._epoch)
        w.preview.connect(self._preview)
        w.finished.connect(self._finished)
        w.failed.connect(self._failed)
        w.cancelled.connect(self._cancelled)
        self.form.scan_requested.connect(w.scan_requested)
        self.form.changed.connect(self._form_changed)
        self.form.recall()  # the form as at the last Start: its folder is counted again

    # ---- state ------------------------------------------------------------------------------

    def _set_training(self, training: bool) -> None:
        self.training = training
        self.pause_button.setEnabled(training)
        self.cancel_button.setEnabled(training)
        if not training:
            self.pause_button.setChecked(False)
        self._form_changed()

    def _form_changed(self) -> None:
        """Start needs enough photos counted; Resume, a checkpoint under the model's name."""
        self.start_button.setEnabled(not self.training and self.form.ready)
        ckpt = checkpoint_path(self.form.output_path())
        self.resume_button.setEnabled(
            not self.training and ckpt.is_file() and self.form.report is not None
        )

    # ---- training ---------------------------------------------------------------------------

    def start(self, resume: bool = False) -> None:
        if self.training or self.form.report is None:
            return
        out = self.form.output_path()
        if out.exists() and not resume:
            answer = QMessageBox.question(
                self,
                "Replace model?",
                f"A model named {out.stem!r} exists. Replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,  # Enter keeps the model (a trial's Enter did not)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        # Resuming the same run keeps its curve and its place on the bar; a new run starts clean.
        if not (resume and self._last_output == out):
            self.curve.clear()
        self._last_output = out
        self._stopping = False
        self.result_label.setText("")
        device = pick_device(self.form.device_combo.currentData())
        settings = self.form.settings(str(device), resume)
        self._started_at = time.monotonic()
        self._set_training(True)
        self.progress.setRange(0, settings.steps)
        self.progress.setValue(min(self.curve.last_step(), settings.steps))
        self._kept_step = self.progress.value() if resume else 0  # what a quit now would keep
        self.form.remember()
        self.progress.setFormat("%v/%m steps · starting…")
        self.status_label.setText("Resuming…" if resume else "Starting…")
        self.device_note.setText(
            f"Training on {describe_device(device)}; colorizing runs on the CPU until it ends."
            if device.type != "cpu"
            else "Training on the CPU: colorizing shares it and is slower until training ends."
        )
        self.training_started.emit(device.type)
        self.worker.train_requested.emit(settings)

    def _paused(self) -> bool:
        return self.pause_button.isChecked()

    def _status(self, text: str) -> None:
        """The worker's phase ("Reading the photos…"), unless the person's own Pause or Cancel
        is what the line must say."""
        if not (self._stopping or self._paused()):
            self.status_label.setText(text)

    def _pause_toggled(self, paused: bool) -> None:
        self.worker.set_paused(paused)
        self.pause_button.setText("Continue" if paused else "Pause")
        if paused:
            self.status_label.setText("Pausing after this step… Continue goes on from there.")
            self.progress.setFormat("%v/%m steps · paused")
        else:
            self.status_label.setText("Training…")
            self.progress.setFormat("%v/%m steps")

    def cancel(self) -> None:
        if self.training and not self._stopping:
            # A step at 512 px takes many seconds: say at once that the stop is under way.
            self._stopping = True
            self.cancel_button.setEnabled(False)
            self.pause_button.setEnabled(False)
            self.status_label.setText("Stopping after this step…")
            self.progress.setFormat("%v/%m steps · stopping")
            self.worker.cancel()

    def _progress(self, step: int, total: int, loss: float, rate: float, eta: float) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(step)
        self.curve.add_loss(step, loss, total)
        if step % CHECKPOINT_EVERY == 0:
            self._kept_step = step
        if self._stopping:
            return
        if self._paused():  # the step in flight when Pause was pressed: the hold comes next
            self.progress.setFormat("%v/%m steps · paused")
            return
        left = f"{eta / 60:.1f} min left" if eta > 0 else "estimating time left…"
        self.progress.setFormat(f"%v/%m steps · {left}")
        self.status_label.setText(f"Training: {loss_words(loss)}, {rate:.1f} photos/s")

    def _held(self, step: int) -> None:
        """The worker is holding between steps."""
        if self._paused() and not self._stopping:
            self.status_label.setText(f"Paused after step {step}. Continue goes on from there.")
            self.progress.setFormat("%v/%m steps · paused")

    def _epoch(self, step: int, psnr: float) -> None:
        self.curve.add_psnr(step, psnr)

    def _preview(self, gray, now, truth) -> None:
        self.previews.show_photos(gray, now, truth)

    def _end(self) -> None:
        self._stopping = False
        self._set_training(False)
        self.device_note.setText("")
        self.training_ended.emit()

    def _finished(self, result: dict) -> None:
        self._end()
        # Stopped before the steps asked for: the bar says where and why, not a full "done"
        # (a trial asked for 300 steps, saw the bar full, and learnt nothing of the other 295).
        early = result["steps"] < self.form.steps.value()
        self.progress.setValue(result["steps"] if early else self.progress.maximum())
        self.progress.setFormat("%v/%m steps · stopped early" if early else "done")
        stopped = " (stopped early: the held-out score no longer improved)" if early else ""
        minutes = (time.monotonic() - self._started_at) / 60
        if result["path"] is None:
            # Never hand back a worse model: say so, keep the one the person had.
            self.result_label.setText(
                f"No new model: after {result['steps']} steps{stopped} ({minutes:.1f} min), "
                f"{result['summary']}. Your models are unchanged. More photos, fewer steps or a "
                "lower learning rate may help."
            )
            why = result.get("headline") or "nothing beat the starting model"
            self.status_label.setText(f"Done, no new model: {why}.")
            return
        self.result_label.setText(
            f"Saved as {Path(result['path']).stem!r} after {result['steps']} steps{stopped} "
            f"({minutes:.1f} min, {result['train']} photos, {result['held_out']} held out). "
            f"Held-out PSNR {result['before']:.2f} dB before → {result['after']:.2f} dB after"
            + (
                f" (the best, from step {result['best_step']})."
                if result["best_step"] != result["steps"]
                else "."
            )
        )
        if result.get("better", True):
            self.status_label.setText(
                "Done. The new model is in the model chooser; choose it there to use it."
            )
        else:  # kept as asked: a trial read a plain "Done" over a worse model
            why = result.get("headline") or "it is not better than the start"
            self.status_label.setText(
                f"Done, kept as you asked though not better: {why}. It is in the model chooser."
            )
        self.model_saved.emit(result["path"])

    def _failed(self, message: str) -> None:
        self._end()
        self.status_label.setText(message)
        QMessageBox.warning(self, "Training stopped", message)

    def _cancelled(self) -> None:
        self._end()
        self.progress.setFormat("%v/%m steps · stopped")
        self.status_label.setText(
            "Cancelled. Nothing was saved; Resume continues from the last checkpoint."
        )

    def quit_question(self) -> str:
        """What quitting mid-run loses, asked before: a trial quit at step 2, read "Resume picks
        up where it stopped", and found nothing to resume (a run keeps its place every
        CHECKPOINT_EVERY steps and when cancelled; a quit cannot wait for a 512 px step)."""
        step, total = self.progress.value(), self.progress.maximum()
        if self._kept_step:
            kept = f"Resume, with the same name, continues from step {self._kept_step}."
        else:
            kept = (
                f"Nothing of it is kept yet (its place is kept every {CHECKPOINT_EVERY} steps, "
                "and when you Cancel): quitting now loses it."
            )
        return f"A model is being trained (step {step} of {total}). Stop it and quit? {kept}"

    def stop(self, limit_s: float) -> bool:
        """Stops a scan or a run (at its next photo or step), waiting at most `limit_s`."""
        return self.host.stop(limit_s)
