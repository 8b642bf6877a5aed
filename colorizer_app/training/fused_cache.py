"""The frozen classifiers' fused 1000-vectors, computed once per photo and cached on disk.

The classifiers never change during training, so running them every step would waste most of a
CPU's time. A cache file is keyed by a hash of the classifiers' names and weights; inside it, each
photo is keyed by its path, size and modification time. A changed photo, or other classifiers,
simply miss the cache. The vector is of the whole photo (squashed to a square, as the classifiers
see a photo when colorizing), not of each random crop: the crops show the same scene.
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
from ..core.imageio import write_atomically
from ..model.hybrid import HybridColorizer
from .data import Photo

log = logging.getLogger(__name__)
CLASSIFIER_INPUT = 288


def classifiers_key(model: HybridColorizer) -> str:
    h = hashlib.sha1()
    for backbone in model.backbones:
        h.update(backbone.spec.name.encode())
        for name, tensor in backbone.state_dict().items():
            h.update(name.encode())
            h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:20]


def photo_key(photo: Photo) -> str:
    try:
        st = photo.path.stat()
        return f"{photo.path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    except OSError:
        return f"{photo.path}|?"


def _l_square(pixels: np.ndarray) -> torch.Tensor:
    square = cv2.resize(pixels, (CLASSIFIER_INPUT, CLASSIFIER_INPUT), interpolation=cv2.INTER_AREA)
    return torch.from_numpy(lab.normalize_l(lab.rgb_to_l(square)))[None]


@torch.no_grad()
def fused_vectors(
    model: HybridColorizer,
    photos: list[Photo],
    cache_dir: Path | None = None,
    device: torch.device | str = "cpu",
    batch_size: int = 32,
    on_progress: Callable[[int, int], None] | None = None,
) -> torch.Tensor | None:
    """N x 1000 float16 fused vectors for the photos (None for a model with no classifiers)."""
    if not len(model.backbones):
        return None
    cache: dict[str, torch.Tensor] = {}
    cache_file = None
    if cache_dir is not None:
        cache_file = Path(cache_dir) / f"fused-{classifiers_key(model)}.pt"
        if cache_file.is_file():
            try:
                stored = torch.load(cache_file, map_location="cpu", weights_only=True)
                cache = dict(zip(stored["keys"], stored["vectors"], strict=True))
            except Exception as exc:  # a damaged cache is only lost time, never an error
                log.warning("ignoring unreadable cache %s (%s)", cache_file, exc)
    keys = [photo_key(p) for p in photos]
    first_of: dict[str, int] = {}  # a photo repeated to balance the data is read once
    for i, k in enumerate(keys):
        if k not in cache:
            first_of.setdefault(k, i)
    missing = list(first_of.values())
    backbones = model.backbones.to(device)
    for start in range(0, len(missing), batch_size):
        chunk = missing[start : start + batch_size]
        x = torch.stack([_l_square(photos[i].pixels) for i in chunk]).to(device)
        fused = torch.stack([b(x) for b in backbones]).mean(0).half().cpu()
        for i, vec in zip(chunk, fused, strict=True):
            cache[keys[i]] = vec
        if on_progress is not None:
            on_progress(min(start + batch_size, len(missing)), len(missing))
    if cache_file is not None and missing:
        buf = io.BytesIO()
        torch.save({"keys": list(cache), "vectors": torch.stack(list(cache.values()))}, buf)
        write_atomically(cache_file, buf.getvalue())
    return torch.stack([cache[k] for k in keys])
