"""The damage detector's training crops: one damaged crop (`damaged_crop`, used by the trainer's
made-once set too), and a stream of them made as training goes, in DataLoader workers: every
step sees new damage on a new piece of a photo, never the same crop twice.

The made-once crops of `train_detector.make_crops` suit a CPU (making a crop costs more than a
step of the small network); on a GPU the step costs next to nothing and the crops are what the
CPU cores are for: each worker draws photos from its share of the list, crops, damages and
softens them, and the network never runs out of damage it has not seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from ..core.imageio import load_image
from ..core.lab import rgb_to_l
from . import synth
from .detect import l_to_input

CROP = 96  # the made-once crops' side (a stream's is chosen per run)


def damaged_crop(
    l_full: np.ndarray,
    rng: np.random.Generator,
    style: synth.DamageStyle,
    clean_share: float = 0.0,
    soften_share: float = 0.0,
    crop: int = CROP,
) -> synth.Damaged:
    """One training sample: a random crop of the photo (`random_crop`), faded now and then,
    damaged (or, for `clean_share` of them, only papered and grained), softened for
    `soften_share` of them."""
    piece = random_crop(l_full, rng, crop)
    if rng.random() < 0.15:
        piece = synth.fade(piece, rng)
    density = 0.0 if rng.random() < clean_share else 2.5
    hurt = synth.damage(piece, rng, style, density=density)
    return synth.Damaged(soften_some(hurt.l, rng, soften_share), hurt.mask)


def soften(l: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The crop as a scan of a print shows it: a little blur (the scanner's optics, a print
    enlarged) and, often, JPEG compression. The drawn damage is anti-aliased but crisp; the real
    prints' cracks are soft-edged and blocky, and a detector trained only on crisp damage found
    fewer of them the longer it trained. The mask is unchanged: the damage is still there."""
    out = l
    if rng.random() < 0.7:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.3, 1.1)))
    if rng.random() < 0.6:
        quality = int(rng.integers(35, 92))
        ok, data = cv2.imencode(".jpg", np.clip(out * 2.55, 0, 255).astype(np.uint8),
                                [cv2.IMWRITE_JPEG_QUALITY, quality])  # fmt: skip
        decoded = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if ok else None
        if decoded is not None:
            out = decoded.astype(np.float32) / 2.55
    return out.astype(np.float32)


def soften_some(l: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """`l` softened (`soften`) for `share` of the crops, as it came for the rest."""
    return soften(l, rng) if rng.random() < share else l


def random_crop(l_full: np.ndarray, rng: np.random.Generator, crop: int = CROP) -> np.ndarray:
    """A `crop` x `crop` piece of the photo shrunk first to a random size (a scratch's width
    relative to the scene varies as on real scans of every size)."""
    short = min(l_full.shape)
    target = rng.uniform(crop * 1.05, max(crop * 1.1, min(420.0, short * 1.2)))
    scale = target / short
    l = cv2.resize(l_full, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    y = int(rng.integers(0, l.shape[0] - crop + 1))
    x = int(rng.integers(0, l.shape[1] - crop + 1))
    return np.ascontiguousarray(l[y : y + crop, x : x + crop])


# Crops cut from each photo read: reading and converting a photo costs as much as damaging a
# few crops, and a photo's pieces at different sizes are different enough.
CROPS_PER_READ = 4


class DamagedCrops(IterableDataset):
    """Endless (L in [-1, 1], mask) pairs, 1 x crop x crop float32 each; worker k of n draws
    from every n-th photo with its own generator (seed, k), so a run is repeatable."""

    def __init__(
        self,
        paths: list[Path],
        style: synth.DamageStyle,
        crop: int,
        clean_share: float,
        soften_share: float,
        seed: int,
    ):
        self.paths = list(paths)
        self.style, self.crop = style, crop
        self.clean_share, self.soften_share = clean_share, soften_share
        self.seed = seed

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        info = get_worker_info()
        k, n = (info.id, info.num_workers) if info is not None else (0, 1)
        mine = self.paths[k::n] or self.paths
        rng = np.random.default_rng([self.seed, k])
        failed = 0  # draws in a row that gave no photo
        while True:
            path = mine[int(rng.integers(len(mine)))]
            try:
                l_full = rgb_to_l(load_image(path).rgb)
            except Exception:  # noqa: BLE001 - a bad training photo is skipped, not fatal
                l_full = np.zeros((0, 0), np.float32)
            if min(l_full.shape) < 8:
                failed += 1
                if failed > 4 * len(mine) + 20:  # else the trainer waits for ever, saying nothing
                    raise ValueError(f"none of {len(mine)} photos (e.g. {mine[0]}) could be read")
                continue
            failed = 0
            for _ in range(CROPS_PER_READ):
                hurt = damaged_crop(
                    l_full, rng, self.style, self.clean_share, self.soften_share, self.crop
                )
                yield l_to_input(hurt.l)[0], torch.from_numpy(hurt.mask.astype(np.float32))[None]


def crop_batches(
    dataset: DamagedCrops, batch: int, workers: int, pin: bool
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    loader = DataLoader(
        dataset,
        batch_size=batch,
        num_workers=workers,
        pin_memory=pin,
        persistent_workers=workers > 0,
        prefetch_factor=4 if workers > 0 else None,
    )
    return iter(loader)
