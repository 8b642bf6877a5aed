"""Colour pins and strokes: the person pins a colour on the photo, or draws a stroke of it
(Shift+drag: a sky along its top, a dress from hem to collar), and its region follows.

A controller: it owns the pins' store on its worker (pin_store.py) and its write timer, one undo
stack per photo in a QUndoGroup (Ctrl+Z acts on the photo shown), the recent colours, the colour
menu now open and a drag in progress. The window tells it which photo is shown (`show`) and hears
through `hints_changed` and `status`; it draws the pins and the re-rendered after side on the
compare view, and opens its menus and dialogs over `host`, the window.

The hints live on the photo's list entry (and on its result, which renders them) and are kept
per photo in the app data (engine/hint_store.py), so a photo reopened later keeps them. The
solve is a few tens of milliseconds on a small grid (core/hints.py), so the after side is
re-rendered at once on the GUI thread, as the colour slider does.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, QPointF, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QColorDialog, QWidget

from ..core.hints import Hint
from ..engine.hint_store import HintStore, HintStoreError
from .app_settings import AppSettings
from .compare_view import CompareView
from .hint_chooser import PinColourMenu
from .hint_marks import Mark, thinned
from .photo_list import PhotoItem, PhotoListModel, PhotoState
from .photo_options import DETAIL_CHOICES
from .pin_store import WRITE_AFTER_MS, pin_store_host
from .qimage import to_qimage
from .window_actions import make_action

RECENT_KEEP = 8
# How long new photos wait for the store's answer before they are colorized without it: the
# lookup is one stat per photo, milliseconds, unless the disk is asleep or the share slow.
LOOKUP_WAIT_MS = 1500
# The details the window offers: another one in the store (edited by hand) is not taken, where
# it would colour at a size the chooser cannot show.
OFFERED_DETAILS = {size for _label, size in DETAIL_CHOICES if size}
STROKE_POINTS_PER_SIDE = 500


class HintEdit(QUndoCommand):
    """One change to one photo's hints: the whole before and after (hints are a few dozen)."""

    def __init__(
        self, pins: PinController, item: PhotoItem, before: tuple, after: tuple, text: str
    ):
        super().__init__(text)
        self.pins, self.item, self.before, self.after = pins, item, before, after

    def redo(self) -> None:
        self.pins.set_hints(self.item, self.after)

    def undo(self) -> None:
        self.pins.set_hints(self.item, self.before)


@dataclass
class _Pending:
    """A lookup asked for: its photos, and what to do with them once answered (None: done)."""

    items: list[PhotoItem]
    then: Callable[[list[PhotoItem]], None] | None


