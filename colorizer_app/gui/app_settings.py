"""The app's remembered state as one typed object over QSettings: no loose key strings elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QSettings

from ..core.fileio import COLORIZED_SUFFIX
from .save_options import SaveOptions

SETTINGS_ORG, SETTINGS_APP = "Colorizer", "Colorizer"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class _Text:
    """A text setting with its key and default: read back as text, or the default."""

    def __init__(self, key: str, default: str | None = None):
        self.key, self.default = key, default

    def __get__(self, settings: AppSettings, owner=None) -> str:
        return settings._text(self.key, str(Path.home()) if self.default is None else self.default)

    def __set__(self, settings: AppSettings, value: str) -> None:
        settings.store.setValue(self.key, value)


class _Flag:
    """A yes/no setting, off until set."""

    def __init__(self, key: str):
        self.key = key

    def __get__(self, settings: AppSettings, owner=None) -> bool:
        return bool(settings.store.value(self.key, False, type=bool))

    def __set__(self, settings: AppSettings, value: bool) -> None:
        settings.store.setValue(self.key, bool(value))


class AppSettings:
    model = _Text("model", "default")
    device = _Text("device", "auto")
    last_open_dir = _Text("last_open_dir")  # default: the home folder
    advanced_visible = _Flag("advanced_visible")
    # Colour pins were shown when the app was last quit: they are shown again.
    pin_mode = _Flag("pin_mode")
    # The screen's room ("1366x768", logical pixels) when the window's place was kept: on another
    # (or the same at another scale) the place is not reused (window_state.restore_place).
    screen_room = _Text("screen_room", "")
    # The photo list at the last quit, as JSON (gui/last_list.py reads and writes it).
    last_list = _Text("last_list", "")

    def __init__(self, store: QSettings | None = None):
        self.store = store or QSettings(SETTINGS_ORG, SETTINGS_APP)

    def _text(self, key: str, default: str) -> str:
        value = self.store.value(key, default)
        return value if isinstance(value, str) else default

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def recent_pin_colours(self) -> list[str]:
        """The pin chooser's recent colours, newest first ("#rrggbb"; anything else dropped)."""
        value = self.store.value("recent_pin_colours", "")
        text = value if isinstance(value, str) else ""
        return [c for c in text.split(",") if _HEX.match(c)]

    @recent_pin_colours.setter
    def recent_pin_colours(self, colours: list[str]) -> None:
        self.store.setValue("recent_pin_colours", ",".join(colours))

    @property
    def recent_places(self) -> list[list[str]]:
        """File > Open Recent, newest first: each entry the paths opened at once."""
        try:
            value = json.loads(self._text("recent_places", "[]"))
        except (ValueError, RecursionError):  # edited by hand, or nested past the reader
            return []
        if not isinstance(value, list):
            return []
        return [
            [p for p in entry if isinstance(p, str)]
            for entry in value
            if isinstance(entry, list) and any(isinstance(p, str) for p in entry)
        ]

    @recent_places.setter
    def recent_places(self, entries: list[list[str]]) -> None:
        self.store.setValue("recent_places", json.dumps(entries))

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.store.setValue("geometry", value)

    @property
    def inner_place(self) -> QPoint | None:
        """Where the window's inside (its frame's contents) was at the last quit."""
        value = self.store.value("inner_place")
        return value if isinstance(value, QPoint) else None

    @inner_place.setter
    def inner_place(self, value: QPoint) -> None:
        self.store.setValue("inner_place", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window_state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.store.setValue("window_state", value)

    @property
    def save_options(self) -> SaveOptions:
        folder = self._text("save/folder", "")
        value = self.store.value("save/quality", 95)  # an int, or its text from an INI file
        try:
            quality = int(value) if isinstance(value, (int, float, str)) else 95
        except ValueError:
            quality = 95
        # An empty ending is kept only with a folder of its own: beside the originals, each
        # copy would be its original.
        suffix = self._text("save/suffix", COLORIZED_SUFFIX)
        return SaveOptions(
            Path(folder) if folder else None,
            self._text("save/format", "same"),
            quality,
            suffix if (suffix or folder) else COLORIZED_SUFFIX,
        )

    @save_options.setter
    def save_options(self, o: SaveOptions) -> None:
        self.store.setValue("save/folder", str(o.folder) if o.folder else "")
        self.store.setValue("save/format", o.fmt)
        self.store.setValue("save/quality", o.quality)
        self.store.setValue("save/suffix", o.suffix)

    def value(self, key: str, default=None, type=None):  # noqa: A002 - QSettings' own name
        """Read-through for tests and for keys not modelled above."""
        return self.store.value(key, default, type=type) if type else self.store.value(key, default)

    def sync(self) -> None:
        self.store.sync()
