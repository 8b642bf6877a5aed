"""The models a person can choose: what the desktop app and the CLI list, open and manage.

The GUI reaches model files only through this module, so it depends on the engine layer and
never on the model layer below it.
"""

from __future__ import annotations

from ..model.store import (
    DEFAULT_MODEL,
    MODEL_SUFFIX,
    ModelEntry,
    ModelFile,
    delete_user_model,
    export_model,
    list_models,
    open_model,
    rename_user_model,
    resolve_model,
    sha256_of,
    user_model_path,
)


def chooser_entries() -> list[tuple[str, str]]:
    """(label, value) for every model chooser in the app: built-in models by name, a person's
    own by path, marked "(yours)"."""
    return [
        (e.name, e.name) if e.kind == "built-in" else (f"{e.name} (yours)", str(e.path))
        for e in list_models()
    ]


__all__ = [
    "chooser_entries",
    "DEFAULT_MODEL",
    "MODEL_SUFFIX",
    "ModelEntry",
    "ModelFile",
    "delete_user_model",
    "export_model",
    "list_models",
    "open_model",
    "rename_user_model",
    "resolve_model",
    "sha256_of",
    "user_model_path",
]
