"""Teaching the `scenes` decoder what a colour pin means, on the frozen encoder's cached features.

Starts from a trained model with no hint inputs (its weights loaded into the same decoder with a
hint branch that starts at zero, model/hint_decoder.py) and fine-tunes the decoder with hints
sampled from the truth, as Zhang, Zhu et al. 2017 train theirs: per photo a geometric number of
points (stop with probability 1/8 before each: none for an eighth of the photos, 7 on average),
each a square patch of random size holding the truth's mean colour there, at a place drawn half
the time uniformly and half the time around the middle (where people look); a share of the
photos gets none at all, so that with no hints the model keeps colouring as the automatic one.

The batch-norm statistics stay those of the model it starts from (the network is trained in eval
mode: the decoder's own statistics would otherwise drift on a small set of photos), so at step 0
the model is the starting model exactly.

    python -m colorizer_app.training.hint_train cache  OUT_DIR  FOLDER...
    python -m colorizer_app.training.hint_train train  OUT_DIR  --steps N [--resume]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..core import lab
from ..core.errors import TrainingError
from ..engine.catalog import open_model
from ..model import ab_bins
from ..model.hint_decoder import AB_NORM, HINT_CHANNELS
from ..model.model_file import ModelFile, build_model, read_model_file, save_model
from ..model.networks import build_network
from .feature_cache import FeatureSet, l_of
from .loop import History, cosine_lr, save_checkpoint
from .losses import compute_loss
from .metrics import batch_scores

log = logging.getLogger(__name__)

STOP_P = 1 / 8  # Zhang et al.'s geometric number of points
PATCH_CELLS = (1, 3)  # patch side in head cells (stride 4): 4 to 12 pixels at 224
EVAL_PINS = 10


@dataclass
class HintTrainConfig:
    steps: int = 2000
    batch_size: int = 16
    lr: float = 5e-4  # the hint branch: new, from zero
    decoder_lr: float = 1e-4  # the decoder it joins: trained, so moved gently
    none_share: float = 0.15  # photos given no hints at all, beside the geometric's own eighth
    psnr_weight: float = 0.5
    rebalance_mix: float = 0.5
    cosine_floor: float = 0.05
    seed: int = 0
    eval_every: int = 250
    checkpoint: Path | None = None
    checkpoint_every: int = 100
    resume: bool = False
    preset: str = "scenes"
    metadata: dict = field(default_factory=dict)


def hinted_network(base: ModelFile, seed: int = 0):
    """The base model's network with hint inputs, its weights loaded, the new branch at zero."""
    if not base.config.pretrained_encoder or base.config.members:
        raise TrainingError("only a single pretrained-encoder model (scenes) can learn hints")
    config = dataclasses.replace(base.config, hint_inputs=True)
    with torch.random.fork_rng():  # the new branch's first layers: the same on every run
        torch.manual_seed(seed)
        net = build_network(config, pretrained_backbones=False)
    state = {k: v.float() if v.is_floating_point() else v for k, v in base.state_dict.items()}
    missing, unexpected = net.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith("hint_branch.") for k in missing):
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
    ab: torch.Tensor, rng: np.random.Generator, none_share: float, count: int | None = None
) -> torch.Tensor:
    """Hints from the truth for a batch: ab (N x 2 x h x w, Lab units) -> N x 3 x h x w planes.
    `count`: exactly this many points per photo (evaluation); None: Zhang et al.'s sampling."""
    truth = ab.float().numpy()
    n, _, h, w = truth.shape
    planes = np.zeros((n, HINT_CHANNELS, h, w), np.float32)
    for i in range(n):
        if count is None and rng.random() < none_share:
            continue
        k = 0
        while (k < count) if count is not None else (rng.random() > STOP_P):
            if count is None and rng.random() < 0.5:
                y = int(np.clip(rng.normal(h / 2, h / 4), 0, h - 1))
                x = int(np.clip(rng.normal(w / 2, w / 4), 0, w - 1))
            else:
                y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            side = 1 if count is not None else int(rng.integers(PATCH_CELLS[0], PATCH_CELLS[1] + 1))
            place_pin(planes[i], truth[i], x, y, side)
            k += 1
    return torch.from_numpy(planes)


def _batch(data: FeatureSet, rows: list[int]):
    index = torch.as_tensor(rows, dtype=torch.long)
    return (
        l_of(data.rgb[index]),
        [f[index].float() for f in data.feats],
        data.probs[index].float(),
        data.ab[index].float(),
        data.bin_idx[index],
        data.bin_w[index].float(),
    )


