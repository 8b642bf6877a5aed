"""The window's remembered state and its fit to the screen. A mixin of MainWindow."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from .window_base import WindowBase


class WindowStateMixin(WindowBase):
    def _restore_settings(self) -> None:
        geometry = self.settings.geometry
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Keep the whole window on the screen it lands on (a geometry saved on a bigger or
        unscaled screen, or the panel's first showing, must not push it off the edges)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        room = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        width = min(self.width(), room.width() - extra_w)
        height = min(self.height(), room.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        x = min(max(frame.x(), room.x()), room.right() - width - extra_w + 1)
        y = min(max(frame.y(), room.y()), room.bottom() - height - extra_h + 1)
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def _store_settings(self) -> None:
        s = self.settings
        s.geometry = self.saveGeometry()
        s.window_state = self.saveState()
        s.model = self.current_model()
        s.device = self.device_combo.currentData()
        s.advanced_visible = self.panel is not None and self.panel.isVisible()
        s.sync()
