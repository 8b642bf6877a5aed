"""The colorize worker: one long-lived QObject on its own QThread.

It owns the Colorizer (loaded lazily, once per model/device), takes requests in order through
queued signals, and talks to the window only through typed signals. Torch and the engine are
imported here, on the worker's thread, at its first request: the window shows without them.
Cancel is a generation number: requests made before the latest cancel are skipped, the current
photo finishes.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from ..core.errors import ColorizerError
from .about import provenance_html
from .worker_host import WorkerHost

if TYPE_CHECKING:
    from ..engine.colorizer import Colorizer
    from ..engine.session import ColorizedPhoto


class ColorizeWorker(QObject):
    # to the window
    model_ready = Signal(str, str, str)  # model name, device description, provenance (HTML)
    model_failed = Signal(str)
    started = Signal(int)  # job id
    finished = Signal(int, object)  # job id, ColorizedPhoto
    failed = Signal(int, str)  # job id, message
    skipped = Signal(int)  # cancelled before it ran
    saved = Signal(int, str)  # job id, destination
    save_failed = Signal(int, str)
    # from the window (queued onto this thread)
    # job id, path, render size (0: model's), gen, restore (RestoreOptions, corrected mask or None;
    # None: the photo's switches as kept in the app data)
    colorize_requested = Signal(int, str, int, int, object)
    save_requested = Signal(int, object, str, float, int, int)  # id, photo, dest, sat, quality, gen
    model_requested = Signal(str, str)  # model, device
    devices_requested = Signal()
    devices_found = Signal(object)  # [(label, value)], Automatic and CPU first
    engine_failed = Signal(str)  # torch could not be loaded: why
    scores_requested = Signal(object)  # [model path]
    scores_found = Signal(object)  # {model path: (held-out PSNR before, after)}

    def __init__(self) -> None:
        super().__init__()
        self._colorizer: Colorizer | None = None
        self._model = "default"
        self._device = "auto"
        self.cancel_generation = 0
        # Saves have their own: Clear List cancels the colorizing queued for the photos it
        # takes off, not the copies already asked for (a review: "Saved 2 photos" of 5).
        self.save_generation = 0
        self.network_runs = 0  # how many times the network ran (the GUI tests read it)
        self.colorize_requested.connect(self._colorize)
        self.save_requested.connect(self._save)
        self.model_requested.connect(self._set_model)
        self.devices_requested.connect(self._find_devices)
        self.scores_requested.connect(self._find_scores)

    def cancel_queued(self, saves: bool = True) -> None:
        """Called from the GUI thread: every request made before now is skipped (requests carry
        the `cancel_generation`, or for saves the `save_generation`, they were made in); with
        `saves` False, the saves go on."""
        self.cancel_generation += 1
        if saves:
            self.save_generation += 1

    def cancel(self, generation: int) -> None:
        """Called from the GUI thread: skip every request older than `generation`."""
        self.cancel_generation = self.save_generation = generation

    @Slot()
    def _find_devices(self) -> None:
        try:
            from ..core.device import available_devices  # the first request: torch loads here

            devices = available_devices()
        except Exception as exc:  # noqa: BLE001 - a broken install ("DLL load failed"): said
            traceback.print_exc()
            self.engine_failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.devices_found.emit(devices)

    @Slot(object)
    def _find_scores(self, paths: list[str]) -> None:
        """The held-out scores a fine-tune wrote into its model file, for the chooser."""
        from ..engine.catalog import open_model

        found = {}
        for path in paths:
            try:
                meta = open_model(path).metadata
            except (ColorizerError, OSError):
                continue  # a broken file says so when it is chosen
            if "val_psnr_before" in meta and "val_psnr_after" in meta:
                found[path] = (float(meta["val_psnr_before"]), float(meta["val_psnr_after"]))
        self.scores_found.emit(found)

    @Slot(str, str)
    def _set_model(self, model: str, device: str) -> None:
        if (model, device) != (self._model, self._device):
            self._model, self._device = model, device
            self._colorizer = None

    def _ensure_model(self) -> Colorizer:
        if self._colorizer is None:
            from ..core.device import leave_a_core_free
            from ..engine.colorizer import Colorizer

            self._colorizer = Colorizer(self._model, device=self._device)
            if self._colorizer.device.type == "cpu":
                leave_a_core_free()
            self.model_ready.emit(
                self._colorizer.name,
                self._colorizer.device_name,
                provenance_html(self._colorizer.model_file),
            )
        return self._colorizer

    @Slot(int, str, int, int, object)
    def _colorize(
        self, job: int, path: str, render_size: int, generation: int, restore: tuple | None
    ) -> None:
        if generation < self.cancel_generation:
            self.skipped.emit(job)
            return
        self.started.emit(job)
        try:
            colorizer = self._ensure_model()
        except ColorizerError as exc:
            self.model_failed.emit(str(exc))
            self.failed.emit(job, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - CUDA out of memory, MemoryError, a bug
            # Said like a model's own failure: it escaped the slot before, leaving the photo
            # "colorizing" and the batch's Cancel and Quit waiting for ever (a review).
            traceback.print_exc()
            said = f"the model could not be loaded ({type(exc).__name__}: {exc})"
            if isinstance(exc, MemoryError) or "out of memory" in str(exc):
                said += "; close other programs, or choose Device: CPU"
            self.model_failed.emit(said)
            self.failed.emit(job, said)
            return
        try:
            from ..engine.restore_records import CorrectedMasks, RestoreChoices
            from ..engine.session import colorize_for_view

            if restore is None:  # no Restore panel to ask: switches and damage as kept
                options = RestoreChoices().get(Path(path))
                restore = (options, CorrectedMasks().get(Path(path)) if options.scratches else None)
            colorizer.render_size = render_size or None
            result = colorize_for_view(colorizer, Path(path), *restore)
            result.render_size = render_size
            self.network_runs += 1
        except ColorizerError as exc:
            self.failed.emit(job, str(exc))
        except MemoryError:
            self.failed.emit(job, f"{path}: not enough memory to colorize this photo")
        except Exception as exc:  # a bug must not kill the worker: report it beside the photo
            traceback.print_exc()
            self.failed.emit(job, f"{path}: unexpected error ({type(exc).__name__}: {exc})")
        else:
            self.finished.emit(job, result)

    @Slot(int, object, str, float, int, int)
    def _save(
        self,
        job: int,
        photo: ColorizedPhoto,
        dest: str,
        saturation: float,
        quality: int,
        generation: int,
    ) -> None:
        if generation < self.save_generation:
            self.skipped.emit(job)
            return
        try:
            from ..engine.session import save_colorized

            written = save_colorized(photo, Path(dest), saturation, quality)
        except ColorizerError as exc:
            self.save_failed.emit(job, str(exc))
        except Exception as exc:
            traceback.print_exc()
            self.save_failed.emit(job, f"{dest}: could not be saved ({exc})")
        else:
            self.saved.emit(job, str(written))


def colorize_host() -> WorkerHost[ColorizeWorker]:
    """The colorize worker on its own thread; stopping skips everything still queued."""
    worker = ColorizeWorker()
    return WorkerHost(worker, "colorize-worker", lambda: worker.cancel(1 << 62))
