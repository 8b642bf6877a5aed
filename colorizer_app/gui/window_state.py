"""The window's remembered state and its fit to the screen. A mixin of MainWindow.

The window must fit the screen's available area with the window manager's frame around it (a
1366x768 laptop, a 1920x1080 screen at 200%): before the window is shown the frame is not known,
so a common title bar and border are assumed; once shown, the fit is checked again as the window
manager reports the real frame (it does so a moment after the window maps).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QTimer
from PySide6.QtWidgets import QApplication

from .window_base import WindowBase

FIRST_SIZE = (1280, 800)
FRAME_GUESS = QMargins(8, 40, 8, 8)  # title bar and borders, until the window manager says
REFIT_AFTER_SHOW_MS = (0, 300, 1500)


class WindowStateMixin(WindowBase):
    def _restore_settings(self) -> None:
        geometry = self.settings.geometry
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self._first_size()
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)
        self.fit_to_screen()
        for delay in REFIT_AFTER_SHOW_MS:
            QTimer.singleShot(delay, self._refit_if_shown)

    def _room(self) -> QRect | None:
        screen = self.screen() or QApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else None

    def _frame(self) -> QMargins:
        """The frame around the window: the window manager's once it is known, else a guess."""
        frame, inner = self.frameGeometry(), self.geometry()
        if frame == inner:
            handle = self.windowHandle()
            known = handle.frameMargins() if handle is not None else QMargins()
            return known if not known.isNull() or self.isVisible() else FRAME_GUESS
        return QMargins(
            inner.left() - frame.left(),
            inner.top() - frame.top(),
            frame.right() - inner.right(),
            frame.bottom() - inner.bottom(),
        )

    def _first_size(self) -> None:
        """First launch: the usual size where it fits, the available area less a frame where
        it does not, centred."""
        room = self._room()
        if room is None:
            self.resize(*FIRST_SIZE)
            return
        m = FRAME_GUESS
        width = min(FIRST_SIZE[0], room.width() - m.left() - m.right())
        height = min(FIRST_SIZE[1], room.height() - m.top() - m.bottom())
        self.resize(width, height)
        self.move(
            room.x() + (room.width() - width - m.left() - m.right()) // 2,
            room.y() + (room.height() - height - m.top() - m.bottom()) // 2,
        )

    def _refit_if_shown(self) -> None:
        if self.isVisible() and not self.isMaximized() and not self.isFullScreen():
            self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Keep the whole window, frame included, on the screen it lands on (a geometry saved on
        a bigger or unscaled screen, or the panel's first showing, must not push it off)."""
        room = self._room()
        if room is None:
            return
        m = self._frame()
        extra_w, extra_h = m.left() + m.right(), m.top() + m.bottom()
        width = min(self.width(), room.width() - extra_w)
        height = min(self.height(), room.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        x = min(max(frame.x(), room.x()), room.right() - width - extra_w + 1)
        y = min(max(frame.y(), room.y()), room.bottom() - height - extra_h + 1)
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def _store_settings(self) -> None:
        s = self.settings
        s.geometry = self.saveGeometry()
        s.window_state = self.saveState()
        s.model = self.models.current_model()
        s.device = self.models.device_combo.currentData()
        s.advanced_visible = self.panel is not None and self.panel.isVisible()
        s.sync()
