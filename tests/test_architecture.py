"""The layers point one way and Qt stays in gui/ (import-linter contracts in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    cmd = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    run = subprocess.run(
        cmd + ["--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_no_module_is_over_500_lines_in_the_layers_below_the_gui():
    big = {
        p.relative_to(ROOT).as_posix(): n
        for p in (ROOT / "colorizer_app").rglob("*.py")
        if "gui" not in p.parts and (n := len(p.read_text().splitlines())) > 500
    }
    assert not big, big
