"""The app's icon and other files under resources/."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def app_icon() -> QIcon | None:
    icons = sorted((RESOURCES / "icons").glob("colorizer-*.png"))
    if not icons:
        return None
    icon = QIcon()
    for path in icons:
        icon.addFile(str(path))
    return icon
