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
    """The `colorizer` command as a person runs it: a fresh process. Each pays torch's import
    (seconds on this machine): for what needs a process of its own (signals, start-up, torchrun,
    what reaches the terminal from below); `run_main` for the rest."""
    import subprocess
    import sys

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "colorizer_app", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout)  # fmt: skip


def real_rgb(name: str = "astronaut") -> np.ndarray:
    from skimage import data

    return getattr(data, name)()


def run_main(*args, env_extra=None):
    """The `colorizer` command's own `main` in this process, answered as `run_cli` answers: the
    exit code (argparse's usage errors and --help included), stdout and stderr. The same code
    from the parser down as the installed command runs, without a fresh process's torch import.
    The signal handlers a command installs (Ctrl+C, SIGTERM) and `env_extra` last for the call.
    """
    import contextlib
    import io
    import signal
    import subprocess

    from colorizer_app.cli import main

    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    saved = {k: os.environ.get(k) for k in env_extra or {}}
    os.environ.update({k: str(v) for k, v in (env_extra or {}).items()})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as stop:  # argparse: a usage error (2), --help (0)
                code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the test process as the app ends its own (gui/app.py): once every result is written,
    without Python's teardown of torch, Qt and their threads. That teardown, which the app never
    runs, aborted the process after a passing run about one time in six when the last test quit a
    window with work queued ("terminate called without an active exception"), turning a green
    run red. The exit status is pytest's own."""
    import sys

    session = getattr(config, "_colorizer_session", None)
    if session is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(session.exitstatus))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    session.config._colorizer_session = session
