"""The app's icon and other files under resources/."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from ..core.paths import install_data_dir


def app_icon() -> QIcon | None:
    icons = sorted((install_data_dir("resources") / "icons").glob("colorizer-*.png"))
    if not icons:
        return None
    icon = QIcon()
    for path in icons:
        icon.addFile(str(path))
    return icon
