"""A text progress bar for the terminal (no dependency): done/total, rate, ETA, a message."""

from __future__ import annotations

import sys
import time


def printable(text: str) -> str:
    """A file name or message on one terminal line: newlines, tabs, escape codes shown as '?'."""
    return "".join(c if c.isprintable() else "?" for c in text)


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class ProgressBar:
    def __init__(self, total: int, label: str = "", stream=None, width: int = 28):
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.start = time.monotonic()
        self.done = 0
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_print = 0.0

    def update(self, done: int, message: str = "", force: bool = False) -> None:
        self.done = done
        now = time.monotonic()
        if not force and not self._tty and now - self._last_print < 5 and done < self.total:
            return  # a log file gets a line every few seconds, not a flood
        self._last_print = now
        elapsed = now - self.start
        frac = done / self.total if self.total else 1.0
        eta = elapsed / done * (self.total - done) if done else 0.0
        bar = "#" * int(frac * self.width)
        line = (
            f"{self.label} [{bar:<{self.width}}] {done}/{self.total} "
            f"{format_seconds(elapsed)}<{format_seconds(eta)} {message}"
        )
        if self._tty:
            self.stream.write("\r" + line[:150].ljust(150))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
