"""The Restore panel's work off the GUI thread (a thread pool): the repaired preview of a photo
and the repaired copy saved beside it, each told back through RestoreSignals with the number of
the request it answers (a result for a photo no longer shown is dropped by the panel)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Signal

from ..core.errors import ColorizerError, ImageLoadError
from ..restore.options import RestoreOptions


class RestoreSignals(QObject):
    # request number, the RestorePreview (None on error), error, whether the error is the
    # photo's own
    done = Signal(int, object, object, bool)
    saved = Signal(str)
    notice = Signal(str)  # for the window's status line


class _Job(QRunnable):
    """Work for one photo, its switches and its corrected mask (or None), told back through
    `signals` with the request's number."""

    def __init__(
        self,
        number: int,
        work: tuple[Path, RestoreOptions, np.ndarray | None],
        signals: RestoreSignals,
    ):
        super().__init__()
        self.number, self.work, self.signals = number, work, signals

    def tell(self, signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the panel is gone (the app quit while this job ran): no one to tell
            pass


class PreviewJob(_Job):
    def run(self) -> None:
        try:
            # Imported on the pool's thread (torch; the panel is built before it has loaded).
            from ..engine.restoring import restore_preview

            result = restore_preview(*self.work)
        except ColorizerError as exc:  # a file that is not a photo, and the like: said plainly
            unreadable = isinstance(exc, ImageLoadError)
            self.tell(self.signals.done, self.number, None, str(exc), unreadable)
            return
        except Exception as exc:  # noqa: BLE001 - shown in the panel, never a crash of the app
            self.tell(self.signals.done, self.number, None, f"{type(exc).__name__}: {exc}", False)
            return
        self.tell(self.signals.done, self.number, result, None, False)


class SaveJob(_Job):
    replace = False  # the person answered Replace to "already there"
    folder: Path | None = None  # another folder the person chose (None: beside the photo)

    def run(self) -> None:
        try:
            from ..engine.restoring import NOTHING_REPAIRED, save_restored

            result = save_restored(*self.work, replace=self.replace, folder=self.folder)
        except Exception as exc:  # noqa: BLE001
            self.tell(self.signals.saved, f"Not saved: {type(exc).__name__}: {exc}")
            return
        if result.done:
            saved = result.done[0]  # where, too (a trial looked for it)
            said = f"Saved {saved.name} in {saved.parent}"
            if any(NOTHING_REPAIRED in note for _photo, note in result.notes):
                said += f" ({NOTHING_REPAIRED})"  # a trial took the copy for a repair
            self.tell(self.signals.saved, said)
        elif result.skipped:
            self.tell(self.signals.saved, "A restored copy is already there; it was kept")
        else:
            self.tell(self.signals.saved, f"Not saved: {result.failed[0][1]}")
