"""New model files made from others: the same weights with other colour settings, and an ensemble
of several models. The sources are never written (a built-in model's checksum must hold)."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import torch

from ..core.errors import ModelError
from .colour_knobs import COLOUR_KNOBS, colour_knob_ok, colour_knob_range
from .ensemble import can_be_member, ensemble_config
from .model_file import (
    ModelFile,
    file_payload,
    sha256_of,
    share_identical,
    weights_digest,
    write_payload,
)


def with_colour(
    model_file: ModelFile, dest: str | os.PathLike, note: str = "", **knobs: float
) -> Path:
    """Write a copy of a model with other colour knobs (COLOUR_KNOBS, in their ranges). The
    weights are the very same tensors, so only how its colour is shown changes; the metadata
    records what was set and `note` (why). The source is never written (a built-in model's
    checksum must hold)."""
    unknown = set(knobs) - set(COLOUR_KNOBS)
    if unknown:
        raise ValueError(f"unknown colour setting {sorted(unknown)[0]!r}")
    for name, value in knobs.items():
        if not colour_knob_ok(name, value):
            shown = name.replace("_", " ")
            raise ModelError(f"{shown} must be {colour_knob_range(name)}, not {value:g}")
    dest = Path(dest)
    if model_file.path is not None and dest.resolve() == Path(model_file.path).resolve():
        raise ModelError(f"{dest} is the model being read; write the copy to another file")
    if model_file.config.head != "bins" and set(knobs) - {"colour_strength"}:
        raise ModelError(
            "uncertain and certain strengths and the neutral prior need a model with a bins "
            "head (the scenes "
            "preset): this model names one colour per pixel and has no certainty"
        )
    config = replace(model_file.config)  # a copy, with the knobs (checked above) set on it
    for name, value in knobs.items():
        setattr(config, name, value)
    # Older records of how the colour was chosen describe the settings this copy replaces.
    metadata = {
        k: v
        for k, v in model_file.metadata.items()
        if k not in ("colour_strength_choice", "colour_strength_chosen_on")
    }
    metadata["colour_set"] = {k: getattr(config, k) for k in COLOUR_KNOBS}
    if note:
        metadata["colour_set"]["why"] = note
    return write_payload(
        dest, file_payload(model_file.preset, config, model_file.state_dict, metadata)
    )


def combine(model_files: list[ModelFile], dest: str | os.PathLike, note: str = "") -> Path:
    """Write an ensemble of trained bins-head models (model/ensemble.py): every member's weights
    under `members.<i>.`, identical tensors (a shared pretrained encoder) stored once. Colour
    settings start from the first member's; an ensemble is less sure than its members, so choose
    its own with `with_colour`. The members' files are never written."""
    if len(model_files) < 2:
        raise ModelError("an ensemble needs at least two models")
    dest = Path(dest)
    for mf in model_files:
        name = mf.path or mf.preset
        if mf.config.members:
            raise ModelError(f"{name} is an ensemble already; combine its members instead")
        if not can_be_member(mf.config):
            raise ModelError(
                f"{name}: only pretrained-encoder models with a bins head (the scenes preset) "
                "can be combined; their distributions over colours are what is averaged"
            )
        if mf.path is not None and dest.resolve() == Path(mf.path).resolve():
            raise ModelError(f"{dest} is one of the models being read; write to another file")
    state: dict[str, torch.Tensor] = {}
    for i, mf in enumerate(model_files):
        state.update({f"members.{i}.{k}": v for k, v in mf.state_dict.items()})
    state["ab_bins"] = model_files[0].state_dict["ab_bins"]
    state = share_identical(state)
    metadata = {
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "trained": True,
        "description": f"{len(model_files)} models, their colour distributions averaged",
        "members": [
            {
                "file": Path(mf.path).name if mf.path else None,
                "sha256": sha256_of(Path(mf.path)) if mf.path else None,
                "description": mf.metadata.get("description", ""),
            }
            for mf in model_files
        ],
        "weights_sha256": weights_digest(state),
    }
    if note:
        metadata["note"] = note
    config = ensemble_config([mf.config for mf in model_files])
    return write_payload(dest, file_payload(model_files[0].preset, config, state, metadata))
