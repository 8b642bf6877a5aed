"""Screenshots of the real app for the README and for looking at changes.

Run under Xvfb:  xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python -m tests.tools.screenshots OUT
It opens the window, loads the old photos, colorizes them, and saves PNGs of the states a person
sees: empty, a batch in progress, the compare view mid-divider, zoomed in, side by side.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QPointF, QSettings
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COLORIZER_DATA", ROOT.parent / "shared" / "data"))


def pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def main(out: Path, model: str | None = None) -> None:
    import tempfile

    # Its own app-data folder: the fine-tune it shows must not meet (or leave) a person's models.
    os.environ["COLORIZER_USER_DIR"] = tempfile.mkdtemp(prefix="colorizer-shots-")
    from colorizer_app.gui.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(out / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    win.resize(1360, 860)
    win.show()
    if model:
        win.models.choose(model)
    pump(1.0)
    win.grab().save(str(out / "01-empty.png"))
    win.add_paths([DATA / "old_photos"])
    pump(2.5)
    win.grab().save(str(out / "02-batch.png"))
    while win.busy:
        pump(0.2)
    names = [it.path.name for it in win.photos.items]
    pick = next(i for i, n in enumerate(names) if "Buffalo Bank" in n)  # public domain, 1908
    win.list_view.setCurrentIndex(win.photos.index(pick))
    pump(0.5)
    win.view.divider = 0.45
    win.view.update()
    pump(0.5)
    win.grab().save(str(out / "03-compare.png"))
    win.view.zoom_by(3.0, QPointF(win.view.width() * 0.45, win.view.height() * 0.35))
    pump(0.5)
    win.grab().save(str(out / "04-zoomed.png"))
    win.actions_by_name["side"].trigger()
    pump(0.5)
    win.grab().save(str(out / "05-side-by-side.png"))
    win.actions_by_name["side"].trigger()
    pins(win, out)
    advanced(win, out)
    win._closing = True  # no quit question
    win.close()
    app.quit()


def pins(win, out: Path) -> None:
    """Colour pins on Helen Keller's dress and the brick wall (1919, public domain), with the
    chooser open on the dress pin. The whole screen is grabbed: the chooser is its own window."""
    from colorizer_app.core.hints import Hint

    if win.panel is not None:
        win.actions_by_name["advanced"].setChecked(False)
        win.toggle_advanced()
    names = [it.path.name for it in win.photos.items]
    pick = next(i for i, n in enumerate(names) if "Helen Keller" in n)
    win.list_view.setCurrentIndex(win.photos.index(pick))
    pump(0.5)
    win.pins.set_mode(True)
    item = win.current_item()
    dress, wall = (542, 352), (73, 88)
    win.pins.edit_hints(item, (Hint.pin(*dress, "#4f6fae"), Hint.pin(*wall, "#a4553f")), "Add Pin")
    pump(0.5)
    where = win.view.mapToGlobal(win.view.pin_view_point(QPointF(*dress)).toPoint())
    win.pins._mark_clicked(0, where)
    pump(0.8)
    g = win.geometry()  # the window's part of the screen, the chooser over it included
    QApplication.primaryScreen().grabWindow(0, g.x(), g.y(), g.width(), g.height()).save(
        str(out / "09-pins.png")
    )
    if win.pins.pin_menu is not None:
        win.pins.pin_menu.close()
    win.pins.set_mode(False)


def advanced(win, out: Path) -> None:
    """The advanced panel before, during (curve visible) and after a short fine-tune."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp()) / "garden-photos"
    folder.mkdir()
    # One kind of photo, as a person's own are (a garden's flowers): 100 of the flower photos.
    flowers = sorted(p for p in (DATA / "scenes" / "flowers").rglob("*.jpg"))
    for src in flowers[2::4][:100]:
        shutil.copy(src, folder / src.name)
    win.actions_by_name["advanced"].trigger()
    panel = win.panel
    win.resize(1600, 900)
    panel.form.set_folder(str(folder))
    while panel.form.report is None:
        pump(0.2)
    pump(0.5)
    win.grab().save(str(out / "06-advanced-before.png"))
    panel.form.steps.setValue(100)
    panel.form.device_combo.setCurrentIndex(panel.form.device_combo.findData("cpu"))
    panel.form.name_edit.setText("garden-colours")
    panel.start()
    while panel.training and len(panel.curve.losses) < 35:
        pump(0.2)
    win.grab().save(str(out / "07-advanced-during.png"))
    while panel.training:
        pump(0.2)
    pump(0.5)
    win.grab().save(str(out / "08-advanced-after.png"))


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "out/screenshots"),
        sys.argv[2] if len(sys.argv) > 2 else None,
    )
