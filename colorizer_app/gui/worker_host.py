"""The one way the app runs background work: a QObject worker living on its own QThread.

Every worker is hosted by it: started at once, talked to only through its typed signals, and
stopped cleanly: the worker is asked to stop, then the thread quits and is waited for, up to a
limit, so quitting never waits on a photo's network run or a slow folder. A thread still busy at
its limit is kept referenced (never "QThread destroyed while running"): the app ends its process
without waiting for it (app.py), anything else waits for it at exit.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QThread

W = TypeVar("W", bound=QObject)
STOP_LIMIT_S = 0.5
_still_running: list[QThread] = []


@atexit.register
def wait_for_the_rest() -> None:
    """Waits for every worker thread left running at its stop limit."""
    for thread in _still_running:
        thread.wait()


def still_running() -> bool:
    """Whether a worker thread was left running at its stop limit."""
    return any(t.isRunning() for t in _still_running)


class WorkerHost(Generic[W]):
    def __init__(self, worker: W, name: str, ask_to_stop: Callable[[], None] | None = None):
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.worker = worker
        self._ask_to_stop = ask_to_stop
        worker.moveToThread(self.thread)
        self.thread.start()

    def stop(self, limit_s: float = STOP_LIMIT_S) -> bool:
        """Asks the worker to stop and waits at most `limit_s`; True if its thread ended."""
        if self._ask_to_stop is not None:
            self._ask_to_stop()
        self.thread.quit()
        if self.thread.wait(max(1, int(limit_s * 1000))):
            return True
        _still_running.append(self.thread)
        return False
