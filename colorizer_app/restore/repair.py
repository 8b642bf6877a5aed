"""Repairs of L: filling damaged pixels, lifting a faded print's tones, taking out grain.

Each leaves a good print alone: no mask, nothing filled; full tones, no stretch; no grain measured,
no smoothing. All work in L units ([0, 100], float32).
"""

from __future__ import annotations

import cv2
import numpy as np

# Inpainting works tile by tile, only where there is damage, with this margin of known pixels
# around each tile (the fill reads a few pixels from the edge of a hole).
TILE = 512
MARGIN = 24
METHODS = {"telea": cv2.INPAINT_TELEA, "ns": cv2.INPAINT_NS}


def inpaint(
    channel: np.ndarray, mask: np.ndarray, method: str = "telea", radius: float = 3.0
) -> np.ndarray:
    """`channel` (float32) with the pixels of `mask` filled from their surroundings (OpenCV's
    Telea or Navier-Stokes inpainting); tiles without damage are not touched."""
    out = channel.astype(np.float32, copy=True)
    if not mask.any():
        return out
    flag = METHODS[method]
    h, w = mask.shape
    m8 = mask.astype(np.uint8)
    for y in range(0, h, TILE):
        for x in range(0, w, TILE):
            if not m8[y : y + TILE, x : x + TILE].any():
                continue
            y0, x0 = max(0, y - MARGIN), max(0, x - MARGIN)
            y1, x1 = min(h, y + TILE + MARGIN), min(w, x + TILE + MARGIN)
            filled = cv2.inpaint(
                channel[y0:y1, x0:x1].astype(np.float32), m8[y0:y1, x0:x1], radius, flag
            )
            core = filled[y - y0 : y - y0 + TILE, x - x0 : x - x0 + TILE]
            out[y : y + TILE, x : x + TILE] = core
    return out


# A scan larger than this (long side) is filled on a copy of this size, the fill brought back up
# into the damaged pixels only: a scratch a few pixels wide on the detector's 1024 px copy is
# 4 to 20 px wide on a 12 MP scan, and what fills it is smooth anyway (Telea's fill has no
# grain), so the full size adds time (6 s of a 12 MP scan's 9% damage) and no detail.
FILL_SIDE = 2048


def fill(channel: np.ndarray, mask: np.ndarray, method: str = "telea") -> np.ndarray:
    """`inpaint`, on a copy at most FILL_SIDE for a larger photo: only the pixels of `mask`
    change, the rest is the photo's own at full size."""
    h, w = mask.shape
    scale = FILL_SIDE / max(h, w)
    if scale >= 1.0 or not mask.any():
        return inpaint(channel, mask, method)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(channel.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    # A reduced pixel with any damage in it is damage: the fill reads only clean pixels.
    small_mask = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
    up = cv2.resize(inpaint(small, small_mask, method), (w, h), interpolation=cv2.INTER_LINEAR)
    out = channel.astype(np.float32, copy=True)
    out[mask] = up[mask]
    return out


def widen(mask: np.ndarray, pixels: int) -> np.ndarray:
    """The mask grown by `pixels`: a scratch's soft edge is filled with its core."""
    if pixels <= 0 or not mask.any():
        return mask
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * pixels + 1,) * 2)
    return cv2.dilate(mask.astype(np.uint8), k) > 0


# ---- fading -------------------------------------------------------------------------------------

# Where a good print's darkest and lightest tones lie (L at the 0.5th and 99.5th percentiles),
# and how sure a print is faded: a lifted black AND a dulled white, each judged on a ramp. One of
# the two alone is a photo's own key (a dark interior, a snowfield); both at once is a faded print
# or a photo flat by nature (fog, haze), which levels only harm. On about 680 clean photos
# (BSDS500 train, ImageNet, the scenes, Sun-Hays, LFW, McMaster; 100 a folder at most), the hard
# rule before (black above 12 and white below 86, stretched in full) took 2.4% of them below
# 35 dB PSNR, the worst to 12 dB; these ramps take 0.7% (the worst 19 dB). The price: held-out
# synthetic fading (64 photos) is lifted from 18.7 to 23.5 dB instead of 25.1. (A one-off
# comparison; tests/tools/restore_clean.py measures each step on clean photos.)
GOOD_BLACK, GOOD_WHITE = 6.0, 94.0
FADED_BLACK = (14.0, 22.0)  # black: no sign of fading below 14, full sign from 22
FADED_WHITE = (84.0, 76.0)  # white: none above 84, full below 76


