"""Teaching the `scenes` decoder what a colour pin means, on the frozen encoder's cached features.

Starts from a trained model with no hint inputs (its weights loaded into the same decoder with a
hint encoder whose joins start at zero, model/hint_decoder.py) and trains with hints sampled from
the truth, as Zhang, Zhu et al. 2017 train theirs: per photo a geometric number of points (stop
with probability 1/8 before each: 7 on average), each a square patch of random size holding the
truth's mean colour there, at a place drawn half the time uniformly and half the time around the
middle (where people look). The hint encoder's output is zero for a photo without pins, so with
the decoder left as it was (`decoder_lr` 0, the default) a photo without pins is coloured exactly
as by the model it starts from, and every photo gets at least one pin (one without would teach
nothing). With the decoder trained as well, a share of the photos gets none, so that without
hints it keeps colouring as the automatic one; the model kept is then the best at EVAL_PINS pins
among those no lower than the start without pins.

The batch-norm statistics stay those of the model it starts from (the network is trained in eval
mode: the decoder's own statistics would otherwise drift on a small set of photos), so at step 0
the model is the starting model exactly. It is trained by the one loop (loop.run): checkpoints,
resume and the learning-rate schedule are the loop's.

    colorizer train-hints cache  CACHE_DIR  FOLDER...
    colorizer train-hints train  CACHE_DIR  --steps N -o FILE [--resume]
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..core import lab
from ..core.errors import TrainingError
from ..engine.catalog import open_model
from ..model import ab_bins
from ..model.hint_decoder import AB_NORM, HINT_CHANNELS
from ..model.model_file import ModelFile, build_model, save_model
from ..model.networks import build_network
from .feature_cache import FeatureSet
from .loop import History, Progress, TrainConfig, run
from .metrics import batch_scores
from .outputs import checkpoint_path
from .semantic import CachedFeatures, SemanticObjective, objective_loss

log = logging.getLogger(__name__)

STOP_P = 1 / 8  # Zhang et al.'s geometric number of points
PATCH_CELLS = (1, 3)  # patch side in head cells (stride 4): 4 to 12 pixels at 224
# Each step trains on a square of this many head cells (128 pixels) cut from each cached photo at
# a place that lines up with all four strides: a third of the photo's work per step (the shared
# 2-core CPU), and pins far from a region still come from the whole-photo scale's pooling.
CROP_CELLS = 32
EVAL_PINS = 10


@dataclass
class HintTrainConfig:
    steps: int = 2000
    batch_size: int = 16
    lr: float = 1e-3  # the hint encoder: new, from nothing
    decoder_lr: float = 0.0  # the decoder it joins: 0 leaves it (and so 0 pins) as it was
    none_share: float = 0.15  # with the decoder trained: photos given no hints at all
    # Photos given exactly one or two pins, the rest Zhang et al.'s many: a person's first pin
    # is alone, and it must find its object rather than tint the photo (the wall, the skirt).
    few_pins_share: float = 0.0
    crop_cells: int | None = CROP_CELLS  # None: the whole cached photo
    psnr_weight: float = 0.5
    rebalance_mix: float = 0.5
    # A built-in companion answers only its base's pins (engine/hint_model.py) and never colours
    # a photo without them: its decoder may drift from the base's without pins, so no photos
    # are trained without pins and no floor is kept without them.
    companion: bool = False
    cosine_floor: float = 0.05
    seed: int = 0
    eval_every: int = 250
    checkpoint: Path | None = None
    checkpoint_every: int = 100
    resume: bool = False
    preset: str = "scenes"
    metadata: dict = field(default_factory=dict)

    def loop_config(self) -> TrainConfig:
        return TrainConfig(
            epochs=None,
            max_steps=self.steps,
            batch_size=self.batch_size,
            lr=self.lr,
            schedule="cosine",
            cosine_floor=self.cosine_floor,
            weight_decay=1e-4,
            seed=self.seed,
            checkpoint=self.checkpoint,
            checkpoint_every=self.checkpoint_every,
            resume=self.resume,
            eval_every=self.eval_every,
            keep_best=True,
            preset=self.preset,
            metadata=self.metadata,
        )


def hinted_network(base: ModelFile, seed: int = 0):
    """The base model's network with hint inputs, its weights loaded, the joins at zero."""
    if not base.config.pretrained_encoder or base.config.members:
        raise TrainingError("only a single pretrained-encoder model (scenes) can learn hints")
    config = dataclasses.replace(base.config, hint_inputs=True)
    with torch.random.fork_rng():  # the hint encoder's first layers: the same on every run
        torch.manual_seed(seed)
        net = build_network(config, pretrained_backbones=False)
    state = {k: v.float() if v.is_floating_point() else v for k, v in base.state_dict.items()}
    missing, unexpected = net.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith("hint_encoder.") for k in missing):
        raise TrainingError(f"{base.path}: its weights do not fit a hint-taking decoder")
    return net.eval()


