"""The one way the app runs background work: a QObject worker living on its own QThread.

Both the colorize worker and the training worker are hosted by it: started at once, talked to
only through their typed signals, and stopped cleanly (the worker is asked to stop, then the
thread quits and is waited for: never "QThread destroyed while running").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QThread

W = TypeVar("W", bound=QObject)


class WorkerHost(Generic[W]):
    def __init__(self, worker: W, name: str, ask_to_stop: Callable[[], None] | None = None):
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.worker = worker
        self._ask_to_stop = ask_to_stop
        worker.moveToThread(self.thread)
        self.thread.start()

    def stop(self) -> None:
        if self._ask_to_stop is not None:
            self._ask_to_stop()
        self.thread.quit()
        self.thread.wait()
