"""The app with one wine-red pin on Helen Keller's skirt (1919, public domain), as a person places
it: how far the colour goes, with the model's own answer to pins (issue 27).

Run under Xvfb:
    xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python -m tests.tools.skirt_screenshot OUT [MODEL]
Writes OUT/skirt-pin.png (the window after the pin) and OUT/skirt-before.png (before it).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDockWidget

from tests.tools.hint_looks import KELLER, SKIRT_PIN, WINE
from tests.tools.screenshots import DATA, pump


def main(out: Path, model: str | None = None) -> None:
    os.environ["COLORIZER_USER_DIR"] = user_dir = tempfile.mkdtemp(prefix="colorizer-shots-")
    if model and Path(model).is_file():  # a model file: among "your models", as the app lists it
        (Path(user_dir) / "models").mkdir()
        model = str(shutil.copy(model, Path(user_dir) / "models" / Path(model).name))
    from colorizer_app.core.hints import Hint
    from colorizer_app.gui.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp()) / "old"
    folder.mkdir()
    shutil.copy(DATA / "old_photos" / KELLER, folder / KELLER)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = MainWindow(QSettings(str(out / "settings.ini"), QSettings.Format.IniFormat))
    win.resize(1360, 860)
    win.show()
    if model:
        win.models.choose(model)
    pump(1.0)
    win.add_paths([folder])
    pump(1.0)
    while win.busy:
        pump(0.2)
    win.list_view.setCurrentIndex(win.photos.index(0))
    for dock in win.findChildren(QDockWidget):  # the photo, as large as the window allows
        dock.hide()
    win.resize(1360, 860)
    pump(0.5)
    win.pins.set_mode(True)  # the after side, whole
    pump(0.5)
    win.grab().save(str(out / "skirt-before.png"))
    win.pins.edit_hints(win.current_item(), (Hint.pin(*SKIRT_PIN, WINE),), "Add Pin")
    pump(1.5)
    win.grab().save(str(out / "skirt-pin.png"))
    win.close()
    app.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
