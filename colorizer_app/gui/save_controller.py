"""Saving: Save and Save All with their options, the replace question, and the worker's answers.

A controller: it owns the save options (kept in the settings), its own jobs and tally
(job_controller.py); each photo goes to the worker as a snapshot of its result, so a pin moved or
a strength changed while the save waits in the queue changes the screen, not the file the person
asked for. Its dialogs open over `host`, the window.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.wording import photos
from .app_settings import AppSettings
from .job_controller import JobController
from .photo_list import PhotoItem, PhotoListModel, PhotoState
from .replace_question import ask_to_replace
from .save_options import SaveOptions, SaveOptionsDialog
from .worker import ColorizeWorker


class SaveController(JobController):
    def __init__(
        self,
        photos: PhotoListModel,
        worker: ColorizeWorker,
        settings: AppSettings,
        host: QWidget,
        parent: QObject | None = None,
    ):
        super().__init__(photos, worker, parent)
        self.settings = settings
        self.options = settings.save_options  # the dialog starts from the last ones chosen
        self._host = host
        self._folder: Path | None = None  # the last save's folder (None: beside the originals)
        # Files of the person's own a save left as they were, each with its copy's free name.
        self._kept: list[tuple[Path, Path]] = []
        self._left_earlier = 0  # earlier copies kept by "Save only the new ones"
        self._queued: dict[int, Path] = {}  # save job -> its output, until it is written
        worker.saved.connect(self._saved)
        worker.save_failed.connect(self._save_failed)

    def save(self, items: list[PhotoItem], options: SaveOptions | None = None) -> int:
        """Saves the colorized ones of `items`; with no options, the dialog asks for them.
        Returns how many were queued."""
        asked = items
        items = [it for it in items if it.result is not None]
        if not items:
            failed = [it for it in asked if it.state == PhotoState.FAILED]
            self.status.emit(
                f"Nothing to save: {failed[0].path.name} could not be colorized ({failed[0].error})"
                if len(failed) == 1 and len(asked) == 1
                else "Nothing to save yet: colorize a photo first."
            )
            return 0
        if not isinstance(options, SaveOptions):  # a QAction's `checked` arrives here too
            dialog = SaveOptionsDialog(
                self.options, [it.path for it in items], self._host, [it.root for it in items]
            )
            accepted = dialog.exec() == SaveOptionsDialog.DialogCode.Accepted
            options = dialog.options()
            # Gone once answered: a closed dialog left a child of the window until the app's
            # teardown crashed Quit after a save (a bus error: "shared QObject was deleted").
            dialog.deleteLater()
            if not accepted:
                return 0
            self.options = options
            self.settings.save_options = options
        # Folders that cannot be written are said before anything is asked (a review found
        # "Replace the earlier copies?" asked of a folder nothing could be saved in).
        items = self._writable(items, options)
        if not items:
            return 0
        plan = self._plan(items, options)
        if plan is None:  # cancelled: said where it was asked
            return 0
        if not plan:
            self.status.emit(f"Nothing new to save{kept_line(self._kept)}.")
            return 0
        self._begin(len(plan))
        self._folder = options.folder
        for item, dest in plan:
            assert item.result is not None  # only colorized photos were planned
            job = self._new_job(item)
            self._queued[job] = dest
            self.worker.save_requested.emit(
                job,
                item.result.snapshot(),
                str(dest),
                item.strength,
                options.quality,
                self.worker.save_generation,
            )
        self.progress_changed.emit()
        self.status.emit(f"Saving {photos(len(plan))}…")
        return len(plan)

    def _plan(
        self, items: list[PhotoItem], options: SaveOptions
    ) -> list[tuple[PhotoItem, Path]] | None:
        """Each photo and where it goes; never over its original. Earlier outputs are replaced
        only if the options or the person say so; None: the person cancelled (said here)."""
        from ..core.fileio import file_keys
        from ..engine.batch import unique_outputs

        plan = [(it, options.destination(it.path, it.root)) for it in items]
        # Two photos named alike (box1/photo.jpg, box2/photo.jpg) into one folder: both kept,
        # the later as photo_colorized-2.jpg, as the command line names them. A trial's Save All
        # wrote three photos over one another and said it had saved all three.
        # ... and a save still queued keeps the name it was given (two Saves in a row into one
        # folder of card1/IMG_0001.jpg and card2/IMG_0001.jpg wrote the second over the first).
        dests = unique_outputs([(it.path, dest) for it, dest in plan], self._queued.values())
        plan = [(it, dest) for (it, _), dest in zip(plan, dests, strict=True)]
        # Never over a photo of the list, its own original or another's: with no name ending,
        # box2/scan001.jpg saved into box1 would be box1's own scan001.jpg (a review).
        listed: set[tuple] = set().union(*(file_keys(it.path) for it in self.photos.items))

        def own(dest: Path) -> bool:  # a photo of the list, or one that may be the person's
            return not file_keys(dest).isdisjoint(listed) or (not options.suffix and dest.exists())

        # Copies named as the originals cannot be told from photos of the person's own already
        # there: those are kept, never asked about, and the copy takes the next free name (a
        # trial's Großmutter 1931.jpg was saved nowhere, said only on the status bar).
        claimed = [*self._queued.values(), *(dest for _, dest in plan)]
        self._kept = [(dest, free_name(dest, claimed, own)) for _, dest in plan if own(dest)]
        instead = dict(self._kept)
        plan = [(it, instead.get(dest, dest)) for it, dest in plan]
        existing = [dest for _, dest in plan if dest.exists()]
        overwrite = options.overwrite
        if existing and overwrite is None:
            overwrite = self._ask_replace(existing, len(plan))
            if overwrite is None:
                copies = "copy is" if len(existing) == 1 else "copies are"
                self.status.emit(f"Not saved: the earlier colorized {copies} kept.")
                return None
        if not overwrite:
            plan = [(it, dest) for it, dest in plan if not dest.exists()]
        # "Save only the new ones": the earlier copies left, said when the save ends (a trial
        # read "Saved 3 photos" and wondered about the fourth).
        self._left_earlier = 0 if overwrite else len(existing)
        return plan

    def _writable(self, items: list[PhotoItem], options: SaveOptions) -> list[PhotoItem]:
        """The photos of `items` whose copies' folders can be written; the rest is said at once,
        naming the folder (a trial's Save All into a read-only folder ran 10 s, then named a
        subfolder). Each folder a copy goes to is judged itself: a read-only subfolder of a
        writable folder chosen was found only photo by photo (a review)."""
        from ..core.fileio import cannot_write_in

        plan = [(it, options.destination(it.path, it.root)) for it in items]
        why: dict[Path, str] = {}
        for folder in {dest.parent for _, dest in plan}:
            problem = cannot_write_in(folder)
            if problem is not None:
                why[folder] = problem
        if not why:
            return items
        kept = [it for it, dest in plan if dest.parent not in why]
        left = len(plan) - len(kept)
        reason = next(iter(why.values()))
        text = (
            f"Cannot save {'here' if left == len(plan) else f'{photos(left)} of {len(plan)}'}: "
            f"{reason}."
        )
        self.status.emit(f"Not saved ({photos(left)}): {reason}")
        QMessageBox.warning(
            self._host,
            "Could not save",
            text
            + f"\n\n{_still_here(left)}, and your originals are untouched: "
            + "choose another folder (Save… > In this folder) and save again."
            + (f"\nThe other {photos(len(kept))} are being saved." if kept else ""),
        )
        return kept

    def _ask_replace(self, existing: list[Path], planned: int) -> bool | None:
        """Whether to replace the earlier outputs in `existing` (of `planned` files): True,
        False (save only the new ones), None (save nothing). Where every file exists, "only
        the new ones" would save nothing: the question is then Replace or Cancel. Enter keeps
        the files (a trial's Enter on "1 file(s)... No saves only the new ones" saved nothing
        and said "Nothing new to save")."""
        new = planned - len(existing)
        if len(existing) == 1:
            where = existing[0]
            text = f"{where.name} already exists in {where.parent}.\nReplace it?"
        else:
            text = (
                f"{len(existing)} colorized files already exist in the folder they go to, "
                f"e.g. {existing[0].name}.\nReplace them?"
            )
        only_new = (
            (f"Save only the {new} new" if new > 1 else "Save only the new one") if new else None
        )
        title = (
            "Replace the earlier colorized copy?"
            if len(existing) == 1
            else ("Replace earlier colorized copies?")
        )
        return ask_to_replace(self._host, title, text, only_new)

    def _batch_started(self) -> None:
        self._failures: list[str] = []
        self._moved = 0  # failures whose original is gone: their message says what to do
        self._written: list[Path] = []

    def _saved(self, job: int, dest: str) -> None:
        if not self._ours(job):
            return
        item = self.photos.item_for_job(job)
        if item is not None:
            item.saved_to = dest
            self.photos.changed(item)
        self._written.append(Path(dest))
        self._end(job)

    def _save_failed(self, job: int, message: str) -> None:
        if not self._ours(job):
            return
        item = self.photos.item_for_job(job)
        if item is not None and not item.path.exists():
            # The copy is made from the original at full size: a trial moved it away after
            # opening and was told "file not found; check the path", then to choose another
            # folder or make room, neither of which could help.
            message = (
                f"{item.path.name} is no longer in {item.path.parent} (moved, renamed, or its "
                "drive unplugged), and the copy is made from it at full size: put it back, or "
                "open it from where it is now, and save again."
            )
            self._moved += 1
        self._failures.append(message)
        self._end(job)

    def _end(self, job: int) -> None:
        self._queued.pop(job, None)
        super()._end(job)
        if not self.pending:
            self._batch_finished()

    def _batch_finished(self) -> None:
        """One word for the whole Save All: a folder that cannot be written used to raise one
        modal warning per photo, a shoebox of 200 scans 200 clicks of OK."""
        failures, moved = self._failures, self._moved
        if not failures:
            if self._written:
                earlier = self._left_earlier
                left = ""
                if earlier:
                    left = (
                        "; the earlier copy kept as it was"
                        if earlier == 1
                        else (f"; {earlier} earlier copies kept as they were")
                    )
                self.status.emit(
                    saved_line(self._written, self._folder) + left + kept_line(self._kept)
                )
            return
        self._failures = []
        # What to do next, said once (a trial met "cannot write in ... (Read-only file system)"
        # and nothing more): the colour is kept in the window, so another folder saves it.
        advice = (
            f"\n\n{_still_here(len(failures))}, and your originals are untouched: "
            "choose another folder (Save… > In this folder), or make room, and save again."
            if moved < len(failures)
            else ""
        )
        saved = f"saved {len(self._written)}, " if self._written else ""
        if len(failures) == 1:
            self.status.emit(f"Save failed ({saved}1 not): {failures[0]}")
            QMessageBox.warning(self._host, "Could not save", failures[0] + advice)
            return
        others = "the others were saved" if self._written else "none was saved"
        head = (
            f"Could not save {len(failures)} photos ({others}); the first:\n{failures[0]}" + advice
        )
        self.status.emit(f"Save failed ({saved}{len(failures)} not): {failures[0]}")
        box = QMessageBox(QMessageBox.Icon.Warning, "Could not save", head, parent=self._host)
        box.setDetailedText("\n".join(failures))
        box.exec()
        box.deleteLater()  # as the Save dialog: not left to the app's teardown


def _still_here(n: int) -> str:
    """That the colour of `n` photos not saved is still in the window (a trial read "The
    colorized photos are still here" of one photo)."""
    return "The colorized photo is still here" if n == 1 else "The colorized photos are still here"


def saved_line(written: list[Path], folder: Path | None = None) -> str:
    """What the status bar says after a save: the file's own name for one photo (the folder
    alone left a person looking for which file it was), the count and the folder for many.
    `folder`: the one chosen to save in, whose subfolders hold an opened folder's photos."""
    folders = {p.parent for p in written}
    if len(written) == 1:
        return f"Saved {written[0].name} in {written[0].parent}"
    if len(folders) == 1:
        return f"Saved {len(written)} photos in {written[0].parent}"
    if folder is not None:
        return f"Saved {len(written)} photos in {folder} and its subfolders"
    return f"Saved {len(written)} photos, each beside its original"


def free_name(dest: Path, claimed: list[Path], taken) -> Path:
    """`<stem>-2<ext>`, `-3`...: the first name beside `dest` that `taken` does not hold and no
    other copy of this save (`claimed`, which it joins) has."""
    keys = {os.path.realpath(p).casefold() for p in claimed}
    n = 2
    while True:
        candidate = dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
        if os.path.realpath(candidate).casefold() not in keys and not taken(candidate):
            claimed.append(candidate)
            return candidate
        n += 1


def kept_line(kept: list[tuple[Path, Path]]) -> str:
    """What a save left alone because it may be a photo of the person's own (a file of the list,
    or, with no name ending, any file already there), and the free name its copy took."""
    if not kept:
        return ""
    (there, copy), more = kept[0], len(kept) - 1
    # Short: the status line shortens what does not fit in its middle, and a trial lost the
    # copy's name there (the folder is the one the save went to, said before this).
    line = f"; {there.name} was there already (maybe yours): kept, its copy is {copy.name}"
    return line + (f", and {more} more like it (-2, -3… added)" if more else "")
