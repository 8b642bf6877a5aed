"""The install's own model files (models/manifest.json's entries): the app only ever reads them,
so their checksums hold. Every writer of model files asks `check_not_builtin` first."""

from __future__ import annotations

import json
from pathlib import Path

# The guard lives in core so restore/ (the damage detector's trainer) can ask it too.
from ..core.builtin_files import builtin_model_files, check_not_builtin
from ..core.errors import ModelError
from ..core.paths import shipped_models_dir

__all__ = ["builtin_model_files", "check_not_builtin", "read_manifest"]


def read_manifest(models_dir: Path | None = None) -> dict:
    """The manifest as a table; none at all is an install without built-in models."""
    models_dir = models_dir or shipped_models_dir()
    path = models_dir / "manifest.json"
    if not path.is_file():
        return {"models": {}}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable manifest ({exc}); reinstall Colorizer") from exc
