"""A photo's hints file: its pins and strokes as JSON (`colorizer colorize --hints`, the app's
kept pins), read with every way a file can be wrong refused by name, and written back."""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .hints import Hint, HintError, shown

# A hints file is a few pins and strokes: 1 MB holds thousands. A larger one (or /dev/zero, or a
# file still growing) is refused before it is read whole.
MAX_HINTS_BYTES = 1 << 20
# Digits of a whole number in a hints file: Python refuses to read more than 4300, and no pixel
# coordinate needs more than a handful.
_MAX_DIGITS = 30


@dataclass
class HintSet:
    """The hints of one photo, checked against its upright size (width, height)."""

    hints: list[Hint] = field(default_factory=list)

    def check_inside(self, size: tuple[int, int]) -> None:
        w, h = size
        for hint in self.hints:
            for x, y in hint.points:
                if not (0 <= x < w and 0 <= y < h):
                    raise HintError(
                        f"point ({x:g}, {y:g}) lies outside the photo ({w} x {h} pixels, "
                        "after EXIF orientation)"
                    )

    def to_json(self) -> dict:
        return {
            "points": [h.to_json() for h in self.hints if not h.is_stroke],
            "strokes": [h.to_json() for h in self.hints if h.is_stroke],
        }

    @classmethod
    def from_json(cls, data: object) -> HintSet:
        if not isinstance(data, dict):
            raise HintError('expected an object like {"points": [...], "strokes": [...]}')
        unknown = set(data) - {"points", "strokes"}
        if unknown:
            raise HintError(f"unknown key(s) {shown(sorted(unknown))}: only 'points' and 'strokes'")
        hints = [_pin(item, f"points[{i}]") for i, item in enumerate(_list(data, "points"))]
        hints += [_stroke(item, f"strokes[{i}]") for i, item in enumerate(_list(data, "strokes"))]
        return cls(hints)

    def to_list(self) -> list[dict]:
        """The hints in their order, pins and strokes mixed: later ones are drawn over earlier
        ones, so the app keeps the order a person made them in (the file form cannot)."""
        return [h.to_json() for h in self.hints]

    @classmethod
    def from_list(cls, data: object) -> HintSet:
        if not isinstance(data, list):
            raise HintError("expected a list of pins and strokes")
        return cls(
            [
                (_stroke if isinstance(item, dict) and "points" in item else _pin)(
                    item, f"hints[{i}]"
                )
                for i, item in enumerate(data)
            ]
        )

    @classmethod
    def read(cls, path: Path) -> HintSet:
        """A hints file: UTF-8 JSON (a byte-order mark is fine) of at most MAX_HINTS_BYTES,
        and a regular file (a pipe would wait forever, /dev/zero never ends)."""
        text = _read_text(Path(path))
        try:
            data = json.loads(text, parse_int=_whole_number)
        except json.JSONDecodeError as e:
            raise HintError(
                f"hints file {path} is not valid JSON ({e.msg} at line {e.lineno}, column "
                f"{e.colno})"
            ) from e
        except RecursionError as e:
            raise HintError(
                f'hints file {path} is nested too deeply: it is {{"points": [...], '
                '"strokes": [...]}, three levels of brackets at most'
            ) from e
        except HintError as e:
            raise HintError(f"hints file {path}: {e}") from e
        try:
            return cls.from_json(data)
        except HintError as e:
            raise HintError(f"hints file {path}: {e}") from e


def _read_text(path: Path) -> str:
    try:
        # Non-blocking: opening a FIFO for reading would wait for a writer forever. What was
        # opened is checked (fstat), not what the name was a moment before.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as e:
        raise HintError(f"hints file {path} not found; check the path") from e
    except OSError as e:
        raise HintError(f"cannot read hints file {path} ({e.strerror or e})") from e
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise HintError(f"hints file {path} is a folder; give the JSON file itself")
        if not stat.S_ISREG(mode):
            raise HintError(
                f"hints file {path} is not a regular file (a pipe, socket or device); "
                "give the JSON file itself"
            )
        raw = b""
        while len(raw) <= MAX_HINTS_BYTES:
            chunk = os.read(fd, MAX_HINTS_BYTES + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
    except OSError as e:
        raise HintError(f"cannot read hints file {path} ({e.strerror or e})") from e
    finally:
        os.close(fd)
    if len(raw) > MAX_HINTS_BYTES:
        raise HintError(
            f"hints file {path} is over {MAX_HINTS_BYTES >> 20} MB; a hints file holds a few "
            "pins and strokes"
        )
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except UnicodeDecodeError as e:
        raise HintError(
            f"hints file {path} is not UTF-8 text (byte {e.start} cannot be read); save it as UTF-8"
        ) from e


def _whole_number(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise HintError(
            f"a number of {len(text.lstrip('-')):,} digits; coordinates and radii are pixels"
        )
    return int(text)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise HintError(f"'{key}' must be a list")
    return value


def _keys(item: object, where: str, required: set[str], optional: set[str]) -> dict:
    """`item` itself once it is an object with the `required` keys and no others."""
    if not isinstance(item, dict):
        raise HintError(f"{where} must be an object")
    missing = required - set(item)
    if missing:
        raise HintError(f"{where} lacks {sorted(missing)}")
    unknown = set(item) - required - optional
    if unknown:
        raise HintError(f"{where} has unknown key(s) {shown(sorted(unknown))}")
    return item


def _number(item: dict, key: str, where: str) -> float:
    if not _is_number(item[key]):
        raise HintError(f"{where}.{key} must be a number, not {shown(item[key])}")
    return float(item[key])


def _pin(item: object, where: str) -> Hint:
    pin = _keys(item, where, {"x", "y", "color"}, {"radius"})
    return _hint(where, [(_number(pin, "x", where), _number(pin, "y", where))], pin)


def _stroke(item: object, where: str) -> Hint:
    stroke = _keys(item, where, {"points", "color"}, {"radius"})
    points = stroke["points"]
    if not isinstance(points, list) or len(points) < 2:
        raise HintError(f"{where}.points must list at least two [x, y] points")
    xy = []
    for p in points:
        if not (isinstance(p, list) and len(p) == 2 and all(_is_number(v) for v in p)):
            raise HintError(f"{where}.points holds {shown(p)}, not an [x, y] pair")
        xy.append((float(p[0]), float(p[1])))
    return _hint(where, xy, stroke)


def _hint(where: str, points: list[tuple[float, float]], item: dict) -> Hint:
    color = item["color"]
    if not isinstance(color, str):
        raise HintError(f'{where}.color must be a string like "#3a6ccf", not {shown(color)}')
    radius = item.get("radius")
    if radius is not None and not _is_number(radius):
        raise HintError(f"{where}.radius must be a number, not {shown(radius)}")
    try:
        return Hint(tuple(points), color.lower(), None if radius is None else float(radius))
    except HintError as e:
        raise HintError(f"{where}: {e}") from e
