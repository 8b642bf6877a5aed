"""SIGTERM and SIGHUP stop a command the way Ctrl+C does: as an exception, so every `finally`
runs and an atomic write removes its temporary file (core/fileio.py) before the process ends."""

from __future__ import annotations

import signal


class Stopped(BaseException):
    """The process was asked to end (SIGTERM, SIGHUP). A BaseException, like KeyboardInterrupt:
    no `except Exception` keeps it from ending the run."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # what a shell reports for a process ended by that signal


def stop_on_signals() -> None:
    """From now on SIGTERM and SIGHUP raise Stopped in the main thread. A signal the process was
    started ignoring (nohup) stays ignored."""

    def handler(signum, frame):
        raise Stopped(signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:  # Windows has no SIGHUP
            continue
        try:
            if signal.getsignal(sig) is signal.SIG_IGN:
                continue
            signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread: leave the signal as it is
            continue
