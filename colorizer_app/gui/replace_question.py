"""The question asked before a save would write over an earlier copy (Save, Save Restored Copy).

Enter never replaces: it answers "only the new ones" where that is offered, else Cancel. A trial's
Enter on the old Yes/No/Cancel box saved nothing and said "Nothing new to save".
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_to_replace(
    parent: QWidget, title: str, text: str, only_new: str | None = None
) -> bool | None:
    """True: replace; False: save only the new ones (the `only_new` button, when given);
    None: save nothing."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    # Access keys (Alt+R, Alt+S): a keyboard trial's Alt+R did nothing.
    replace = box.addButton("&Replace", QMessageBox.ButtonRole.AcceptRole)
    new = (
        box.addButton(
            only_new if "&" in only_new else f"&{only_new}", QMessageBox.ButtonRole.ActionRole
        )
        if only_new
        else None
    )
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(new or cancel)
    box.exec()
    clicked = box.clickedButton()
    # Gone once answered, as the Save dialog: a box left a child of the window until the app's
    # teardown crashed Quit after a save.
    box.deleteLater()
    if clicked is replace:
        return True
    return False if new is not None and clicked is new else None
