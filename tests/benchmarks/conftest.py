"""Benchmarks: `make bench`. They print figures; they assert behaviour, never a time."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[2] / "out" / "bench"


def save_result(name: str, result: dict) -> None:
    """Keeps a benchmark's figures as out/bench/NAME.json beside what it printed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1))


def machine() -> str:
    import os

    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = f", GPU {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ""
    return f"{cpu}, {os.cpu_count()} cores{gpu}, torch {torch.__version__}"


@pytest.fixture(scope="session")
def offline_model(tmp_path_factory) -> Path:
    """The shipped model if there is one, else a fresh offline model (speed is the same)."""
    from colorizer_app.engine.catalog import resolve_model
    from colorizer_app.model.model_file import save_model

    try:
        entry = resolve_model("default")
        if entry.path.is_file():
            return entry.path
    except Exception:
        pass
    from colorizer_app.model.hybrid import HybridColorizer
    from colorizer_app.model.presets import get_preset

    path = tmp_path_factory.mktemp("bench") / "offline.pt"
    save_model(HybridColorizer(get_preset("offline").config), path, "offline")
    return path


def timed_pin_edits(photo, w: int, h: int) -> tuple[list[float], list]:
    """What a person does with pins on a photo of w x h, timed: add 8 pins one by one, then
    move the first 4; each edit re-renders the app's preview (ColorizedPhoto.render). Returns
    the seconds of each edit and the pins at the end; the pins must show."""
    import time

    import numpy as np

    from colorizer_app.core.hints import Hint

    plain = photo.render()
    rng = np.random.default_rng(0)
    pins: list[Hint] = []
    times = []
    for i in range(12):
        x, y = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        if i < 8:
            pins.append(Hint.pin(x, y, "#2a55d8" if i % 2 else "#c83228"))
        else:
            pins[i - 8] = pins[i - 8].moved(40.0, -25.0)
        photo.hints = tuple(pins)
        t = time.perf_counter()
        shown = photo.render()
        times.append(time.perf_counter() - t)
    assert not np.array_equal(shown, plain)
    return times, pins


def timed_stroke_edits(photo, w: int, h: int) -> list[float]:
    """Strokes among pins, timed as timed_pin_edits: with 4 pins on the photo, draw 3 strokes
    of 40 points across it one by one, then move each; every edit re-renders the preview.
    Pins and strokes have their reach measured apart (core/hints.hint_reach): the costlier case."""
    import time

    import numpy as np

    from colorizer_app.core.hints import Hint

    rng = np.random.default_rng(1)
    hints: list[Hint] = [
        Hint.pin(float(rng.uniform(0, w)), float(rng.uniform(0, h)), "#c83228") for _ in range(4)
    ]
    times = []
    for i in range(6):
        if i < 3:
            x0, y0 = rng.uniform(0.1, 0.5) * w, rng.uniform(0.1, 0.9) * h
            xs = np.linspace(x0, x0 + 0.4 * w, 40)
            ys = y0 + 0.05 * h * np.sin(np.linspace(0, 3, 40))
            hints.append(Hint.stroke(list(zip(xs, ys, strict=True)), "#2a55d8"))
        else:
            hints[4 + i - 3] = hints[4 + i - 3].moved(30.0, 20.0)
        photo.hints = tuple(hints)
        t = time.perf_counter()
        photo.render()
        times.append(time.perf_counter() - t)
    return times
