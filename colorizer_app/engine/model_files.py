"""What `colorizer models` does with model files beyond listing and opening them (catalog.py):
say what one is, write a fresh untrained one of a preset, a copy with other colour settings, an
ensemble of trained ones, fetch torchvision's classifier weights. The command line reaches
model/ through here, as the desktop app does (an import contract).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..model.colour_knobs import COLOUR_KNOBS
from ..model.hybrid import HybridConfig
from .catalog import open_model, resolve_model

__all__ = [
    "COLOUR_KNOBS",
    "combine_models",
    "describe_model",
    "fetch_backbones",
    "with_colour_settings",
    "write_untrained",
]


def describe_model(name_or_path: str | os.PathLike) -> list[str]:
    """What `colorizer models info` says of a model, a line each: its file and digest, preset,
    encoders and backbones with their sources, config and metadata."""
    from ..model.backbones import REGISTRY
    from ..model.ensemble import member_configs
    from ..model.model_file import sha256_of

    entry = resolve_model(name_or_path)
    mf = open_model(name_or_path)
    lines = [
        f"name:      {entry.name} ({entry.kind})",
        f"file:      {entry.path}  ({entry.path.stat().st_size / 1e6:.1f} MB)",
        f"sha256:    {sha256_of(entry.path)}",
        f"preset:    {mf.preset}",
    ]
    members = member_configs(mf.config) if mf.config.members else [mf.config]
    if len(members) > 1:
        lines.append(f"ensemble:  {len(members)} models, their colour distributions averaged")
    for i, config in enumerate(members):
        if len(members) > 1:
            recorded = mf.metadata.get("members", [])
            source = recorded[i].get("file") if i < len(recorded) else None
            lines.append(f"member {i + 1}:  from {source or 'a model file'}")
        if not config.pretrained_encoder:
            continue
        source = REGISTRY[config.encoder].source if config.encoder in REGISTRY else ""
        how = (
            "pretrained, then trained whole for colour"
            if mf.metadata.get("unfrozen_encoder")
            else "pretrained, its stride-32 stages tuned for colour"
            if mf.metadata.get("tuned_encoder_top")
            else "frozen, pretrained"
        )
        fused = "; also the fused classifier" if config.fuse_classes else ""
        lines.append(f"encoder:   {config.encoder}, {how}{fused}")
        lines.append(f"           {source}")
    lines.append("backbones: " + (", ".join(mf.config.backbones) or "none"))
    for b in mf.config.backbones:
        lines.append(
            f"           {b}: {REGISTRY[b].source}" if b in REGISTRY else f"           {b}"
        )
    lines.append("config:    " + json.dumps(mf.config.to_dict()))
    lines.append("metadata:")
    for k, v in mf.metadata.items():
        lines.append(f"  {k}: {json.dumps(v) if isinstance(v, (dict, list)) else v}")
    return lines


def write_untrained(preset_name: str, out: str | os.PathLike) -> tuple[Path, str]:
    """A fresh model of a preset, its decoder untrained: (the file written, the preset's name)."""
    from ..model.model_file import save_model
    from ..model.networks import build_network
    from ..model.presets import get_preset

    preset = get_preset(preset_name)
    model = build_network(preset.config, pretrained_backbones=True)
    path = save_model(
        model,
        out,
        preset.name,
        {
            "trained": False,
            "note": "fresh, untrained decoder: its colours mean nothing until it is trained",
            "description": preset.description,
        },
    )
    return path, preset.name


def with_colour_settings(
    model: str | os.PathLike, out: str | os.PathLike, note: str, knobs: dict[str, float]
) -> tuple[Path, HybridConfig]:
    """A copy of `model` with other colour settings (COLOUR_KNOBS), its weights unchanged: the
    file written and its config as read back."""
    from ..model.transforms import with_colour

    path = with_colour(open_model(model), out, note=note, **knobs)
    return path, open_model(path).config


def combine_models(models: list[str], out: str | os.PathLike, note: str) -> Path:
    """An ensemble of trained bins-head models (model/ensemble.py), their files unchanged."""
    from ..model.transforms import combine

    return combine([open_model(m) for m in models], out, note=note)


def fetch_backbones(names: list[str] | None) -> list[Path]:
    """torchvision's ImageNet weights into the hub cache (needs internet)."""
    from ..model.backbones import fetch_torchvision_backbones

    return fetch_torchvision_backbones(names)
