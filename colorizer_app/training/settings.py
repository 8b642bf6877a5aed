"""The settings of a run, typed, shared by the CLI and the advanced panel.

Light on purpose (no torch): the CLI builds its parser from these defaults on every start.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from pathlib import Path

SPLIT_MODES = ("file", "folder")
DEFAULT_MIN_COLORFULNESS = 15.0  # as BigColor filters ImageNet
DEFAULT_FINETUNE_STEPS = 300


@dataclass
class FinetuneSettings:
    """One fine-tuning run, as the CLI and the advanced panel both describe it. The CLI's option
    defaults are these fields' defaults."""

    base: str | Path
    folders: list[Path]
    output: Path
    steps: int = DEFAULT_FINETUNE_STEPS
    lr: float = 1e-4
    size: int = 128
    batch_size: int = 8  # the global batch under torchrun
    freeze_encoder: bool = False
    device: str = "auto"
    loss: str | None = None  # None: the objective the starting model was trained with
    patience: int | None = 4  # validations without a better held-out loss before stopping
    resume: bool = False
    fresh: bool = False  # retrain: fresh encoder and decoder, the classifiers kept
    split_by: str = "file"
    exclude_test_quarter: bool = False
    keep_anyway: bool = False  # save the best trained model even if it does not beat the start


def defaults(settings_class) -> dict:
    """{field: default} of a settings class (fields without a default left out)."""
    return {f.name: f.default for f in fields(settings_class) if f.default is not MISSING}
