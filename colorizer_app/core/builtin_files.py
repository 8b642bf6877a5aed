"""The install's own files, as models/manifest.json names them: the colour models ("models") and
the files other parts of the app load beside them ("support": the damage detector). The app only
ever reads them, so their checksums hold: every writer of a model file asks `check_not_builtin`
first. In core, so restore/ (beside model/, which it may not import) is guarded as well."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .errors import ModelError
from .fileio import same_file
from .paths import shipped_models_dir, user_models_dir

SECTIONS = ("models", "support")


def _entries(models_dir: Path) -> list[dict]:
    """Every entry of the manifest's sections; FileNotFoundError without a manifest, ValueError
    (and the like) for an unreadable one."""
    manifest = json.loads((models_dir / "manifest.json").read_text())
    return [info for section in SECTIONS for info in manifest.get(section, {}).values()]


def builtin_model_files() -> list[Path]:
    """Every file the manifest names, and the manifest itself. An unreadable manifest counts
    every model file in the shipped folder."""
    models_dir = shipped_models_dir()
    try:
        names = [str(info["file"]) for info in _entries(models_dir)]
    except FileNotFoundError:
        names = []
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        names = [p.name for p in models_dir.glob("*.pt")]
    return [models_dir / name for name in names] + [models_dir / "manifest.json"]


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


def file_sha256(path: Path) -> str:
    """The whole file's sha256 (what models/manifest.json records of a built-in file)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_builtin_checksum(path: Path) -> None:
    """A ModelError when the manifest in `path`'s folder lists `path` with another sha256 (a
    damaged or replaced built-in file); nothing to check when it is not listed."""
    try:
        entries = _entries(path.parent)
    except (OSError, ValueError, AttributeError):
        return
    for info in entries:
        if isinstance(info, dict) and info.get("file") == path.name and info.get("sha256"):
            if file_sha256(path) != info["sha256"]:
                raise ModelError(
                    f"{path}: checksum does not match models/manifest.json (damaged or "
                    "replaced); reinstall Colorizer to restore it"
                )
