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

__all__ = [
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
