"""A one-line label that shortens its text with "…" where it does not fit, its whole text in the
tooltip: the status bar's messages name files, and a long path was cut off mid-word with no way
to read the rest."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QSizeGrip, QSizePolicy, QStatusBar, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._update_tip()

    def shown_text(self) -> str:
        """The text as drawn at the label's width now, on one line: a message of several lines
        (an error's reason on a line of its own) was drawn as its lines on top of one another."""
        return self.fontMetrics().elidedText(
            self._one_line(), Qt.TextElideMode.ElideMiddle, self.contentsRect().width()
        )

    def _one_line(self) -> str:
        return " ".join(part.strip() for part in self.text().splitlines() if part.strip())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(
            self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height()
        )

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.contentsRect(), align, self.shown_text())

    def _update_tip(self) -> None:
        # The whole text only where it was shortened: a tooltip that repeats the label is noise.
        self.setToolTip(self.text() if self.shown_text() != self._one_line() else "")


class PathWrapLabel(QLabel):
    """A label of several lines for text that names folders: it wraps at spaces and after each
    path separator, and takes the width its layout gives it instead of asking for the whole
    path on one line (the Save dialog grew wider with each letter of a folder typed, until its
    Save and Cancel buttons were off the screen). `text()` is the text as given."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._plain = ""
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._plain = text
        # A zero-width space after each separator: a place to break a long path, drawn as nothing.
        super().setText(text.replace("/", "/\u200b").replace("\\", "\\\u200b"))

    def text(self) -> str:
        return self._plain


class WrappedLabel(QLabel):
    """Word-wrapped text that keeps all its lines: a layout short of room squeezed a wrapped
    label to one line (the Restore panel's brush hint, in the window at its smallest: a trial),
    so its least height follows its width. Its width is its layout's, never its own."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        need = self.heightForWidth(self.width())
        if need > 0 and need != self.minimumHeight():
            self.setMinimumHeight(need)


NOTICE_MS = 10_000  # long enough to read, over the batch's own lines beneath it


def label_with_room(widest: str) -> QLabel:
    """A status-bar label that keeps the room of its widest text while it is empty, so a notice
    shown meanwhile is shortened to leave it (at 200% a notice ran into the zoom, "sta185%")."""
    label = QLabel("")
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 4)
    return label


def show_notice(bar: QStatusBar, text: str, ms: int) -> None:
    """A notice over the status line for `ms`. QStatusBar clips a message at its right, where a
    notice says what to do ("...; open them by name to add them"): it is shortened in the middle
    to the status line's room instead, its whole text in the bar's tooltip while it shows, and
    shortened again when the bar's width changes (a notice shown as the window opened was cut
    off when the window then fitted itself to a screen at 200%)."""
    fit = bar.findChild(_NoticeFit)
    (fit if fit is not None else _NoticeFit(bar)).show(text, ms)


class _NoticeFit(QObject):
    """The bar's notice: its whole text, until when it shows, and its fitting to the bar."""

    def __init__(self, bar: QStatusBar):
        super().__init__(bar)
        self.bar = bar
        self.text, self.shown, self.until = "", "", 0.0
        bar.messageChanged.connect(self._changed)
        bar.installEventFilter(self)

    def room(self) -> int:
        # The room left by the bar's other widgets, hidden ones too: a batch's progress bar and
        # Cancel button appear while the notice shows, and it ran under them.
        bar = self.bar
        others = [
            w
            for w in bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if not isinstance(w, (ElidedLabel, QSizeGrip))
        ]
        taken = sum(max(w.sizeHint().width(), w.minimumWidth()) + 12 for w in others)
        return bar.width() - taken - 24

    def show(self, text: str, ms: int) -> None:
        room = max(self.room() - 8, 40)
        shown = self.bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, room)
        self.text, self.shown, self.until = text, shown, time.monotonic() + ms / 1000
        self.bar.showMessage(shown, ms)
        self.bar.setToolTip(text if shown != text else "")

    def _changed(self, message: str) -> None:
        if not message:  # the person's next act answers over it; the tooltip goes with it
            self.bar.setToolTip("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and self.text:
            left = int((self.until - time.monotonic()) * 1000)
            if left > 0 and self.bar.currentMessage() == self.shown:
                self.show(self.text, left)
        return False


class LinesLabel(ElidedLabel):
    """A label of at most `lines` wrapped lines, always that tall (the widgets below it stay
    where they are), its last line shortened with "…" where the text runs on, and its whole
    text in the tooltip then. A QLabel with a fixed height drew the next line half under the
    button below it (a trial read "(it stops after 1" and the top of another line)."""

    def __init__(self, lines: int, parent: QWidget | None = None):
        self.lines = lines
        super().__init__("", parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(lines * self.fontMetrics().lineSpacing() + 2)

    def shown_lines(self) -> list[str]:
        """The lines as drawn at the label's width now."""
        text = " ".join(self.text().split())
        return wrapped(self.fontMetrics(), text, max(1, self.contentsRect().width()), self.lines)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect, step = self.contentsRect(), self.fontMetrics().lineSpacing()
        for n, line in enumerate(self.shown_lines()):
            row = rect.adjusted(0, n * step, 0, 0)
            painter.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, line)

    def _update_tip(self) -> None:
        whole = " ".join(self.text().split())
        self.setToolTip("" if " ".join(self.shown_lines()) == whole else self.text())


def wrapped(metrics: QFontMetrics, text: str, room: int, most: int) -> list[str]:
    """`text` broken at spaces into lines at most `room` pixels wide, at most `most` of them, the
    last shortened with "…" where the rest does not fit."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        longer = f"{line} {word}" if line else word
        if line and metrics.horizontalAdvance(longer) > room:
            lines.append(line)
            line = word
        else:
            line = longer
    lines.append(line)
    if len(lines) > most:
        lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
    return [metrics.elidedText(x, Qt.TextElideMode.ElideRight, room) for x in lines]
