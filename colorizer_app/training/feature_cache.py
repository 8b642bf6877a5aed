"""A frozen pretrained encoder's outputs, computed once per photo and kept on disk.

The `scenes` preset's encoder never changes while its decoder trains, so every photo is shown to
it once, as a square of the training size (squashed, as the evaluation protocol and the fused
classifiers see a photo), and its features at strides 4-32, its class probabilities, the photo
itself and its colour targets (ab at stride 4, as the nearest ab bins) are stored. Training then
only runs the decoder: about ten times the speed on a CPU. Each photo is keyed by a hash of its
pixels, and the file by the encoder's weights and the size, as in fused_cache.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from ..core import lab
from ..core.errors import TrainingCancelled
from ..model import ab_bins
from .data import Photo
from .fused_cache import classifier_key, photo_key

log = logging.getLogger(__name__)
HEAD_STRIDE = 4


@dataclass
class FeatureSet:
    """Everything the decoder trains on, one row per photo."""

    keys: list[str]
    rgb: torch.Tensor  # N x S x S x 3 uint8: the square the encoder saw
    feats: list[torch.Tensor]  # strides 4, 8, 16, 32: N x C x S/k x S/k float16
    probs: torch.Tensor  # N x 1000 float16: the encoder's class vector
    ab: torch.Tensor  # N x 2 x S/4 x S/4 float16, Lab units
    bin_idx: torch.Tensor  # N x 5 x S/4 x S/4 int16: nearest ab bins
    bin_w: torch.Tensor  # N x 5 x S/4 x S/4 float16: their weights

    def __len__(self) -> int:
        return len(self.keys)

    def select(self, rows: list[int]) -> FeatureSet:
        index = torch.as_tensor(rows, dtype=torch.long)
        return FeatureSet(
            [self.keys[i] for i in rows],
            self.rgb[index],
            [f[index] for f in self.feats],
            self.probs[index],
            self.ab[index],
            self.bin_idx[index],
            self.bin_w[index],
        )

    def to_dict(self) -> dict:
        return {
            "keys": self.keys,
            "rgb": self.rgb,
            "feats": self.feats,
            "probs": self.probs,
            "ab": self.ab,
            "bin_idx": self.bin_idx,
            "bin_w": self.bin_w,
        }

    @staticmethod
    def empty_like(part: FeatureSet, n: int) -> FeatureSet:
        """A set of n rows shaped as `part`'s, to be filled with `put`."""

        def rows(t: torch.Tensor) -> torch.Tensor:
            return torch.empty((n, *t.shape[1:]), dtype=t.dtype)

        return FeatureSet(
            [""] * n,
            rows(part.rgb),
            [rows(f) for f in part.feats],
            rows(part.probs),
            rows(part.ab),
            rows(part.bin_idx),
            rows(part.bin_w),
        )

    def put(self, start: int, part: FeatureSet) -> None:
        """Copy `part` into rows start, start + 1, ..."""
        end = start + len(part)
        self.keys[start:end] = part.keys
        self.rgb[start:end] = part.rgb
        for mine, theirs in zip(self.feats, part.feats, strict=True):
            mine[start:end] = theirs
        self.probs[start:end] = part.probs
        self.ab[start:end] = part.ab
        self.bin_idx[start:end] = part.bin_idx
        self.bin_w[start:end] = part.bin_w

    @staticmethod
    def concat(parts: list[FeatureSet]) -> FeatureSet:
        return FeatureSet(
            [k for p in parts for k in p.keys],
            torch.cat([p.rgb for p in parts]),
            [torch.cat([p.feats[i] for p in parts]) for i in range(4)],
            torch.cat([p.probs for p in parts]),
            torch.cat([p.ab for p in parts]),
            torch.cat([p.bin_idx for p in parts]),
            torch.cat([p.bin_w for p in parts]),
        )


def square(pixels: np.ndarray, size: int) -> np.ndarray:
    h, w = pixels.shape[:2]
    interp = cv2.INTER_AREA if min(h, w) >= size else cv2.INTER_CUBIC
    return cv2.resize(pixels, (size, size), interpolation=interp)


def l_of(rgb: torch.Tensor) -> torch.Tensor:
    """N x S x S x 3 uint8 -> N x 1 x S x S L in [-1, 1]."""
    out = np.stack([lab.normalize_l(lab.rgb_to_l(x)) for x in rgb.numpy()])
    return torch.from_numpy(out)[:, None]