class PinController(QObject):
    hints_changed = Signal(object)  # PhotoItem: its hints changed (the list shows its thumbnail)
    choices_found = Signal(object)  # PhotoItem: its strength or detail came back from the store
    # PhotoItem: its detail came back after it was queued or coloured at the model's own size
    colour_again = Signal(object)
    edited = Signal()  # the person changed a photo's pins (a new step to undo)
    status = Signal(str)  # a line for the status bar

    def __init__(
        self,
        view: CompareView,
        photos: PhotoListModel,
        host: QWidget,
        store: HintStore | None = None,
        settings: AppSettings | None = None,
    ):
        super().__init__(host)
        self._settings = settings
        self.view = view
        self.photos = photos
        self._host = host
        self._shown: PhotoItem | None = None  # the photo on the compare view
        self.store_host = pin_store_host(store)
        self.pin_store = self.store_host.worker
        self.pin_store.found.connect(self._pins_found)
        self._pending: deque[_Pending] = deque()  # lookups asked for, not yet answered
        self._stopped = False
        self.pin_store.write_failed.connect(self._not_written)
        self._write = QTimer(self)  # one write after a run of edits
        self._write.setSingleShot(True)
        self._write.setInterval(WRITE_AFTER_MS)
        self._write.timeout.connect(self.pin_store.flush_requested)
        self.undo_group = QUndoGroup(self)
        self._undo_stacks: dict[int, QUndoStack] = {}
        # Kept across restarts (a trial found them gone): the colours of a family's photos
        # (grandmother's dress, the brick of the house) come back photo after photo, day after day.
        kept = settings.recent_pin_colours if settings is not None else []
        self.recent_colours: list[str] = kept[:RECENT_KEEP]
        self.pin_menu: PinColourMenu | None = None  # the chooser now open (tests reach it)
        self._choosing_other = False  # the colour dialog is open
        view.pin_requested.connect(self._pin_requested)
        view.stroke_drawn.connect(self._stroke_drawn)
        view.mark_clicked.connect(self._mark_clicked)
        view.mark_moved.connect(self._mark_moved)
        view.mark_removed.connect(self._mark_removed)
        view.mark_dragging.connect(self._mark_dragging)
        # A drag re-renders with the pin or stroke where it is now; moves that arrive while a
        # render runs are folded into the next one, so the preview follows as fast as it can.
        self._drag_pending: tuple[int, QPointF] | None = None
        self._drag_timer = QTimer(self)
        self._drag_timer.setSingleShot(True)
        self._drag_timer.setInterval(0)
        self._drag_timer.timeout.connect(self._render_drag)
        self.actions = self._make_actions()
        if settings is not None and settings.pin_mode:  # a trial found strokes hidden after a
            self.set_mode(True)  # restart until H: shown as they were left

    def _make_actions(self) -> dict[str, QAction]:
        host = self._host
        # Undo is the window's (window_undo.py): Ctrl+Z also takes back a Clear List.
        redo = self.undo_group.createRedoAction(host, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        host.addAction(redo)
        pins = make_action(
            host,
            "Colour &Pins",
            lambda: self.set_mode(self.actions["pins"].isChecked()),
            "H",
            "Pin a colour on the photo: click to add a pin, Shift+drag to draw a stroke; drag "
            "one to move it, right-click or Del to remove it",
        )
        pins.setCheckable(True)
        pins.setToolTip("Colour Pins (H): click the photo to pin a colour, Shift+drag for a stroke")
        clear = make_action(
            host,
            "Clear Pins",
            self.clear,
            None,
            "Remove every colour pin and stroke from this photo",
        )
        return {"redo": redo, "pins": pins, "clear_pins": clear}

    # ---- what the window asks ---------------------------------------------------------------

    def show(self, item: PhotoItem | None) -> None:
        """`item` is the photo shown now: its pins are drawn, Ctrl+Z acts on its edits."""
        self._shown = item
        stack = self._undo_stack(item) if item is not None else None
        # Qt takes nullptr (no active stack); PySide6's stub does not name None.
        self.undo_group.setActiveStack(stack)  # type: ignore[arg-type]
        self._draw(item)

    def load(
        self, items: list[PhotoItem], then: Callable[[list[PhotoItem]], None] | None = None
    ) -> None:
        """A photo added to the list gets the hints and choices it had when last seen (looked
        up on the pin store's worker; they arrive with `_pins_found`), then `then(items)` runs:
        the window colorizes them once their remembered detail is known, not twice. Should the
        store not answer within LOOKUP_WAIT_MS, `then` runs without it (a late detail colours
        the photo again)."""
        if not items:
            return
        pending = _Pending(items, then)
        self._pending.append(pending)
        self.pin_store.lookup_requested.emit([str(it.path) for it in items])
        if then is not None:
            QTimer.singleShot(LOOKUP_WAIT_MS, self, lambda: self._go_on(pending))

    @property
    def loading(self) -> bool:
        """New photos wait for the store's answer before they are colorized."""
        return any(p.then is not None for p in self._pending)

    def _go_on(self, pending: _Pending) -> None:
        if pending.then is None or self._stopped:
            return
        then, pending.then = pending.then, None  # once
        then([it for it in pending.items if self.photos.item_for_path(it.path) is it])

    def forget(self, items: list[PhotoItem]) -> None:
        """These photos left the list for good: their undo history goes."""
        for item in items:
            stack = self._undo_stacks.pop(id(item), None)
            if stack is not None:
                self.undo_group.removeStack(stack)
                stack.deleteLater()

    def stop(self, limit_s: float) -> bool:
        """At quit: the pins not yet written are written now, on this thread."""
        self._stopped = True
        self._write.stop()
        ended = self.store_host.stop(limit_s)
        try:
            self.pin_store.store.flush()
        except HintStoreError as e:
            print(f"Colorizer: the colour pins could not be remembered: {e}", file=sys.stderr)
        return ended

    def set_hints(self, item: PhotoItem, hints: tuple[Hint, ...]) -> None:
        """The one place hints change: the entry, its result, the store, the screen."""
        self._hints_changed(item, tuple(hints))
        self.remember([item])

    def remember(self, items: list[PhotoItem]) -> None:
        """These photos' hints, colour strength and detail, as they are now, kept for next time
        (strength and detail are the photo's own choices as the pins are: the window tells
        them here)."""
        for item in items:
            self.pin_store.remember_requested.emit(
                str(item.path), item.hints, item.strength, item.render_size
            )
        if items:
            self._write.start()

    def edit_hints(self, item: PhotoItem, hints: tuple[Hint, ...], text: str) -> None:
        """A change the person made: one step on the photo's undo stack."""
        self._undo_stack(item).push(HintEdit(self, item, item.hints, tuple(hints), text))
        self.edited.emit()

    def set_mode(self, on: bool) -> None:
        self.actions["pins"].setChecked(on)
        self.view.set_pin_mode(on)
        self.status.emit(
            # Short enough for the status bar of a 1080p screen at 200% (it was cut off there).
            "Colour pins: click to pin a colour, Shift+drag for a stroke; drag one to move it, "
            "right-click or Del removes it."
            if on
            else "Colour pins hidden; H shows them again."
        )

    def clear(self) -> None:
        item = self._shown
        if item is not None and item.hints:
            self.edit_hints(item, (), "Clear Pins")

    # ---- the hints of a photo ---------------------------------------------------------------

    def _undo_stack(self, item: PhotoItem) -> QUndoStack:
        stack = self._undo_stacks.get(id(item))
        if stack is None:
            stack = self._undo_stacks[id(item)] = QUndoStack(self.undo_group)
        return stack

    def _pins_found(self, found: dict) -> None:
        # One answer per lookup, in the order asked (one worker thread, queued signals).
        pending = self._pending.popleft() if self._pending else None
        for path, kept in found.items():
            item = self.photos.item_for_path(path)
            if item is None:
                continue
            # Pins the person placed meanwhile win over the remembered ones, and so do a
            # strength and a detail chosen meanwhile.
            if kept.hints and not item.hints and not self._undo_stack(item).count():
                self._hints_changed(item, tuple(kept.hints))
            chosen = False
            if kept.strength != 1.0 and item.strength == 1.0:
                item.strength = kept.strength
                self.photos.show_result(item)
                if item is self._shown and item.result is not None:
                    self.view.set_colorized(to_qimage(item.result.render(item.strength)))
                chosen = True
            if kept.detail in OFFERED_DETAILS and not item.render_size:
                item.render_size = kept.detail
                chosen = True
                # The store answers after the new photos were queued (it reads on its thread).
                if item.state in (PhotoState.QUEUED, PhotoState.COLORIZING, PhotoState.DONE):
                    self.colour_again.emit(item)
            if chosen:
                self.choices_found.emit(item)
            # What the photo has now, merged, is what the store keeps: a strength set before
            # the answer came had written the photo's entry without its pins and detail.
            self.remember([item])
        if pending is not None:
            self._go_on(pending)

    def _not_written(self, message: str) -> None:
        self.status.emit(
            f"Your pins are on the photos but could not be remembered for next time: {message}"
        )

    def _hints_changed(self, item: PhotoItem, hints: tuple[Hint, ...]) -> None:
        item.hints = hints
        if item.result is not None:
            item.result.hints = item.hints
        if item is self._shown:
            self._draw(item, rerender=True)
        self.photos.show_result(item)
        self.hints_changed.emit(item)

    def _draw(self, item: PhotoItem | None, rerender: bool = False) -> None:
        hints = item.hints if item is not None else ()
        self.view.set_marks(
            [Mark(tuple(QPointF(x, y) for x, y in h.points), QColor(h.color)) for h in hints]
        )
        if rerender and item is not None and item.result is not None:
            self.view.set_colorized(to_qimage(item.result.render(item.strength)))

    # ---- what the person does ---------------------------------------------------------------

    def _open_menu(
        self, menu: PinColourMenu, where: QPoint, apply: Callable[[str], None], kind: str = "Pin"
    ) -> None:
        if self.pin_menu is not None:
            self.pin_menu.close()
        self.pin_menu = menu
        menu.chosen.connect(apply)
        # The dialog opens once the menu has closed: the menu is deleted by then, so the colour
        # goes straight to `apply`, never through the menu's signal.
        menu.other_requested.connect(lambda start: self._other_requested(start, apply, kind))
        menu.aboutToHide.connect(lambda m=menu: self._menu_closed(m))
        menu.open_at(where)

    def _other_requested(self, start: str, apply: Callable[[str], None], kind: str) -> None:
        self._choosing_other = True  # a stroke just drawn stays shown while the dialog is open
        QTimer.singleShot(0, lambda: self._pick_other(start, apply, kind))

    def _pick_other(self, start: str, apply: Callable[[str], None], kind: str) -> None:
        try:
            colour = QColorDialog.getColor(QColor(start), self._host, f"{kind} Colour")
            if colour.isValid():
                apply(colour.name())
        finally:
            self._choosing_other = False
            self.view.drop_drawn_stroke()

    def _menu_closed(self, menu: PinColourMenu) -> None:
        if self.pin_menu is menu:
            self.pin_menu = None
            # A click on a menu entry hides the menu before the entry says what it is: whether
            # the colour dialog comes next is known a moment later.
            QTimer.singleShot(0, self._drop_stroke_unless_choosing)
        menu.deleteLater()

    def _drop_stroke_unless_choosing(self) -> None:
        if not self._choosing_other and self.pin_menu is None:
            self.view.drop_drawn_stroke()  # its colour is chosen, or it was let go

    def _remember_colour(self, colour: str) -> None:
        self.recent_colours = [colour] + [c for c in self.recent_colours if c != colour]
        del self.recent_colours[RECENT_KEEP:]
        if self._settings is not None:
            self._settings.recent_pin_colours = self.recent_colours

    def _pin_requested(self, point: QPointF, where: QPoint) -> None:
        item = self._shown
        if item is None or item.result is None:
            return
        likely = item.result.likely_colours(point.x(), point.y())
        menu = PinColourMenu(likely, self.recent_colours, None, self._host)

        def add(colour: str) -> None:
            self._remember_colour(colour)
            pin = Hint.pin(point.x(), point.y(), colour)
            self.edit_hints(item, item.hints + (pin,), "Add Pin")

        self._open_menu(menu, where, add)

    def _stroke_drawn(self, points: list[QPointF], where: QPoint) -> None:
        item = self._shown
        if item is None or item.result is None:
            return
        # A point every 0.2% of the photo's long side at most: the hints store keeps every point.
        step = max(item.result.full_size) / STROKE_POINTS_PER_SIDE
        stroke = [(p.x(), p.y()) for p in thinned(points, step)]
        middle = stroke[len(stroke) // 2]
        likely = item.result.likely_colours(*middle)
        menu = PinColourMenu(likely, self.recent_colours, None, self._host, "Stroke")

        def add(colour: str) -> None:
            self._remember_colour(colour)
            self.view.drop_drawn_stroke()  # drawn from now on as the hint it became
            self.edit_hints(item, item.hints + (Hint.stroke(stroke, colour),), "Add Stroke")

        self._open_menu(menu, where, add, "Stroke")

    @staticmethod
    def _kind(hint: Hint) -> str:
        return "Stroke" if hint.is_stroke else "Pin"

    def _mark_clicked(self, index: int, where: QPoint) -> None:
        item = self._shown
        if item is None or item.result is None:
            return
        hint = item.hints[index]
        likely = item.result.likely_colours(*hint.middle)
        kind = self._kind(hint)
        menu = PinColourMenu(likely, self.recent_colours, hint.color, self._host, kind)

        def recolour(colour: str) -> None:
            self._remember_colour(colour)
            hints = list(item.hints)
            hints[index] = hint.recoloured(colour)
            self.edit_hints(item, tuple(hints), f"Change {kind} Colour")

        menu.remove_requested.connect(lambda: self._mark_removed(index))
        self._open_menu(menu, where, recolour, kind)

    def _mark_dragging(self, index: int, point: QPointF) -> None:
        self._drag_pending = (index, point)
        if not self._drag_timer.isActive():
            self._drag_timer.start()

    def _render_drag(self) -> None:
        item, pending = self._shown, self._drag_pending
        self._drag_pending = None
        if item is None or item.result is None or pending is None:
            return
        index = pending[0]
        x, y = item.hints[index].points[0]
        hints = list(item.hints)
        hints[index] = hints[index].moved(pending[1].x() - x, pending[1].y() - y)
        # Only drawn: the edit comes on release, and the photo's own result is not touched.
        moving = item.result.with_hints(tuple(hints))
        self.view.set_colorized(to_qimage(moving.render(item.strength)))

    def _mark_moved(self, index: int, point: QPointF) -> None:
        """`point`: where the hint's first point goes; the rest of a stroke moves with it."""
        self._drag_timer.stop()
        self._drag_pending = None
        item = self._shown
        if item is None:
            return
        hints = list(item.hints)
        x, y = hints[index].points[0]
        hints[index] = hints[index].moved(point.x() - x, point.y() - y)
        self.edit_hints(item, tuple(hints), f"Move {self._kind(hints[index])}")

    def _mark_removed(self, index: int) -> None:
        item = self._shown
        if item is None:
            return
        kind = self._kind(item.hints[index])
        self.edit_hints(item, item.hints[:index] + item.hints[index + 1 :], f"Remove {kind}")
