"""Colour hints: a person pins a colour on the photo and the region around it follows.

The method is Levin, Lischinski and Weiss's "Colorization using Optimization" (2004) run over the
network's prediction instead of over gray: the hinted pixels are held at their colour, and the
hint's reach spreads to neighbours in proportion to how alike their lightness is, so it fills the
region it belongs to and stops at strong edges in L. A weak pull towards "no hint" (a screened
Laplacian) makes the reach fade far from any pin, where the automatic colour is kept.

Solved for three unknowns at once with one sparse factorisation (scipy's SuperLU): the reach
alpha in [0, 1] and alpha times the hints' a and b. The result is auto * (1 - alpha) +
hint colour * alpha, so no hints leaves the automatic colour exactly, and where two hints meet
their colours are weighed by their reach.

Runs on a small grid (HINT_GRID pixels on the long side, ~20k unknowns, tens of milliseconds);
the full-resolution edge comes from the guided upsampling every result passes through.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from .errors import ColorizerError

if TYPE_CHECKING:
    import scipy.sparse as sparse

# Long side of the grid the hints are solved on: 160 keeps a re-render well under 300 ms on two
# cores (the factorisation is ~50 ms) and still outlines a dress on a group photo.
HINT_GRID = 160
# How alike two neighbours' lightness must be for a hint's colour to pass between them:
# weight exp(-dL^2 / (2 EDGE_SIGMA^2)), L in 0..100.
EDGE_SIGMA = 3.0
# How far a hint reaches: a step across an L difference dL costs
# 1 + (max(0, dL - EDGE_FLOOR) / EDGE_WALL)^2 grid pixels, and the reach falls as a Gaussian of
# that distance with sigma REACH times the grid's long side. The validation split rewards a long
# reach (0.6: +0.2 dB over 0.35 at 5 hints), because pins sampled from the truth also say what
# colour the neighbouring regions have; a person pinning a dress wants the dress, not the road:
# 0.12 keeps a pin to its own region (README "Colour hints" has both curves).
EDGE_FLOOR = 2.0
EDGE_WALL = 3.0
REACH = 0.12
# In a truly flat region (L's spread within 5 x 5 grid pixels well under FLAT_SD: a painted wall,
# a clear sky, a studio backdrop, once the photo is shrunk to the grid) a step costs as little as
# FLAT_STEP: a pin there means the whole region, as far as its edges. Textured regions keep the
# full cost, so a pin on a dark skirt does not flood the dark ground beside it. Chosen on the
# validation split with the synthetic wall and Helen Keller's skirt (README "Colour hints"): the
# widest FLAT_SD that leaves the skirt's ground as it was.
FLAT_STEP = 0.25
FLAT_SD = 0.3
# What the pixels are, where lightness and grain do not tell: Helen Keller's dark skirt is as dark
# as the gravel beside it, and grain changes inside objects too (a face against a suit). The
# encoder's first features (stride 4, unit vectors; the network's own look at the photo, kept
# for pin edits) tell cloth from gravel: a step also costs max(0, |change| - LOOK_FLOOR) /
# LOOK_WALL grid pixels (linear, so a change spread over several pixels costs as much as a sharp
# one). Only for pins on one object, as a person places them: weighed by 1 - 2 x pin_spread, so
# pins in four or more of the photo's nine parts cross as before (random pins from the truth
# score best reaching far). Not for strokes: a stroke already says along its length where its
# colour goes (one up Helen Keller's dress coloured it 17.4 ab units with this cost, 22.4
# without). Chosen with the skirt (ground 0.64 of the pin's colour -> 0.19, the
# skirt 0.80 -> 0.69, Chaplin's trousers 0.15 -> 0.00), the synthetic wall (0.44 -> 0.43) and
# the validation split (README "Colour hints").
LOOK_FLOOR = 0.2
LOOK_WALL = 0.03
# Where a hint network answers the pins too (engine/hint_model.py), its change to the automatic
# colour is taken as far as the pins would reach with this sigma, not over the whole photo: the
# network also learnt to shift the whole photo's palette towards the pins (right on average for
# pins sampled from the truth, a cast to a person who pinned one skirt), and the reach stops at
# the edges a pin's own region stops at. Chosen on the validation split with the synthetic wall
# (README "Colour hints"): 0.35 keeps the wall's far side still.
NETWORK_REACH = 0.35
# Pins spread over the photo speak for all of it: the network learnt what ten pins scattered over
# a photo say about its palette (+0.4 dB at 10 pins on the validation split over taking its answer
# near the pins alone), while pins on one object speak for that object (the wall's far side,
# the skirt's ground). So its change is also taken everywhere, by SPREAD_TRUST times the share of
# the photo's SPREAD_CELLS x SPREAD_CELLS parts beyond the first that hold a pin (at most all of
# it): one pin, or a few in one part, or one stroke however long, nothing; pins in seven or more
# of the nine, all of it.
# Chosen on the validation split with the wall pinned three times (README "Colour hints").
SPREAD_CELLS = 3
SPREAD_TRUST = 1.5
# A stroke's reach, as a share of a pin's. A stroke already says where its colour goes along
# its length, so it reaches less far across: with a pin's reach, one stroke from the hem of
# Helen Keller's dress to its collar turned her face and the doorway behind her blue (12.9 and
# 11.3 ab units, against 1.9 and 0.7 at 0.4), while a stroke along a sky still fills the sky it
# was drawn over (28.8 units against 29.3). Looked at on those two photos (README "Colour hints").
STROKE_REACH = 0.4
# Pins spread over the photo also say what the colour under them misses: each pin's difference
# from the colour it lands on (the automatic colour, or the network's answer) is carried over the
# photo around it, a Gaussian of the distance with sigma CORRECTION_REACH times the long side
# (a stroke's at STROKE_REACH of it), where several pins share a place their differences
# averaged, and fading where no pin is near: a weight sum w gives w / (w + CORRECTION_DAMPING) of
# the difference. As the network's change everywhere, it is taken by the pins' spread, so one pin,
# or pins on one object, change nothing beyond their own reach (the wall's far side, the skirt's
# ground). Chosen on the ImageNet validation split (32 photos) with BSDS500's (23) beside it:
# +0.6 and +0.95 dB at 10 pins (README "Colour hints").
CORRECTION_REACH = 0.25
CORRECTION_DAMPING = 0.5
# A pin's default radius, as a fraction of the photo's long side (a click, not a brush).
PIN_RADIUS = 0.008
# Hinted pixels are held this much harder than neighbours pull (sum of weights <= 4).
HOLD = 1e3

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# The largest pin or stroke radius, in pixels: more than any photo's long side. Larger numbers
# (1e9, 1e308) overflowed OpenCV's drawing.
MAX_RADIUS = 1e6

# What a message shows of a value from the file: its start, never 100 MB of it, nor a nesting
# deep enough to exhaust the stack.
_shown = reprlib.Repr()
_shown.maxstring = _shown.maxother = 40
_shown.maxlevel, _shown.maxlist, _shown.maxdict = 3, 4, 4


def shown(value: object) -> str:
    """`value` as a message may quote it: short, one line, whatever its size or depth."""
    return _shown.repr(value)


class HintError(ColorizerError):
    """A hints file or a hint that cannot be used (malformed, out of the photo, bad colour)."""


@dataclass(frozen=True)
class Hint:
    """One pin (a single point) or stroke (a polyline), in the photo's pixels after EXIF
    orientation, with an sRGB colour. Only the colour's a and b are used: the photo's own
    lightness stays."""

    points: tuple[tuple[float, float], ...]
    color: str  # "#rrggbb"
    radius: float | None = None  # photo pixels; None: PIN_RADIUS of the long side

    def __post_init__(self):
        if not HEX_COLOUR.match(self.color):
            raise HintError(f"colour {shown(self.color)} is not of the form #rrggbb")
        if not self.points:
            raise HintError("a hint needs at least one point")
        if self.radius is not None and not (
            math.isfinite(self.radius) and 0 < self.radius <= MAX_RADIUS
        ):
            raise HintError(
                f"radius {shown(self.radius)} must be a number of pixels above 0 and at most "
                f"{MAX_RADIUS:,.0f}"
            )

    @classmethod
    def pin(cls, x: float, y: float, color: str, radius: float | None = None) -> Hint:
        return cls(((float(x), float(y)),), color.lower(), radius)

    @classmethod
    def stroke(cls, points: Sequence[tuple[float, float]], color: str) -> Hint:
        """A stroke through `points`, each kept to a tenth of a pixel (a drawn stroke's points
        are mouse positions mapped to the photo: their other digits say nothing)."""
        return cls(tuple((round(x, 1), round(y, 1)) for x, y in points), color.lower())

    @property
    def middle(self) -> tuple[float, float]:
        """A point on the hint that stands for it: a pin's own, a stroke's middle point."""
        return self.points[len(self.points) // 2]

    @property
    def is_stroke(self) -> bool:
        return len(self.points) > 1

    @property
    def rgb(self) -> tuple[int, int, int]:
        return int(self.color[1:3], 16), int(self.color[3:5], 16), int(self.color[5:7], 16)

    @property
    def ab(self) -> tuple[float, float]:
        pixel = np.array([[self.rgb]], np.float32) / 255.0
        lab = cv2.cvtColor(pixel, cv2.COLOR_RGB2Lab)[0, 0]
        return float(lab[1]), float(lab[2])

    def moved(self, dx: float, dy: float) -> Hint:
        return Hint(tuple((x + dx, y + dy) for x, y in self.points), self.color, self.radius)

    def recoloured(self, color: str) -> Hint:
        return Hint(self.points, color.lower(), self.radius)

    def to_json(self) -> dict:
        if self.is_stroke:
            out: dict = {"points": [list(p) for p in self.points], "color": self.color}
        else:
            (x, y) = self.points[0]
            out = {"x": x, "y": y, "color": self.color}
        if self.radius is not None:
            out["radius"] = self.radius
        return out


def _grid_size(height: int, width: int) -> tuple[int, int]:
    scale = min(1.0, HINT_GRID / max(height, width))
    return max(2, round(height * scale)), max(2, round(width * scale))


def rasterize(
    hints: Sequence[Hint], photo_size: tuple[int, int], grid: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Where the hints hold on the grid: a mask (h x w bool) and the held ab (h x w x 2).
    Later hints are drawn over earlier ones, as a person expects of a pin put on top."""
    gh, gw = grid
    w, h = photo_size
    sx, sy = gw / w, gh / h
    mask = np.zeros(grid, np.uint8)
    ab = np.zeros(grid + (2,), np.float32)
    shift = 4  # sub-pixel drawing: 16 steps per grid pixel
    unit = 1 << shift
    for hint in hints:
        radius = hint.radius if hint.radius is not None else PIN_RADIUS * max(w, h)
        r = min(max(0.5, radius * sx), float(gh + gw))  # beyond the grid: the whole grid
        pts = np.array(
            [
                [((x + 0.5) * sx - 0.5) * unit, ((y + 0.5) * sy - 0.5) * unit]
                for x, y in hint.points
            ],
            np.int32,
        )
        one = np.zeros(grid, np.uint8)
        if hint.is_stroke:
            thickness = max(1, round(2 * r))
            cv2.polylines(one, [pts], False, 1, thickness, cv2.LINE_8, shift)
        else:
            cv2.circle(one, tuple(int(v) for v in pts[0]), int(r * unit), 1, -1, cv2.LINE_8, shift)
        if not one.any():  # smaller than a grid pixel: the pixel it falls on
            x, y = np.clip(pts[0] // unit, 0, [gw - 1, gh - 1])
            one[y, x] = 1
        held = one.astype(bool)
        mask |= one
        ab[held] = hint.ab
    return mask.astype(bool), ab


def _laplacian(l_grid: np.ndarray) -> sparse.csc_matrix:
    """Edge-aware graph Laplacian of a 4-connected grid: weight exp(-dL^2 / (2 sigma^2))."""
    import scipy.sparse as sparse  # here, not at the top: the window imports this module

    h, w = l_grid.shape
    index = np.arange(h * w).reshape(h, w)
    two_s2 = 2.0 * EDGE_SIGMA**2
    wx = np.exp(-((l_grid[:, 1:] - l_grid[:, :-1]) ** 2) / two_s2).ravel()
    wy = np.exp(-((l_grid[1:] - l_grid[:-1]) ** 2) / two_s2).ravel()
    rows = np.concatenate([index[:, :-1].ravel(), index[:-1].ravel()])
    cols = np.concatenate([index[:, 1:].ravel(), index[1:].ravel()])
    weights = np.concatenate([wx, wy]).astype(np.float64)
    upper = sparse.coo_matrix((weights, (rows, cols)), shape=(h * w, h * w))
    adjacency = (upper + upper.T).tocsr()
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    return (sparse.diags(degree) - adjacency).tocsc()


def look_steps(looks: np.ndarray, grid: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """What crossing between grid pixels costs where what the pixels are changes (LOOK_FLOOR's
    note): `looks` h x w x c unit vectors at any size; (between rows, between columns)."""
    f = cv2.resize(looks.astype(np.float32), grid[::-1], interpolation=cv2.INTER_LINEAR)
    f = f.reshape(grid + (-1,))  # cv2 drops a one-channel axis

    def cost(change: np.ndarray) -> np.ndarray:
        return np.maximum(np.linalg.norm(change, axis=2) - LOOK_FLOOR, 0.0) / LOOK_WALL

    return cost(f[1:] - f[:-1]), cost(f[:, 1:] - f[:, :-1])


def geodesic_distance(
    seeds: np.ndarray,
    l_grid: np.ndarray,
    more: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Distance (grid pixels) from the seed pixels along paths that pay for crossing edges in L:
    a step costs base + (max(0, |dL| - EDGE_FLOOR) / EDGE_WALL)^2, next to nothing for grain and
    soft shading, a wall for a sharp edge (dL 30 costs ~80 pixels); base is 1, down to FLAT_STEP
    where L is flat. `more`: costs added between rows and between columns (look_steps). Raster
    sweeps in four directions, each a loop over rows or columns with the
    other axis vectorised (Toivanen 1996's scheme); two rounds settle the paths a photo's regions
    need."""
    big = 1e9
    d = np.where(seeds, 0.0, big)
    mean = cv2.blur(l_grid, (5, 5))
    spread = np.sqrt(np.maximum(cv2.blur(l_grid * l_grid, (5, 5)) - mean * mean, 0.0))
    base = 1.0 - (1.0 - FLAT_STEP) * np.exp(-((spread / FLAT_SD) ** 2))

    def step(dl: np.ndarray) -> np.ndarray:
        return (np.maximum(np.abs(dl) - EDGE_FLOOR, 0.0) / EDGE_WALL) ** 2

    # between row y and y + 1, and between column x and x + 1
    cost_v = 0.5 * (base[1:] + base[:-1]) + step(l_grid[1:] - l_grid[:-1])
    cost_h = 0.5 * (base[:, 1:] + base[:, :-1]) + step(l_grid[:, 1:] - l_grid[:, :-1])
    if more is not None:
        cost_v, cost_h = cost_v + more[0], cost_h + more[1]
    h, w = d.shape
    for _ in range(2):
        for y in range(1, h):
            np.minimum(d[y], d[y - 1] + cost_v[y - 1], out=d[y])
        for y in range(h - 2, -1, -1):
            np.minimum(d[y], d[y + 1] + cost_v[y], out=d[y])
        for x in range(1, w):
            np.minimum(d[:, x], d[:, x - 1] + cost_h[:, x - 1], out=d[:, x])
        for x in range(w - 2, -1, -1):
            np.minimum(d[:, x], d[:, x + 1] + cost_h[:, x], out=d[:, x])
    return d


def hint_reach(
    l_small: np.ndarray,
    hints: Sequence[Hint],
    photo_size: tuple[int, int],
    reaches: tuple[float, ...] | None = None,
    looks: np.ndarray | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """The hints' reach alpha (h x w, 0..1) for each of `reaches` (a sigma as a share of the
    grid's long side) and their colour (h x w x 2, Lab ab), at l_small's size.

    Two questions, two tools. Which hint's colour belongs where: Levin et al.'s propagation (the
    reach of each hint, normalised, so where two hints share a region their colours blend
    smoothly). How far the hints reach at all: the geodesic distance to the nearest hint, which
    stays short inside the hinted region and jumps at an edge, so a pin fills its region however
    small the pin is (a diffusion from a point alone fades within a few pixels). `looks`: what
    the pixels are (LOOK_FLOOR's note), for pins on one object."""
    h, w = l_small.shape
    grid = _grid_size(h, w)
    l_grid = cv2.resize(l_small, grid[::-1], interpolation=cv2.INTER_AREA).astype(np.float64)
    mask, held_ab = rasterize(hints, photo_size, grid)
    hold = np.where(mask.ravel(), HOLD, 0.0)
    # How far the pins and the strokes are, each measured on its own: a stroke reaches less far.
    pins, strokes = [h for h in hints if not h.is_stroke], [h for h in hints if h.is_stroke]
    on_one = max(0.0, 1.0 - 2.0 * pin_spread(hints, photo_size))  # LOOK_FLOOR's note
    more = None
    if looks is not None and on_one > 0:
        across_rows, across_cols = look_steps(looks, grid)
        more = (on_one * across_rows, on_one * across_cols)
    distances = [
        (geodesic_distance(rasterize(group, photo_size, grid)[0], l_grid, cost) / max(grid), scale)
        for group, scale, cost in ((pins, 1.0, more), (strokes, STROKE_REACH, None))
        if group
    ]
    # scipy's import costs about half a second on two cores, before the first pin only: not at
    # the top, where the window's start (which imports Hint) would pay it before it shows.
    import scipy.sparse as sparse
    import scipy.sparse.linalg as sparse_linalg

    system = _laplacian(l_grid) + sparse.diags(1e-6 + hold)
    rhs = np.stack([hold, hold * held_ab[:, :, 0].ravel(), hold * held_ab[:, :, 1].ravel()], axis=1)
    solved = sparse_linalg.splu(system.tocsc()).solve(rhs).reshape(grid + (3,))
    colour = solved[:, :, 1:] / np.maximum(solved[:, :, :1], 1e-12)

    def alpha(reach: float) -> np.ndarray:
        near = np.maximum.reduce(
            [np.exp(-0.5 * (d / (reach * scale)) ** 2) for d, scale in distances]
        )
        return cv2.resize(near.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)

    alphas = [alpha(reach) for reach in reaches or (REACH,)]  # REACH read when called
    colour = cv2.resize(colour.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return alphas, colour


def pin_spread(hints: Sequence[Hint], photo_size: tuple[int, int]) -> float:
    """How far a hint network's change is taken over the whole photo (0..1): SPREAD_TRUST times
    the share of the photo's SPREAD_CELLS x SPREAD_CELLS parts beyond the first that hold a pin.
    A stroke is one thing a person means (a sky, a dress), however far it runs: it counts once,
    in the part that holds its middle."""
    w, h = photo_size
    n = SPREAD_CELLS
    cells = set()
    for hint in hints:
        x, y = np.asarray(hint.points, np.float64).mean(0)
        cells.add((min(n - 1, max(0, int(y * n / h))), min(n - 1, max(0, int(x * n / w)))))
    return min(1.0, SPREAD_TRUST * max(0, len(cells) - 1) / (n * n - 1))


def pins_correction(
    base: np.ndarray, hints: Sequence[Hint], photo_size: tuple[int, int]
) -> np.ndarray:
    """What the hints say `base` (h x w x 2, Lab ab) misses, carried over the photo around each
    hint (CORRECTION_REACH), h x w x 2; the caller weighs it by the hints' spread. Worked out on
    the hints' grid (HINT_GRID) and brought back to base's size: it is smooth at that scale, and
    at base's own size a 640 px detail with 30 pins took 270 ms (a review measured it)."""
    full_h, full_w = base.shape[:2]
    h, w = _grid_size(full_h, full_w)
    if (h, w) != (full_h, full_w):
        small = cv2.resize(base.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
        field = pins_correction(small, hints, photo_size)
        return cv2.resize(field, (full_w, full_h), interpolation=cv2.INTER_LINEAR)
    width, height = photo_size
    scale = np.array([w / width, h / height])
    sigma = CORRECTION_REACH * max(h, w)
    total = np.zeros((h, w, 2), np.float64)
    weights = np.zeros((h, w), np.float64)
    for hint in hints:
        points = np.asarray(hint.points, np.float64) * scale
        cols = np.clip(np.round(points[:, 0]).astype(int), 0, w - 1)
        rows = np.clip(np.round(points[:, 1]).astype(int), 0, h - 1)
        missed = np.asarray(hint.ab, np.float64) - base[rows, cols].mean(0)
        # The distance to the hint: to its point, or to the nearest point of its line.
        away = np.full((h, w), 255, np.uint8)
        away[rows, cols] = 0
        if hint.is_stroke:
            cv2.polylines(away, [np.stack([cols, rows], 1).astype(np.int32)], False, 0)
        distance = cv2.distanceTransform(away, cv2.DIST_L2, 5)
        reach = sigma * (STROKE_REACH if hint.is_stroke else 1.0)
        weight = np.exp(-0.5 * (distance / reach) ** 2)
        total += weight[:, :, None] * missed
        weights += weight
    return (total / (weights + CORRECTION_DAMPING)[:, :, None]).astype(np.float32)


def apply_hints(
    ab_small: np.ndarray,
    l_small: np.ndarray,
    hints: Sequence[Hint],
    photo_size: tuple[int, int],
    network_ab: np.ndarray | None = None,
    looks: np.ndarray | None = None,
) -> np.ndarray:
    """The network's ab (at its own size) with the hints spread over their regions.

    `l_small`: L at ab_small's size; `photo_size`: (width, height) of the upright photo the hints'
    coordinates refer to. `network_ab`: a hint network's answer to the same hints (ab_small's
    size), taken where the pins reach at NETWORK_REACH and, as far as the pins spread over the
    photo, everywhere (pin_spread); what the pins say that colour still misses is carried
    around them as far as they spread (pins_correction), and the pins' own colour is then spread
    over it. `looks`: what the pixels are (LOOK_FLOOR's note), where the encoder's features are
    at hand. No hints returns ab_small itself, unchanged.
    """
    if not hints:
        return ab_small
    if network_ab is None:
        (alpha,), colour = hint_reach(l_small, hints, photo_size, looks=looks)
        base = ab_small
    else:
        reaches = (REACH, NETWORK_REACH)
        (alpha, near), colour = hint_reach(l_small, hints, photo_size, reaches, looks)
        near = np.maximum(near, np.float32(pin_spread(hints, photo_size)))
        base = ab_small + near[:, :, None] * (network_ab - ab_small)
    spread = pin_spread(hints, photo_size)
    if spread > 0:
        base = base + np.float32(spread) * pins_correction(base, hints, photo_size)
    a = alpha[:, :, None]
    return (base * (1.0 - a) + colour * a).astype(np.float32)
