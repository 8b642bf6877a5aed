"""The install's own model files (models/manifest.json's entries): the app only ever reads them,
so their checksums hold. Every writer of model files asks `check_not_builtin` first."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..core.errors import ModelError
from ..core.fileio import same_file
from ..core.paths import shipped_models_dir, user_models_dir


def builtin_model_files() -> list[Path]:
    """Every file the manifest names, and the manifest itself. An unreadable manifest counts
    every model file in the shipped folder."""
    models_dir = shipped_models_dir()
    try:
        manifest = json.loads((models_dir / "manifest.json").read_text())
        names = [str(info["file"]) for info in manifest["models"].values()]
    except FileNotFoundError:
        names = []
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        names = [p.name for p in models_dir.glob("*.pt")]
    return [models_dir / name for name in names] + [models_dir / "manifest.json"]


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


def check_not_builtin(dest: str | os.PathLike) -> None:
    """A ModelError, before anything is written, when `dest` is a built-in model's file: by its
    path, through symlinks, or as the same file by another name (a hard link)."""
    dest = Path(dest)
    for path in builtin_model_files():
        if same_file(dest, path):
            raise ModelError(
                f"{dest} is a built-in model's file ({path.name} in {path.parent}) and is never "
                f"written; write to another file (your own models go in {user_models_dir()})"
            )
