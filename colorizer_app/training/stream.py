"""The `scenes` preset's photos streamed from their files, for training at scale (GPUs).

No feature cache: each photo is decoded, made the square the encoder sees and turned into L and
its colour targets in DataLoader worker processes, off the training loop, and the encoder runs in
every step (so it may also train). A photo is read exactly as the cache path reads it (scan's
copy at the training size, squashed to a square: feature_cache.square), so both paths train on
the same samples; the cache path stays the CPU default, where the encoder's forward is most of a
step's cost.

Nothing is decoded before training: a photo that turns out unreadable or (almost) gray is
replaced by the next usable one in the list, the same one every epoch, and said once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from ..core import lab
from ..core.errors import ColorizerError
from ..core.imageio import load_image, to_uint8
from .data import PhotoFile, shrink
from .feature_cache import colour_targets, square
from .metrics import colorfulness

log = logging.getLogger(__name__)
TRIES = 16  # photos looked at for a usable one before the data is called unusable


class PhotoStream(Dataset):
    """photo files -> (L, ab at stride 4, its ab bins and their weights, ab at full size)."""

    def __init__(
        self,
        files: list[PhotoFile],
        size: int,
        centres: torch.Tensor,
        min_colorfulness: float = 0.0,
        mirror_seed: int | None = None,
    ):
        self.files, self.size, self.centres = files, size, centres
        self.min_colorfulness = min_colorfulness
        # Training photos: from the second pass over them on, each is mirrored or not by a draw
        # of (seed, epoch, photo), in the worker that reads it (so a resumed run and every
        # process of a torchrun group mirror the same photos; a photo repeated by --balance is
        # shown the same way within an epoch). The stream reads the same squares every
        # epoch (the cache path's views are not made here), and an encoder trained whole over
        # tens of epochs would otherwise see each one way only. The first pass is as the cache
        # path's, which the two paths' first step is checked against.
        self.mirror_seed = mirror_seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def mirrored(self, index: int) -> bool:
        if self.mirror_seed is None or self.epoch == 0:
            return False
        return bool(np.random.default_rng([self.mirror_seed, self.epoch, index]).random() < 0.5)

    def __len__(self) -> int:
        return len(self.files)

    def square(self, index: int) -> np.ndarray:
        """The square of the first usable photo from `index` on (uint8 RGB, size x size)."""
        for k in range(min(TRIES, len(self.files))):
            path = self.files[(index + k) % len(self.files)].path
            try:
                image = load_image(path)
            except ColorizerError as exc:
                log.warning("skipped %s", exc)
                continue
            rgb = shrink(to_uint8(image.rgb), self.size)  # as scan_folders keeps it
            if image.was_grayscale or colorfulness(shrink(rgb, 64)) < self.min_colorfulness:
                log.warning("skipped %s: (almost) gray", path)
                continue
            return square(rgb, self.size)
        raise ColorizerError(
            f"{self.files[index].path} and the {TRIES - 1} photos after it are unreadable or "
            "gray: check the data folders"
        )

    def __getitem__(self, index: int):
        rgb = self.square(index)
        if self.mirrored(index):
            rgb = np.ascontiguousarray(rgb[:, ::-1])
        l = torch.from_numpy(lab.normalize_l(lab.rgb_to_l(rgb)))[None]
        ab, idx, w = colour_targets(rgb[None], self.centres)
        truth = torch.from_numpy(lab.rgb_to_lab(rgb)[:, :, 1:].transpose(2, 0, 1).copy())
        return l, ab[0], idx[0].short(), w[0], truth / lab.AB_SCALE


class StreamedPhotos:
    """A source of semantic.SemanticTask: batches read by DataLoader workers."""

    def __init__(self, stream: PhotoStream, rows: list[int], workers: int, pin: bool = False):
        self.stream, self.rows, self.workers, self.pin = stream, rows, workers, pin

    def set_epoch(self, epoch: int) -> None:
        self.stream.set_epoch(epoch)  # before the epoch's loader forks its workers

    def __len__(self) -> int:
        return len(self.rows)

    def _loader(self, batches: list[list[int]]) -> DataLoader:
        return DataLoader(
            self.stream,
            batch_sampler=batches,
            num_workers=self.workers,
            pin_memory=self.pin,
            persistent_workers=False,
        )

    def batches(self, parts: list[list[int]]) -> Iterator[tuple]:
        for l, ab, idx, w, _ in self._loader([[self.rows[i] for i in p] for p in parts]):
            yield l, None, None, ab, idx, w

    def eval_batches(self, batch_size: int) -> Iterator[tuple]:
        chunks = [self.rows[i : i + batch_size] for i in range(0, len(self.rows), batch_size)]
        for l, _, _, _, truth in self._loader(chunks):
            yield l, None, None, truth

    def bin_counts(self, q: int, at_most: int = 2000) -> np.ndarray:
        """How often each ab bin is the nearest, over (a spread sample of) the rows: what the
        class rebalancing weighs by. Read through the workers too."""
        step = max(1, len(self.rows) // at_most)
        sample = list(range(0, len(self.rows), step))[:at_most]
        counts = np.zeros(q, dtype=np.int64)
        for _, _, _, _, idx, _ in self.batches(
            [sample[i : i + 64] for i in range(0, len(sample), 64)]
        ):
            counts += torch.bincount(idx[:, 0].long().flatten(), minlength=q).numpy()
        return counts
