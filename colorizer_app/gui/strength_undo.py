"""A change of colour strength that Edit > Undo can take back (a one-step source of
window_undo.py): the photos it changed, each one's strength before it, and what it gave them.

Two of them: a person's own change of the shown photo (the slider dragged, Ctrl+] pressed: a
drag or a run of presses on the same photos is one change) and Apply Colour Strength to All. A
trial dragged the slider, read "Too strong or wrong? Edit > Undo takes it back" in the guide,
and found Undo grayed; another lost a photo's remembered 60% to Apply to All.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from .photo_list import PhotoItem


class StrengthChange(QObject):
    undo_changed = Signal(bool)  # True: a change to undo, the newest thing done; False: none

    def __init__(
        self,
        name: str,
        give_back: Callable[[list[tuple[PhotoItem, float]]], None],
        parent: QObject | None = None,
        joins_runs: bool = False,
    ):
        super().__init__(parent)
        self.undo_name = name
        self._give_back = give_back
        self._before: list[tuple[PhotoItem, float]] = []
        self._applied = 1.0
        self._joins_runs = joins_runs  # a run of changes of the same photos is one change
        self.open = False  # the next change of the same photos joins this one

    @property
    def can_undo(self) -> bool:
        return bool(self._before)

    def made(self, targets: list[PhotoItem], strength: float) -> None:
        """`targets` are about to get `strength`: a new change, or the open one grown."""
        same = self.open and {id(it) for it, _ in self._before} == {id(it) for it in targets}
        if not same:
            self._before = [(item, item.strength) for item in targets]
        self._applied = strength
        self.open = self._joins_runs
        if self._before:
            self.undo_changed.emit(True)  # the newest thing done, whatever came between

    def undo(self) -> None:
        """Each photo's strength back as before the change; one given another since keeps it."""
        before, self._before, self.open = self._before, [], False
        self._give_back([(item, own) for item, own in before if item.strength == self._applied])
        self.undo_changed.emit(False)
