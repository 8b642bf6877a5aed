"""The settings of a run, typed, shared by the CLI and the advanced panel.

Light on purpose (no torch): the CLI builds its parser from these defaults on every start.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from pathlib import Path

from ..model.encoders import PRETRAINED_ENCODERS

SPLIT_MODES = ("file", "folder")
DEFAULT_MIN_COLORFULNESS = 15.0  # as BigColor filters ImageNet
DEFAULT_FINETUNE_STEPS = 300
# The highest learning rate fine-tuning offers (the CLI's --lr and the advanced panel). The shipped
# decoders were trained at 1e-3 (Adam) and continued at 5e-4 or 3e-4: a higher rate undoes what
# they learned before the held-out photos can stop it. Fine-tuning the three-member default on 30
# ImageNet photos (128 px crops, batch 8, 20 steps), 1e-2 cost 0.75 dB on 40 other photos (by step
# 6) and 0.1 cost 0.93 dB and 38% of the colourfulness; 1e-3 kept the PSNR (-0.03 dB). A retrain
# starts at 1e-3.
MAX_FINETUNE_LR = 1e-3
# The objectives of training/losses.py, named here so the parser needs no torch.
LOSSES = ("mse", "vivid", "psnr")
# Weight of the colourfulness-shortfall term when none is given: vivid leans on it, psnr and mse
# do without unless asked.
DEFAULT_CF_WEIGHT = {"mse": 0.0, "vivid": 0.5, "psnr": 0.0}
# The pretrained encoders `encoder` may name (model/encoders.py's registry: plain data, no torch).
ENCODERS = tuple(PRETRAINED_ENCODERS)


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


@dataclass
class TrainSettings:
    """One `colorizer train` run of any preset, as the CLI and the app describe it; its defaults
    are the CLI's. The paper-style presets (own encoder) and the pretrained-encoder ones
    (`scenes`) share the first block; each kind's own options follow, and the pipeline refuses
    the other kind's (training/train.py)."""

    data: list[Path]
    output: Path
    preset: str = "offline"
    epochs: int | None = None  # None: 10 for a paper-style preset; scenes: until `steps`
    steps: int | None = None  # stop after this many steps (a step is a global batch); None:
    # none for a paper-style preset, DEFAULT_SCENES_STEPS for scenes
    size: int = 128
    batch_size: int = 20  # the global batch under torchrun
    lr: float = 1e-3
    loss: str | None = None  # None: the preset's (mse; bins for a bins head, else psnr)
    cf_weight: float | None = None  # None: the loss's own default
    schedule: str = "constant"
    resume: bool = False
    seed: int = 0
    checkpoint_every: int = 200
    cache: Path | None = None  # the classifiers' (or the encoder's) cached outputs
    balance: int = 0  # repeat smaller DATA folders, each at most this many times (0: off)
    fusion_dropout: float | None = None  # None: the preset's
    half: bool = False
    split_by: str = SPLIT_MODES[0]
    min_colorfulness: float = DEFAULT_MIN_COLORFULNESS
    limit: int | None = None
    per_folder: int | None = None
    device: str = "auto"
    workers: int = 0
    command: str = ""  # how it was started, kept in the model file
    # Pretrained-encoder presets (scenes) only:
    head: str | None = None  # "ab" or "bins"; None: the preset's
    encoder: str | None = None  # e.g. efficientnet_lite2; None: the preset's
    class_vector: bool = True  # fuse the encoder's class vector
    psnr_weight: float = 0.5  # bins: weight of the decoded colour's per-photo log error
    rebalance: float = 0.5  # bins: Zhang et al.'s lambda (1: no rebalancing)
    eval_every: int = 500  # score the validation photos every N steps, keep the best
    tune_top: bool = False  # also train the encoder's stride-32 stages
    top_lr: float = 1e-4
    init: Path | None = None  # start from this model file's weights
    repeat_views: bool = False  # each --balance repeat a view of its own
    stream: bool = False  # no feature cache: photos decoded in DataLoader workers every step
    unfreeze_encoder: bool = False  # stream only: train the whole encoder ...
    encoder_lr: float = 1e-5  # ... at this learning rate


DEFAULT_EPOCHS = 10  # a paper-style preset's, when neither epochs nor steps are given
DEFAULT_SCENES_STEPS = 3000


def defaults(settings_class) -> dict:
    """{field: default} of a settings class (fields without a default left out)."""
    return {f.name: f.default for f in fields(settings_class) if f.default is not MISSING}
