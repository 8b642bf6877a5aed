"""What a person asks of restoration (`RestoreOptions`) and what it did (`Restored`): plain data,
no torch, so the app's window can show the Restore panel's switches and its notes before torch
has loaded (pipeline.py runs the steps; its detector needs torch)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STEPS = ("scratches", "fading", "grain")


class RestoreOptionError(ValueError):
    pass


@dataclass(frozen=True)
class RestoreOptions:
    scratches: bool = False
    fading: bool = False
    grain: bool = False

    @classmethod
    def parse(cls, text: str) -> RestoreOptions:
        """'scratches,fading', 'all' or 'none' -> options; a clear error for anything else."""
        names = {n.strip().lower() for n in text.split(",") if n.strip()}
        if names == {"all"}:
            return cls(True, True, True)
        if names == {"none"} or not names:
            return cls()
        unknown = sorted(names - set(STEPS))
        if unknown:
            raise RestoreOptionError(
                f"unknown restoration step {', '.join(map(repr, unknown))}: choose from "
                f"{', '.join(STEPS)}, or all"
            )
        return cls(**{n: True for n in names})

    @property
    def any(self) -> bool:
        return self.scratches or self.fading or self.grain

    def __str__(self) -> str:
        on = [n for n in STEPS if getattr(self, n)]
        return ",".join(on) if on else "none"


@dataclass
class Restored:
    """What the repair did, step by step: the app's panel says each one from these fields, and
    a batch's line from `notes`."""

    l: np.ndarray  # repaired L (float32, [0, 100])
    mask: np.ndarray | None  # the damage filled (None: scratches off)
    grain: float | None = None  # the grain level reduced (None: none found, or grain off)
    levelled: bool = False  # fading's levels applied
    tone_gain: float = 1.0  # how far fading's levels stretched the tones (1: left alone)
    extra: list[str] = field(default_factory=list)  # said before the steps' own notes
    corrected: bool = False  # the damage filled is a person's correction, not detected
    set_aside: bool = False  # a correction was given but made on the photo turned: detected

    @property
    def filled(self) -> float:
        """The share of the photo's pixels filled as damage."""
        return float(self.mask.mean()) if self.mask is not None and self.mask.any() else 0.0

    @property
    def notes(self) -> list[str]:
        """What was done, for a batch's line ("2.1% damaged pixels filled", "tones levelled")."""
        said, filled = list(self.extra), self.filled
        if self.grain is not None:
            said.append(f"grain {self.grain:.1f} reduced")
        if filled:
            said.append(f"{filled:.1%} damaged pixels filled")
        if self.levelled:
            said.append("tones levelled")
        return said
