"""Synthetic damage on a clean L channel: scratches, dust specks, branching cracks, fold lines,
paper texture, film grain and fading, with the mask of the pixels that were damaged.

Two styles: TRAINING draws what the detector learns from; HELD_OUT draws with other shapes,
widths and contrasts (arcs instead of random walks, blobs instead of ellipses, wider and fainter
lines, coarser grain), so a held-out score says how well the detector carries to damage it has not
seen, not how well it learnt one generator (Wan et al., CVPR 2020, train on synthetic scratches the
same way). Everything is in L units ([0, 100]) on float32 arrays; `rng` makes a sample repeatable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

# Lines are drawn on a canvas this many times finer and shrunk: widths below a pixel and
# anti-aliased edges, as a scanned scratch has.
SUPERSAMPLE = 4
# A pixel is damaged when its damage layer covers this much of it and changed it visibly.
MASK_COVER = 0.35
MASK_CHANGE = 3.0  # L units


@dataclass(frozen=True)
class DamageStyle:
    """Ranges each sample draws from (counts per 256 x 256 pixels; widths in pixels)."""

    name: str
    scratches: tuple[int, int]
    scratch_width: tuple[float, float]
    scratch_contrast: tuple[float, float]  # how far L moves at a scratch's core
    scratch_shape: str  # "walk": a wandering line; "arc": a smooth curve across the photo
    bright_share: float  # share of bright (vs dark) scratches, specks and cracks
    specks: tuple[int, int]
    speck_radius: tuple[float, float]
    speck_shape: str  # "ellipse" or "blob" (a few overlapping discs)
    cracks: tuple[int, int]
    crack_branches: int
    folds: tuple[int, int]
    paper: tuple[float, float]  # paper texture amplitude
    grain: tuple[float, float]  # grain standard deviation
    grain_size: tuple[float, float]  # blur of the grain (its grain size)
    # Crazed emulsion: networks of hairline cracks round irregular cells, showing the paper
    # through (an absolute light L, not a push), and flakes where the emulsion came away.
    crazing: tuple[int, int] = (0, 0)
    flakes: tuple[int, int] = (0, 0)


# Widths and contrasts as broad as real prints show them on the detector's reduced copy (a crack
# on the couple's print is 4-6 px wide there): a detector trained on lines up to 3.5 px and
# mostly bright ones missed wide and dark damage (held-out recall 0.44). HELD_OUT still differs
# in shape (arcs, blobs, denser crack networks), grain, fading and its mix of widths.
TRAINING = DamageStyle(
    name="training",
    scratches=(0, 6),
    scratch_width=(0.7, 6.0),
    scratch_contrast=(12.0, 80.0),
    scratch_shape="walk",
    bright_share=0.5,
    specks=(0, 25),
    speck_radius=(0.6, 5.0),
    speck_shape="ellipse",
    cracks=(0, 4),
    crack_branches=6,
    folds=(0, 1),
    paper=(0.0, 3.0),
    grain=(0.0, 4.0),
    grain_size=(0.0, 0.8),
)

HELD_OUT = DamageStyle(
    name="held-out",
    scratches=(1, 5),
    scratch_width=(1.0, 5.0),
    scratch_contrast=(15.0, 60.0),
    scratch_shape="arc",
    bright_share=0.6,
    specks=(5, 30),
    speck_radius=(1.0, 4.0),
    speck_shape="blob",
    cracks=(1, 3),
    crack_branches=9,
    folds=(0, 1),
    paper=(1.0, 4.0),
    grain=(1.0, 5.0),
    grain_size=(0.5, 1.2),
)

# TRAINING plus the crazed emulsion of real prints. A detector trained on TRAINING alone finds
# fewer of the four real prints' cracks the longer it trains (models/README.md): their cracks are
# hairlines that zigzag round cells, as light as the paper whatever the photo's tone, with flakes
# at their crossings, and none of TRAINING's random walks looks like that.
CRAZED = replace(TRAINING, name="crazed", crazing=(0, 2), flakes=(0, 4))

STYLES = {s.name: s for s in (TRAINING, HELD_OUT, CRAZED)}


@dataclass
class Damaged:
    l: np.ndarray  # the damaged L (float32, [0, 100])
    mask: np.ndarray  # bool: pixels a repair should fill (scratches, specks, cracks, folds)


def _count(rng: np.random.Generator, span: tuple[int, int], area_scale: float) -> int:
    return int(rng.integers(span[0], span[1] + 1) * area_scale + rng.random())


def _uniform(rng: np.random.Generator, span: tuple[float, float]) -> float:
    return float(rng.uniform(span[0], span[1]))


class _Canvas:
    """A fine canvas of damage: each stroke adds coverage (0..1) and an amount. By default the
    amount is the signed change it pushes L by (+ bright, - dark); on an `absolute` canvas it is
    the L the damage shows whatever the photo's tone was (the paper, where the emulsion is
    gone)."""

    def __init__(self, h: int, w: int, absolute: bool = False):
        self.h, self.w = h, w
        self.absolute = absolute
        fh, fw = h * SUPERSAMPLE, w * SUPERSAMPLE
        self.cover = np.zeros((fh, fw), np.float32)
        self.amount = np.zeros((fh, fw), np.float32)  # at full cover

    def stroke(self, points: np.ndarray, width: float, push: float, fade: np.ndarray) -> None:
        """A polyline (points in pixels, N x 2) of `width` px; `fade` (N-1) scales each segment."""
        pts = np.round(points * SUPERSAMPLE).astype(np.int32)
        thickness = max(1, int(round(width * SUPERSAMPLE)))
        layer = np.zeros_like(self.cover)
        for i in range(len(pts) - 1):
            p, q = (int(pts[i][0]), int(pts[i][1])), (int(pts[i + 1][0]), int(pts[i + 1][1]))
            cv2.line(layer, p, q, float(fade[i]), thickness, cv2.LINE_8)
        self.add(layer, push)

    def disc(self, cx: float, cy: float, rx: float, ry: float, angle: float, push: float) -> None:
        layer = np.zeros_like(self.cover)
        centre = (int(cx * SUPERSAMPLE), int(cy * SUPERSAMPLE))
        axes = (max(1, int(rx * SUPERSAMPLE)), max(1, int(ry * SUPERSAMPLE)))
        cv2.ellipse(layer, centre, axes, angle, 0, 360, 1.0, -1)
        self.add(layer, push)

    def add(self, layer: np.ndarray, amount: np.ndarray | float) -> None:
        """`layer`'s coverage (fine canvas size) with its amount, one for all or per pixel."""
        take = layer > self.cover
        self.cover[take] = layer[take]
        self.amount[take] = amount[take] if isinstance(amount, np.ndarray) else amount

    def apply(self, l: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """L with the damage over it, and the pixels it covers (before the change test)."""
        size = (self.w, self.h)
        cover = cv2.resize(self.cover, size, interpolation=cv2.INTER_AREA)
        weighted = cv2.resize(self.amount * self.cover, size, interpolation=cv2.INTER_AREA)
        seen = cover > 1e-3
        amount = weighted / np.maximum(cover, 1e-3)
        if self.absolute:
            target = np.where(seen, amount, l)
        else:
            target = np.clip(l + np.where(seen, amount, 0.0).astype(np.float32), 0.0, 100.0)
        out = l + cover * (target - l)
        return out.astype(np.float32), cover


def _push(rng: np.random.Generator, style: DamageStyle, contrast: tuple[float, float]) -> float:
    sign = 1.0 if rng.random() < style.bright_share else -1.0
    return sign * _uniform(rng, contrast)


def _walk(
    rng: np.random.Generator, x: float, y: float, angle: float, steps: int, step: float, wiggle
) -> np.ndarray:
    points = [(x, y)]
    for _ in range(steps):
        angle += rng.normal(0.0, wiggle)
        x += step * math.cos(angle)
        y += step * math.sin(angle)
        points.append((x, y))
    return np.array(points, np.float32)


def _arc(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A smooth curve (quadratic Bezier with a slow sine wobble) between two far points."""
    p0 = np.array([rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.1, 0.3) * h])
    p2 = np.array([rng.uniform(-0.1, 1.1) * w, rng.uniform(0.7, 1.1) * h])
    if rng.random() < 0.5:  # across rather than down
        p0, p2 = p0[::-1] * (w / h, h / w), p2[::-1] * (w / h, h / w)
    p1 = (p0 + p2) / 2 + rng.normal(0, 0.25, 2) * (w, h)
    t = np.linspace(0.0, rng.uniform(0.4, 1.0), 80)[:, None]
    pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
    normal = np.array([-(p2 - p0)[1], (p2 - p0)[0]]) / (np.linalg.norm(p2 - p0) + 1e-6)
    wobble = rng.uniform(0, 3) * np.sin(t * rng.uniform(3, 15) + rng.uniform(0, 6))
    return (pts + wobble * normal).astype(np.float32)


def _fade_along(rng: np.random.Generator, n: int) -> np.ndarray:
    """A scratch's strength along its length: smooth, from faint to full."""
    knots = rng.uniform(0.4, 1.0, 4)
    return np.interp(np.linspace(0, 3, n), np.arange(4), knots).astype(np.float32)


def _scratches(canvas: _Canvas, rng, style: DamageStyle, scale: float) -> None:
    h, w = canvas.h, canvas.w
    for _ in range(_count(rng, style.scratches, scale)):
        if style.scratch_shape == "arc":
            pts = _arc(rng, h, w)
        else:
            diag = math.hypot(h, w)
            length = rng.uniform(0.15, 1.0) * diag
            step = rng.uniform(3, 8)
            pts = _walk(
                rng,
                rng.uniform(0, w),
                rng.uniform(0, h),
                rng.uniform(0, 2 * math.pi),
                max(2, int(length / step)),
                step,
                rng.uniform(0.01, 0.12),
            )
        width = _uniform(rng, style.scratch_width)
        push = _push(rng, style, style.scratch_contrast)
        canvas.stroke(pts, width, push, _fade_along(rng, len(pts) - 1))


def _specks(canvas: _Canvas, rng, style: DamageStyle, scale: float) -> None:
    for _ in range(_count(rng, style.specks, scale)):
        cx, cy = rng.uniform(0, canvas.w), rng.uniform(0, canvas.h)
        r = _uniform(rng, style.speck_radius)
        push = _push(rng, style, (30.0, 80.0))
        parts = 1 if style.speck_shape == "ellipse" else int(rng.integers(2, 5))
        for _ in range(parts):
            ox, oy = rng.normal(0, r * 0.6, 2) if parts > 1 else (0.0, 0.0)
            canvas.disc(cx + ox, cy + oy, r, r * rng.uniform(0.4, 1.0), rng.uniform(0, 180), push)


def _cracks(canvas: _Canvas, rng, style: DamageStyle, scale: float) -> None:
    h, w = canvas.h, canvas.w
    for _ in range(_count(rng, style.cracks, scale)):
        push = _push(rng, style, (25.0, 70.0))
        width = rng.uniform(0.7, 2.5)
        starts = [(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0, 2 * math.pi))]
        for depth in range(style.crack_branches):
            x, y, angle = starts.pop(int(rng.integers(len(starts))))
            steps = int(rng.integers(8, 30) * max(0.4, 1.0 - 0.2 * depth) * max(h, w) / 256)
            pts = _walk(rng, x, y, angle, max(2, steps), rng.uniform(2, 5), 0.45)
            canvas.stroke(pts, width * (0.85**depth), push, np.ones(len(pts) - 1, np.float32))
            for _ in range(2):  # branches leave from anywhere on this piece
                k = int(rng.integers(len(pts)))
                fork = angle + rng.choice([-1, 1]) * rng.uniform(0.4, 1.2)
                starts.append((float(pts[k][0]), float(pts[k][1]), fork))


def _folds(canvas: _Canvas, rng, style: DamageStyle, scale: float) -> None:
    h, w = canvas.h, canvas.w
    for _ in range(_count(rng, style.folds, min(scale, 1.0))):
        if rng.random() < 0.5:
            x0, x1 = rng.uniform(0, w), rng.uniform(0, w)
            pts = np.array([[x0, -2], [x1, h + 2]], np.float32)
        else:
            y0, y1 = rng.uniform(0, h), rng.uniform(0, h)
            pts = np.array([[-2, y0], [w + 2, y1]], np.float32)
        mid = (pts[0] + pts[1]) / 2 + rng.normal(0, 2, 2)
        pts = np.array([pts[0], mid, pts[1]], np.float32)
        canvas.stroke(pts, rng.uniform(1.5, 4.0), rng.uniform(30, 70), np.ones(2, np.float32))


def _smooth_field(rng: np.random.Generator, shape, blur: float) -> np.ndarray:
    """Noise of unit spread, smooth over about `blur` pixels; made on a coarser grid when the
    blur is wide (the same field, much cheaper on a fine canvas)."""
    step = max(1, int(blur / 3))
    small = (max(2, shape[0] // step + 2), max(2, shape[1] // step + 2))
    n = _noise(rng, small, blur / step)
    return cv2.resize(n, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)


def _crazing(paper: _Canvas, rng, style: DamageStyle, scale: float) -> None:
    """Crack networks: the edges between randomly seeded cells (a Voronoi diagram whose
    coordinates are warped, slowly for bent edges and finely for a zigzag), a share of the edges
    kept, of a width that swells and thins along them, broken in places; over a blob of the print
    or all of it."""
    fh, fw = paper.cover.shape
    s = SUPERSAMPLE
    for _ in range(_count(rng, style.crazing, scale)):
        cell = rng.uniform(18, 70) * s
        seeds = np.zeros((fh, fw), np.uint8)
        n = max(4, int(fh * fw / cell**2))
        seeds[rng.integers(0, fh, n), rng.integers(0, fw, n)] = 1
        _, labels = cv2.distanceTransformWithLabels(
            1 - seeds, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
        )
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        bend = cell * rng.uniform(0.08, 0.25)
        jag = rng.uniform(0.3, 1.3) * s
        dx = bend * _smooth_field(rng, (fh, fw), cell / 2) + jag * _smooth_field(rng, (fh, fw), s)
        dy = bend * _smooth_field(rng, (fh, fw), cell / 2) + jag * _smooth_field(rng, (fh, fw), s)
        labels = cv2.remap(labels.astype(np.float32), xx + dx, yy + dy, cv2.INTER_NEAREST)
        labels = labels.astype(np.int64)
        edge = np.zeros((fh, fw), bool)
        keep_share = rng.uniform(0.3, 0.95)
        salt = int(rng.integers(1, 1 << 20))
        for other in (np.roll(labels, 1, 0), np.roll(labels, 1, 1)):
            a, b = np.minimum(labels, other), np.maximum(labels, other)
            kept = ((a * 7919 + b * 104729 + salt) % 1009) < keep_share * 1009
            edge |= (labels != other) & kept
        edge[0, :] = edge[:, 0] = False  # np.roll's wrap-around
        if not edge.any():
            continue
        dist = cv2.distanceTransform((~edge).astype(np.uint8), cv2.DIST_L2, 3)
        width = (
            rng.uniform(0.5, 2.2)
            * s
            * np.clip(1 + 0.5 * _smooth_field(rng, (fh, fw), 6 * s), 0.3, 2)
        )
        cover = np.clip(width / 2 + 0.5 - dist, 0.0, 1.0)
        cover *= _smooth_field(rng, (fh, fw), 8 * s) > rng.uniform(-2.0, -0.6)  # breaks
        if rng.random() < 0.6:  # a patch of the print, not all of it (cut, not faded: a faint
            # crack that moved L would be damage left out of the mask)
            cover *= _smooth_field(rng, (fh, fw), max(fh, fw) / 4) > rng.uniform(-0.8, 0.3)
        value = rng.uniform(68, 98) + rng.uniform(0, 6) * _smooth_field(rng, (fh, fw), 3 * s)
        paper.add(cover.astype(np.float32), value.astype(np.float32))
        for _ in range(int(rng.integers(0, 3))):  # flakes where cracks cross
            ys, xs = np.nonzero(edge)
            k = int(rng.integers(len(ys)))
            _flake(paper, rng, xs[k] / s, ys[k] / s, float(value.mean()))


def _flake(paper: _Canvas, rng, cx: float, cy: float, value: float) -> None:
    """A piece of emulsion gone: a ragged blob (a disc bent by noise) of paper."""
    fh, fw = paper.cover.shape
    s = SUPERSAMPLE
    r = rng.uniform(1.5, 9.0) * s
    half = int(r * 2.5) + 2
    x0, y0 = int(cx * s) - half, int(cy * s) - half
    yy, xx = np.mgrid[0 : 2 * half, 0 : 2 * half].astype(np.float32)
    rad = np.hypot(xx - half, yy - half) / r
    ragged = (
        rad + 0.35 * _smooth_field(rng, rad.shape, r / 3) + 0.15 * _smooth_field(rng, rad.shape, s)
    )
    blob = np.clip((1.0 - ragged) * r / s + 0.5, 0.0, 1.0).astype(np.float32)
    ys, xs = slice(max(0, y0), min(fh, y0 + 2 * half)), slice(max(0, x0), min(fw, x0 + 2 * half))
    part = blob[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0]
    if part.size:
        layer = np.zeros((fh, fw), np.float32)
        layer[ys, xs] = part
        paper.add(layer, value + rng.uniform(-4, 4))


def _flakes(paper: _Canvas, rng, style: DamageStyle, scale: float) -> None:
    for _ in range(_count(rng, style.flakes, scale)):
        # Flakes start at the print's edges and corners more often than in the middle.
        if rng.random() < 0.5:
            cx = rng.choice([rng.uniform(0, 8), rng.uniform(paper.w - 8, paper.w)])
            cy = rng.uniform(0, paper.h)
            if rng.random() < 0.5:
                cx, cy = (
                    rng.uniform(0, paper.w),
                    rng.choice([rng.uniform(0, 8), rng.uniform(paper.h - 8, paper.h)]),
                )
        else:
            cx, cy = rng.uniform(0, paper.w), rng.uniform(0, paper.h)
        _flake(paper, rng, cx, cy, rng.uniform(72, 98))


def _noise(rng: np.random.Generator, shape, blur: float) -> np.ndarray:
    n = rng.standard_normal(shape).astype(np.float32)
    if blur > 0.05:
        n = cv2.GaussianBlur(n, (0, 0), blur)
        n /= max(float(n.std()), 1e-6)
    return n


def add_paper(l: np.ndarray, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """Paper texture: slow blotches and fine fibres, stronger in light areas (it is the paper)."""
    if amplitude <= 0:
        return l
    h, w = l.shape
    blotch = _noise(rng, (h, w), max(h, w) / 16)
    fibre = _noise(rng, (h, w), 0.8)
    texture = amplitude * (0.6 * blotch + 0.4 * fibre) * (0.3 + 0.7 * l / 100.0)
    return np.clip(l + texture, 0, 100).astype(np.float32)


def add_grain(l: np.ndarray, rng: np.random.Generator, sigma: float, size: float) -> np.ndarray:
    """Film grain: noise of standard deviation `sigma` (L units), clumped by `size` pixels,
    strongest in the mid-tones as silver grain is."""
    if sigma <= 0:
        return l
    grain = _noise(rng, l.shape, size) * sigma
    weight = 0.5 + 2.0 * (l / 100.0) * (1.0 - l / 100.0)
    return np.clip(l + grain * weight, 0, 100).astype(np.float32)


def fade(l: np.ndarray, rng: np.random.Generator, held_out: bool = False) -> np.ndarray:
    """A faded print: blacks lifted, whites dulled, a gamma shift; the held-out style also
    fades unevenly across the print."""
    black = rng.uniform(12, 30) if not held_out else rng.uniform(18, 38)
    white = rng.uniform(72, 92) if not held_out else rng.uniform(65, 88)
    gamma = rng.uniform(0.8, 1.25)
    out = black + (white - black) * (np.clip(l, 0, 100) / 100.0) ** gamma
    if held_out:
        h, w = l.shape
        ramp = np.linspace(-1, 1, w, dtype=np.float32)[None, :] * rng.uniform(-4, 4)
        out = out + ramp + np.zeros((h, 1), np.float32)
    return np.clip(out, 0, 100).astype(np.float32)


def damage(
    l: np.ndarray, rng: np.random.Generator, style: DamageStyle = TRAINING, density: float = 1.0
) -> Damaged:
    """Scratches, specks, cracks and folds over `l`, then paper and grain over everything.
    The mask holds the drawn damage only: paper and grain are not for filling. `density` scales
    the counts (training crops are small: more damage per crop)."""
    h, w = l.shape
    scale = h * w / (256 * 256) * density
    canvas = _Canvas(h, w)
    _scratches(canvas, rng, style, scale)
    _specks(canvas, rng, style, scale)
    _cracks(canvas, rng, style, scale)
    _folds(canvas, rng, style, scale)
    hurt, cover = canvas.apply(l.astype(np.float32))
    paper_cover = None
    if style.crazing != (0, 0) or style.flakes != (0, 0):  # other styles' random draws unchanged
        paper = _Canvas(h, w, absolute=True)  # where the emulsion is gone: the paper
        _crazing(paper, rng, style, scale)
        _flakes(paper, rng, style, scale)
        hurt, paper_cover = paper.apply(hurt)
    mask = (cover > MASK_COVER) & (np.abs(hurt - l) > MASK_CHANGE)
    if paper_cover is not None:
        # A hairline crack covers a fraction of a pixel yet lightens it by tens of L units on a
        # dark print: damage by what it did to the pixel, not by how much of it it covers.
        mask |= (paper_cover > 0.1) & (np.abs(hurt - l) > 2 * MASK_CHANGE)
    hurt = add_paper(hurt, rng, _uniform(rng, style.paper))
    hurt = add_grain(hurt, rng, _uniform(rng, style.grain), _uniform(rng, style.grain_size))
    return Damaged(hurt, mask)
