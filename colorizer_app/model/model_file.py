"""Model files: one file holds the format tag, preset and config, every weight, and metadata
with a checksum of the weights.

Read with `torch.load(weights_only=True)`, never plain pickle, and checked whole before anything
is built from it (model/file_checks.py). Which files exist and where (the install's, a person's
own) is the catalog's business (engine/catalog.py); new files made from old ones are in
model/transforms.py.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import torch

# The whole file's sha256 (what models/manifest.json records of a built-in file): one helper.
from ..core.builtin_files import file_sha256 as sha256_of
from ..core.errors import ModelError
from ..core.fileio import write_atomically
from .file_checks import (
    FORMAT_TAG,
    FORMAT_VERSION,
    check_is_a_file,
    check_version,
    raw_bytes,
    validated,
    weights_digest,
)
from .hybrid import HybridConfig
from .networks import ColorNet, build_network
from .shipped import check_not_builtin

MODEL_SUFFIX = ".pt"


@dataclass
class ModelFile:
    path: Path | None
    preset: str
    config: HybridConfig
    state_dict: dict[str, torch.Tensor]
    metadata: dict = field(default_factory=dict)
    training: dict | None = None  # a checkpoint's optimizer, step and the like


def model_payload(
    model: ColorNet,
    preset: str,
    metadata: dict | None = None,
    half: bool = False,
    dtypes: dict[str, torch.dtype] | None = None,
) -> dict:
    """What a model file holds: format tag and version, preset and config, every weight, and
    metadata with a checksum of the weights. Checkpoints are this plus a `training` entry.
    `dtypes`: the stored dtype of each float weight named (a fine-tune keeps its source's)."""
    state = {}
    for key, value in model.state_dict().items():
        value = value.detach().cpu()
        if half and value.is_floating_point():
            value = value.half()
        elif dtypes and key in dtypes and value.is_floating_point():
            value = value.to(dtypes[key])
        state[key] = value.clone()
    state = share_identical(state)
    metadata = {
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        **(metadata or {}),
        "weights_sha256": weights_digest(state),
    }
    return file_payload(preset, model.config, state, metadata)


def share_identical(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The same table, with tensors of identical content made one tensor, so torch.save writes
    each once: an ensemble's members built on the same pretrained encoder carry it once."""
    seen: dict[tuple, torch.Tensor] = {}
    shared = {}
    for key, t in state.items():
        sig = (str(t.dtype), tuple(t.shape), hashlib.sha256(raw_bytes(t)).hexdigest())
        shared[key] = seen.setdefault(sig, t)
    return shared


def file_payload(preset: str, config: HybridConfig, state: dict, metadata: dict) -> dict:
    """A model file's contents, ready for `write_payload`."""
    return {
        "format": FORMAT_TAG,
        "version": FORMAT_VERSION,
        "preset": preset,
        "config": config.to_dict(),
        "state_dict": state,
        "metadata": metadata,
    }


def write_payload(path: str | os.PathLike, payload: dict) -> Path:
    check_not_builtin(path)
    buf = io.BytesIO()
    torch.save(payload, buf)
    path = Path(path)
    write_atomically(path, buf.getvalue())
    return path


def save_model(
    model: ColorNet,
    path: str | os.PathLike,
    preset: str,
    metadata: dict | None = None,
    half: bool = False,
    dtypes: dict[str, torch.dtype] | None = None,
) -> Path:
    """Write a model file atomically. `half`: float weights as float16; `dtypes`: as named."""
    return write_payload(path, model_payload(model, preset, metadata, half, dtypes))


# Every model file torch writes is a zip archive; a file that does not start as one was never a
# model (a text file, a photo), and the person is better told that than a pickle error's name.
ZIP_MAGIC = b"PK\x03\x04"


def unreadable_model_message(path: Path, exc: Exception) -> str:
    try:
        with open(path, "rb") as f:
            head = f.read(len(ZIP_MAGIC))
    except OSError:
        head = ZIP_MAGIC
    if head != ZIP_MAGIC:
        return (
            f"{path}: not a Colorizer model file (a model is a .pt file that Colorizer wrote); "
            "choose another file"
        )
    return (
        f"{path}: a damaged model file (truncated or corrupt: {type(exc).__name__}); "
        "use another file or train it again"
    )


def read_model_file(path: str | os.PathLike, expected_sha256: str | None = None) -> ModelFile:
    path = Path(path)
    check_is_a_file(path)
    if expected_sha256 and sha256_of(path) != expected_sha256:
        raise ModelError(
            f"{path}: checksum does not match models/manifest.json (damaged or replaced); "
            "reinstall Colorizer to restore it"
        )
    try:
        with warnings.catch_warnings():  # torch's notes on odd pickles: the error says enough
            warnings.simplefilter("ignore")
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ModelError(unreadable_model_message(path, exc)) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_TAG:
        raise ModelError(f"{path}: not a Colorizer model file (no '{FORMAT_TAG}' tag)")
    check_version(path, payload.get("version"))
    config, state, preset, metadata = validated(path, payload)
    training = payload.get("training")
    return ModelFile(
        path, preset, config, state, metadata, training if isinstance(training, dict) else None
    )


def build_model(model_file: ModelFile) -> ColorNet:
    """The network from a file: backbones' weights come from the file, never downloaded."""
    try:
        model = build_network(model_file.config, pretrained_backbones=False)
    except (TypeError, ValueError, RuntimeError, KeyError) as exc:
        raise ModelError(
            f"{model_file.path}: its settings describe no network this app can "
            f"build ({exc}); use another file or train it again"
        ) from exc
    state = {k: v.float() if v.is_floating_point() else v for k, v in model_file.state_dict.items()}
    try:
        model.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ModelError(
            f"{model_file.path}: weights do not fit preset {model_file.preset!r} ({exc})"
        ) from exc
    model.eval()
    return model
