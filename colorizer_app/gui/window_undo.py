"""Edit > Undo (Ctrl+Z): the last thing the person did, whatever it was done to.

Pin edits have one undo stack per photo (pin_controller.py); taking photos off the list
(list_edits.py) and Apply Colour Strength to All (photo_options.py) are one step each that a
later one of the same kind replaces. A trial cleared the list, pressed Ctrl+Z and nothing came
back: the undo action then knew only the shown photo's pins. Now Ctrl+Z undoes the list steps
done after the last pin edit, newest first, then the shown photo's pin edits, then the older list
steps; the menu's text names which. The sources are kept in the order their steps were done: a
review found a Remove unreachable once an Apply Colour Strength to All done after it was undone.

A one-step source has `undo_name`, `can_undo` and `undo()`, and says `undo_changed(True)` when it
has a new step to undo and `undo_changed(False)` when that step was undone or forgotten.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QWidget


class OneStep(Protocol):
    undo_changed: SignalInstance

    @property
    def undo_name(self) -> str: ...

    @property
    def can_undo(self) -> bool: ...

    def undo(self) -> None: ...


class WindowUndo(QObject):
    def __init__(
        self,
        host: QWidget,
        pins: QUndoGroup,
        pin_edited: SignalInstance,
        steps: tuple[OneStep, ...],
    ):
        super().__init__(host)
        self.pins = pins
        self._done: list[OneStep] = []  # sources with a step to undo, the newest step last
        self._before_pins = 0  # how many of them were done before the last pin edit
        self.action = QAction("&Undo", host)
        self.action.setProperty("guide_name", "Undo")  # its text names the step: Undo Remove
        self.action.setShortcut(QKeySequence.StandardKey.Undo)
        self.action.triggered.connect(self.undo)
        host.addAction(self.action)
        for signal in (pins.canUndoChanged, pins.undoTextChanged):
            signal.connect(self._refresh)
        pin_edited.connect(self._pin_edited)
        # A source's own menu entry for its step (Edit > Undo Remove) is hidden while this
        # action names the same step: a trial's Edit menu read "Undo Remove" twice.
        self._twins = [(step, getattr(step, "undo_twin", None)) for step in steps]
        for step in steps:
            step.undo_changed.connect(lambda new, s=step: self._step_changed(s, new))
        self._refresh()

    def undo(self) -> None:
        step = self._next_step()
        if step is not None:
            step.undo()
        elif self.pins.canUndo():
            self.pins.undo()
        self._refresh()

    def _next_step(self) -> OneStep | None:
        """The list step Ctrl+Z takes back now, if it is not the shown photo's pin edit."""
        older_too = not self.pins.canUndo()
        for at in range(len(self._done) - 1, -1, -1):
            if at < self._before_pins and not older_too:
                return None  # a pin edit is newer than this step: it goes first
            if self._done[at].can_undo:
                return self._done[at]
        return None

    def _step_changed(self, step: OneStep, new: bool) -> None:
        if step in self._done:
            at = self._done.index(step)
            if at < self._before_pins:
                self._before_pins -= 1
            del self._done[at]
        if new:
            self._done.append(step)
        self._refresh()

    def _pin_edited(self) -> None:
        self._before_pins = len(self._done)  # Ctrl+Z takes the pin edit back first
        self._refresh()

    def _refresh(self, *_args: object) -> None:
        step = self._next_step()
        if step is not None:
            text, enabled = f"&Undo {step.undo_name}", True
        else:
            pin_text = self.pins.undoText()
            text = f"&Undo {pin_text}" if pin_text else "&Undo"
            enabled = self.pins.canUndo()
        self.action.setText(text)
        self.action.setEnabled(enabled)
        for source, twin in self._twins:
            if twin is not None:
                twin.setVisible(source is not step)
