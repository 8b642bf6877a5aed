"""Save Restored Copy's questions before the copy is written: where it can go, whether a file
there may be replaced. The writing itself is restore_jobs.SaveJob's, off the GUI thread."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..core.fileio import cannot_write_in
from ..restore.options import RestoreOptions
from .replace_question import ask_to_replace
from .restore_jobs import RestoreSignals, SaveJob


def restore_save_job(
    parent: QWidget,
    work: tuple[Path, RestoreOptions, np.ndarray | None],
    signals: RestoreSignals,
) -> SaveJob | None:
    """The job that saves the photo's restored copy, once the person has said where and
    whether to replace; None when nothing is to be saved (said through `signals.saved`)."""
    # Here, not at the top: engine.restoring imports torch, and the panel is built before torch
    # has loaded (the panel saves only once it has: RestorePanel.start).
    from ..engine.restoring import restored_copy_path, taken_by

    path = work[0]
    folder = None
    there = restored_copy_path(path)
    if (problem := cannot_write_in(there.parent)) is not None:
        # A trial's scan on a read-only share: "Not saved: ... (Read-only file", no way on.
        folder = _another_folder(parent, path, problem)
        if folder is None:
            signals.saved.emit(f"Not saved: {problem}.")
            return None
        there = restored_copy_path(path, folder)
    job = SaveJob(0, work, signals)
    job.folder = folder
    if taken := taken_by(there):  # a folder of that name: no question that cannot be kept
        signals.saved.emit(f"Not saved: {there.name} there is {taken}; rename it, then save.")
        return None
    if there.exists():
        # A trial corrected the damage again after saving, and could never save the
        # corrected copy: "already there; it was kept", and no way to replace it.
        text = f"{there.name} already exists in {there.parent}.\nReplace it with this restoration?"
        if not ask_to_replace(parent, "Replace the restored copy?", text):
            signals.saved.emit("Not saved: the restored copy there is kept.")
            return None
        job.replace = True
    return job


def _another_folder(parent: QWidget, path: Path, problem: str) -> Path | None:
    """Asks for a folder the restored copy can go to, while the one chosen cannot take it
    either; None if the person cancels."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Save Restored Copy",
        f"The restored copy cannot be saved beside {path.name}: {problem}.\n\n"
        "Your original is untouched. Choose another folder for the restored copy?",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    choose = box.addButton("Choose Folder…", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(choose)
    box.exec()
    if box.clickedButton() is not choose:
        return None
    start = str(Path.home())
    while True:
        chosen = QFileDialog.getExistingDirectory(parent, "Save the restored copy in", start)
        if not chosen:
            return None
        folder = Path(chosen)
        # Not there (gone since it was chosen): it would be made without asking (a review).
        why = cannot_write_in(folder) if folder.is_dir() else f"{folder} is not a folder there"
        if why is None:
            return folder
        QMessageBox.warning(parent, "Save Restored Copy", f"Cannot save there: {why}.")
        start = chosen