def place_pin(
    planes: np.ndarray, truth: np.ndarray, x: int, y: int, side: int
) -> tuple[float, float]:
    """Write one pin (the truth's mean ab over a side x side square at (x, y)) into `planes`
    (3 x h x w: a / AB_NORM, b / AB_NORM, mask); returns the pin's ab."""
    h, w = truth.shape[1:]
    y0, x0 = max(0, y - side // 2), max(0, x - side // 2)
    y1, x1 = min(h, y0 + side), min(w, x0 + side)
    a, b = truth[:, y0:y1, x0:x1].reshape(2, -1).mean(1)
    planes[0, y0:y1, x0:x1] = a / AB_NORM
    planes[1, y0:y1, x0:x1] = b / AB_NORM
    planes[2, y0:y1, x0:x1] = 1.0
    return float(a), float(b)


def sample_hint_planes(
    ab: torch.Tensor,
    rng: np.random.Generator,
    none_share: float,
    count: int | None = None,
    min_pins: int = 0,
    few_share: float = 0.0,
) -> torch.Tensor:
    """Hints from the truth for a batch: ab (N x 2 x h x w, Lab units) -> N x 3 x h x w planes.
    `count`: exactly this many points per photo (evaluation); None: Zhang et al.'s sampling,
    with at least `min_pins`, except `few_share` of the photos that get exactly one or two."""
    truth = ab.float().numpy()
    n, _, h, w = truth.shape
    planes = np.zeros((n, HINT_CHANNELS, h, w), np.float32)
    for i in range(n):
        if count is None and rng.random() < none_share:
            continue
        exact = count
        if count is None and few_share and rng.random() < few_share:
            exact = max(min_pins, int(rng.integers(1, 3)))
        k = 0
        while (k < exact) if exact is not None else (k < min_pins or rng.random() > STOP_P):
            if count is None and rng.random() < 0.5:
                y = int(np.clip(rng.normal(h / 2, h / 4), 0, h - 1))
                x = int(np.clip(rng.normal(w / 2, w / 4), 0, w - 1))
            else:
                y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            side = 1 if count is not None else int(rng.integers(PATCH_CELLS[0], PATCH_CELLS[1] + 1))
            place_pin(planes[i], truth[i], x, y, side)
            k += 1
    return torch.from_numpy(planes)


def aligned_crop(batch: tuple, rng: np.random.Generator, cells: int | None) -> tuple:
    """The same square of `cells` head cells from every photo of a cached batch (L, features at
    strides 4-32, class vector, ab and its bins at stride 4), at a place that is a whole cell of
    the stride-32 features, so that every stride's crop covers the same pixels."""
    l_full, feats, probs, ab, idx, w = batch
    side = ab.shape[-1]
    if cells is None or cells >= min(ab.shape[-2:]):
        return batch
    step = 8  # stride-4 cells per stride-32 cell
    y, x = (int(rng.integers(0, (n - cells) // step + 1)) * step for n in ab.shape[-2:])

    def cut(t: torch.Tensor, k: int) -> torch.Tensor:  # k: head cells per cell of t
        return t[..., y // k : (y + cells) // k, x // k : (x + cells) // k]

    feats = [cut(f, round(side / f.shape[-1])) for f in feats]
    l_cut = l_full[..., 4 * y : 4 * (y + cells), 4 * x : 4 * (x + cells)]
    return l_cut, feats, probs, cut(ab, 1), cut(idx, 1), cut(w, 1)


@torch.no_grad()
def evaluate_hints(model, data: FeatureSet, counts=(0, EVAL_PINS), batch_size: int = 32) -> dict:
    """Mean PSNR at the cached size with 0 and EVAL_PINS single-cell pins from the truth (the
    same places on every call), as training's own validation measures: the decoded colour."""
    model.eval()
    out = {}
    rows = CachedFeatures(data, list(range(len(data))))
    for count in counts:
        rng = np.random.default_rng(1234 + count)
        scores = []
        for start in range(0, len(data), batch_size):
            part = [list(range(start, min(len(data), start + batch_size)))]
            l_full, feats, probs, ab, *_ = next(rows.batches(part))
            hints = sample_hint_planes(ab, rng, 0.0, count)
            pred = model.to_ab(model.head_output(l_full, feats, probs, hints))
            pred = F.interpolate(pred, size=l_full.shape[-2:], mode="bilinear")
            truth = F.interpolate(ab / lab.AB_SCALE, size=l_full.shape[-2:], mode="bilinear")
            scores += batch_scores(l_full, pred, truth)[0]
        out[f"psnr_{count}"] = float(np.mean(scores))
    # What the loop's progress line shows: the score with pins where they were measured.
    out["psnr"] = out[f"psnr_{EVAL_PINS}" if EVAL_PINS in counts else f"psnr_{counts[-1]}"]
    return out


class HintTask:
    """loop.StepTask of a hint-taking decoder on cached features."""

    options_hint = "another --decoder-lr (0 or not)"

    def __init__(
        self,
        model,
        train: FeatureSet,
        val: FeatureSet | None,
        config: HintTrainConfig,
        rows: list[int] | None = None,
    ):
        self.model, self.val, self.config = model, val, config
        self.train = CachedFeatures(train, list(range(len(train))) if rows is None else rows)
        self.objective = SemanticObjective(
            psnr_weight=config.psnr_weight, rebalance_mix=config.rebalance_mix
        )
        bins = len(model.ab_bins)
        # Uniform weights need no counts (a pass over every row of a large cache).
        counts = np.ones(bins) if config.rebalance_mix >= 1.0 else self.train.bin_counts(bins)
        self.rebalance = torch.from_numpy(ab_bins.rebalance_weights(counts, config.rebalance_mix))
        self.trains_decoder = config.decoder_lr > 0
        # The start's PSNR without pins: a trained decoder's weights are kept only at or above it.
        self.floor = None
        if val is not None and self.trains_decoder and not config.companion:
            self.floor = evaluate_hints(model, val, counts=(0,))["psnr_0"]

    def module(self) -> nn.Module:
        return self.model

    def optimizer(self) -> torch.optim.Optimizer:
        model, c = self.model, self.config
        hint = list(model.hint_encoder.parameters())
        ids = {id(p) for p in hint}
        groups: list[dict] = [{"params": hint, "lr": c.lr}]
        rest = [p for p in model.trainable_parameters() if id(p) not in ids]
        if self.trains_decoder:
            groups.append({"params": rest, "lr": c.decoder_lr})
        else:
            for p in rest:
                p.requires_grad_(False)
        return torch.optim.AdamW(groups, weight_decay=1e-4)

    def train_size(self) -> int:
        return len(self.train)

    def batches(self, epoch: int, parts: list[list[int]]) -> Iterable[Any]:
        return self.train.batches(parts)

    def loss(self, net: nn.Module, batch: Any, device: torch.device) -> torch.Tensor:
        # Batch norm keeps the start's statistics (the loop puts the model in train mode).
        self.model.eval()
        # The loop seeds torch's generator for each step: the same crop and pins on a resume.
        rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, ())))
        l_full, feats, probs, ab, idx, w = aligned_crop(batch, rng, self.config.crop_cells)
        out = self.model.head_output(l_full, feats, probs, self.sample_pins(ab, rng))
        return objective_loss(self.model, out, l_full, ab, idx, w, self.objective, self.rebalance)

    def sample_pins(self, ab: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        """A training batch's pins from the truth (N x 3 x h x w planes). Photos without pins
        teach a decoder its colour without them: only a decoder that colours without pins
        (trained, and not a companion's) is given any."""
        c = self.config
        without_pins = self.trains_decoder and not c.companion
        return sample_hint_planes(
            ab,
            rng,
            c.none_share if without_pins else 0.0,
            min_pins=0 if without_pins else 1,
            few_share=c.few_pins_share,
        )

    def evaluate(self, device: torch.device) -> dict | None:
        if self.val is None:
            return None
        metrics = evaluate_hints(self.model, self.val)
        metrics["below_start"] = self.floor is not None and metrics["psnr_0"] < self.floor - 0.02
        log.info("validation: %s", metrics)
        return metrics

    def score(self, metrics: dict) -> float:
        """Lower is better: the PSNR with EVAL_PINS pins, if no lower than the start without."""
        return math.inf if metrics.get("below_start") else -metrics[f"psnr_{EVAL_PINS}"]

    def legacy_best(self, training: dict) -> float:
        return -float(training.get("best", -math.inf))

    def load_weights(self, state_dict: dict) -> None:
        self.model.load_state_dict(
            {k: v.float() if v.is_floating_point() else v for k, v in state_dict.items()}
        )

    def finish(self) -> None:
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.model.eval()


def fit_hints(
    model,
    train: FeatureSet,
    val: FeatureSet | None,
    config: HintTrainConfig,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    rows: list[int] | None = None,
) -> History:
    """Train `model` (hinted_network's) in place with the one loop, on `rows` of `train` (None:
    all); on return it holds the best validation weights (HintTask.score)."""
    task = HintTask(model, train, val, config, rows)
    return run(task, config.loop_config(), on_progress, should_stop)


def _load_earlier_hint_model(model, earlier: ModelFile, base: ModelFile) -> None:
    """The weights of an earlier hint model made from the same base model: its hint encoder,
    and its decoder (the base's own, unless that run trained it too)."""
    state = {k: v.float() if v.is_floating_point() else v for k, v in earlier.state_dict.items()}
    if not any(k.startswith("hint_encoder.") for k in state):
        raise TrainingError(f"{earlier.path}: not a hint model (it has no hint encoder)")
    if earlier.metadata.get("base_weights_sha256") != base.metadata.get("weights_sha256"):
        raise TrainingError(f"{earlier.path}: a hint model of another base model")
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:  # another version's hint encoder: names and shapes differ
        raise TrainingError(
            f"{earlier.path}: its weights do not fit this version's hint model "
            f"({str(exc).splitlines()[0]}); start without --init"
        ) from exc


def _feature_rows(
    features: Path, cache: FeatureSet, val: FeatureSet, exclude: Sequence[Path]
) -> tuple[FeatureSet, list[int]]:
    """A training run's feature cache (read mapped) and the rows of it to train on: those not
    held out for this run's check nor among the photos of the `exclude` folders. Refused, saying
    what differs, unless it is the same encoder's at the same size as the hint cache."""
    from .data import scan_folders
    from .feature_cache import photo_key, read_mapped

    larger = read_mapped(features)
    if larger is None:
        raise TrainingError(f"{features}: not a readable feature cache")
    shapes = {
        "photo size": (larger.ab.shape[-2:], cache.ab.shape[-2:]),
        "encoder features": (
            [tuple(f.shape[1:]) for f in larger.feats],
            [tuple(f.shape[1:]) for f in cache.feats],
        ),
        "class vector": (larger.probs.shape[1:], cache.probs.shape[1:]),
    }
    for what, (theirs, ours) in shapes.items():
        if theirs != ours:
            raise TrainingError(
                f"{features}: its {what} ({theirs}) is not the hint cache's ({ours}): "
                "use the cache `colorizer train --cache` made with the same model and --size"
            )
    # The same photo in both: the same encoder's weights give the same features, up to the
    # rounding of a half-precision run (measured: 0.4% of their size on the default's caches).
    index = {key: i for i, key in enumerate(larger.keys)}
    shared = [(index[k], j) for j, k in enumerate(cache.keys) if k in index][:4]
    for i, j in shared:
        there, here = larger.feats[1][i].float(), cache.feats[1][j].float()
        if float((there - here).abs().mean()) > 0.05 * float(here.abs().mean()):
            raise TrainingError(
                f"{features}: made by another encoder than the hint cache's (the same photo "
                "has other features): use the base model's own training cache"
            )
    left_out = set(val.keys)
    side = int(larger.rgb.shape[1])  # photos are keyed as decoded for a cache of this size
    for folder in exclude:
        scanned = scan_folders([folder], keep_side=side, min_colorfulness=0.0).usable
        left_out |= {photo_key(p) for p in scanned}
    return larger, [i for i, key in enumerate(larger.keys) if key not in left_out]


def load_features(path: Path) -> FeatureSet:
    return FeatureSet(**torch.load(path, map_location="cpu", weights_only=True))


def build_cache(out: Path, folders: list[Path], limit: int | None, size: int, base: str) -> None:
    """The training quarter of `folders` (the project's hash split; a tenth of it held for
    validation) through the base model's encoder: out/train.pt and out/val.pt (none where a
    tenth is not a photo)."""
    from .data import scan_folders, split_photos, validation_split
    from .feature_cache import encoded_photos

    photos = []
    for folder in folders:
        report = scan_folders([folder], keep_side=size, limit=limit)
        photos += split_photos(report.usable)[0]
        log.info("%s: %s", folder, report.summary())
    train, val = validation_split(photos)
    if not train:  # it said "Wrote the cache" and wrote nothing; train then failed (a review)
        raise TrainingError(
            f"{', '.join(map(str, folders))}: no colour photos to learn from in the training "
            "quarter; give folders of more colour photos"
        )
    net = build_model(open_model(base))
    for name, part in (("train", train), ("val", val)):
        if not part:  # too few photos to hold any out: training holds out every 12th
            continue
        fs = encoded_photos(net, part, size)
        out.mkdir(parents=True, exist_ok=True)
        torch.save(fs.to_dict(), out / f"{name}.pt.tmp")
        (out / f"{name}.pt.tmp").replace(out / f"{name}.pt")
        log.info("%s: %d photos", name, len(fs))


def train_hint_model(
    cache: Path,
    output: Path,
    config: HintTrainConfig,
    base_name: str = "default",
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    init: Path | None = None,
    features: Path | None = None,
    exclude: Sequence[Path] = (),
) -> History:
    """A hint model made from `base_name` on the cache in `cache` (cache/train.pt, and
    cache/val.pt or every 12th training photo held out), written to `output` (its checkpoint
    beside it: output.ckpt); a stopped run writes its best so far (`--resume` goes on). `init`:
    an earlier hint model of the same base whose weights this run goes on from. `features`: a
    training run's feature cache of the same encoder and size (`colorizer train --cache`), read
    mapped, whose photos this run trains on instead of cache/train.pt's, less the held-out ones
    and those of the folders in `exclude` (the photos a later evaluation scores)."""
    if config.companion and config.decoder_lr <= 0:
        raise TrainingError("--companion only changes a run that trains the decoder (--decoder-lr)")
    base = open_model(base_name)
    model = hinted_network(base)
    if init is not None:
        earlier = open_model(str(init))
        if earlier.metadata.get("companion") and not config.companion:
            # Its decoder no longer keeps the base's colour without pins: a run that must keep
            # it would measure its floor from the companion's, not the base's.
            raise TrainingError(
                f"{init}: a companion (its colour without pins is not the base's); go on from "
                "it with --companion, or start from a hint model that keeps the base's colour"
            )
        _load_earlier_hint_model(model, earlier, base)
    train = load_features(cache / "train.pt")
    val = load_features(cache / "val.pt") if (cache / "val.pt").is_file() else None
    if val is None or not len(val):  # every 12th training photo held out for choosing the step
        val = train.select(list(range(0, len(train), 12)))
        train = train.select([i for i in range(len(train)) if i % 12])
    rows = None
    if features is not None:
        train, rows = _feature_rows(features, train, val, exclude)
        log.info("%s: %d photos, %d left out", features, len(rows), len(train) - len(rows))
    config.checkpoint = checkpoint_path(output)
    config.metadata = {
        "description": "the scenes default with colour hints as the decoder's input",
        "base": str(base.path.name if base.path else base_name),
        "base_weights_sha256": base.metadata.get("weights_sha256"),
        "train_photos": len(train) if rows is None else len(rows),
        "val_photos": len(val),
        "steps": config.steps,
        "batch": config.batch_size,
        "lr": config.lr,
        "decoder_lr": config.decoder_lr,
        "few_pins_share": config.few_pins_share,
        "psnr_weight": config.psnr_weight,
        "rebalance_mix": config.rebalance_mix,
        "companion": config.companion,
        "init": str(init) if init else None,
        "features": str(features) if features else None,
        "excluded": [str(f) for f in exclude],
    }
    history = fit_hints(model, train, val, config, should_stop, on_progress, rows)
    # A stopped run is written too, as `colorizer train` writes one: its best so far, marked.
    # (It used to write nothing while the command's last line said "Wrote ...".)
    metadata = {
        **base.metadata,
        **config.metadata,
        "steps": history.step,
        "stopped_early": history.stopped,
        "trained": True,
        "hint_val": history.val,
        "seconds": history.seconds,
    }
    metadata.pop("weights_sha256", None)
    metadata.pop("history", None)
    dtypes = {k: v.dtype for k, v in base.state_dict.items()}
    save_model(model, output, config.preset, metadata, half=True, dtypes=dtypes)
    return history
