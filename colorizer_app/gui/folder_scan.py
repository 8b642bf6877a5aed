"""Finding the photos in what a person dropped or opened, on a worker thread: a folder of
thousands on a slow disk or a network share walks for seconds, and the window must not freeze.
Each request carries a number, so the window knows which answer is which."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from ..core.errors import ColorizerError
from ..core.photo_files import find_images, still_there
from .photo_list import real_path
from .worker_host import WorkerHost


class FolderScanWorker(QObject):
    # request number, [path], outputs' suffixes, the folder Save writes in (or None), whether
    # to pass over a path that is gone (the list kept at the last quit) instead of listing it
    scan_requested = Signal(int, object, object, object, bool)
    # request number, [Path] found, a problem to say or "", [Path] left out as earlier copies,
    # [Path] each found one's real path (the list's key: stat'ed here, not on the window's thread)
    scanned = Signal(int, object, str, object, object)

    def __init__(self) -> None:
        super().__init__()
        self.scan_requested.connect(self._scan)

    @Slot(int, object, object, object, bool)
    def _scan(
        self,
        number: int,
        paths: list[str],
        outputs_suffixes: tuple[str, ...],
        outputs_folder: Path | None,
        skip_gone: bool,
    ) -> None:
        left_out: list[Path] = []
        given = [Path(p) for p in paths]
        try:
            if skip_gone:
                given = still_there(given)
            files = find_images(given, outputs_suffixes, left_out, outputs_folder)
        except (ColorizerError, OSError) as exc:
            self.scanned.emit(number, [], str(exc), [], [])
        else:
            self.scanned.emit(number, files, "", left_out, [real_path(f) for f in files])


def folder_scan_host() -> WorkerHost[FolderScanWorker]:
    return WorkerHost(FolderScanWorker(), "folder-scan")
