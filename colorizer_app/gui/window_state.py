"""The window's place and size: restored from the settings and kept on the screen.

The window must fit the screen's available area with the window manager's frame around it (a
1366x768 laptop, a 1920x1080 screen at 200%): before the window is shown the frame is not known,
so a common title bar and border are assumed; once shown, the fit is checked again as the window
manager reports the real frame (it does so a moment after the window maps).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMargins, QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

FIRST_SIZE = (1280, 800)
FRAME_GUESS = QMargins(8, 40, 8, 8)  # title bar and borders, until the window manager says
REFIT_AFTER_SHOW_MS = (0, 300, 1500)
# A window manager's frame borders are a few pixels: a larger difference is a real move (another
# screen, the frame refitted to a smaller one), never undone.
INNER_DRIFT_PX = 24


# A screen this much larger or smaller in either direction than the one the place was kept on
# is another screen (or the same at another scale): the window starts at a first size there.
OTHER_SCREEN = 0.15


def restore_place(
    window: QMainWindow,
    geometry: QByteArray | None,
    state: QByteArray | None,
    inner: QPoint | None = None,
    kept_room: str = "",
) -> None:
    """The place, size and docks the settings kept, or a first size that fits. `inner`: where
    the window's inside was at the last quit (see keep_inner_place). `kept_room`: room_text of
    the screen then; on a screen of another size the kept place is not reused (a trial went
    from 1366x768 to 200%: the window came back small, its list a sliver; and back at 1366x768
    it opened at the 910 x 440 it had been squeezed to)."""
    if geometry is not None and not other_screen(kept_room, room_text(window)):
        window.restoreGeometry(geometry)
    else:
        first_size(window)
        inner = None
    if state is not None:
        window.restoreState(state)
    fit_to_screen(window)
    for delay in REFIT_AFTER_SHOW_MS:
        QTimer.singleShot(delay, window, lambda: refit_if_shown(window, inner))  # not once gone


def keep_inner_place(window: QMainWindow, inner: QPoint) -> None:
    """Put the window's inside back where it was at the last quit, once the window manager
    has framed it. Under openbox the restored window came back one pixel (its frame's left
    border) to the right of where it was quit, every launch: 16 px after 20 launches."""
    if window.frameGeometry() == window.geometry():
        return  # not framed yet: the frame's part of the place is not known
    off = window.geometry().topLeft() - inner
    if (off.x(), off.y()) != (0, 0) and max(abs(off.x()), abs(off.y())) <= INNER_DRIFT_PX:
        window.move(window.pos() - off)


def room_text(window: QWidget) -> str:
    """The screen's available room as "WxH" (logical pixels), "" where there is no screen."""
    room = room_on_screen(window)
    return f"{room.width()}x{room.height()}" if room is not None else ""


def other_screen(kept: str, now: str) -> bool:
    """Whether two room_texts are of screens of other sizes (an unknown one is the same)."""
    try:
        (kw, kh), (nw, nh) = ([int(v) for v in t.split("x")] for t in (kept, now))
    except ValueError:
        return False
    return abs(kw - nw) > OTHER_SCREEN * nw or abs(kh - nh) > OTHER_SCREEN * nh


def room_on_screen(window: QWidget) -> QRect | None:
    screen = window.screen() or QApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else None


def frame_of(window: QWidget) -> QMargins:
    """The frame around the window: the window manager's once it is known, else a guess."""
    frame, inner = window.frameGeometry(), window.geometry()
    if frame == inner:
        handle = window.windowHandle()
        known = handle.frameMargins() if handle is not None else QMargins()
        return known if not known.isNull() or window.isVisible() else FRAME_GUESS
    return QMargins(
        inner.left() - frame.left(),
        inner.top() - frame.top(),
        frame.right() - inner.right(),
        frame.bottom() - inner.bottom(),
    )


def first_size(window: QMainWindow) -> None:
    """First launch: the usual size where it fits, the available area less a frame where
    it does not, centred."""
    room = room_on_screen(window)
    if room is None:
        window.resize(*FIRST_SIZE)
        return
    m = FRAME_GUESS
    width = min(FIRST_SIZE[0], room.width() - m.left() - m.right())
    height = min(FIRST_SIZE[1], room.height() - m.top() - m.bottom())
    window.resize(width, height)
    window.move(
        room.x() + (room.width() - width - m.left() - m.right()) // 2,
        room.y() + (room.height() - height - m.top() - m.bottom()) // 2,
    )


def refit_if_shown(window: QMainWindow, inner: QPoint | None = None) -> None:
    if window.isVisible() and not window.isMaximized() and not window.isFullScreen():
        if inner is not None:
            keep_inner_place(window, inner)
        fit_to_screen(window)


def fit_to_screen(window: QWidget) -> None:
    """Keep the whole window, frame included, on the screen it lands on (a geometry saved on
    a bigger or unscaled screen, or the panel's first showing, must not push it off). Any
    top-level window: the guide at 200% was taller than the screen, its Close button off it."""
    room = room_on_screen(window)
    if room is None:
        return
    m = frame_of(window)
    extra_w, extra_h = m.left() + m.right(), m.top() + m.bottom()
    width = min(window.width(), room.width() - extra_w)
    height = min(window.height(), room.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), room.x()), room.right() - width - extra_w + 1)
    y = min(max(frame.y(), room.y()), room.bottom() - height - extra_h + 1)
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


def share_the_right_side(window: QMainWindow, other: QDockWidget | None, dock: QDockWidget) -> None:
    """`dock` opened beside `other` on the right shares its place as a tab, in front. Stacked,
    each got half the height: at 1400 x 900 the Advanced panel under the Restore panel showed
    four of its settings in a scrolled strip, and its curve and previews not at all (seen in
    the README's screenshot); the person who opens it came for it, and the Restore panel is a
    click away on its tab. A panel docked a moment before counts as shown unless the person
    hid it: both are made once torch has loaded, the Restore panel is not shown until the
    window lays it out, and kept open at the last quit, the two came back stacked."""
    if (
        other is not None
        and not other.isFloating()
        and (
            other.isVisibleTo(window)
            or not other.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
        )
    ):
        window.tabifyDockWidget(other, dock)
