"""The Restore panel: per photo, which repairs to make (scratches, fading, grain), a look at the
repaired photo with the damage found drawn over it, a brush to correct that damage (left button
adds, right button erases, Undo Brush takes back a stroke; the corrections are kept in the app
data for the next time, until Reset Corrections), and a repaired copy saved beside it.
The window's own colorize, compare view and Save follow the switches (restore_for): with any on,
the photo is repaired before it is coloured, and a colorized photo is coloured again when they
change.

A dock of its own, hooked into the window by restore_dock.py, following the list's current
photo. The repair runs on a thread pool (engine.restoring, imported there: the window docks
this panel before torch has loaded, and its previews wait for `start()`), never on the GUI
thread; a result for a photo or settings no longer shown is dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import ColorizerError
from ..engine.restore_records import CorrectedMasks, RestoreChoices, RestorePreview
from ..restore.options import Restored, RestoreOptions
from .brush_picture import BrushPicture, LargeBrushWindow, add_brush_keys
from .damage_brush import BRUSH_HINT, brush_radius, overlay, paint, resized
from .elided_label import LinesLabel, WrappedLabel
from .qimage import to_qimage
from .restore_jobs import PreviewJob, RestoreSignals
from .restore_save import restore_save_job
from .wheel_guard import scrolling_panel

SWITCHES = (
    ("scratches", "Scratches, dust and cracks"),
    ("fading", "Fading"),
    ("grain", "Grain"),
)


class RestorePanel(QDockWidget):
    """Restore: the three switches for the photo shown (each photo keeps its own)."""

    # A photo's switches or corrected damage changed: its colour should be made again from the
    # photo as now repaired.
    restoration_changed = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None, ready: bool = True):
        super().__init__("Restore", parent)
        self.setObjectName("restore_panel")
        # The window shows this dock at once, before torch has loaded (the photo beside it was
        # fitted again when it came later); its previews, which need torch, wait for `start()`:
        # importing torch here as the colorize worker imports it could deadlock the imports.
        self.ready = ready
        self.unable: str | None = None  # why previews can never start (torch did not load)
        self.choices = RestoreChoices()  # each photo's own switches, kept in the app data
        self.corrections = CorrectedMasks()  # and its corrected damage, for the next time
        self.path: Path | None = None
        self.result: tuple | None = None  # (original, repaired, mask) of what is shown
        # Damage as corrected with the brush (read back from the app data when a photo is first
        # shown), and the masks before each stroke (this session).
        self.masks: dict[Path, np.ndarray] = {}
        self.undo: dict[Path, list[np.ndarray | None]] = {}
        self.brush_size = 1.0  # the person's, over the size that suits each photo
        self._stroke_at: tuple[float, float] | None = None  # the stroke's last point
        self.requests = 0  # the number of the latest preview asked for: older ones are dropped
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.signals = RestoreSignals()
        self.signals.done.connect(self._preview_done)

        body = QWidget()
        layout = QVBoxLayout(body)
        self.switches: dict[str, QCheckBox] = {}
        for name, label in SWITCHES:
            box = QCheckBox(label)
            box.toggled.connect(self._switched)
            self.switches[name] = box
            layout.addWidget(box)
        self.show_damage = QCheckBox("Show the damage found")
        self.show_damage.setChecked(True)
        self.show_damage.toggled.connect(lambda _on: self._show())
        layout.addWidget(self.show_damage)
        self.picture = BrushPicture()
        # Short enough that the switches, the hint, the buttons and the status still fit a
        # 1080p screen at 200% (about 420 px of dock): the photo gives way, nothing overlaps.
        # Narrow enough that the window fits an 800x600 screen (at 260 it was 828 px wide at
        # the least, its right edge and the status bar's end off the screen). 78 tall, not 120:
        # the Larger Window button took 28 px, and a third status line 12 more; at 200% with
        # the Advanced dock tabbed beside it the photo then ran over the brush hint.
        self.picture.setMinimumSize(200, 78)
        self.picture.brushed.connect(self._brush)
        self.picture.released.connect(self._stroke_done)
        self.picture.resized.connect(self._show)
        self.picture.wheeled.connect(self.resize_brush)
        self.brush_keys = add_brush_keys(self, self.resize_brush)
        layout.addWidget(self.picture, 1)
        # Said on the panel, not only in a tooltip: the detector misses some damage and marks
        # some details (a mouth a crack runs through), and the brush is how a person fixes both.
        # The dock's width, never its own: shown, it widened the dock by 25 px and the photo
        # beside it was fitted again (a trial saw the zoom go from 186% to 184%). In the
        # window's own text colour: as placeholder text it looked disabled (a trial).
        self.brush_hint = WrappedLabel(BRUSH_HINT)
        layout.addWidget(self.brush_hint)
        self.undo_button = QPushButton("Undo Brush")
        self.undo_button.clicked.connect(self.undo_stroke)
        # Named for what it does (a trial: "Use Damage Found" did not say it threw anything away).
        self.forget_button = QPushButton("Reset Corrections")
        self.forget_button.setToolTip(
            "Set this photo's brush corrections aside and use the damage found again "
            "(Undo Brush brings them back until you quit)"
        )
        self.forget_button.clicked.connect(self.forget_corrections)
        brush_row = QHBoxLayout()
        brush_row.addWidget(self.undo_button)
        brush_row.addWidget(self.forget_button)
        layout.addLayout(brush_row)
        # The dock's picture is small for a hairline crack (a trial could not aim at one): the
        # same brush on the same mask in a window as large as the screen allows.
        self.large: LargeBrushWindow | None = None
        self.large_button = QPushButton("Correct in a Larger Window")
        self.large_button.clicked.connect(self.open_large)
        layout.addWidget(self.large_button)
        # Three lines, always (LinesLabel): the preview above jumped each time its text came,
        # went or wrapped, and a longer text pushed the buttons under it up (a trial's next click
        # missed); what does not fit is in its tooltip. Its width is the dock's, never its own:
        # a long failure message widened the dock, and the photo beside it jumped (a trial).
        self.status = LinesLabel(3)
        self.signals.saved.connect(self.status.setText)
        self.save_button = QPushButton("Save Restored Copy")
        self.save_button.setToolTip(
            "Writes NAME_restored beside the photo (or, where it cannot go there, in a folder "
            "you choose), without colour"
        )
        self.save_button.clicked.connect(self.save)
        # The rest scrolls where the dock is too short for it all (the window at its smallest,
        # 200% with the Advanced tab beside it; the photo takes what room there is), as wide as
        # its controls; what was done and Save stay in view at the foot, as the training
        # panel's Start does.
        outer = QWidget()
        column = QVBoxLayout(outer)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(scrolling_panel(body, sideways=False), 1)
        foot = QVBoxLayout()
        edge = layout.contentsMargins()
        foot.setContentsMargins(edge.left(), 0, edge.right(), edge.bottom())
        foot.addWidget(self.status)
        foot.addWidget(self.save_button)
        column.addLayout(foot)
        # A click on a switch or button leaves the keys where they were (the photo, the list):
        # a trial ticked Scratches, held Space to see the original, and Space untick it.
        # Tab still reaches each of them, and Space then works them as it should.
        for control in outer.findChildren(QAbstractButton):
            control.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setWidget(outer)
        self.show_photo(None)

    # ---- the photo shown and its switches -----------------------------------------------------

    def restore_for(self, path: Path) -> tuple[RestoreOptions, np.ndarray | None]:
        """What colorizing `path` repairs first: its switches and, with scratches on, the
        damage as corrected with the brush (None: detected)."""
        options = self.choices.get(path)
        return options, self._corrected(path) if options.scratches else None

    def _corrected(self, path: Path) -> np.ndarray | None:
        """The photo's corrected damage: this session's, else kept from an earlier one."""
        if path not in self.masks:
            kept = self.corrections.get(path)
            if kept is None:
                return None
            self.masks[path] = kept
        return self.masks[path]

    def _keep(self, path: Path) -> None:
        """The photo's corrections written to the app data (or forgotten there)."""
        try:
            self.corrections.put(path, self.masks.get(path))
        except ColorizerError as exc:
            self.status.setText(f"Your corrections could not be kept for next time: {exc}")

    def current_options(self) -> RestoreOptions:
        return RestoreOptions(**{n: box.isChecked() for n, box in self.switches.items()})

    def show_photo(self, path: Path | None) -> None:
        self.path = path
        options = self.choices.get(path) if path else RestoreOptions()
        for name, box in self.switches.items():
            box.blockSignals(True)
            box.setChecked(getattr(options, name))
            box.setEnabled(path is not None and self.unable is None)
            box.blockSignals(False)
        self._enable_save()
        self.brush_hint.setVisible(path is not None and options.scratches)
        self.result = None
        self._stroke_at = None  # a stroke never runs on from another photo's
        for picture in self._pictures():
            picture.image_size = None
        self._show_brush()
        if self.large is not None:
            self.large.follow(path)
        if path is not None:
            self._corrected(path)
        self._buttons()
        self._request()

    def _buttons(self) -> None:
        path = self.path
        self.undo_button.setEnabled(bool(path and self.undo.get(path)))
        self.forget_button.setEnabled(path is not None and path in self.masks)
        brushing = path is not None and self.current_options().scratches
        self.large_button.setEnabled(brushing and self.switches["scratches"].isEnabled())
        if self.large is not None:
            self.large.undo_button.setEnabled(self.undo_button.isEnabled())

    def _switched(self) -> None:
        if self.path is None:
            return
        self.choices.remember(self.path, self.current_options())
        self._enable_save()
        self.brush_hint.setVisible(self.current_options().scratches)
        self._buttons()
        self._request()
        self.restoration_changed.emit(self.path)

    def _request(self) -> None:
        self.requests += 1  # a preview still on its way is for what was shown before
        if self.path is None:
            self._say_instead("Choose a photo")
            self.status.setText("")
            return
        if not self.ready:  # start() asks for it
            self._say_instead("Loading…" if self.unable is None else "No preview")
            self.status.setText(self.unable or "")
            return
        self.status.setText("Restoring…" if self.current_options().any else "")
        self.pool.start(PreviewJob(self.requests, self._work(), self.signals))

    def start(self) -> None:
        """Torch has loaded (the window's colorize worker loaded it): the photo's preview now."""
        if not self.ready:
            self.ready = True
            self._enable_save()
            self._request()

    def cannot_start(self, why: str) -> None:
        """Previews can never start (torch did not load): said, and nothing offered."""
        self.unable = why
        self.show_photo(self.path)  # its switches grayed, and why said in place of a preview

    def _enable_save(self) -> None:
        """Save Restored Copy: for a photo with a switch on, once previews can be made."""
        on = self.path is not None and self.current_options().any
        self.save_button.setEnabled(self.ready and on)

    def _work(self) -> tuple[Path, RestoreOptions, np.ndarray | None]:
        assert self.path is not None
        options = self.current_options()
        return self.path, options, self.masks.get(self.path) if options.scratches else None

    def _preview_done(self, number: int, result, error, unreadable: bool) -> None:
        if number != self.requests:
            return  # another photo, switches or brush stroke since: a newer job is on its way
        if error is not None:
            # Not the last photo's preview above this one's message (a trial saw the Buffalo
            # bank under "Cannot restore this photo" for a broken file).
            self.result = None
            self._say_instead("No preview")
            # Without the photo's path in front: the panel is on that photo (a trial's line ran
            # out of room before it said why).
            self.status.setText(
                f"Cannot restore this photo: {error.removeprefix(f'{self.path}: ')}"
            )
            self.save_button.setEnabled(False)
            self.large_button.setEnabled(False)
            self.brush_hint.setVisible(False)
            self._show_brush()  # none: [ and ] back to the window
            if unreadable:
                self._nothing_to_switch()
            return
        shown = self._fit_corrections(result)
        self.result = (result.original, result.repaired, shown)
        for picture in self._pictures():
            picture.image_size = (result.original.shape[1], result.original.shape[0])
        self.status.setText(self._what_was_done(result.done))
        self._show()

    def _fit_corrections(self, result: RestorePreview) -> np.ndarray | None:
        """The damage to show over the preview: the photo's corrections, at the preview's size
        (where the brush paints them), or what was found. Corrections brushed since the job set
        out stand as they are (a review: a preview landing mid-stroke put its older mask back);
        ones the repair set aside, made before the photo was turned to other proportions, are
        forgotten, and the person told."""
        assert self.path is not None
        live = self.masks.get(self.path)
        if live is None or not self.current_options().scratches:
            return result.mask
        if live is not result.given:  # brushed or reset since: the person's mask stands
            return live
        if not result.done.set_aside:
            self.masks[self.path] = result.mask if result.mask is not None else live
            return self.masks[self.path]
        del self.masks[self.path]
        self.undo.pop(self.path, None)  # masks of the photo as it was: of no use now
        self._keep(self.path)
        self.signals.notice.emit(
            f"{self.path.name} has been turned since you corrected its damage: your corrections "
            "no longer fit it and were dropped; its damage was found afresh."
        )
        return result.mask

    def _what_was_done(self, done: Restored) -> str:
        """A line for each step switched on, whether it found something to do or not (a trial
        could not tell whether Fading or Grain had done anything)."""
        options, said = self.current_options(), []
        if done.mask is not None:
            corrected = ", as you corrected it" if self.path in self.masks else ""
            found = "marked" if corrected else "found"
            said.append(f"Damage {found} on {done.filled:.1%} of the photo{corrected}.")
        if options.fading:
            said.append("Tones levelled." if done.levelled else "Tones fine: left as they are.")
        if options.grain:
            reduced = f"Grain {done.grain:.1f} reduced." if done.grain is not None else None
            said.append(reduced or "No grain to reduce.")
        return " ".join(said)

    def _nothing_to_switch(self) -> None:
        """A photo that cannot be read: nothing to switch on (a trial ticked Scratches on one
        and saw nothing happen), and no switch shown ticked (a review saw Scratches ticked and
        grayed). Its choices are kept; the next photo shown enables the switches again. Any
        other failure (memory, the detector) leaves them to use: unticking is the way back."""
        for box in self.switches.values():
            box.blockSignals(True)
            box.setChecked(False)
            box.setEnabled(False)
            box.blockSignals(False)

    def _show(self) -> None:
        self._show_brush()
        if self.result is None:
            return
        _original, repaired, mask = self.result
        shown = overlay(repaired, mask) if self.show_damage.isChecked() else repaired
        pixmap = QPixmap.fromImage(to_qimage(shown))
        for picture in self._pictures():
            picture.setPixmap(
                pixmap.scaled(
                    picture.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def _pictures(self) -> list[BrushPicture]:
        """The dock's picture, and the larger window's while it is open."""
        if self.large is not None and self.large.isVisible():
            return [self.picture, self.large.picture]
        return [self.picture]

    def _say_instead(self, text: str) -> None:
        """Words where the photo was, in every picture (the pixmap dropped first: a label
        shows one or the other)."""
        for picture in self._pictures():
            picture.setPixmap(QPixmap())
            picture.setText(text)

    def open_large(self) -> LargeBrushWindow:
        """The larger window on the photo shown, its brush the dock's."""
        if self.large is None:
            self.large = LargeBrushWindow(self)
            self.large.picture.brushed.connect(self._brush)
            self.large.picture.released.connect(self._stroke_done)
            self.large.picture.resized.connect(self._show)
            self.large.picture.wheeled.connect(self.resize_brush)
            self.brush_keys += add_brush_keys(self.large, self.resize_brush)
            self.large.undo_button.clicked.connect(self.undo_stroke)
        self.large.follow(self.path)
        self._buttons()
        self.large.show()
        self.large.raise_()
        self.large.picture.image_size = self.picture.image_size
        self._show()
        return self.large

    # ---- the brush -----------------------------------------------------------------------------

    def _brush(self, x: float, y: float, adding: bool, first: bool) -> None:
        if self.path is None or self.result is None or not self.current_options().scratches:
            return
        original, repaired, found = self.result
        mask = self.masks.get(self.path)
        if first or self._stroke_at is None:  # a press before the preview came is no start
            self.undo.setdefault(self.path, []).append(None if mask is None else mask.copy())
            self._stroke_at = None
        if mask is None:  # the first correction starts from what was found
            mask = found.copy() if found is not None else np.zeros(original.shape[:2], bool)
        radius = brush_radius(original.shape, self.brush_size)
        self.masks[self.path] = paint(mask, self._stroke_at, (x, y), radius, adding)
        self._stroke_at = (x, y)
        self.result = (original, repaired, self.masks[self.path])
        self._buttons()
        self._show()

    def resize_brush(self, steps: int) -> None:
        """The brush `steps` steps bigger (or smaller), shown round the mouse in each picture."""
        self.brush_size = resized(self.brush_size, steps)
        self._show_brush()

    def _show_brush(self) -> None:
        radius = 0
        if self.result is not None and self.current_options().scratches:
            radius = brush_radius(self.result[0].shape, self.brush_size)
        for picture in self._pictures():
            picture.set_brush_radius(radius)
        for key in self.brush_keys:  # [ and ] left to the rest of the window with no brush
            key.setEnabled(radius > 0)

    def _stroke_done(self) -> None:
        if self.path is not None and self.path in self.masks:
            self._keep(self.path)
            self._request()  # repaired again with the corrected mask
            self.restoration_changed.emit(self.path)

    def undo_stroke(self) -> None:
        if self.path is None or not self.undo.get(self.path):
            return
        before = self.undo[self.path].pop()
        if before is None:
            self.masks.pop(self.path, None)
        else:
            self.masks[self.path] = before
        self._keep(self.path)
        self._buttons()
        self._request()
        self.restoration_changed.emit(self.path)

    def forget_corrections(self) -> None:
        """Back to the damage the detector finds; Undo Brush brings the corrections back."""
        if self.path is None or self.path not in self.masks:
            return
        self.undo.setdefault(self.path, []).append(self.masks.pop(self.path))
        self._keep(self.path)
        self._buttons()
        self._request()
        self.restoration_changed.emit(self.path)
        self.signals.notice.emit(
            "Your corrections are set aside: Undo Brush brings them back until you quit."
        )

    def save(self) -> None:
        if self.path is None or not self.current_options().any or not self.ready:
            return
        job = restore_save_job(self, self._work(), self.signals)
        if job is not None:
            self.status.setText("Saving the restored copy…")
            self.pool.start(job)

    def wait(self) -> None:
        self.pool.waitForDone()
