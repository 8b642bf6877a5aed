"""Photos coming into the list: files and folders opened, dropped or pasted (folders are looked
through on the scan worker, never on the GUI thread), and dropped or pasted images (kept as a
PNG in the app data so they can be read again).

A controller: it owns the folder-scan worker, the scans under way and the Open dialogs (over
`host`, the window; they start in the folder last opened); the window hears of the photos added
through `added` and of what to say through `status`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMimeData, QObject, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from ..core.fileio import COLORIZED_SUFFIX, RESTORED_SUFFIX, write_atomically
from ..core.imageio import IMAGE_SUFFIXES
from ..core.paths import user_models_dir
from ..core.photo_files import left_out_line
from ..core.wording import photos
from .app_settings import AppSettings
from .folder_scan import folder_scan_host
from .photo_list import PhotoListModel
from .save_controller import free_name


class PhotoIntake(QObject):
    added = Signal(object, bool)  # [PhotoItem] new on the list, whether to colorize them
    status = Signal(str)  # a line for the status bar
    # [str]: what a person opened or dropped at once, once photos were found in it (Open Recent)
    opened = Signal(list)
    notice = Signal(str)  # to be read for a while, over the lines of the batch that follows

    def __init__(self, photos: PhotoListModel, settings: AppSettings, host: QWidget):
        super().__init__(host)
        self.photos = photos
        self.settings = settings
        self._host = host
        self.scanner_host = folder_scan_host()
        self.scanner = self.scanner_host.worker
        # Folder scans under way: number -> (colorize after, the paths for Open Recent or None,
        # the paths given: the folders an added photo's root is one of).
        self._scans: dict[int, tuple[bool, list[str] | None, list[Path]]] = {}
        self._scan_number = 0
        self.scanner.scanned.connect(self._scanned)

    @property
    def scanning(self) -> bool:
        """Folders are still being looked through."""
        return bool(self._scans)

    def add_paths(
        self,
        paths: Sequence[str | Path],
        colorize: bool = True,
        remember: bool = True,
        skip_gone: bool = False,
    ) -> None:
        """Files and folders (recursive); duplicates are not added twice. The folders are
        walked on the scan worker; the photos join the list when it answers. In folders, the
        copies saved beside the originals before (`<name>_colorized`, `<name>_restored`) are
        left out: opening the same folder again must not colorize the colorized copies. With
        `skip_gone`, a path no longer on disk is passed over instead of listed as unreadable."""
        self._scan_number += 1
        chosen = [str(p) for p in paths] if remember else None
        if remember and paths:
            # Open and Open Folder start where the person's photos are, however they came (a
            # trial started the app on a folder and Ctrl+O opened the home folder).
            first = Path(paths[0])
            self.settings.last_open_dir = str(first if first.is_dir() else first.parent)
        self._scans[self._scan_number] = (colorize, chosen, [Path(p) for p in paths])
        self.status.emit("Looking for photos…")
        # The copies saved into a folder inside the one opened are not photos to add either.
        saving = self.settings.save_options
        self.scanner.scan_requested.emit(
            self._scan_number,
            [str(p) for p in paths],
            self._copy_endings(),
            saving.folder,
            skip_gone,
        )

    def _copy_endings(self) -> tuple[str, ...]:
        """The name endings of the copies Save and Save Restored Copy wrote (a restored copy
        joined the list as an 11th photo when a trial opened its folder again); _colorized
        always: with the ending left empty later, the copies saved before it are still copies."""
        return (self.settings.save_options.suffix, COLORIZED_SUFFIX, RESTORED_SUFFIX)

    def open_files(self) -> None:
        start = self.settings.last_open_dir
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(
            self._host, "Open photos", start, f"Photos ({patterns});;All files (*)"
        )
        if files:
            self.settings.last_open_dir = str(Path(files[0]).parent)
            self.add_paths(files)

    def open_folder(self) -> None:
        start = self.settings.last_open_dir
        folder = QFileDialog.getExistingDirectory(self._host, "Open a folder of photos", start)
        if folder:
            self.settings.last_open_dir = folder
            self.add_paths([folder])

    def paste(self) -> None:
        clipboard = QApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and not self.add_mime(mime, clipboard.image):
            self.status.emit("The clipboard holds no image.")

    def add_mime(self, mime: QMimeData, image: Callable[[], QImage] | None = None) -> bool:
        """Dropped or pasted: files and folders, else an image (`image` reads it; a drop's
        own by default). False when it holds neither."""
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if paths:
            self.add_paths(paths)
        elif mime.hasImage():
            self.add_image(image() if image is not None else QImage(mime.imageData()))
        else:
            return False
        return True

    def add_image(self, image: QImage) -> None:
        """A pasted image becomes a file in the app's data folder, so it can be re-read."""
        if image.isNull():
            return
        folder = user_models_dir().parent / "pasted"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / time.strftime("pasted-%Y%m%d-%H%M%S.png")
        if path.exists():  # two pastes within a second shared a name: the first was overwritten
            path = free_name(path, [], Path.exists)
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        # PySide6 takes the format as text; its stub names bytes, which it refuses at run time.
        image.save(buf, "PNG")  # type: ignore[call-overload]
        write_atomically(path, bytes(buf.data().data()))
        self.add_paths([path], remember=False)  # in the app's data: not a place of theirs

    def stop(self, limit_s: float) -> bool:
        """At quit: a scan's late answer adds nothing; its thread gets at most `limit_s`."""
        self._scans.clear()
        return self.scanner_host.stop(limit_s)

    def _scanned(
        self,
        number: int,
        files: list[Path],
        problem: str,
        left_out: list[Path],
        keys: list[Path],
    ) -> None:
        asked = self._scans.pop(number, None)
        if asked is None:
            return
        colorize, chosen, given = asked
        added = self.photos.add(files, keys)
        for item in added:  # a folder's photos lie below it by name (no stat on this thread)
            item.root = next(
                (g for g in given if item.path != g and item.path.is_relative_to(g)), None
            )
        if added:
            said = f"Added {photos(len(added))}."
        elif problem:
            said = problem
        elif files:
            said = "Those photos are already in the list."
        else:
            said = "No photos found there (JPEG, PNG, TIFF, BMP or WebP)."
        self.status.emit(said)
        if left_out:  # a person's own grandma_colorized.jpg is not left out unsaid
            one, many = "drop it or open it by itself to add it", "open them by name to add them"
            self.notice.emit(left_out_line(left_out, self._copy_endings(), one, many))
        # A dropped letter or an empty folder is no place to come back to (a file named
        # explicitly is listed whatever it is, so that it can say why it cannot be read).
        if chosen and any(f.suffix.lower() in IMAGE_SUFFIXES for f in files):
            self.opened.emit(chosen)
        self.added.emit(added, colorize)
