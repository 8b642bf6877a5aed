"""Which network answers a photo's colour pins.

A model with hint inputs (model/hint_decoder.py) answers its own. A model without them may have a
built-in companion: a hint model fine-tuned from it, listed among the manifest's "support" files
(not a model to choose: it answers pins only, and without pins the base colours; a companion
trained with `--companion` has a decoder of its own) with `hints_for` naming the
base, and recording the checksum of the weights it started from. Both share the same frozen
encoder, so the app colours a photo with the model chosen and, once pins are placed, re-runs only
the companion's decoder on the same encoder features. Either way the pins' own colour is then
propagated (core/hints.py), over the network's answer where one answers.
"""

from __future__ import annotations

from pathlib import Path

from ..core.paths import shipped_models_dir
from ..model.model_file import ModelFile, read_model_file
from ..model.shipped import read_manifest


def hint_companion(model_file: ModelFile) -> ModelFile | None:
    """The built-in hint model made from `model_file`, or None."""
    if model_file.path is None or model_file.config.hint_inputs:
        return None
    models_dir = shipped_models_dir()
    target = Path(model_file.path).resolve()
    manifest = read_manifest(models_dir)
    models = manifest.get("models", {})
    for info in manifest.get("support", {}).values():
        base = models.get(info.get("hints_for", ""))
        if base is None or (models_dir / base["file"]).resolve() != target:
            continue
        companion = read_model_file(models_dir / info["file"], info.get("sha256"))
        started_from = companion.metadata.get("base_weights_sha256")
        if companion.config.hint_inputs and started_from == model_file.metadata.get(
            "weights_sha256"
        ):
            return companion
    return None
