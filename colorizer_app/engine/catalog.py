"""The models a person can choose: the install's own (models/manifest.json, checked against its
sha256 on every open) and a person's own in the app-data folder, by name or by a file's path.
What the CLI, the desktop app and fine-tuning list and open; the GUI reaches model files only
through the engine (import-linter keeps gui/ from importing model/).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ModelError
from ..core.paths import shipped_models_dir, user_models_dir
from ..model.model_file import MODEL_SUFFIX, ModelFile, read_model_file
from ..model.shipped import read_manifest

DEFAULT_MODEL = "default"


@dataclass
class ModelEntry:
    name: str
    path: Path
    kind: str  # "built-in" or "user"
    sha256: str | None = None
    description: str = ""


def list_models() -> list[ModelEntry]:
    entries: list[ModelEntry] = []
    models_dir = shipped_models_dir()
    for name, info in read_manifest(models_dir).get("models", {}).items():
        entries.append(
            ModelEntry(
                name,
                models_dir / info["file"],
                "built-in",
                info.get("sha256"),
                info.get("description", ""),
            )
        )
    user_dir = user_models_dir()
    if user_dir.is_dir():
        for p in sorted(user_dir.glob(f"*{MODEL_SUFFIX}")):
            if not p.name.startswith("."):
                entries.append(ModelEntry(p.stem, p, "user"))
    return entries


def resolve_model(name_or_path: str | os.PathLike) -> ModelEntry:
    """A model's name (built-in or user) or a path to a model file -> its entry."""
    text = str(name_or_path)
    for entry in list_models():
        if entry.name == text:
            return entry
    path = Path(text).expanduser()
    if path.suffix == MODEL_SUFFIX or path.exists() or os.sep in text:
        return ModelEntry(path.stem, path, "file")
    if text == DEFAULT_MODEL:
        raise ModelError(
            "no trained model is installed (models/default.pt is missing); reinstall Colorizer, "
            "or pass --model with a model file"
        )
    names = ", ".join(e.name for e in list_models()) or "none"
    raise ModelError(f"no model named {text!r}; installed models: {names}")


def open_model(name_or_path: str | os.PathLike) -> ModelFile:
    entry = resolve_model(name_or_path)
    return read_model_file(entry.path, expected_sha256=entry.sha256)


def chooser_entries() -> list[tuple[str, str]]:
    """(label, value) for every model chooser in the app: built-in models by name, a person's
    own by path, marked "(yours)"."""
    return [
        (e.name, e.name) if e.kind == "built-in" else (f"{e.name} (yours)", str(e.path))
        for e in list_models()
    ]
