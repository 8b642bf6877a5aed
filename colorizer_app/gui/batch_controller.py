"""Colorize batches: queueing photos on the colorize worker, their states and the batch's count.

A controller: it owns its jobs and tally (job_controller.py) and changes the photos' entries;
the window hears of it through its signals (a photo's new result or failure, the progress, the
batch's summary) and shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..core.wording import photos
from .job_controller import JobController
from .photo_list import PhotoItem, PhotoListModel, PhotoState
from .worker import ColorizeWorker

WAITING = (PhotoState.QUEUED, PhotoState.COLORIZING)


class BatchController(JobController):
    photo_changed = Signal(object)  # PhotoItem: colorized or failed (its thumbnail, the view)
    ended = Signal(str)  # the last photo of the batch is done: its summary, for the status bar
    # [PhotoItem] whose detail went back to their colour's when their run was cancelled: the
    # choice kept for next time follows (the pin store).
    choices_reverted = Signal(object)

    def __init__(
        self, photos: PhotoListModel, worker: ColorizeWorker, parent: QObject | None = None
    ):
        super().__init__(photos, worker, parent)
        self.ok = 0
        self.failed = 0
        # A photo's restoration before colour, (RestoreOptions, corrected mask or None): the
        # Restore panel's; None (a batch with no panel): the worker reads the switches kept in
        # the app data.
        self.restore_for: Callable[[Path], tuple] | None = None
        self._again: set[Path] = set()  # waiting photos to colour again when their run ends
        self._model: str | None = None  # the model last asked of the worker, by its name
        worker.started.connect(self._started)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)

    def colorize(self, items: list[PhotoItem]) -> None:
        """Queue these photos (those already waiting are left in their place)."""
        items = [it for it in items if it.state not in WAITING]
        if not items:
            return
        self._begin(len(items))
        for item in items:
            job = self._new_job(item)
            item.state = PhotoState.QUEUED
            item.error = ""
            self.photos.changed(item)
            restore = self.restore_for(item.path) if self.restore_for is not None else None
            self.worker.colorize_requested.emit(
                job, str(item.path), item.render_size, self.worker.cancel_generation, restore
            )
        self.progress_changed.emit()

    def colorize_again(self, item: PhotoItem) -> None:
        """Colour this photo again (its restoration or detail changed); one queued or being
        colorized with what it was before is coloured again when that run ends."""
        self.colorize_all_again([item])

    def colorize_all_again(self, items: list[PhotoItem]) -> None:
        waiting = [it for it in items if it.state in WAITING]
        self._again.update(it.path for it in waiting)
        self.colorize([it for it in items if it.state not in WAITING])

    def colorize_again_with(self, model: str) -> None:
        """Another model was chosen: the photos colorized with another are colorized again, and
        so are those waiting, whose runs were asked for before it and use the model before (a
        review: the queued ones kept the old model's colour under the new one's name)."""
        name, before = Path(model).stem, self._model
        self._model = name
        # The same model asked again (another device, the chooser filled in at start): what
        # waits is coloured with it already.
        switched = before is not None and before != name
        self.colorize_all_again(
            [
                it
                for it in self.photos.items
                if (switched and it.state in WAITING)
                or (
                    it.state == PhotoState.DONE
                    and it.result is not None
                    and it.result.model_name != name
                )
            ]
        )

    def summary(self) -> str:
        """This batch's own count: redoing one photo of 23 colorized one, not 23."""
        stopped = self.total - self.ok - self.failed
        return (
            f"Colorized {self.ok} of {photos(self.total)}"
            + (f"; {self.failed} failed (hover a photo for the reason)" if self.failed else "")
            + (f"; {stopped} cancelled" if stopped > 0 else "")
            + "."
        )

    # ---- the worker's answers ---------------------------------------------------------------

    def _batch_started(self) -> None:
        self.ok = self.failed = 0

    def _started(self, job: int) -> None:
        item = self.photos.item_for_job(job) if self._ours(job) else None
        if item is not None:
            item.state = PhotoState.COLORIZING
            self.photos.changed(item)
            self.status.emit(f"Colorizing {item.path.name}…")

    def _finished(self, job: int, result) -> None:
        if not self._ours(job):
            return
        item = self.photos.item_for_job(job)
        if item is not None:
            item.result = result
            result.hints = item.hints
            item.state = PhotoState.DONE
            self.ok += 1
            self.photos.show_result(item)
            self.photo_changed.emit(item)
        self._end(job)
        self._colour_again_if_asked(item)

    def _failed(self, job: int, message: str) -> None:
        if not self._ours(job):
            return
        item = self.photos.item_for_job(job)
        if item is not None:
            item.state = PhotoState.FAILED
            item.error = message
            self.failed += 1
            self.photos.changed(item)
            self.photo_changed.emit(item)
        self._end(job)
        self._colour_again_if_asked(item)

    def _colour_again_if_asked(self, item: PhotoItem | None) -> None:
        if item is not None and item.path in self._again:
            self._again.discard(item.path)
            self.colorize([item])

    def _skipped(self, job: int) -> None:
        item = self.photos.item_for_job(job) if self._ours(job) else None
        if item is not None and item.state in WAITING:
            self._again.discard(item.path)
            if item.result is None:
                item.state = PhotoState.ADDED
            else:
                # Coloured again at another detail, then cancelled: the colour shown and saved
                # is still the earlier one, so the detail goes back to it. A trial found the
                # photo showing "Standard" over its "Most" colour, and Save All saving it so.
                item.state = PhotoState.DONE
                if item.render_size != item.result.render_size:
                    item.render_size = item.result.render_size
                    self.choices_reverted.emit([item])
            self.photos.changed(item)
            self.photo_changed.emit(item)
        super()._skipped(job)

    def _end(self, job: int) -> None:
        super()._end(job)
        if not self.pending:
            self.ended.emit(self.summary())
