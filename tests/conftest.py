"""Shared fixtures: real photos from ../shared/data and scikit-image, a real tiny model file."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
# The fakes (small random classifiers, the `tiny` preset) live in tests/, not in the app: this
# process registers them here, and every process it starts does through tests/site.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT / "tests" / "site"), *filter(None, [os.environ.get("PYTHONPATH")])]
)
runpy.run_path(str(ROOT / "tests" / "site" / "sitecustomize.py"))
DATA = Path(os.environ.get("COLORIZER_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"photo data not found at {DATA}; set COLORIZER_DATA")
    return DATA


@pytest.fixture(autouse=True)
def isolated_user_dir(tmp_path_factory, monkeypatch):
    """Each test gets its own app-data folder: no test sees a developer's own models."""
    monkeypatch.setenv("COLORIZER_USER_DIR", str(tmp_path_factory.mktemp("userdata")))


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory) -> Path:
    import torch

    from colorizer_app.model.hybrid import HybridColorizer
    from colorizer_app.model.model_file import save_model
    from colorizer_app.model.presets import get_preset

    torch.manual_seed(0)
    preset = get_preset("tiny")
    model = HybridColorizer(preset.config, pretrained_backbones=True)
    # An untrained head gives ab near 0; push its bias so outputs carry visible colour.
    with torch.no_grad():
        model.head.bias.copy_(torch.tensor([0.08, 0.12]))
    path = tmp_path_factory.mktemp("models") / "tiny.pt"
    save_model(model, path, "tiny", {"trained": False})
    return path


def run_cli(*args, env_extra=None, timeout=300):
    """The `colorizer` command as a person runs it: a fresh process."""
    import subprocess
    import sys

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "colorizer_app", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout)  # fmt: skip


def real_rgb(name: str = "astronaut") -> np.ndarray:
    from skimage import data

    return getattr(data, name)()
