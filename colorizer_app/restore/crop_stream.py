"""Damaged crops made as training goes, in DataLoader workers: every step sees new damage on a
new piece of a photo, never the same crop twice.

The made-once crops of `train_detector.make_crops` suit a CPU (making a crop costs more than a
step of the small network); on a GPU the step costs next to nothing and the crops are what the
CPU cores are for: each worker draws photos from its share of the list, crops, damages and
softens them, and the network never runs out of damage it has not seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from ..core.imageio import load_image
from ..core.lab import rgb_to_l
from . import synth
from .train_detector import damaged_crop

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
        while True:
            path = mine[int(rng.integers(len(mine)))]
            try:
                l_full = rgb_to_l(load_image(path).rgb)
            except Exception:  # noqa: BLE001 - a bad training photo is skipped, not fatal
                continue
            if min(l_full.shape) < 8:
                continue
            for _ in range(CROPS_PER_READ):
                hurt = damaged_crop(
                    l_full, rng, self.style, self.clean_share, self.soften_share, self.crop
                )
                x = torch.from_numpy(hurt.l.astype(np.float32) / 50.0 - 1.0)[None]
                yield x, torch.from_numpy(hurt.mask.astype(np.float32))[None]


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
