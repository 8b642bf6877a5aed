"""Words for colours, so the pin chooser says "dark olive green" and "Wine red", not "#4b5a2e".

A colour a person picked from the common list keeps that name; any other is described from its
CIE Lab lightness, chroma and hue (hue sectors measured on sRGB primaries and secondaries in Lab).
Two colours closer than JUST_APART in Lab are one choice, not two.
"""

from __future__ import annotations

import math

COMMON_COLOURS = (
    ("Sky blue", "#7ea6d8"),
    ("Navy", "#2b3a67"),
    ("Foliage green", "#4f7a3a"),
    ("Grass green", "#7fa350"),
    ("Skin, light", "#e0b49a"),
    ("Skin, dark", "#8d5a3c"),
    ("Brick red", "#a4553f"),
    ("Wine red", "#7a2430"),
    ("Khaki", "#b9a77a"),
    ("Wood brown", "#6e4b2e"),
)
_COMMON_BY_HEX = {hex_: name for name, hex_ in COMMON_COLOURS}
JUST_APART = 6.0  # Lab units: nearer than this, two swatches read as the same colour
# (upper bound of the hue angle in degrees, name), Lab hue measured from +a towards +b.
_HUES = (
    (12, "pink"),
    (55, "red"),
    (75, "orange"),
    (105, "yellow"),
    (125, "yellow-green"),
    (175, "green"),
    (235, "teal"),
    (318, "blue"),
    (345, "purple"),
    (360, "pink"),
)


def hex_to_lab(colour: str) -> tuple[float, float, float]:
    """ "#rrggbb" (sRGB, D65) -> CIE Lab."""
    value = colour.lstrip("#")
    rgb = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def distance(first: str, second: str) -> float:
    return math.dist(hex_to_lab(first), hex_to_lab(second))


def distinct(colours: list[str]) -> list[str]:
    """The colours in order, leaving out each one too near an earlier one to tell apart."""
    kept: list[str] = []
    for colour in colours:
        if all(distance(colour, k) >= JUST_APART for k in kept):
            kept.append(colour)
    return kept


def colour_name(colour: str) -> str:
    """A name a person reads: the common colour's own, else a description."""
    common = _COMMON_BY_HEX.get(colour.lower())
    if common is not None:
        return common
    light, a, b = hex_to_lab(colour)
    chroma = math.hypot(a, b)
    shade = "light " if light >= 72 else "dark " if light < 38 else ""
    if chroma < 6:
        tint = "warm " if b > 2 else "cool " if b < -2 else ""
        return f"{shade}{tint}gray" if shade or tint else "gray"
    hue = math.degrees(math.atan2(b, a)) % 360
    name = next(n for bound, n in _HUES if hue < bound)
    if name == "pink" and light < 55:
        name = "red"
    if name in ("red", "orange") and hue >= 35 and light < 55 and chroma < 60:
        name = "brown"
    elif name in ("orange", "yellow") and light >= 60 and chroma < 35:
        name = "beige"
    elif name == "yellow" and light < 60:
        name = "olive"
    muted = "grayish " if chroma < 18 else ""
    return f"{shade}{muted}{name}"
