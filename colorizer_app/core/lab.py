"""RGB <-> CIE Lab (D65, sRGB), numpy/OpenCV for full-size images and torch for batches.

Conventions shared by the model, the Colorizer and training:
  L in [0, 100] is scaled to [-1, 1] as L / 50 - 1 (the paper's input);
  a, b in about [-128, 127] are scaled by 1/128 (the paper's targets, tanh outputs).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import numpy.typing as npt
import torch

AB_SCALE = 128.0
# Pixels converted at once: bounds the float32 temporaries of each strip to a few tens of MB
# at any width, and gives a 12 MP photo two dozen strips to share among the cores.
STRIP_PIXELS = 1 << 19
# Strips converted side by side (each holds its own temporaries: about 20 MB).
WORKERS = max(1, min(4, os.cpu_count() or 1))


def to_float01(rgb: np.ndarray) -> np.ndarray:
    """uint8 / uint16 / float image -> float32 in [0, 1]."""
    if rgb.dtype == np.uint8:
        return rgb.astype(np.float32) * (1.0 / 255.0)
    if rgb.dtype == np.uint16:
        return rgb.astype(np.float32) * (1.0 / 65535.0)
    return np.clip(rgb.astype(np.float32, copy=False), 0.0, 1.0)


def from_float01(rgb: np.ndarray, dtype: npt.DTypeLike) -> np.ndarray:
    """float [0, 1] -> dtype (uint8 or uint16), rounded and clipped."""
    dtype = np.dtype(dtype)
    if dtype == np.uint8:
        peak = 255.0
    elif dtype == np.uint16:
        peak = 65535.0
    else:
        return np.clip(rgb, 0.0, 1.0).astype(dtype)
    out = np.clip(rgb, 0.0, 1.0) * peak + 0.5
    return out.astype(dtype)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """HxWx3 RGB (any dtype) -> HxWx3 float32 Lab."""
    return cv2.cvtColor(to_float01(rgb), cv2.COLOR_RGB2Lab)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """HxWx3 float32 Lab -> HxWx3 float32 RGB in [0, 1] (out-of-gamut colours clipped)."""
    rgb = cv2.cvtColor(np.ascontiguousarray(lab, dtype=np.float32), cv2.COLOR_Lab2RGB)
    return np.clip(rgb, 0.0, 1.0, out=rgb)


def lab_to_hex(l: float, a: float, b: float) -> str:
    """One Lab colour -> "#rrggbb" (sRGB, out-of-gamut clipped)."""
    rgb = lab_to_rgb(np.array([[[l, a, b]]], np.float32))[0, 0]
    return "#" + "".join(f"{int(round(float(v) * 255)):02x}" for v in rgb)


def _strips(height: int, width: int) -> list[tuple[int, int]]:
    """(first row, rows) of the strips a full-size pass works in: about STRIP_PIXELS each."""
    rows = max(16, STRIP_PIXELS // max(1, width))
    return [(y, min(rows, height - y)) for y in range(0, height, rows)]


def _each_strip(height: int, width: int, work: Callable[[int, int], None]) -> None:
    """work(y, n) on every strip, on WORKERS threads: numpy is single-threaded and OpenCV's
    arithmetic mostly so, and both release the GIL, so strips run side by side on every core."""
    strips = _strips(height, width)
    if len(strips) == 1 or WORKERS == 1:
        for y, n in strips:
            work(y, n)
        return
    with ThreadPoolExecutor(min(WORKERS, len(strips))) as pool:
        for done in [pool.submit(work, y, n) for y, n in strips]:
            done.result()


@functools.cache
def _l_of_gray() -> np.ndarray:
    """L of each 8-bit gray level, made by the very conversion rgb_to_lab runs on each pixel,
    so a gray photo's L read from this table is the same to the last bit."""
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[:, None, None], 3, axis=2)
    return np.ascontiguousarray(rgb_to_lab(ramp)[:, 0, 0])


def _gray_strip(strip: np.ndarray) -> np.ndarray | None:
    """The strip's first channel (contiguous) if its R, G and B are equal everywhere, else
    None. OpenCV's split and largest difference: a quarter of the time of numpy's comparisons
    of interleaved channels."""
    r, g, b = cv2.split(strip)[:3]
    if cv2.norm(r, g, cv2.NORM_INF) or cv2.norm(r, b, cv2.NORM_INF):
        return None
    return r


def is_gray(rgb: np.ndarray) -> bool:
    """An 8-bit gray photo (HxW, or HxWx3 with R = G = B): what most scans are, and L is then a
    table. Checked strip by strip, so a huge scan needs no full-size temporaries."""
    if rgb.dtype != np.uint8:
        return False
    if rgb.ndim == 2:
        return True
    return all(_gray_strip(rgb[y : y + n]) is not None for y, n in _strips(*rgb.shape[:2]))


