"""The window's colorize batches: queueing photos on the worker, their states, progress, cancel.

A mixin of MainWindow (it uses the window's photos model, worker and status widgets).
"""

from __future__ import annotations

import time

from .photo_list import PhotoItem, PhotoState
from .window_base import WindowBase


class BatchMixin(WindowBase):
    def colorize_selected(self) -> None:
        self._colorize_items(self.selected_items())

    def colorize_all(self) -> None:
        self._colorize_items(self.photos.items)

    def _start_batch(self, kind: str, count: int) -> None:
        if not self._busy_jobs or self._batch_kind != kind:
            self._batch_total, self._batch_done = 0, 0
            self._batch_ok, self._batch_failed = 0, 0
            self._batch_started = time.monotonic()
        self._batch_kind = kind
        self._batch_total += count

    def _colorize_items(self, items: list[PhotoItem]) -> None:
        items = [it for it in items if it.state not in (PhotoState.QUEUED, PhotoState.COLORIZING)]
        if not items:
            return
        self._start_batch("colorize", len(items))
        for item in items:
            job = self.photos.new_job(item)
            item.state = PhotoState.QUEUED
            item.error = ""
            self._busy_jobs.add(job)
            self.photos.changed(item)
            self.worker.colorize_requested.emit(
                job, str(item.path), item.render_size, self.generation
            )
        self._update_progress()
        self._update_actions()

    def cancel(self) -> None:
        """Stop after the current photo: everything still queued is skipped."""
        if not self._busy_jobs:
            return
        self.generation += 1
        self.worker.cancel(self.generation)
        self.status_label.setText("Cancelling after the current photo…")

    def _job_started(self, job: int) -> None:
        item = self.photos.item_for_job(job)
        if item is not None:
            item.state = PhotoState.COLORIZING
            self.photos.changed(item)
            self.status_label.setText(f"Colorizing {item.path.name}…")

    def _job_done(self, job: int) -> None:
        self.photos.forget_job(job)
        self._busy_jobs.discard(job)
        self._batch_done += 1
        self._update_progress()
        self._update_actions()

    def _job_finished(self, job: int, result) -> None:
        item = self.photos.item_for_job(job)
        if item is not None:
            item.result = result
            result.hints = item.hints
            item.state = PhotoState.DONE
            self._batch_ok += 1
            self.refresh_thumbnail(item)
            self.photos.changed(item)
            if item is self.current_item():
                self._show_current()
        self._job_done(job)

    def _job_failed(self, job: int, message: str) -> None:
        item = self.photos.item_for_job(job)
        if item is not None:
            item.state = PhotoState.FAILED
            item.error = message
            self._batch_failed += 1
            self.photos.changed(item)
            if item is self.current_item():
                self._show_current()
        self._job_done(job)

    def _job_skipped(self, job: int) -> None:
        item = self.photos.item_for_job(job)
        if item is not None and item.state in (PhotoState.QUEUED, PhotoState.COLORIZING):
            item.state = PhotoState.ADDED
            self.photos.changed(item)
        self._job_done(job)

    def _update_progress(self) -> None:
        busy = bool(self._busy_jobs)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            # This batch's own count: redoing one photo of 23 colorized one, not 23.
            failed, ok = self._batch_failed, self._batch_ok
            stopped = self._batch_total - ok - failed
            if self.model_error:
                self.status_label.setText(self.model_error)
            elif self._batch_total and self._batch_kind == "colorize":
                self.status_label.setText(
                    f"Colorized {ok} of {self._batch_total} photo(s)"
                    + (f"; {failed} failed (hover a photo for the reason)" if failed else "")
                    + (f"; {stopped} cancelled" if stopped > 0 else "")
                    + "."
                )
            self._batch_total = self._batch_done = 0
            return
        self.progress.setMaximum(max(self._batch_total, 1))
        self.progress.setValue(self._batch_done)
        elapsed = time.monotonic() - self._batch_started
        if self._batch_done:
            eta = elapsed / self._batch_done * (self._batch_total - self._batch_done)
            self.progress.setFormat(f"%v/%m · {eta:.0f} s left")
        else:
            self.progress.setFormat("%v/%m")

    @property
    def busy(self) -> bool:
        """Photos being colorized or saved, or folders still being looked through."""
        return bool(self._busy_jobs or self._scans)