def step_loss(model, batch, hints: torch.Tensor, config: HintTrainConfig, rebalance):
    """Zhang et al.'s rebalanced cross-entropy over bins and the decoded colour's log error."""
    l_full, feats, probs, ab, idx, w = batch
    out = model.head_output(l_full, feats, probs, hints)
    loss = ab_bins.bin_cross_entropy(out, idx, w, rebalance).mean()
    if config.psnr_weight:
        l_small = F.interpolate(l_full, size=out.shape[-2:], mode="area")
        pred = model.to_ab(out)
        loss = loss + config.psnr_weight * compute_loss("psnr", pred, ab / lab.AB_SCALE, l_small, 0)
    return loss


@torch.no_grad()
def evaluate_hints(model, data: FeatureSet, counts=(0, EVAL_PINS), batch_size: int = 32) -> dict:
    """Mean PSNR at the cached size with 0 and EVAL_PINS single-cell pins from the truth (the
    same places on every call), as training's own validation measures: the decoded colour."""
    model.eval()
    out = {}
    for count in counts:
        rng = np.random.default_rng(1234 + count)
        scores = []
        for start in range(0, len(data), batch_size):
            rows = list(range(start, min(len(data), start + batch_size)))
            l_full, feats, probs, ab, *_ = _batch(data, rows)
            hints = sample_hint_planes(ab, rng, 0.0, count)
            pred = model.to_ab(model.head_output(l_full, feats, probs, hints))
            pred = F.interpolate(pred, size=l_full.shape[-2:], mode="bilinear")
            truth = F.interpolate(ab / lab.AB_SCALE, size=l_full.shape[-2:], mode="bilinear")
            scores += batch_scores(l_full, pred, truth)[0]
        out[f"psnr_{count}"] = float(np.mean(scores))
    return out


def fit_hints(
    model,
    train: FeatureSet,
    val: FeatureSet | None,
    config: HintTrainConfig,
    should_stop: Callable[[], bool] | None = None,
) -> History:
    """Train `model` (hinted_network's) in place; on return it holds the best validation
    weights (by PSNR with EVAL_PINS pins, among those not below the start's with none)."""
    torch.manual_seed(config.seed)
    branch = list(model.hint_branch.parameters())
    branch_ids = {id(p) for p in branch}
    rest = [p for p in model.trainable_parameters() if id(p) not in branch_ids]
    base_lrs = (config.lr, config.decoder_lr)
    optimizer = torch.optim.AdamW(
        [{"params": branch, "lr": config.lr}, {"params": rest, "lr": config.decoder_lr}],
        weight_decay=1e-4,
    )
    nearest = train.bin_idx[:, 0].long().flatten()  # each pixel's nearest bin: how common
    counts = torch.bincount(nearest, minlength=len(model.ab_bins)).numpy()
    rebalance = torch.from_numpy(ab_bins.rebalance_weights(counts, config.rebalance_mix))
    history, step, best, best_state, floor = History(), 0, -math.inf, None, None
    if config.resume and config.checkpoint is not None and Path(config.checkpoint).is_file():
        ckpt = read_model_file(config.checkpoint)
        if ckpt.training is None:
            raise TrainingError(f"{config.checkpoint}: not a training checkpoint; cannot resume")
        model.load_state_dict({k: v.float() for k, v in ckpt.state_dict.items()})
        optimizer.load_state_dict(ckpt.training["optimizer"])
        step = int(ckpt.training["step"])
        best = float(ckpt.training.get("best", -math.inf))
        best_state = ckpt.training.get("best_state")
        floor = ckpt.training.get("floor")
        saved = ckpt.metadata.get("history") or {}
        history = History(**{k: v for k, v in saved.items() if k in History.__dataclass_fields__})
        log.info("resuming from %s at step %d", config.checkpoint, step)

    def evaluate_now() -> None:
        nonlocal best, best_state, floor
        if val is None:
            return
        metrics = evaluate_hints(model, val)
        metrics["step"] = step
        history.val.append(metrics)
        if floor is None:
            floor = metrics["psnr_0"]
        ok = metrics["psnr_0"] >= floor - 0.02  # no worse without hints than the start
        if ok and metrics[f"psnr_{EVAL_PINS}"] > best:
            best = metrics[f"psnr_{EVAL_PINS}"]
            best_state = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})
        log.info("step %d: %s%s", step, metrics, "" if ok else " (below the start without hints)")

    def checkpoint() -> None:
        if config.checkpoint is not None:
            state = {"step": step, "best": best, "floor": floor}
            if best_state is not None:
                state["best_state"] = best_state
            save_checkpoint(Path(config.checkpoint), model, optimizer, state, config, history)

    if step == 0:
        evaluate_now()
    model.eval()  # batch-norm statistics stay the base model's (see the module's note)
    start_time = time.monotonic()
    while step < config.steps:
        if should_stop is not None and should_stop():
            history.stopped = True
            break
        rng = np.random.default_rng([config.seed, step])
        batch_rows = rng.choice(len(train), size=min(config.batch_size, len(train)), replace=False)
        batch = _batch(train, batch_rows.tolist())
        hints = sample_hint_planes(batch[3], rng, config.none_share)
        for g, base_lr in zip(optimizer.param_groups, base_lrs, strict=True):
            g["lr"] = cosine_lr(base_lr, step, config.steps, config.cosine_floor)
        loss = step_loss(model, batch, hints, config, rebalance)
        if not torch.isfinite(loss):
            raise TrainingError(f"the loss became {float(loss)} at step {step + 1}: diverged")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        history.steps.append(step)
        history.losses.append(float(loss.detach()))
        if step % 20 == 0:
            log.info(
                "step %d loss %.4f (%.2f s/step)",
                step,
                sum(history.losses[-20:]) / 20,
                (time.monotonic() - start_time) / max(1, len(history.losses)),
            )
        if config.eval_every and step % config.eval_every == 0:
            evaluate_now()
        if config.checkpoint_every and step % config.checkpoint_every == 0:
            checkpoint()
    if not history.stopped and (not history.val or history.val[-1]["step"] != step):
        evaluate_now()
    history.step = step
    history.seconds = time.monotonic() - start_time
    checkpoint()
    if best_state is not None and not history.stopped:
        model.load_state_dict(best_state)
    model.eval()
    return history


