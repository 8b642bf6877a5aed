"""Help > Colorizer Guide (F1): how to use the app, in a person's words, with the window's own
shortcuts; and a folder shown where no file manager can be opened.

A trial pressed F1 and got About, a paragraph on encoders and Lab channels: someone with a box
of scans wants to know how to compare, pin a colour, repair a scratch and save. The shortcut
table is read from the window's actions, so it cannot drift from the menus.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .window_state import REFIT_AFTER_SHOW_MS, fit_to_screen

GUIDE_TITLE = "Colorizer Guide"

GUIDE = """
<h2>Colorizer Guide</h2>
<p>Colorizer gives old black-and-white photographs their colour back. Your photos are never
changed: everything it makes is a new file beside them or in a folder you choose.</p>

<h3>1. Bring your photos in</h3>
<p>Drag photos or whole folders onto the window, or use <b>File &gt; Open Photos</b> or
<b>File &gt; Open Folder</b> (folders inside it too). Each photo is coloured as it arrives; the
list on the left shows each one and how far it has got.
<b>File &gt; Open Recent</b> brings back what you opened before, and the list you had when you
closed Colorizer comes back when you start it again.</p>

<h3>2. Compare before and after</h3>
<p>Drag the line across the photo (or Shift+drag anywhere): the original is on its left, the
colour on its right. Hold <b>Space</b> to see the whole original. <b>View &gt; Side by Side</b>
shows both at once. The mouse wheel zooms, a drag moves the photo.</p>

<h3>3. Adjust the colour</h3>
<p>The <b>Colour</b> slider on the toolbar makes the shown photo's colour stronger or paler.
<b>Detail</b>: More looks at a larger copy of the photo and sees small things (faces in a
crowd), and takes longer. <b>Photo &gt; Apply Colour Strength to All</b> gives
every photo the same strength. Too strong or wrong? <b>Edit &gt; Undo</b> takes it back.</p>

<h3>4. Tell it a colour: pins</h3>
<p>Turn on <b>Colour Pins</b> (toolbar, or H), then click the photo where you know the colour (a
blue dress, a red door) and choose it. The colour spreads over that thing and stops at its
edges. Shift+drag draws a stroke of colour along something long, like a sky. Drag a pin to move
it; right-click it or press Del to remove it. Without a mouse: with the photo chosen (F6),
the arrow keys move an aim over it (Shift: further) and Enter pins a colour there.</p>

<h3>5. Repair scratches, fading and grain</h3>
<p>The <b>Restore</b> panel on the right repairs the shown photo before it is coloured: tick
<b>Scratches, dust and cracks</b>, <b>Fading</b> or <b>Grain</b>. The damage found is shown in
red; drag on the small picture to correct it (left button adds, right button erases), or on a
large one: <b>Correct in a Larger Window</b>; the mouse wheel or [ and ] size the brush.
Your choices and corrections are remembered for each photo. Scratches is off until you tick it:
on a good print it can take fine detail (a highlight, window panes) for damage.
<b>Save Restored Copy</b> saves the repaired photo without colour, named like the original with
<i>_restored</i> added; saving it colorized (below) colours the repaired photo.</p>

<h3>6. Save</h3>
<p><b>File &gt; Save Colorized</b> saves the selected photos, <b>Save All Colorized</b> every
coloured one: as a copy named like the original with <i>_colorized</i> added, beside the
original or in a folder you choose. An existing file is never replaced without asking.</p>

<h3>Teaching it your own colours</h3>
<p><b>View &gt; Advanced</b> opens a panel that fine-tunes the model on a folder of your own
colour photos (20 or more work well). The new model joins the Model list on the toolbar; it
is kept in the models folder (<b>Help &gt; Open Models Folder</b>).</p>
"""


def shortcut_rows(actions: Mapping[str, QAction]) -> list[tuple[str, str]]:
    """(what, keys) for each action that has a shortcut, as its menu names it; an action whose
    text says what it would do now (Undo Remove) gives its lasting name as `guide_name`."""
    rows = []
    for action in actions.values():
        keys = ", ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
        )
        if keys:
            text = action.property("guide_name") or action.text()
            what = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
            rows.append((what.rstrip("…").strip(), keys))
    return rows


def guide_html(actions: Mapping[str, QAction]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(what)}</td><td>&nbsp;&nbsp;<b>{html.escape(keys)}</b></td></tr>"
        for what, keys in shortcut_rows(actions)
    )
    return (
        GUIDE
        + "<h3>Keys</h3><p><b>Up</b>/<b>Down</b> in the list: the next photo. Hold "
        + "<b>Space</b>: the original. <b>Left</b>/<b>Right</b> arrows: move the line. "
        + "<b>F6</b> (or Tab): the keys to the photo, then to the panels on the right, then "
        + "back to the list. <b>Page Up</b>/<b>Page Down</b> on the Colour slider: 10% at a time."
        + f"</p><table>{rows}</table>"
    )


class GuideWindow(QDialog):
    """The guide beside the main window (not modal: a person reads it while trying)."""

    def __init__(self, actions: Mapping[str, QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(GUIDE_TITLE)
        self.text = QTextBrowser()
        self.text.setHtml(guide_html(actions))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 620)


def show_guide(parent: QWidget, actions: Mapping[str, QAction]) -> GuideWindow:
    """The window's one guide, shown and raised (made on first use)."""
    guide = parent.findChild(GuideWindow)
    if guide is None:
        guide = GuideWindow(actions, parent)
    elif not guide.isVisible():  # the keys as they are now, not as at its first opening
        guide.text.setHtml(guide_html(actions))
    fit_to_screen(guide)  # with a frame guessed: at 200% it was taller than the screen
    guide.show()
    for ms in REFIT_AFTER_SHOW_MS:  # and with the window manager's frame, once it is there
        QTimer.singleShot(ms, guide, lambda: fit_to_screen(guide))
    guide.raise_()
    guide.activateWindow()
    return guide


def show_folder(parent: QWidget, folder: Path, what: str) -> QMessageBox | None:
    """Opens `folder` in the file manager; where none answers (a trial's Open Models Folder did
    nothing at all), says where it is, its path selectable and one click from the clipboard.
    Returns that message, or None when the file manager took it."""
    folder.mkdir(parents=True, exist_ok=True)
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return None
    box = QMessageBox(
        QMessageBox.Icon.Information,
        what,
        f"{what} is this folder:\n\n{folder}\n\nNo file manager could be opened from here; "
        "copy the path and open it in yours.",
        QMessageBox.StandardButton.Close,
        parent,
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton("Copy Path", QMessageBox.ButtonRole.ActionRole)
    # An action button closes the box by default; copying should leave it open to read.
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(str(folder)))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
