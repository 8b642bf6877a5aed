"""The Restore dock in the window keeps its width whatever it says."""

from __future__ import annotations

import shutil

from .conftest import wait_idle, wait_scanned

SCRATCHED = "Bringing-Old-Photos-Back-to-Life_old_w_scratch_b.png"


def test_a_long_message_does_not_widen_the_restore_dock(qtbot, window, tmp_path, data_dir):
    """A trial saw the dock widen for a broken file's long message (240 to 336 px here), the
    photo beside it jumping from photo to photo."""
    good = tmp_path / "good.png"
    shutil.copy(data_dir / "old_photos" / SCRATCHED, good)
    attic = tmp_path / "a very long folder name of scans from grandmother's attic"
    attic.mkdir()
    broken = attic / "broken scan from the attic box number three.jpg"
    broken.write_bytes(b"\xff\xd8" + b"x" * 20000)
    window.add_paths([good, broken])
    wait_scanned(window)
    wait_idle(qtbot, window)
    panel = window.restore_panel
    qtbot.waitUntil(lambda: panel.path == good, timeout=30_000)
    width = panel.width()
    window.selection.make_current(window.photos.items[1])
    qtbot.waitUntil(lambda: panel.status.text().startswith("Cannot restore"), timeout=30_000)
    qtbot.wait(100)  # the layout settles
    assert panel.width() == width, (width, panel.width())
    panel.wait()