def load_features(path: Path) -> FeatureSet:
    return FeatureSet(**torch.load(path, map_location="cpu", weights_only=True))


def build_cache(out: Path, folders: list[Path], limit: int | None, size: int, base: str) -> None:
    """The training quarter of `folders` (the project's hash split; a tenth of it held for
    validation) through the base model's encoder: out/train.pt and out/val.pt."""
    from .data import scan_folders, split_photos, validation_split

    photos = []
    for folder in folders:
        report = scan_folders([folder], keep_side=size, limit=limit)
        photos += split_photos(report.usable)[0]
        log.info("%s: %s", folder, report.summary())
    train, val = validation_split(photos)
    net = build_model(open_model(base))
    from .feature_cache import encoded_photos

    for name, part in (("train", train), ("val", val)):
        fs = encoded_photos(net, part, size)
        out.mkdir(parents=True, exist_ok=True)
        torch.save(fs.to_dict(), out / f"{name}.pt.tmp")
        (out / f"{name}.pt.tmp").replace(out / f"{name}.pt")
        log.info("%s: %d photos", name, len(fs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m colorizer_app.training.hint_train")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("cache", help="encode the training photos once")
    c.add_argument("out", type=Path)
    c.add_argument("folders", type=Path, nargs="+")
    c.add_argument("--limit", type=int, default=None, help="at most this many per folder")
    c.add_argument("--size", type=int, default=224)
    c.add_argument("--base", default="default")
    t = sub.add_parser("train", help="fine-tune a hint-taking decoder on the cache")
    t.add_argument("out", type=Path)
    t.add_argument("--base", default="default")
    t.add_argument("--steps", type=int, default=2000)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=5e-4)
    t.add_argument("--decoder-lr", type=float, default=1e-4)
    t.add_argument("--resume", action="store_true")
    t.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.command == "cache":
        build_cache(args.out, args.folders, args.limit, args.size, args.base)
        return 0
    base = open_model(args.base)
    model = hinted_network(base)
    train = load_features(args.out / "train.pt")
    if (args.out / "val.pt").is_file():
        val = load_features(args.out / "val.pt")
    else:  # every 12th photo of the training cache held out for choosing the step
        val = train.select(list(range(0, len(train), 12)))
        train = train.select([i for i in range(len(train)) if i % 12])
    config = HintTrainConfig(
        steps=args.steps,
        batch_size=args.batch,
        lr=args.lr,
        decoder_lr=args.decoder_lr,
        checkpoint=args.output.with_suffix(".ckpt"),
        resume=args.resume,
    )
    config.metadata = {
        "description": "the scenes default with colour hints as the decoder's input",
        "base": str(base.path.name if base.path else args.base),
        "base_sha256_weights": base.metadata.get("weights_sha256"),
        "train_photos": len(train),
        "val_photos": len(val),
        "steps": args.steps,
        "batch": args.batch,
        "lr": args.lr,
        "decoder_lr": args.decoder_lr,
    }
    history = fit_hints(model, train, val, config)
    metadata = {
        **base.metadata,
        **config.metadata,
        "trained": True,
        "hint_val": history.val,
        "seconds": history.seconds,
    }
    metadata.pop("weights_sha256", None)
    metadata.pop("history", None)
    dtypes = {k: v.dtype for k, v in base.state_dict.items()}
    save_model(model, args.output, config.preset, metadata, half=True, dtypes=dtypes)
    print(f"wrote {args.output}; validation {history.val[-1] if history.val else {}}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
