"""The advanced panel's worker: scans a folder and trains on its own thread, reporting to the
panel through typed signals only (pause, cancel and resume are thread-safe events)."""

from __future__ import annotations

import threading
from pathlib import Path

import torch
from PySide6.QtCore import QObject, Signal, Slot

from ..core.device import pick_device
from ..core.errors import ColorizerError, TrainingCancelled
from ..engine.colorizer import Colorizer
from ..training.data import ScanReport, scan_folders
from ..training.evaluate import gray_of
from ..training.finetune import finetune
from ..training.settings import FinetuneSettings, TrainSettings
from ..training.train import train


def scan_side(size: int) -> int:
    """The side photos are kept at for training at `size` (finetune's own scan keeps the same):
    random crops need a margin, and a smaller copy would be upsampled."""
    return int(size * 1.25)


class TrainingWorker(QObject):
    """Scans folders and trains, on its own thread; reports through typed signals only."""

    scanned = Signal(object)  # ScanReport
    scan_failed = Signal(str)
    status = Signal(str)
    progress = Signal(int, int, float, float, float)  # step, total, loss, images/s, eta s
    epoch = Signal(int, float)  # step, held-out PSNR
    preview = Signal(object, object, object)  # gray input, colorized now, original (uint8 RGB)
    finished = Signal(object)  # dict: path, before, after, steps
    failed = Signal(str)
    cancelled = Signal()
    paused = Signal(int)  # the run is holding between steps, after this many
    scan_requested = Signal(str, int)  # folder, side to keep the photos at
    train_requested = Signal(object)  # FinetuneSettings, or TrainSettings (any preset)

    def __init__(self) -> None:
        super().__init__()
        self.report: ScanReport | None = None
        self.report_folder = ""
        self.report_side = 0
        self._cancel = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._step = 0  # the last step reported
        self.scan_requested.connect(self._scan)
        self.train_requested.connect(self._train)

    # called from the GUI thread
    def cancel(self) -> None:
        self._cancel.set()
        self._running.set()

    def set_paused(self, paused: bool) -> None:
        (self._running.clear if paused else self._running.set)()

    def _should_stop(self) -> bool:
        if not self._running.is_set() and not self._cancel.is_set():
            self.paused.emit(self._step)  # said once, when the hold begins
        while not self._running.wait(0.1):  # paused: the loop waits here, between steps
            if self._cancel.is_set():
                break
        return self._cancel.is_set()

    @Slot(str, int)
    def _scan(self, folder: str, side: int) -> None:
        self._cancel.clear()  # a scan stops with the panel (cancel), as training does
        try:
            self.report = scan_folders(
                [Path(folder)], keep_side=side, should_stop=self._cancel.is_set
            )
            self.report_folder, self.report_side = folder, side
        except ColorizerError as exc:
            self.scan_failed.emit(str(exc))
        else:
            self.scanned.emit(self.report)

    def _on_progress(self, p) -> None:
        self._step = p.step
        if p.val is not None:
            self.epoch.emit(p.step, p.val["psnr"])
        else:
            self.progress.emit(p.step, p.total_steps, p.loss, p.images_per_s, p.eta_s)

    @Slot(object)
    def _train(self, settings: FinetuneSettings | TrainSettings) -> None:
        self._cancel.clear()
        self._running.set()
        if isinstance(settings, TrainSettings):
            self._run(lambda: self._train_new(settings))
            return
        device = pick_device(settings.device)
        on_progress = self._on_progress

        def on_epoch(model, photo) -> None:
            truth = photo.pixels
            gray = gray_of(truth)
            now = Colorizer(model, device).colorize(gray)
            self.preview.emit(gray, now, truth)

        fits = self.report_side >= scan_side(settings.size)
        same = [Path(self.report_folder)] == list(settings.folders) if self.report_folder else False
        report = self.report if same and fits else None
        self._run(
            lambda: self._finetuned(
                finetune(
                    settings,
                    report=report,
                    on_progress=on_progress,
                    should_stop=self._should_stop,
                    on_status=self.status.emit,
                    on_epoch=on_epoch,
                )
            )
        )

    def _train_new(self, settings: TrainSettings) -> None:
        """Any training `colorizer train` runs, from the same settings."""
        result = train(
            settings,
            on_progress=self._on_progress,
            should_stop=self._should_stop,
            on_status=self.status.emit,
        )
        vals = result.history.val
        best = max(vals, key=lambda m: m["psnr"]) if vals else {}
        self.finished.emit(
            {
                "path": str(result.path) if result.path is not None else None,
                "summary": result.scores.lstrip("; "),
                "best_step": best.get("step", result.history.step),
                "before": best.get("gray_psnr", 0.0),  # a new model starts from gray
                "after": best.get("psnr", 0.0),
                "steps": result.history.step,
                "train": result.train_count,
                "held_out": result.held_out_count,
            }
        )

    def _run(self, work) -> None:
        """Run `work`, saying how it ended through the signals; never crash the app."""
        try:
            work()
        except torch.OutOfMemoryError:
            self.failed.emit(
                "The GPU ran out of memory. Choose CPU as the device, or a smaller batch, "
                "and start again (Resume continues from the last checkpoint)."
            )
        except TrainingCancelled:
            self.cancelled.emit()
        except ColorizerError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # report, never crash the app
            self.failed.emit(f"Training stopped: {type(exc).__name__}: {exc}")

    def _finetuned(self, result) -> None:
        # The held-out PSNR as the app colours them, which decided; the curve's is the loop's.
        judged = result.verdict
        self.finished.emit(
            {
                "path": str(result.path) if result.path is not None else None,
                "summary": result.summary(),
                "headline": judged.headline() if judged else "",
                "better": judged.better if judged else True,
                "best_step": result.best_step,
                "before": judged.psnr_before if judged else result.before["psnr"],
                "after": judged.psnr_after if judged else result.after["psnr"],
                "steps": result.history.step,
                "train": result.train_count,
                "held_out": result.held_out_count,
            }
        )
