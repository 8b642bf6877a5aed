"""The installer and the desktop entry, as a person's machine would see them."""

import json
import os
import shlex
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "installer" / "install.sh"


def _validate(path: Path) -> subprocess.CompletedProcess:
    if shutil.which("desktop-file-validate") is None:
        pytest.skip(
            "desktop-file-validate missing: apt-get install desktop-file-utils "
            "(.ci/run installs it)"
        )
    return subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)


def test_desktop_entry_is_valid_and_opens_images():
    entry = ROOT / "resources" / "colorizer.desktop"
    result = _validate(entry)
    assert result.returncode == 0 and "error" not in result.stdout + result.stderr, result.stdout
    text = entry.read_text()
    for mime in ("image/jpeg", "image/png", "image/tiff"):
        assert mime in text  # so "Open with Colorizer" is offered for photos
    assert "%F" in text


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_install_then_uninstall_leaves_the_prefix_as_it_was(tmp_path):
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    (prefix / "keep-me.txt").write_text("a file of the user's")
    data_home = tmp_path / "xdg"
    data_home.mkdir()
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(data_home)}
    wheels = tmp_path / "wheels"  # offline: an empty wheel folder, nothing from an index
    wheels.mkdir()
    before = (_tree(prefix), _tree(data_home))
    reuse = sysconfig.get_paths()["purelib"]  # torch & co. are not copied again
    install = ["bash", str(INSTALL), "--prefix", str(prefix), "--find-links", str(wheels),
               "--reuse-site-packages", reuse]  # fmt: skip
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Colorizer is installed" in result.stdout and "--uninstall" in result.stdout

    entry = data_home / "applications" / "colorizer.desktop"
    assert _validate(entry).returncode == 0
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    program = Path(shlex.split(exec_line[len("Exec=") :])[0])
    assert program.is_file() and os.access(program, os.X_OK)
    icon = next(line for line in entry.read_text().splitlines() if line.startswith("Icon="))
    assert Path(icon[len("Icon=") :]).is_file()
    cli = program.with_name("colorizer")
    listed = subprocess.run(
        [str(cli), "models", "list"], env=env, capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    # Every shipped model travels with the install, listed as built-in with its file there.
    shipped = json.loads((ROOT / "models" / "manifest.json").read_text())["models"]
    assert "default" in shipped
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines() if line.strip()}
    for name in shipped:
        assert rows[name][1] == "built-in" and "(file missing)" not in listed.stdout, listed.stdout
        assert Path(rows[name][2]).is_file()

    again = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "Upgrading" in again.stdout  # re-running upgrades in place

    gone = subprocess.run(
        ["bash", str(INSTALL), "--prefix", str(prefix), "--uninstall"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gone.returncode == 0, gone.stderr
    assert (_tree(prefix), _tree(data_home)) == before
