"""Finding the photos in what a person dropped or opened, on a worker thread: a folder of
thousands on a slow disk or a network share walks for seconds, and the window must not freeze.
Each request carries a number, so the window knows which answer is which."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from ..core.errors import ColorizerError
from ..core.photo_files import find_images
from .worker_host import WorkerHost


class FolderScanWorker(QObject):
    # request number, [path], outputs' suffixes, the folder Save writes in (or None)
    scan_requested = Signal(int, object, object, object)
    # request number, [Path] found, a problem to say or "", [Path] left out as earlier copies
    scanned = Signal(int, object, str, object)

    def __init__(self) -> None:
        super().__init__()
        self.scan_requested.connect(self._scan)

    @Slot(int, object, object, object)
    def _scan(
        self,
        number: int,
        paths: list[str],
        outputs_suffixes: tuple[str, ...],
        outputs_folder: Path | None,
    ) -> None:
        left_out: list[Path] = []
        try:
            files = find_images(
                [Path(p) for p in paths], outputs_suffixes, left_out, outputs_folder
            )
        except (ColorizerError, OSError) as exc:
            self.scanned.emit(number, [], str(exc), [])
        else:
            self.scanned.emit(number, files, "", left_out)


def folder_scan_host() -> WorkerHost[FolderScanWorker]:
    return WorkerHost(FolderScanWorker(), "folder-scan")