def gray_plane(rgb: np.ndarray) -> np.ndarray | None:
    """The one channel of an 8-bit gray photo, contiguous; None for anything else (colour,
    16-bit, float)."""
    if rgb.dtype != np.uint8:
        return None
    if rgb.ndim == 2:
        return rgb
    strips = _strips(*rgb.shape[:2])
    if len(strips) == 1:  # a strip of the full-size pass: the split's own plane, not a copy
        return _gray_strip(rgb)
    plane = np.empty(rgb.shape[:2], np.uint8)
    for y, n in strips:
        rows = _gray_strip(rgb[y : y + n])
        if rows is None:
            return None
        plane[y : y + n] = rows
    return plane


# Y of linear sRGB (D65), the row OpenCV's conversion uses.
_Y_OF_RGB = (0.212671, 0.715160, 0.072169)


def _precise_l(rgb: np.ndarray) -> np.ndarray:
    """L of 16-bit or float pixels, worked out in full: OpenCV's float conversion reads sRGB's
    curve from a table of 1024 steps, and a 16-bit gray scan's 65,536 levels came back as 513
    (an archivist's trial). 8-bit photos keep OpenCV's own L, which the models learnt."""
    c = to_float01(rgb)
    lin = np.where(c <= 0.04045, c * np.float32(1 / 12.92), ((c + 0.055) / 1.055) ** 2.4)
    y = lin if lin.ndim == 2 else sum(lin[..., i] * np.float32(k) for i, k in enumerate(_Y_OF_RGB))
    l = np.where(y > 0.008856, 116.0 * np.cbrt(y) - 16.0, 903.3 * y)
    return np.clip(l, 0.0, 100.0).astype(np.float32)


def _l_of_rows(rgb: np.ndarray) -> np.ndarray:
    plane = gray_plane(rgb)
    if plane is not None:
        return cv2.LUT(plane, _l_of_gray())
    if rgb.dtype != np.uint8:
        return _precise_l(rgb)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    return cv2.extractChannel(rgb_to_lab(rgb), 0)


def rgb_to_l(rgb: np.ndarray) -> np.ndarray:
    """HxWx3 RGB (or HxW gray) -> HxW float32 L in [0, 100], converted in strips of rows."""
    h, w = rgb.shape[:2]
    out = np.empty((h, w), np.float32)

    def work(y: int, n: int) -> None:
        out[y : y + n] = _l_of_rows(rgb[y : y + n])

    _each_strip(h, w, work)
    return out


def compose_l_ab(l_full: np.ndarray, ab_full: np.ndarray, dtype: npt.DTypeLike) -> np.ndarray:
    """Full-size L (HxW) + ab (HxWx2) -> RGB of `dtype`, in strips so memory stays bounded."""
    return compose_l_ab_rows(l_full, lambda y, n: ab_full[y : y + n], dtype)


def compose_l_ab_rows(
    l_full: np.ndarray, ab_rows, dtype: npt.DTypeLike, saturation: float = 1.0
) -> np.ndarray:
    """As compose_l_ab, with ab made strip by strip by `ab_rows(y, n)` (n x W x 2): the
    full-resolution ab of a large scan is never held whole."""
    h, w = l_full.shape

    def planes(y: int, n: int, _l: np.ndarray) -> list[np.ndarray]:
        return list(cv2.split(np.ascontiguousarray(ab_rows(y, n), dtype=np.float32)))

    return compose_rows(h, w, lambda y, n: l_full[y : y + n], planes, dtype, saturation)


