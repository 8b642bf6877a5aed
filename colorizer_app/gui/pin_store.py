"""The colour pins' store (engine/hint_store.py) on a worker thread of its own.

Looking a photo's pins up resolves and stats its path and may first read the whole store, and
writing the store is a whole file with fsync: neither runs on the GUI thread. Edits are kept in
memory at once; the window asks for the write WRITE_AFTER_MS after the last one (its timer, on
its own thread), so a run of pin edits or undos is one write, not one per step; what is still
unwritten at quit is written then. A store
that cannot be written is said (`write_failed`); the pins themselves stay on the photo.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from ..engine.hint_store import HintStore, HintStoreError, Kept
from .worker_host import WorkerHost

WRITE_AFTER_MS = 400


class PinStoreWorker(QObject):
    # from the window (queued onto this thread)
    lookup_requested = Signal(object)  # [photo path]
    remember_requested = Signal(str, object, float, int)  # photo path, hints, strength, detail
    flush_requested = Signal()
    # to the window
    # {photo path: hint_store.Kept}, for the photos with hints or choices of their own
    found = Signal(object)
    write_failed = Signal(str)
    written = Signal()

    def __init__(self, store: HintStore):
        super().__init__()
        self.store = store
        self.lookup_requested.connect(self._lookup)
        self.remember_requested.connect(self._remember)
        self.flush_requested.connect(self.flush)

    @Slot(object)
    def _lookup(self, paths: list[str]) -> None:
        found = {}
        for path in paths:
            kept = self.store.lookup(Path(path))
            if kept != Kept():
                found[path] = kept
        self.found.emit(found)

    @Slot(str, object, float, int)
    def _remember(self, path: str, hints: tuple, strength: float, detail: int) -> None:
        self.store.remember(Path(path), hints, strength, detail)

    @Slot()
    def flush(self) -> None:
        try:
            self.store.flush()
        except HintStoreError as e:
            self.write_failed.emit(str(e))
        else:
            self.written.emit()


def pin_store_host(store: HintStore | None = None) -> WorkerHost[PinStoreWorker]:
    return WorkerHost(PinStoreWorker(store if store is not None else HintStore()), "pin-store")
