"""Benchmarks: `make bench`. They print figures; they assert behaviour, never a time."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[2] / "out" / "bench"


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
