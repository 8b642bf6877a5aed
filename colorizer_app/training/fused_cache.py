"""The frozen classifiers' fused 1000-vectors, computed once per photo and cached on disk.

The classifiers never change during training, so running them every step would waste most of a
CPU's time. Each classifier has its own cache file, named by a hash of its name and weights; inside
it, each photo is keyed by a hash of its decoded pixels. A changed photo, or a
classifier with other weights, simply misses the cache; models that share a classifier share it.
The vector is of the whole photo (squashed to a square, as the classifiers
see a photo when colorizing), not of each random crop: the crops show the same scene.

Under torchrun each process reads its share of the missing photos; the shares meet through the
file system (each process writes its part beside the cache, all read all parts, the first writes
the merged cache), or, with no cache folder, through the process group.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch

from ..core import lab
from ..core.distributed import SINGLE, Group
from ..core.errors import TrainingCancelled
from ..core.fileio import write_atomically
from ..model.networks import ColorNet
from .data import Photo

log = logging.getLogger(__name__)
CLASSIFIER_INPUT = 288


def classifier_key(backbone) -> str:
    """A classifier's name and a hash of its weights: other weights never hit this cache."""
    h = hashlib.sha1(backbone.spec.name.encode())
    for name, tensor in backbone.state_dict().items():
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return f"{backbone.spec.name}-{h.hexdigest()[:16]}"


def photo_key(photo: Photo) -> str:
    """The photo's decoded size and a hash of its pixels: a copied, moved, restored or touched
    photo still hits the cache (a path and modification time would not: a fresh copy of the data
    missed it all), a changed one misses it."""
    digest = hashlib.blake2b(np.ascontiguousarray(photo.pixels).data, digest_size=12)
    h, w = photo.pixels.shape[:2]
    return f"{w}x{h}|{digest.hexdigest()}"


def _l_square(pixels: np.ndarray) -> torch.Tensor:
    square = cv2.resize(pixels, (CLASSIFIER_INPUT, CLASSIFIER_INPUT), interpolation=cv2.INTER_AREA)
    return torch.from_numpy(lab.normalize_l(lab.rgb_to_l(square)))[None]


def _read_cache(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        return {}
    try:
        stored = torch.load(path, map_location="cpu", weights_only=True)
        return dict(zip(stored["keys"], stored["vectors"], strict=True))
    except Exception as exc:  # a damaged cache is only lost time, never an error
        log.warning("ignoring unreadable cache %s (%s)", path, exc)
        return {}


def _write_cache(path: Path, cache: dict[str, torch.Tensor]) -> None:
    buf = io.BytesIO()
    torch.save({"keys": list(cache), "vectors": torch.stack(list(cache.values()))}, buf)
    write_atomically(path, buf.getvalue())


@torch.no_grad()
def fused_vectors(
    model: ColorNet,
    photos: list[Photo],
    cache_dir: Path | None = None,
    device: torch.device | str = "cpu",
    batch_size: int = 32,
    on_progress: Callable[[int, int], None] | None = None,
    group: Group = SINGLE,
    should_stop: Callable[[], bool] | None = None,
) -> torch.Tensor | None:
    """N x 1000 float16 fused vectors (the mean of the classifiers' outputs) for the photos.

    Each classifier has its own cache file, so models that share a classifier share its work.
    None for a model with no classifiers.
    """
    if not len(model.backbones) or not photos:
        return None if not len(model.backbones) else torch.zeros(0, 1000, dtype=torch.float16)
    keys = [photo_key(p) for p in photos]
    per_classifier = []
    caches = []
    for backbone in model.backbones:
        path = Path(cache_dir) / f"classifier-{classifier_key(backbone)}.pt" if cache_dir else None
        cache = _read_cache(path) if path is not None else {}
        caches.append((backbone, path, cache))
    first_of: dict[str, int] = {}  # a photo repeated to balance the data is read once
    for i, k in enumerate(keys):
        if any(k not in cache for _, _, cache in caches):
            first_of.setdefault(k, i)
    missing = group.share(list(first_of.values()))
    for start in range(0, len(missing), batch_size):
        if should_stop is not None and should_stop():
            # What was read so far is kept for next time; the run itself stops here.
            for _, path, cache in caches:
                if path is not None and start and not group.active:
                    _write_cache(path, cache)
            raise TrainingCancelled("stopped while reading the photos with the classifiers")
        chunk = missing[start : start + batch_size]
        x = torch.stack([_l_square(photos[i].pixels) for i in chunk]).to(device)
        for backbone, _, cache in caches:
            if all(keys[i] in cache for i in chunk):
                continue
            out = backbone.to(device)(x).half().cpu()
            for i, vec in zip(chunk, out, strict=True):
                cache[keys[i]] = vec
        if on_progress is not None:
            on_progress(min(start + batch_size, len(missing)), len(missing))
    if group.active:
        new = [{keys[i]: cache[keys[i]] for i in missing} for _, _, cache in caches]
        for (_, _, cache), found in zip(caches, _exchange(new, cache_dir, group), strict=True):
            cache.update(found)
        missing = list(first_of.values())  # the whole group's work, for the cache write below
    for _, path, cache in caches:
        if path is not None and missing and group.is_main:
            _write_cache(path, cache)
        per_classifier.append(torch.stack([cache[k] for k in keys]).float())
    return torch.stack(per_classifier).mean(0).half()


def _exchange(new: list[dict], cache_dir: Path | None, group: Group) -> list[dict]:
    """Each classifier's vectors computed by any process, on every process."""
    merged: list[dict] = [{} for _ in new]
    if cache_dir is None:
        for theirs in group.gather(new):
            for m, part in zip(merged, theirs, strict=True):
                m.update(part)
        return merged
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    parts = [Path(cache_dir) / f"part-{r}-of-{group.world}.pt" for r in range(group.world)]
    buf = io.BytesIO()
    torch.save(new, buf)
    write_atomically(parts[group.rank], buf.getvalue())
    group.barrier()
    for part in parts:
        for m, found in zip(merged, torch.load(part, map_location="cpu"), strict=True):
            m.update(found)
    group.barrier()  # every process has read every part before any part goes
    parts[group.rank].unlink(missing_ok=True)
    return merged
