"""Training the damage detector on synthetic damage over real photos, on a CPU, in minutes.

    python -m colorizer_app.restore.train_detector OUT.pt --minutes 20 PHOTO_FOLDER...

Crops (96 px, each photo shrunk first to a random size so a scratch's width relative to the
scene varies) are damaged by a training style of synth (--style: TRAINING, or CRAZED with real
prints' crack networks) and made once; the network then trains on them with
flips and quarter turns until the time is up. The decision threshold is chosen on crops from
--val folders (training style: the held-out style is for measuring only). A checkpoint is written
every few minutes (atomically), so a stopped run keeps its best so far.
"""

from __future__ import annotations

import argparse
import io
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.builtin_files import check_not_builtin
from ..core.fileio import write_atomically
from ..core.imageio import is_image_path, load_image
from ..core.lab import rgb_to_l
from . import synth
from .crop_stream import (
    CROP,
    DamagedCrops,
    crop_batches,
    damaged_crop,
    random_crop,
    soften_some,
)
from .detect import DamageNet, l_to_input, read_detector_file
from .measure import MaskScore


def photo_paths(folders: list[str], limit: int, rng: np.random.Generator) -> list[Path]:
    """Up to `limit` photos spread evenly over the folders (recursive), in a repeatable order."""
    per = max(1, limit // max(1, len(folders)))
    out: list[Path] = []
    for folder in folders:
        found = sorted(p for p in Path(folder).rglob("*") if p.is_file() and is_image_path(p))
        if len(found) > per:
            found = [found[i] for i in sorted(rng.choice(len(found), per, replace=False))]
        out += found
    return out


def make_crops(
    paths: list[Path],
    per_photo: int,
    rng: np.random.Generator,
    style: synth.DamageStyle,
    clean_share: float = 0.0,
    soften_share: float = 0.0,
    crop: int = CROP,
) -> tuple[np.ndarray, np.ndarray]:
    """(n x CROP x CROP float16 damaged L, n x CROP x CROP bool mask). `clean_share` of the
    crops get no drawn damage (paper and grain only): fine natural detail (a fence, wires,
    water drops) seen as what it is, not as scratches. `soften_share` of all crops are blurred
    and JPEG-compressed as a scan would be (`soften`)."""
    ls, masks = [], []
    for l_full in _photos_l(paths):
        for _ in range(per_photo):
            hurt = damaged_crop(l_full, rng, style, clean_share, soften_share, crop)
            ls.append(hurt.l.astype(np.float16))
            masks.append(hurt.mask)
    return np.stack(ls), np.stack(masks)


def _photos_l(paths: list[Path]):
    """Each photo's L, a bad training photo skipped (not fatal)."""
    for path in paths:
        try:
            yield rgb_to_l(load_image(path).rgb)
        except Exception:  # noqa: BLE001 - a bad training photo is skipped, not fatal
            continue


def hard_negatives(
    net: DamageNet,
    paths: list[Path],
    tries: int,
    keep: int,
    threshold: float,
    rng: np.random.Generator,
    soften_share: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The `keep` clean crops (paper and grain, no drawn damage) on which `net` marks the most
    pixels: the railings, wires, water drops and lettering a good print has and a detector
    trained on drawn scratches takes for damage. Mined from photos that are not among the
    clean-print check's (tests/tools/restore_clean.py), so that check stays honest."""
    ls = []
    for l_full in _photos_l(paths):
        for _ in range(tries):
            crop = random_crop(l_full, rng)
            clean = synth.damage(crop, rng, synth.TRAINING, density=0.0).l
            ls.append(soften_some(clean, rng, soften_share).astype(np.float16))
    if not ls:
        return np.zeros((0, CROP, CROP), np.float16), np.zeros((0, CROP, CROP), bool)
    crops = np.stack(ls)
    marked = (predict(net, crops) > threshold).mean(axis=(1, 2))
    order = np.argsort(-marked)[:keep]
    order = order[marked[order] > 0]
    print(
        f"hard negatives: {len(order)} of {len(crops)} clean crops kept, marked "
        f"{marked[order].mean() if len(order) else 0:.1%} of their pixels "
        f"(all crops: {marked.mean():.2%})",
        flush=True,
    )
    return crops[order], np.zeros((len(order), CROP, CROP), bool)


def _augment(x: torch.Tensor, y: torch.Tensor, rng: np.random.Generator):
    k = int(rng.integers(4))
    x, y = torch.rot90(x, k, (2, 3)), torch.rot90(y, k, (2, 3))
    if rng.random() < 0.5:
        x, y = x.flip(3), y.flip(3)
    return x, y


def _loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    bce = nn.functional.binary_cross_entropy_with_logits(
        logits, target, pos_weight=torch.tensor(3.0, device=logits.device)
    )
    p = torch.sigmoid(logits)
    dice = 1 - (2 * (p * target).sum() + 1) / (p.sum() + target.sum() + 1)
    return bce + dice


def predict(net: DamageNet, ls: np.ndarray, batch: int = 32) -> np.ndarray:
    net.eval()
    out = []
    device = next(net.parameters()).device
    with torch.inference_mode():
        for i in range(0, len(ls), batch):
            x = torch.cat([l_to_input(l.astype(np.float32)) for l in ls[i : i + batch]])
            out.append(torch.sigmoid(net(x.to(device)))[:, 0].float().cpu().numpy())
    net.train()
    return np.concatenate(out)


def choose_threshold(prob: np.ndarray, masks: np.ndarray) -> tuple[float, MaskScore]:
    best = (0.5, MaskScore.of(prob > 0.5, masks))
    for t in np.arange(0.2, 0.91, 0.05):
        score = MaskScore.of(prob > t, masks)
        if score.f1 > best[1].f1:
            best = (float(t), score)
    return best


def load_net(path: Path) -> tuple[DamageNet, float]:
    """A detector file's network, trainable (batch norms not folded), and its threshold."""
    net, payload = read_detector_file(path)
    return net, float(payload.get("threshold", 0.5))


def save(net: DamageNet, path: Path, threshold: float, info: dict) -> None:
    """Half-precision weights (the file stays small), written to a temporary name first."""
    payload = {
        "width": net.width,
        "depth": net.depth,
        "state": {
            k: (v.half() if v.is_floating_point() else v).cpu() for k, v in net.state_dict().items()
        },
        "threshold": threshold,
        "min_area": 4,
        "info": info,
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    # A private temporary name, flushed to disk, then renamed (a fixed .tmp name was shared by
    # two runs writing the same file, and a crash could leave a half file).
    write_atomically(path, buffer.getvalue())


@dataclass
class Learner:
    """One network of a run and its optimizer: a run can train several on the same crops (on a
    GPU the crops cost the time, the networks next to nothing)."""

    name: str  # its spec ("16x4", "init"), or "" when it is the run's only one
    net: DamageNet
    opt: torch.optim.Optimizer
    lr: float  # at the start of the cosine schedule
    running: float = 0.0


def network_for(spec: str, init: Path | None) -> tuple[DamageNet, float | None]:
    """'init': --init's network; 'WxD': a new one, W channels at full size, D scales. Either
    may end '@LR', its own learning rate (a network going on from trained weights wants a
    gentler one than a new one); else None, the run's --lr."""
    spec, _, rate = spec.partition("@")
    try:
        lr = float(rate) if rate else None
        if spec == "init":
            if init is None:
                raise ValueError("'init' needs --init FILE")
            return load_net(init)[0], lr
        width, depth = (int(v) for v in spec.lower().split("x"))
    except ValueError as exc:
        raise ValueError(
            f"{spec!r}: a network is 'init' or WIDTHxDEPTH (like 16x4), then @LR if its own "
            f"learning rate ({exc})"
        ) from None
    return DamageNet(width, depth), lr


def output_for(out: Path, name: str, step: int | None = None) -> Path:
    """OUT itself for a run's only network; OUT-NAME.pt for each of several; -stepN for the
    numbered checkpoints of --every."""
    stem = out.stem + (f"-{name}" if name else "") + (f"-step{step}" if step else "")
    return out.with_name(stem + out.suffix)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m colorizer_app.restore.train_detector")
    ap.add_argument("out", type=Path)
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--val", nargs="+", required=True, help="folders for choosing the threshold")
    ap.add_argument("--photos", type=int, default=2000)
    ap.add_argument("--per-photo", type=int, default=2)
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--width", type=int, default=16, help="channels at full size (x2, x3 below)")
    ap.add_argument("--depth", type=int, default=3, help="scales of the U-Net")
    ap.add_argument(
        "--nets",
        nargs="+",
        metavar="SPEC",
        help="several networks trained on the same crops: 'init' (--init's) or WIDTHxDEPTH, "
        "then @LR for its own learning rate; each written to OUT-SPEC.pt",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", type=Path, help="start from this detector's weights")
    ap.add_argument("--clean-share", type=float, default=0.0, help="crops without damage")
    ap.add_argument(
        "--soften",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of crops blurred and JPEG-compressed as a scan is (damaged and clean alike)",
    )
    ap.add_argument(
        "--style",
        choices=sorted(n for n in synth.STYLES if n != synth.HELD_OUT.name),
        default=synth.TRAINING.name,
        help="the damage generator's style for training and validation crops",
    )
    ap.add_argument(
        "--hard-negatives",
        nargs="+",
        default=[],
        metavar="FOLDER",
        help="clean photos mined (with --init's detector) for crops it wrongly marks",
    )
    ap.add_argument("--hard-photos", type=int, default=1500)
    ap.add_argument("--hard-keep", type=int, default=1200, help="mined crops added to training")
    ap.add_argument(
        "--stream",
        action="store_true",
        help="new crops for every step, made by --workers processes (for a GPU), "
        "not --photos x --per-photo made once",
    )
    ap.add_argument("--workers", type=int, default=2, help="crop makers of --stream")
    ap.add_argument("--crop", type=int, default=CROP, help="crop side in pixels")
    ap.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1 ...")
    ap.add_argument(
        "--every", type=int, default=0, metavar="STEPS", help="also keep OUT[-SPEC]-stepN.pt"
    )
    args = ap.parse_args(argv)
    specs = args.nets or ["init" if args.init else f"{args.width}x{args.depth}"]
    names = [s.partition("@")[0] for s in specs] if len(specs) > 1 else [""]
    # Refused before any training: the shipped detector is copied into place by hand.
    for name in names:
        check_not_builtin(output_for(args.out, name))
        check_not_builtin(output_for(args.out, name).with_suffix(".ckpt.pt"))
    # Before the crops and the training, not at the last save after them (a review: 20 minutes
    # of training, then "Parent directory det does not exist").
    if not args.out.parent.is_dir():
        ap.error(f"{args.out.parent}: no such folder for {args.out.name}; make it first")
    for folder in [*args.folders, *args.val]:
        if not Path(folder).is_dir():
            ap.error(f"{folder}: not a folder of photos")
    if args.hard_negatives and args.crop != CROP:
        ap.error(f"--hard-negatives are mined as {CROP} px crops: leave out --crop")
    if len(set(names)) < len(names):
        ap.error("--nets: two networks of one shape would write one file; train them apart")
    if args.stream and args.hard_negatives:
        ap.error("--hard-negatives are mined into made-once crops: leave out --stream")
    try:
        nets = [network_for(spec, args.init) for spec in specs]
    except ValueError as exc:
        ap.error(str(exc))
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    start = time.monotonic()
    paths = photo_paths(args.folders, args.photos, rng)
    if not paths or not photo_paths(args.val, 1, np.random.default_rng(0)):
        ap.error(f"no photos found in {', '.join(args.folders if not paths else args.val)}")
    style = synth.STYLES[args.style]
    device = torch.device(args.device)
    if args.stream:
        stream = DamagedCrops(paths, style, args.crop, args.clean_share, args.soften, args.seed)
        batches = crop_batches(stream, args.batch, args.workers, device.type == "cuda")
        ls = masks = np.zeros((0, args.crop, args.crop), np.float16)
    else:
        ls, masks = make_crops(
            paths, args.per_photo, rng, style, args.clean_share, args.soften, args.crop
        )
    val_paths = photo_paths(args.val, 60, rng)
    val_ls, val_masks = make_crops(
        val_paths, 2, np.random.default_rng(1), style, 0.0, args.soften, args.crop
    )
    print(
        f"{'streamed crops' if args.stream else f'{len(ls)} training crops'} from {len(paths)} "
        f"photos, {len(val_ls)} validation crops; made in {time.monotonic() - start:.0f} s",
        flush=True,
    )
    hard_count = 0
    if args.hard_negatives:
        start_threshold = load_net(args.init)[1] if args.init else 0.5
        hard_paths = photo_paths(args.hard_negatives, args.hard_photos, rng)
        hard_ls, hard_masks = hard_negatives(
            nets[0][0], hard_paths, 4, args.hard_keep, start_threshold, rng, args.soften
        )
        ls, masks = np.concatenate([ls, hard_ls]), np.concatenate([masks, hard_masks])
        hard_count = len(hard_ls)
    learners = []
    for name, (net, lr) in zip(names, nets, strict=True):
        net.to(device)
        opt = torch.optim.AdamW(net.parameters(), lr or args.lr, weight_decay=1e-4)
        learners.append(Learner(name, net, opt, lr or args.lr))
    budget = args.minutes * 60
    train_start = time.monotonic()
    step, last_save = 0, train_start
    try:
        while (elapsed := time.monotonic() - train_start) < budget:
            share = 0.5 * (1 + np.cos(np.pi * min(1.0, elapsed / budget)))  # cosine
            if args.stream:
                x, y = next(batches)
            else:
                idx = rng.integers(0, len(ls), args.batch)
                x = torch.from_numpy(ls[idx].astype(np.float32))[:, None] / 50.0 - 1.0
                y = torch.from_numpy(masks[idx].astype(np.float32))[:, None]
            x, y = _augment(x.to(device, non_blocking=True), y.to(device, non_blocking=True), rng)
            for learner in learners:
                for group in learner.opt.param_groups:
                    group["lr"] = learner.lr * share
                loss = _loss(learner.net(x), y)
                learner.opt.zero_grad()
                loss.backward()
                learner.opt.step()
                value = loss.item()
                learner.running = 0.98 * learner.running + 0.02 * value if step else value
            step += 1
            if step % 100 == 0:
                losses = " ".join(f"{ln.name or 'loss'} {ln.running:.4f}" for ln in learners)
                print(f"step {step} {losses} lr x{share:.3f} {elapsed:.0f} s", flush=True)
            if args.every and step % args.every == 0:
                for learner in learners:
                    path = output_for(args.out, learner.name, step)
                    save(learner.net, path, 0.5, {"step": step})
            if time.monotonic() - last_save > 240:
                for learner in learners:
                    path = output_for(args.out, learner.name).with_suffix(".ckpt.pt")
                    save(learner.net, path, 0.5, {"step": step})
                last_save = time.monotonic()
    except KeyboardInterrupt:  # a stop (Ctrl+C, a time limit's SIGINT): keep what was learnt
        print(f"stopped after {step} steps", flush=True)
    if args.stream:
        # The crop workers stopped now, not at exit: they went on making crops for a queue no
        # one reads while the thresholds were chosen (a loaded test machine took over 2 minutes
        # to end a stopped run).
        del batches
    info = {
        "steps": step,
        "batch": args.batch,
        "crops": "streamed" if args.stream else len(ls),
        "crop": args.crop,
        "hard_negatives": hard_count,
        "style": style.name,
        "soften": args.soften,
        "photos": len(paths),
        "minutes": round((time.monotonic() - start) / 60, 1),
        "command": " ".join(["train_detector", *(sys.argv[1:] if argv is None else argv)]),
    }
    # Each network written at once, then again with its threshold: a stop while thresholds are
    # chosen (a second Ctrl+C, a time limit) loses none of them.
    for learner in learners:
        save(learner.net, output_for(args.out, learner.name), 0.5, info)
    for learner in learners:
        threshold, score = choose_threshold(predict(learner.net, val_ls), val_masks)
        out = output_for(args.out, learner.name)
        save(learner.net, out, threshold, {**info, "validation": score.as_dict()})
        label = f"{learner.name}: " if learner.name else ""
        print(f"{label}threshold {threshold:.2f}: validation (training style) {score}", flush=True)
        print(f"wrote {out} after {step} steps", flush=True)
    return 0


if __name__ == "__main__":
    # A stop is SIGINT (Ctrl+C, `timeout -s INT`, the GPU script's time limit), and a run started
    # as a script's background job inherits SIGINT ignored: Python then raises nothing, and the
    # run went on past its limit (a fresh-clone `make test` started in the background). Heard
    # always.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    raise SystemExit(main())
