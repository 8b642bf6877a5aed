"""Folders of colour photos -> a deterministic split and a dataset of (L, ab) pairs.

Scanning decodes each photo once, keeps a small copy in memory (photos for colorization training
are small once resized, and a 2-core machine cannot afford to decode JPEGs every epoch), counts
unreadable files and those with almost no colour, and leaves both out.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from ..core import lab
from ..core.errors import ColorizerError
from ..core.imageio import load_image, to_uint8
from ..core.photo_files import COPY_ENDINGS, find_images
from .metrics import colorfulness
from .settings import DEFAULT_MIN_COLORFULNESS, SPLIT_MODES

log = logging.getLogger(__name__)
P = TypeVar("P", "Photo", "PhotoFile")  # what the splits take: a decoded photo or one only named


@dataclass
class Photo:
    path: Path
    group: str  # what the split hashes: the file, or its folder (an identity in LFW)
    pixels: np.ndarray  # uint8 RGB, shorter side at most `keep_side`


@dataclass
class PhotoFile:
    """A photo only named (streaming): where it is and what the split hashes."""

    path: Path
    group: str


@dataclass
class ScanReport:
    usable: list[Photo] = field(default_factory=list)
    gray: list[Path] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    # The app's own copies (_colorized, _restored) in the folders: its guesses, not true colour
    # (a trial's fine-tune folder counted its colorized copies among the photos to learn from).
    copies: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        copies = f", {len(self.copies)} of the app's own copies left out" if self.copies else ""
        return (
            f"{len(self.usable)} usable, {len(self.gray)} left out as (almost) gray, "
            f"{len(self.unreadable)} unreadable{copies}"
        )


def shrink(rgb: np.ndarray, shorter_side: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = shorter_side / min(h, w)
    if scale >= 1.0:
        return rgb
    return cv2.resize(
        rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )


def name_digest(text: str) -> str:
    """A stable hex digest of a name (a path, a group): what the splits and samples are drawn
    by. surrogateescape: a Linux name that is not UTF-8 raised here; UTF-8 names hash as ever,
    so no split changes."""
    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()


def group_key(path: Path, root: Path, split_by: str) -> str:
    """`file`: the file itself. `folder`: the subfolder it sits in (LFW's identity), so all of
    one person's photos land on the same side; files directly in the root count one by one."""
    rel = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    if split_by == "folder" and rel.parent != Path("."):
        return f"{root.name}/{rel.parent.as_posix()}"
    return f"{root.name}/{rel.as_posix()}"


def _at_most_per_folder(items: list[tuple[Path, Path]], n: int) -> list[tuple[Path, Path]]:
    """The first n photos (by name) of each subfolder: in LFW, a few hundred photos of one
    person would otherwise outweigh thousands of people seen once."""
    kept: dict[Path, int] = {}
    out = []
    for path, root in sorted(items):
        if path.parent == root:  # files directly in a data folder are each their own group
            out.append((path, root))
        elif kept.get(path.parent, 0) < n:
            kept[path.parent] = kept.get(path.parent, 0) + 1
            out.append((path, root))
    return out


def _listed(
    folders: list[Path],
    split_by: str,
    limit: int | None,
    per_folder: int | None,
    copies: list[Path] | None = None,
) -> list[tuple[Path, Path]]:
    """(photo, the data folder it was found under) of every photo the options take."""
    if split_by not in SPLIT_MODES:
        raise ColorizerError(f"--split-by must be one of {', '.join(SPLIT_MODES)}")
    items: list[tuple[Path, Path]] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.exists():
            raise ColorizerError(f"{folder}: folder not found; check the path")
        root = folder if folder.is_dir() else folder.parent
        items += [(p, root) for p in find_images([folder], COPY_ENDINGS, copies)]
    if per_folder is not None:
        items = _at_most_per_folder(items, per_folder)
    if limit is not None:
        items = sorted(items, key=lambda pr: name_digest(str(pr[0])))[:limit]
    return items


def list_photo_files(
    folders: list[Path],
    split_by: str = "file",
    limit: int | None = None,
    per_folder: int | None = None,
) -> list[PhotoFile]:
    """The photos scan_folders would look at, only named (none decoded): for streaming, where
    millions of photos cannot be decoded up front. Gray and unreadable ones are found later, as
    they are read (stream.PhotoStream)."""
    return [
        PhotoFile(p, group_key(p, r, split_by))
        for p, r in _listed(folders, split_by, limit, per_folder)
    ]


def scan_folders(
    folders: list[Path],
    keep_side: int = 160,
    min_colorfulness: float = DEFAULT_MIN_COLORFULNESS,
    split_by: str = "file",
    limit: int | None = None,
    per_folder: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ScanReport:
    """Decode every photo under the folders once; sort them into usable, gray and unreadable."""
    report = ScanReport()
    items = _listed(folders, split_by, limit, per_folder, report.copies)
    for i, (path, root) in enumerate(items):
        if should_stop is not None and should_stop():
            break
        try:
            image = load_image(path)
        except ColorizerError as exc:
            report.unreadable.append((path, str(exc)))
            log.warning("skipped %s", exc)
        else:
            small = shrink(to_uint8(image.rgb), keep_side)
            if image.was_grayscale or colorfulness(shrink(small, 64)) < min_colorfulness:
                report.gray.append(path)
            else:
                report.usable.append(Photo(path, group_key(path, root, split_by), small))
        if on_progress is not None:
            on_progress(i + 1, len(items))
    if report.unreadable:
        log.warning(
            "%d unreadable file(s) skipped: %s",
            len(report.unreadable),
            ", ".join(str(p) for p, _ in report.unreadable[:10]),
        )
    return report


def is_test(group: str, test_fraction: float = 0.25) -> bool:
    """Deterministic split by a hash of the group: the same on every machine and every run."""
    h = int(name_digest(group)[:8], 16)
    return (h % 10_000) < test_fraction * 10_000


def split_photos(photos: list[P], test_fraction: float = 0.25) -> tuple[list[P], list[P]]:
    train = [p for p in photos if not is_test(p.group, test_fraction)]
    test = [p for p in photos if is_test(p.group, test_fraction)]
    return train, test


def validation_split(pool: list[P], fraction: float = 0.1) -> tuple[list[P], list[P]]:
    """The training pool (what split_photos leaves for training) -> (train, validation), by
    another hash of the group: settings are chosen on validation, never on the test quarter."""
    val = [p for p in pool if is_test(p.group + "#validation", fraction)]
    return [p for p in pool if not is_test(p.group + "#validation", fraction)], val


def balanced_rows(photos: Sequence[Photo | PhotoFile], folders: list, max_repeat: int) -> list[int]:
    """Row indices with the photos of smaller data folders repeated (each at most max_repeat
    times) so each folder weighs about the same; 0: every photo once."""
    by_folder: dict[str, list[int]] = {}
    for i, p in enumerate(photos):
        root = next((str(f) for f in folders if p.path.is_relative_to(Path(f))), "")
        by_folder.setdefault(root, []).append(i)
    if not max_repeat or not photos:
        return list(range(len(photos)))
    largest = max(len(v) for v in by_folder.values())
    rows: list[int] = []
    for items in by_folder.values():
        rows += items * max(1, min(max_repeat, round(largest / len(items))))
    return rows


def repeat_views(
    photos: list[Photo], rows: list[int], size: int, seed: int = 0
) -> tuple[list[Photo], list[int]]:
    """`rows` (from balanced_rows) with every repeat of a photo replaced by a view of it of its
    own: a random crop (half the photo or more) and, half the time, its mirror image.

    With a frozen encoder each photo is encoded once and cached, so a repeated photo is the very
    same sample again; a view is a new one. The views are seeded by the photo's pixels and the
    repeat's number, so the same views come back on every run (and hit the feature cache).
    Returns the photos followed by the views, and the rows into that list."""
    out = list(photos)
    seen: dict[int, int] = {}
    pixel_seeds: dict[int, int] = {}  # each repeated photo hashed once, not once per repeat
    new_rows = []
    for row in rows:
        k = seen[row] = seen.get(row, 0) + 1
        if k == 1:
            new_rows.append(row)
            continue
        p = photos[row]
        if row not in pixel_seeds:
            digest = hashlib.blake2b(np.ascontiguousarray(p.pixels).data, digest_size=8)
            pixel_seeds[row] = int.from_bytes(digest.digest(), "little")
        rng = np.random.default_rng([seed, k, pixel_seeds[row]])
        view = random_resized_crop(p.pixels, size, rng, scale=(0.5, 1.0))
        if rng.random() < 0.5:
            view = np.ascontiguousarray(view[:, ::-1])
        new_rows.append(len(out))
        out.append(Photo(p.path, p.group, view))
    return out, new_rows


def lab_pair(rgb: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 RGB -> (L in [-1, 1] as 1xHxW, ab / 128 as 2xHxW), the paper's normalisation."""
    lab_img = lab.rgb_to_lab(rgb)
    l = torch.from_numpy(lab.normalize_l(lab_img[:, :, 0]))[None]
    ab = torch.from_numpy(np.ascontiguousarray(lab_img[:, :, 1:].transpose(2, 0, 1)))
    return l, ab / lab.AB_SCALE


def random_resized_crop(
    rgb: np.ndarray, size: int, rng: np.random.Generator, scale=(0.35, 1.0), ratio=(0.75, 1.333)
) -> np.ndarray:
    h, w = rgb.shape[:2]
    area = h * w
    for _ in range(10):
        target = area * rng.uniform(*scale)
        aspect = np.exp(rng.uniform(np.log(ratio[0]), np.log(ratio[1])))
        cw = int(round(np.sqrt(target * aspect)))
        ch = int(round(np.sqrt(target / aspect)))
        if 0 < cw <= w and 0 < ch <= h:
            y = int(rng.integers(0, h - ch + 1))
            x = int(rng.integers(0, w - cw + 1))
            crop = rgb[y : y + ch, x : x + cw]
            break
    else:
        return center_crop(rgb, size)
    interp = cv2.INTER_AREA if crop.shape[0] > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interp)


def center_crop(rgb: np.ndarray, size: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    crop = rgb[y : y + side, x : x + side]
    interp = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interp)


class ColorPhotoDataset(Dataset):
    """(L, ab, fused 1000-vector, index). Augmentation is seeded by (seed, epoch, index), so a
    resumed run sees exactly the crops an unbroken one would."""

    def __init__(
        self,
        photos: list[Photo],
        size: int,
        augment: bool,
        seed: int = 0,
        fused: torch.Tensor | None = None,
    ):
        self.photos = photos
        self.size = size
        self.augment = augment
        self.seed = seed
        self.epoch = 0
        self.fused = fused

    def __len__(self) -> int:
        return len(self.photos)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __getitem__(self, index: int):
        return self._item(index, self.augment)

    def plain(self, index: int):
        """The item as a held-out photo is given: centre-cropped, never augmented."""
        return self._item(index, False)

    def _item(self, index: int, augment: bool):
        rgb = self.photos[index].pixels
        if augment:
            rng = np.random.default_rng([self.seed, self.epoch, index])
            rgb = random_resized_crop(rgb, self.size, rng)
            if rng.random() < 0.5:
                rgb = np.ascontiguousarray(rgb[:, ::-1])
        else:
            rgb = center_crop(rgb, self.size)
        l, ab = lab_pair(rgb)
        fused = self.fused[index].float() if self.fused is not None else torch.zeros(0)
        return l, ab, fused, index
