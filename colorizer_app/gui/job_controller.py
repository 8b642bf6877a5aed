"""What the colorize and the save controllers share: the jobs each gave the colorize worker,
its batch's tally and its progress.

Each controller owns its own jobs and tally; the worker's answers for jobs that are not its own
are not its business (job ids come from the photos model, one count for both). The worker's
queue is one: a cancel (ColorizeWorker.cancel_queued) skips every request made before it (the
saves too, unless told not to: Clear List leaves them).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from .photo_list import PhotoItem, PhotoListModel
from .worker import ColorizeWorker


class JobController(QObject):
    progress_changed = Signal()  # a job was queued or ended: `pending` and `progress()` moved
    status = Signal(str)  # a line for the status bar

    def __init__(self, photos: PhotoListModel, worker: ColorizeWorker, parent: QObject | None):
        super().__init__(parent)
        self.photos = photos
        self.worker = worker
        self._jobs: set[int] = set()
        self.total = 0  # this batch's jobs: queued while others were still pending join it
        self.done = 0
        self._began_at = 0.0
        worker.skipped.connect(self._skipped)

    @property
    def pending(self) -> int:
        """Jobs queued on the worker and not yet answered."""
        return len(self._jobs)

    def progress(self) -> tuple[int, int, float]:
        """Done, total, and the seconds left (-1 until one is done)."""
        if not self.done:
            return self.done, self.total, -1.0
        elapsed = time.monotonic() - self._began_at
        return self.done, self.total, elapsed / self.done * (self.total - self.done)

    def _begin(self, count: int) -> None:
        """A new batch when nothing is pending; else these jobs join the one under way."""
        if not self._jobs:
            self.total = self.done = 0
            self._began_at = time.monotonic()
            self._batch_started()
        self.total += count

    def _batch_started(self) -> None:
        """A subclass's own tally starts again here."""

    def _new_job(self, item: PhotoItem) -> int:
        job = self.photos.new_job(item)
        self._jobs.add(job)
        return job

    def _ours(self, job: int) -> bool:
        return job in self._jobs

    def _end(self, job: int) -> None:
        self.photos.forget_job(job)
        self._jobs.discard(job)
        self.done += 1
        self.progress_changed.emit()

    def _skipped(self, job: int) -> None:
        """Cancelled before it ran."""
        if self._ours(job):
            self._end(job)