def compose_rows(
    height: int,
    width: int,
    l_rows: Callable[[int, int], np.ndarray],
    ab_rows: Callable[[int, int, np.ndarray], Sequence[np.ndarray]],
    dtype: npt.DTypeLike,
    saturation: float = 1.0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """RGB of `dtype` made strip by strip: `l_rows(y, n)` gives the strip's L (n x W float32),
    `ab_rows(y, n, l)` its a and b (two n x W float32 planes). Neither full-resolution L nor ab
    is ever held whole. `out` (height x width x 3 of `dtype`) is written in place, and may be
    the very photo `l_rows` reads: each strip's L is read before that strip is written (a 150
    MP scan then needs no second copy). Strips run on every core (they never overlap)."""
    dtype = np.dtype(dtype)
    if out is None:
        out = np.empty((height, width, 3), dtype)
    peak = {np.dtype(np.uint8): (255.0, cv2.CV_8U), np.dtype(np.uint16): (65535.0, cv2.CV_16U)}

    def work(y: int, n: int) -> None:
        l_strip = np.ascontiguousarray(l_rows(y, n), dtype=np.float32)
        a, b = ab_rows(y, n, l_strip)
        if saturation != 1.0:
            a, b = a * np.float32(saturation), b * np.float32(saturation)
        merged = cv2.merge([l_strip, a, b])
        if dtype in peak:
            rgb = cv2.cvtColor(merged, cv2.COLOR_Lab2RGB, dst=merged)
            # Scaled, rounded and clipped in one pass, straight into the output rows (one
            # channel wide, so the scalar scales every value; some OpenCV stubs lack that form).
            scale, depth = peak[dtype]
            rows = out[y : y + n].reshape(n, width * 3)
            cv2.multiply(rgb.reshape(n, width * 3), scale, dst=rows, dtype=depth)  # type: ignore[call-overload, unused-ignore]
        else:
            out[y : y + n] = from_float01(lab_to_rgb(merged), dtype)

    _each_strip(height, width, work)
    return out


# Above this many pixels, the network's small L is made from an area-shrunk copy of the photo
# (2048 px on the long side) instead of from its full-resolution L: the same colour to a
# fraction of a level, without a float copy of a huge scan (600 MB at 150 MP).
EXACT_SMALL_L_PIXELS = 4_000_000
SHRINK_SIDE = 2048
PLANE_PIXELS = 50_000_000


def rgb_to_small_l(rgb: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """L of the photo area-resized to size_hw (h, w), float32 in [0, 100]."""
    h, w = rgb.shape[:2]
    if h * w > EXACT_SMALL_L_PIXELS:
        # A gray photo is shrunk as its one channel: a third of the work, the same numbers
        # (its copy costs a byte a pixel: not for the largest scans, where memory is the bound).
        plane = gray_plane(rgb) if h * w <= PLANE_PIXELS else None
        scale = SHRINK_SIDE / max(h, w)
        rgb = cv2.resize(
            rgb if plane is None else plane,
            (max(1, round(w * scale)), max(1, round(h * scale))),
            interpolation=cv2.INTER_AREA,
        )
    l = rgb_to_l(rgb)
    return cv2.resize(l, (size_hw[1], size_hw[0]), interpolation=cv2.INTER_AREA)


def normalize_l(l: np.ndarray | torch.Tensor):
    """L [0, 100] -> [-1, 1]."""
    return l / 50.0 - 1.0


def denormalize_l(l_norm: np.ndarray | torch.Tensor):
    return (l_norm + 1.0) * 50.0


# ---- torch, for batches in training and for feeding the frozen classifiers --------------------

_D65 = (0.950456, 1.0, 1.088754)
_RGB_TO_XYZ = torch.tensor(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
)
_XYZ_TO_RGB = torch.linalg.inv(_RGB_TO_XYZ)
_EPS = 0.008856
_KAPPA = 903.3


def _srgb_to_linear(c: torch.Tensor) -> torch.Tensor:
    return torch.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(c: torch.Tensor) -> torch.Tensor:
    c = c.clamp(min=0.0)
    return torch.where(c <= 0.0031308, c * 12.92, 1.055 * c.clamp(min=1e-8) ** (1 / 2.4) - 0.055)


def rgb_to_lab_torch(rgb: torch.Tensor) -> torch.Tensor:
    """Nx3xHxW RGB in [0, 1] -> Nx3xHxW Lab (same formulas as OpenCV's float path)."""
    lin = _srgb_to_linear(rgb.clamp(0.0, 1.0))
    xyz = torch.einsum("ij,njhw->nihw", _RGB_TO_XYZ.to(rgb), lin)
    xyz = xyz / torch.tensor(_D65, dtype=rgb.dtype, device=rgb.device).view(1, 3, 1, 1)
    f = torch.where(xyz > _EPS, xyz.clamp(min=1e-8) ** (1 / 3), (_KAPPA * xyz + 16) / 116)
    l = torch.where(xyz[:, 1:2] > _EPS, 116 * f[:, 1:2] - 16, _KAPPA * xyz[:, 1:2])
    a = 500 * (f[:, 0:1] - f[:, 1:2])
    b = 200 * (f[:, 1:2] - f[:, 2:3])
    return torch.cat([l, a, b], dim=1)


def lab_to_rgb_torch(lab: torch.Tensor) -> torch.Tensor:
    """Nx3xHxW Lab -> Nx3xHxW RGB in [0, 1] (clipped)."""
    l, a, b = lab[:, 0:1], lab[:, 1:2], lab[:, 2:3]
    fy = (l + 16) / 116
    fx = fy + a / 500
    fz = fy - b / 200
    f = torch.cat([fx, fy, fz], dim=1)
    xyz = torch.where(f**3 > _EPS, f**3, (116 * f - 16) / _KAPPA)
    xyz = xyz * torch.tensor(_D65, dtype=lab.dtype, device=lab.device).view(1, 3, 1, 1)
    lin = torch.einsum("ij,njhw->nihw", _XYZ_TO_RGB.to(lab), xyz)
    return _linear_to_srgb(lin).clamp(0.0, 1.0)


def l_norm_to_gray_rgb(l_norm: torch.Tensor) -> torch.Tensor:
    """Nx1xHxW L in [-1, 1] -> Nx3xHxW sRGB gray in [0, 1]: what a gray photo of that L looks like.

    The frozen classifiers were trained on sRGB photos, so they get the sRGB gray a person would
    see, not L/100 (which is not linear in sRGB).
    """
    l = denormalize_l(l_norm)
    fy = (l + 16) / 116
    y = torch.where(fy**3 > _EPS, fy**3, l / _KAPPA)
    return _linear_to_srgb(y).clamp(0.0, 1.0).expand(-1, 3, -1, -1)
