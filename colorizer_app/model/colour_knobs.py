"""How a model's colour is shown (HybridConfig's knobs), and the values each may take.

`colorizer models set-colour` (store.with_colour) sets them on a copy of a model; model files are
refused when one is out of range. The strengths are scales in (0, 2]; the neutral prior is logit
units in [0, 10] (0: off).
"""

from __future__ import annotations

COLOUR_KNOBS = ("colour_strength", "uncertain_strength", "certain_strength", "neutral_prior")
_RANGES = {"neutral_prior": (0.0, 10.0)}


def colour_knob_ok(name: str, value: object) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    if name in _RANGES:
        lo, hi = _RANGES[name]
        return lo <= value <= hi
    return 0 < value <= 2


def colour_knob_range(name: str) -> str:
    """How a knob's allowed values read in a message."""
    if name in _RANGES:
        lo, hi = _RANGES[name]
        return f"from {lo:g} to {hi:g}"
    return "above 0 and at most 2"
