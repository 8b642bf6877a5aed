"""The Restore panel hooked into the window (issue 28): docked on the right, following the
list's current photo, its switches deciding what the window's own colorize repairs first, and
a photo coloured again when they change. The panel itself is restore_panel.py."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from .batch_controller import WAITING
from .elided_label import NOTICE_MS, show_notice
from .restore_panel import RestorePanel
from .window_actions import add_to_view
from .window_base import WindowBase


def attach_restore_panel(window: WindowBase) -> RestorePanel:
    """Docks the panel on the right and has it follow the list's current photo."""
    panel = RestorePanel(window, ready=False)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, panel)
    # What became of Save Restored Copy, in the window's status line too: a keyboard trial saw
    # "Colorized 1 of 1 photo." there after saving, the answer only in the panel's small line.
    panel.signals.saved.connect(lambda text: show_notice(window.statusBar(), text, NOTICE_MS))
    panel.signals.notice.connect(lambda text: show_notice(window.statusBar(), text, NOTICE_MS))
    add_to_view(window.menus, panel.toggleViewAction(), "&Restore Panel")

    def follow(*_args) -> None:
        item = window.current_item()
        panel.show_photo(item.path if item is not None else None)

    window.list_view.selectionModel().currentChanged.connect(follow)

    # Clear List and Remove leave no current photo without a change of it to hear of: the
    # panel kept the last photo's preview and switches (a trial cleared the list and saw them).
    def follow_if_gone(*_args) -> None:
        item = window.current_item()
        if (item.path if item is not None else None) != panel.path:
            follow()

    window.photos.modelReset.connect(follow_if_gone)
    window.photos.rowsRemoved.connect(follow_if_gone)

    # The window's own colour follows the switches: colorizing repairs first, and a photo
    # already colorized is colorized again when its switches or corrected damage change.
    window.batch.restore_for = panel.restore_for
    # Its previews need torch, which the colorize worker loads (or fails to: said instead).
    window.models.engine_loaded.connect(panel.start)
    window.models.engine_failed.connect(panel.cannot_start)

    def colour_again(path: Path) -> None:
        item = window.photos.item_for_path(path)
        if item is not None and (item.result is not None or item.state in WAITING):
            window.batch.colorize_again(item)

    panel.restoration_changed.connect(colour_again)
    follow()  # a photo already current (one listed before) is the panel's too
    return panel
