"""The window's saving: Save and Save All with their options, the replace question, and the
worker's answers. A mixin of MainWindow."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from .photo_list import PhotoItem
from .save_options import SaveOptions, SaveOptionsDialog
from .window_base import WindowBase


class SavingMixin(WindowBase):
    def save_selected(self, options: SaveOptions | None = None) -> int:
        return self._save([it for it in self.selected_items() if it.result is not None], options)

    def save_all(self, options: SaveOptions | None = None) -> int:
        return self._save([it for it in self.photos.items if it.result is not None], options)

    def _save(self, items: list[PhotoItem], options: SaveOptions | None) -> int:
        if not items:
            self.status_label.setText("Nothing to save yet: colorize a photo first.")
            return 0
        if not isinstance(options, SaveOptions):
            dialog = SaveOptionsDialog(self.save_options, len(items), self)
            if dialog.exec() != SaveOptionsDialog.DialogCode.Accepted:
                return 0
            options = dialog.options()
            self.save_options = options
            self.settings.save_options = options
        plan = [(it, options.destination(it.path)) for it in items]
        plan = [(it, dest) for it, dest in plan if dest.resolve() != it.path.resolve()]
        existing = [dest for _, dest in plan if dest.exists()]
        overwrite = options.overwrite
        if existing and overwrite is None:
            answer = QMessageBox.question(
                self,
                "Replace earlier outputs?",
                f"{len(existing)} colorized file(s) already exist, e.g. {existing[0].name}.\n"
                "Replace them? (No saves only the new ones.)",
                QMessageBox.StandardButton.Yes
                | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.No,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return 0
            overwrite = answer == QMessageBox.StandardButton.Yes
        if not overwrite:
            plan = [(it, dest) for it, dest in plan if not dest.exists()]
        if not plan:
            self.status_label.setText("Nothing new to save.")
            return 0
        self._start_batch("save", len(plan))
        for item, dest in plan:
            assert item.result is not None  # only colorized photos were planned
            job = self.photos.new_job(item)
            self._busy_jobs.add(job)
            # A snapshot: a pin moved or a strength changed while the save waits in the queue
            # changes the screen, not the file the person asked for.
            self.worker.save_requested.emit(
                job,
                item.result.snapshot(),
                str(dest),
                item.strength,
                options.quality,
                self.generation,
            )
        self._update_progress()
        self.status_label.setText(f"Saving {len(plan)} photo(s)…")
        return len(plan)

    def _save_done(self, job: int, dest: str) -> None:
        item = self.photos.item_for_job(job)
        if item is not None:
            item.saved_to = dest
            self.photos.changed(item)
        self._job_done(job)
        if not self._busy_jobs:
            self.status_label.setText(f"Saved to {Path(dest).parent}")

    def _save_failed(self, job: int, message: str) -> None:
        self._job_done(job)
        self.status_label.setText(f"Save failed: {message}")
        QMessageBox.warning(self, "Could not save", message)