def fading_strength(black: float, white: float) -> float:
    """0 (a good print: left alone) to 1 (faded at both ends: levelled in full)."""
    b = (black - FADED_BLACK[0]) / (FADED_BLACK[1] - FADED_BLACK[0])
    w = (FADED_WHITE[0] - white) / (FADED_WHITE[0] - FADED_WHITE[1])
    return float(np.clip(b, 0.0, 1.0) * np.clip(w, 0.0, 1.0))


def tone_levels(l: np.ndarray) -> tuple[float, float]:
    """(black, white): L at the 0.5th and 99.5th percentiles, on a reduced copy."""
    h, w = l.shape
    step = max(1, int(max(h, w) / 800))
    sample = l[::step, ::step]
    lo, hi = np.percentile(sample, (0.5, 99.5))
    return float(lo), float(hi)


def fading_levels(l: np.ndarray) -> tuple[float, float, float] | None:
    """(black, new black, gain): the faded print's black point, where it goes and how much its
    tones are stretched; None for a print not faded at both ends (left alone)."""
    black, white = tone_levels(l)
    strength = fading_strength(black, white)
    if strength <= 0.0 or white - black < 5.0:
        return None
    new_black = black + strength * (GOOD_BLACK - black)
    new_white = white + strength * (GOOD_WHITE - white)
    return black, new_black, (new_white - new_black) / (white - black)


def repair_fading(l: np.ndarray) -> np.ndarray:
    """Levels: a faded print's black is brought towards GOOD_BLACK and its white towards
    GOOD_WHITE (as far as `fading_strength` says), linearly between; a print not faded at both
    ends is returned as it came (the same array)."""
    levels = fading_levels(l)
    return l if levels is None else apply_levels(l, levels)


def apply_levels(l: np.ndarray, levels: tuple[float, float, float]) -> np.ndarray:
    black, new_black, gain = levels
    return np.clip((l - black) * gain + new_black, 0.0, 100.0).astype(np.float32)


# ---- grain --------------------------------------------------------------------------------------

# Below this measured noise (L units) a print is clean enough: smoothing would only soften it.
GRAIN_FLOOR = 1.2
GRAIN_STRENGTH = 1.1  # non-local means' h, per unit of measured noise
BLOCK = 8
FLATTEST = 2  # percentile of the blocks' spreads taken as the grain's
# What that percentile reads of grain's standard deviation, on flat gray: 0.80 for fine grain,
# 0.47 for grain clumped by 1.2 px (the synthetic range); 0.7 in between.
FINE_SHARE = 0.7


def grain_level(l: np.ndarray) -> float:
    """The grain's standard deviation (L units), measured where the photo is flattest: the
    detail finer than a 3 px blur, its spread in 8 px blocks, the 2nd percentile of the blocks
    (a patch of sky or wall: there the fine detail is the grain alone; a larger block or a higher
    percentile reads a textured photo's texture as grain, and smooths a good print). Clumped
    grain is caught too, which a per-pixel (Laplacian) estimate misses. Up to nine 256 px
    patches are looked at."""
    h, w = l.shape
    size = min(256, h, w)
    spreads = []
    for y in sorted({0, max(0, h // 2 - size // 2), h - size})[:3]:
        for x in sorted({0, max(0, w // 2 - size // 2), w - size})[:3]:
            patch = l[y : y + size, x : x + size].astype(np.float32)
            fine = patch - cv2.GaussianBlur(patch, (0, 0), 3.0)
            n = size // BLOCK
            if n == 0:  # a side under 8 px (a strip, a 1 px photo): no block to measure
                continue
            blocks = fine[: n * BLOCK, : n * BLOCK].reshape(n, BLOCK, n, BLOCK)
            spreads.append(blocks.std(axis=(1, 3)).ravel())
    if not spreads:
        return 0.0
    return float(np.percentile(np.concatenate(spreads), FLATTEST)) / FINE_SHARE


def repair_grain(l: np.ndarray, level: float | None = None) -> np.ndarray:
    """Non-local means over L (OpenCV), strength from the measured grain; a clean print is
    returned as it came. Only the change is added back to the float L: no rounding elsewhere."""
    level = grain_level(l) if level is None else level
    if level < GRAIN_FLOOR:
        return l
    l8 = np.clip(l * 2.55 + 0.5, 0, 255).astype(np.uint8)
    h = GRAIN_STRENGTH * level * 2.55
    clean = cv2.fastNlMeansDenoising(l8, None, h=h, templateWindowSize=5, searchWindowSize=13)
    change = (clean.astype(np.float32) - l8.astype(np.float32)) / 2.55
    return np.clip(l + change, 0.0, 100.0).astype(np.float32)
