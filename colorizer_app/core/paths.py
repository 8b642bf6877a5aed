"""Where Colorizer's own files live: the install's data folders and the person's app-data folder.

The lowest layer: anything may ask where things are; nothing here imports the rest of the app.
"""

from __future__ import annotations

import os
from pathlib import Path


def shipped_models_dir() -> Path:
    """The install's `models/` folder (the repository's in a checkout, or the frozen bundle's)."""
    env = os.environ.get("COLORIZER_MODELS_DIR")
    if env:
        return Path(env)
    return install_data_dir("models")


def install_data_dir(name: str) -> Path:
    """`models/` or `resources/`: in a checkout, the repository's; in an installed app,
    `<venv>/share/colorizer/NAME` (install.sh puts them there); in a frozen bundle, beside it."""
    import sys

    here = Path(__file__).resolve()
    candidates = [here.parents[2] / name, Path(sys.prefix) / "share" / "colorizer" / name]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def user_data_dir() -> Path:
    """The person's app-data folder (their models, their photos' colour hints); never inside
    the install folder, never beside their photos. COLORIZER_USER_DIR moves it (tests)."""
    env = os.environ.get("COLORIZER_USER_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("Colorizer", appauthor=False))


def user_models_dir() -> Path:
    """Where a person's own fine-tuned models go."""
    return user_data_dir() / "models"
