"""A person's own models in the app-data folder: their names, rename, delete and export. A model
and its training checkpoint (same name, .ckpt) move together; built-in models are never touched.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ModelError
from ..core.fileio import write_atomically
from ..core.paths import user_models_dir
from ..model.model_file import MODEL_SUFFIX
from ..model.shipped import check_not_builtin

__all__ = [
    "CHECKPOINT_SUFFIX",
    "MODEL_SUFFIX",
    "delete_user_model",
    "export_model",
    "rename_user_model",
    "user_model_path",
    "valid_model_name",
]

CHECKPOINT_SUFFIX = ".ckpt"
_BAD_NAME_CHARS = set('/\\:*?"<>|') | {chr(c) for c in range(32)}


def valid_model_name(name: str) -> str:
    """A model's name as a person typed it -> the name, or a ModelError saying what is wrong.
    It becomes a file name, so no folder separators, control characters or leading dot."""
    name = name.strip()
    if not name:
        raise ModelError("a model needs a name")
    if len(name) > 100:
        raise ModelError("a model name can have at most 100 characters")
    bad = sorted(set(name) & _BAD_NAME_CHARS)
    if bad or name.startswith("."):
        shown = " ".join(repr(c) for c in bad) or "a leading dot"
        raise ModelError(f"a model name cannot contain {shown}; choose another name")
    return name


def user_model_path(name: str) -> Path:
    return user_models_dir() / f"{valid_model_name(name)}{MODEL_SUFFIX}"


def rename_user_model(old: str, new: str) -> Path:
    """Rename a person's model and its training checkpoint together."""
    source, target = user_model_path(old), user_model_path(new)
    if not source.is_file():
        raise ModelError(f"there is no model named {old!r} of yours")
    if target.exists() and target != source:
        raise ModelError(f"a model named {new!r} exists already; choose another name")
    try:
        source.rename(target)
        ckpt = source.with_suffix(CHECKPOINT_SUFFIX)
        if ckpt.is_file():
            ckpt.rename(target.with_suffix(CHECKPOINT_SUFFIX))
    except OSError as exc:
        raise ModelError(f"could not rename {source} ({exc.strerror or exc})") from exc
    return target


def delete_user_model(name: str) -> None:
    """Delete a person's model and its training checkpoint (built-in models are never touched)."""
    path = user_model_path(name)
    try:
        path.unlink(missing_ok=True)
        path.with_suffix(CHECKPOINT_SUFFIX).unlink(missing_ok=True)
    except OSError as exc:
        raise ModelError(f"could not delete {path} ({exc.strerror or exc})") from exc


def export_model(source: Path, dest: Path) -> Path:
    """Copy a model file elsewhere, atomically."""
    check_not_builtin(dest)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ModelError(f"could not read {source} ({exc.strerror or exc})") from exc
    write_atomically(Path(dest), data)
    return Path(dest)
