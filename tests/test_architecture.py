"""The layers point one way and Qt stays in gui/ (import-linter contracts in pyproject.toml)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    cmd = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    run = subprocess.run(
        cmd + ["--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def _import_circles(package: str) -> list[list[str]]:
    """The package's modules that import each other round a circle, from its real import graph
    (grimp, what import-linter reads): Tarjan's strongly connected components of more than one."""
    import grimp

    graph = grimp.build_graph(package, cache_dir=None)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in imports[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            part = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(part) > 1:
                circles.append(sorted(part))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return circles


def test_no_modules_import_each_other_round_a_circle():
    """E.g. training/cli.py once imported semantic_cli and evaluate_cli, which imported its
    console helpers back (they live in commands/console.py now)."""
    assert _import_circles("colorizer_app") == []


def test_each_command_module_imports_only_the_console_of_the_commands():
    """One module per family of commands, none importing another (the contract names today's;
    this finds a new one too): what they share lives in commands/console.py."""
    import grimp

    graph = grimp.build_graph("colorizer_app", cache_dir=None)
    package = "colorizer_app.commands"
    shared = {package, f"{package}.console"}
    commands = graph.find_children(package) - shared
    assert {f"{package}.colorize", f"{package}.train", f"{package}.models"} <= commands
    reached = {
        module: sorted(
            m
            for m in graph.find_modules_directly_imported_by(module)
            if m.startswith(f"{package}.") and m not in shared
        )
        for module in commands
    }
    assert not any(reached.values()), reached


def test_no_module_is_over_500_lines():
    """The GUI included: its window is split by job into controllers, not by line count."""
    big = {
        p.relative_to(ROOT).as_posix(): n
        for p in (ROOT / "colorizer_app").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 500
    }
    assert not big, big


# What `colorizer --help` and building the parser may not load: each costs from a tenth of a
# second (NumPy) to seconds (torch) on every start of the command.
HEAVY = ("torch", "torchvision", "numpy", "cv2", "PIL", "scipy", "skimage", "PySide6")


def test_building_the_parser_imports_nothing_heavy():
    code = (
        "import sys; from colorizer_app.cli import build_parser; build_parser(); "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", f"building the parser imported {run.stdout.strip()}"


def _colorizer_command() -> list[str]:
    exe = Path(sys.executable).with_name("colorizer")  # the installed console script
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "colorizer_app"]


@pytest.mark.parametrize("args", [["--help"], ["colorize", "--help"], ["train", "--help"]])
def test_help_imports_no_torch(args):
    """Python's own import log (PYTHONPROFILEIMPORTTIME, i.e. -X importtime) of a real
    `colorizer ... --help`: it names every module the process imported."""
    run = subprocess.run(
        _colorizer_command() + args,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("usage: colorizer")
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in run.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "colorizer_app" in imported  # the log is there: the check below means something
    heavy = sorted(imported & set(HEAVY))
    assert not heavy, f"colorizer {' '.join(args)} imported {heavy}"