def colour_targets(
    rgb: np.ndarray, centres: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """N x S x S x 3 uint8 squares -> what the head learns at stride 4: ab (N x 2 x S/4 x S/4,
    Lab units) and its nearest ab bins with their weights (ab_bins.soft_encode)."""
    small = rgb.shape[1] // HEAD_STRIDE
    ab = np.stack(
        [
            cv2.resize(lab.rgb_to_lab(x)[:, :, 1:], (small, small), interpolation=cv2.INTER_AREA)
            for x in rgb
        ]
    ).transpose(0, 3, 1, 2)
    ab_t = torch.from_numpy(np.ascontiguousarray(ab))
    idx, w = ab_bins.soft_encode(ab_t, centres)
    return ab_t, idx, w


def _encode_chunk(
    model, photos: list[Photo], keys: list[str], size: int, centres: torch.Tensor
) -> FeatureSet:
    rgb = np.stack([square(p.pixels, size) for p in photos])
    rgb_t = torch.from_numpy(rgb)
    device = next(model.parameters()).device  # --device: encoded where it trains
    feats, probs = model.encode(l_of(rgb_t).to(device))
    ab_t, idx, w = colour_targets(rgb, centres)
    return FeatureSet(
        keys,
        rgb_t,
        [f.half().cpu() for f in feats],
        probs.half().cpu(),
        ab_t.half(),
        idx.short(),
        w.half(),
    )


def _save(path: Path, fs: FeatureSet) -> None:
    """Atomically, streamed to a temporary file: the cache may be gigabytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(fs.to_dict(), fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_mapped(path: Path) -> FeatureSet | None:
    if not path.is_file():
        return None
    try:
        # Mapped, not read: the features stay file pages the kernel can drop and re-read,
        # so an 11 GB cache does not make training the first thing an out-of-memory killer
        # takes on a 24 GB machine.
        d = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        return FeatureSet(**d)
    except Exception as exc:  # a damaged cache is only lost time, never an error
        log.warning("ignoring unreadable cache %s (%s)", path, exc)
        return None


def bin_centres(model) -> torch.Tensor:
    """The ab bins' centres the targets are encoded over (the model's own, on the CPU)."""
    if hasattr(model, "ab_bins"):
        return model.ab_bins.cpu()
    return torch.from_numpy(ab_bins.gamut_bins())


@torch.no_grad()
def encoded_photos(
    model,
    photos: list[Photo],
    size: int,
    cache_dir: Path | None = None,
    batch_size: int = 32,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FeatureSet:
    """The FeatureSet of `photos` (same order; a repeated photo is encoded once)."""
    everything, rows = encoded_rows(
        model, photos, size, cache_dir, batch_size, on_progress, should_stop
    )
    if rows == list(range(len(everything))):
        return everything  # already in order: no second copy
    return everything.select(rows)


def encoded_rows(
    model,
    photos: list[Photo],
    size: int,
    cache_dir: Path | None = None,
    batch_size: int = 32,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[FeatureSet, list[int]]:
    """Every photo encoded once (a repeated one, or one already cached, too) and the row of
    each of `photos` in that set. A training pool of 20,000 photos is about 11 GB of features:
    the rows let training index it as it is, where a copy in the photos' order would not fit."""
    model.eval()
    centres = bin_centres(model)
    path = None
    stored: FeatureSet | None = None
    if cache_dir is not None:
        path = Path(cache_dir) / (
            f"encoder-{classifier_key(model.encoder)}-{size}px-{len(centres)}bins.pt"
        )
        stored = read_mapped(path)
    known = {k: i for i, k in enumerate(stored.keys)} if stored is not None else {}
    keys = [photo_key(p) for p in photos]
    todo: dict[str, Photo] = {}
    for k, p in zip(keys, photos, strict=True):
        if k not in known:
            todo.setdefault(k, p)
    missing, missing_keys = list(todo.values()), list(todo)
    # Each chunk is copied into one set of the final size as it is encoded: collecting the
    # chunks and joining them at the end held every feature twice (20,000 photos at 224 px are
    # about 11 GB), more than a 24 GB machine has beside the scanned photos.
    fresh: FeatureSet | None = None
    for start in range(0, len(missing), batch_size):
        if should_stop is not None and should_stop():
            raise TrainingCancelled("stopped while encoding the photos")
        chunk = slice(start, start + batch_size)
        part = _encode_chunk(model, missing[chunk], missing_keys[chunk], size, centres)
        if fresh is None:
            fresh = FeatureSet.empty_like(part, len(missing))
        fresh.put(start, part)
        if on_progress is not None:
            on_progress(min(start + batch_size, len(missing)), len(missing))
    parts = [p for p in (stored, fresh) if p is not None]
    everything = FeatureSet.concat(parts) if len(parts) > 1 else parts[0]
    del parts, stored, fresh
    if path is not None and missing:
        _save(path, everything)
    where = {k: i for i, k in enumerate(everything.keys)}
    return everything, [where[k] for k in keys]
