"""The Qt binding the app is installed with can run a long session.

PySide6-Essentials 6.12.0 on Python 3.11 takes one reference from None on every call of a Qt
method that returns nothing (setText, update, processEvents, ...); None is not immortal before
Python 3.12, so after some thousands of such calls (a slider drag makes hundreds) the process
died with "Fatal Python error: none_dealloc", a photo's unsaved pins with it. Seen here in 1 start
of `colorizer gui` in 4 and in a plain script; pyproject.toml keeps that release out.
"""

import sys

from PySide6.QtWidgets import QLabel


def test_calls_that_return_nothing_leave_none_alone(qapp):
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("Colorizing…")
        label.update()
        qapp.processEvents()
    # A few references may come and go with the interpreter's own work; 6.12.0 lost 6,000 here.
    assert abs(sys.getrefcount(None) - before) < 100
