"""The "still working: quit?" question, which keeps up with the work while it is open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

FOLLOW_MS = 200  # how often the open question looks at the work again


def ask_to_quit(parent: QWidget, question_now: Callable[[], str]) -> bool:
    """Ask `question_now()` with Yes (quit) and No; True for Yes. While the box is open the
    question is asked again: the count falls as photos finish, and once `question_now` says
    nothing is left to stop ("") the box answers itself with Yes, since the person asked to quit
    and nothing would be lost now. (A box that kept the count it opened with said "12 photos
    are still being processed" over a batch that had ended.)"""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Quit Colorizer?",
        question_now(),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    follow = QTimer(box)
    follow.setInterval(FOLLOW_MS)

    def keep_up() -> None:
        question = question_now()
        if not question:
            box.done(QMessageBox.StandardButton.Yes.value)
        elif question != box.text():
            box.setText(question)

    follow.timeout.connect(keep_up)
    follow.start()
    answer = box.exec()
    follow.stop()
    box.deleteLater()
    return answer == QMessageBox.StandardButton.Yes.value
