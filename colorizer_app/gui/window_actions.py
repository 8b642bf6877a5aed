"""The window's menus, toolbar actions and shortcuts. A mixin of MainWindow."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from .window_base import WindowBase


def make_action(
    host: QWidget,
    text: str,
    slot: Callable[..., object],
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    tip: str = "",
) -> QAction:
    """An action of the window's menus, its shortcut working wherever the focus is."""
    action = QAction(text, host)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip or text.replace("&", ""))  # "&" marks the mnemonic only
    action.triggered.connect(slot)
    host.addAction(action)
    return action


class ActionsMixin(WindowBase):
    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        return make_action(self, text, slot, shortcut, tip)

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        a = self.actions_by_name = {
            "open": self._action("&Open Photos…", self.open_dialog, K.Open),
            "open_folder": self._action("Open &Folder…", self.open_folder_dialog, "Ctrl+Shift+O"),
            "paste": self._action("&Paste Image", self.paste, K.Paste),
            "save": self._action("&Save Colorized…", self.save_selected, K.Save),
            "save_all": self._action("Save &All Colorized…", self.save_all, "Ctrl+Shift+S"),
            "quit": self._action("&Quit", self.close, K.Quit),
            "remove": self._action("&Remove from List", self.delete_pressed, K.Delete),
            "clear": self._action("&Clear List", self.clear_all, "Ctrl+Shift+Delete"),
            "colorize": self._action("&Colorize Selected", self.colorize_selected, "Ctrl+R"),
            "colorize_all": self._action("Colorize A&ll", self.colorize_all, "Ctrl+Shift+R"),
            "cancel": self._action("Cance&l", self.cancel, "Esc"),
            "fit": self._action("&Fit to Window", self.view.fit_to_window, "Ctrl+0"),
            "actual": self._action("&Actual Size (100%)", self.view.actual_size, "Ctrl+1"),
            "zoom_in": self._action("Zoom &In", lambda: self.view.zoom_by(1.25), K.ZoomIn),
            "zoom_out": self._action("Zoom &Out", lambda: self.view.zoom_by(0.8), K.ZoomOut),
            "side": self._action("&Side by Side", self.toggle_side_by_side, "Ctrl+B"),
            "about": self._action("&About Colorizer", self.about, K.HelpContents),
            "models_folder": self._action("Open &Models Folder", self.open_models_folder),
            "advanced": self._action(
                "&Advanced: Teach Your Colours", self.toggle_advanced, "Ctrl+Shift+A"
            ),
        }
        a.update(self.pins.actions)
        a.update(self._photo_option_actions())
        a.update(self._list_actions())
        a["advanced"].setCheckable(True)
        a["side"].setCheckable(True)
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        for name in ("open", "open_folder", "paste", None, "save", "save_all", None, "quit"):
            file_menu.addSeparator() if name is None else file_menu.addAction(a[name])
        edit = menus.addMenu("&Edit")
        for name in ("undo", "redo", None, "remove", "clear", "undo_clear"):
            edit.addSeparator() if name is None else edit.addAction(a[name])
        photo = menus.addMenu("&Photo")
        for name in ("colorize", "colorize_all", "cancel", None, "strength_all", None, "pins",
                     "clear_pins"):  # fmt: skip
            photo.addSeparator() if name is None else photo.addAction(a[name])
        self.view_menu = menus.addMenu("&View")
        for name in ("fit", "actual", "zoom_in", "zoom_out", None, "side", None, "advanced"):
            self.view_menu.addSeparator() if name is None else self.view_menu.addAction(a[name])
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(a["models_folder"])
        help_menu.addAction(a["about"])

        t = self.toolbar
        # Short words on the toolbar (the menus keep the full ones), so a 1366 px laptop shows
        # every control, Colour Pins included, without the overflow menu.
        short = {"open": "Open", "colorize": "Colorize", "save": "Save", "save_all": "Save All"}
        for name in ("open", "colorize", "colorize_all", "save", "save_all"):
            if name in short:
                a[name].setIconText(short[name])
            t.addAction(a[name])
        t.addSeparator()
        t.addWidget(QLabel(" Colour "))
        t.addWidget(self.saturation)
        t.addWidget(self.saturation_label)
        t.addWidget(QLabel(" Detail "))
        t.addWidget(self.detail_combo)
        t.addSeparator()
        t.addWidget(QLabel(" Model "))
        t.addWidget(self.models.model_combo)
        t.addWidget(QLabel(" Device "))
        t.addWidget(self.models.device_combo)
        t.addSeparator()
        t.addAction(a["side"])
        t.addAction(a["pins"])
        self._update_actions()
