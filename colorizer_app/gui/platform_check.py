"""Before Qt starts on Linux: are the system libraries its X11 (xcb) plugin needs installed?

Without them Qt stops with "Could not load the Qt platform plugin xcb" and a hint few people can
act on (a fresh Debian lacks libxcb-cursor0, libxcb-icccm4 and libxcb-keysyms1). Here `ldd` asks
the plugin itself which of its libraries cannot be found, and the person is told their names and
the one command that installs them for their package manager. Imports no Qt: it must run before
Qt is loaded, and installer/install.sh runs it too (`python -m colorizer_app.gui.platform_check`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

# Package names where they do not follow from the soname (Fedora, Arch and openSUSE group the
# xcb utility libraries differently from Debian).
# Fedora and Arch name them alike.
_XCB_UTIL_PACKAGES = {
    "libxcb-cursor.so.0": "xcb-util-cursor",
    "libxcb-icccm.so.4": "xcb-util-wm",
    "libxcb-keysyms.so.1": "xcb-util-keysyms",
    "libxcb-image.so.0": "xcb-util-image",
    "libxcb-render-util.so.0": "xcb-util-renderutil",
    "libxcb-util.so.1": "xcb-util",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11",
    "libxkbcommon.so.0": "libxkbcommon",
}
PACKAGES = {"dnf": _XCB_UTIL_PACKAGES, "pacman": _XCB_UTIL_PACKAGES}
INSTALL_COMMANDS = {
    "apt-get": "sudo apt-get install -y",
    "dnf": "sudo dnf install -y",
    "pacman": "sudo pacman -S --needed",
    "zypper": "sudo zypper install -y",
}


def qt_xcb_plugin() -> Path | None:
    """PySide6's xcb platform plugin, found without importing Qt."""
    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(spec.submodule_search_locations[0]) / "Qt/plugins/platforms/libqxcb.so"
    return plugin if plugin.is_file() else None


def will_use_xcb() -> bool:
    """Would Qt pick its X11 plugin here? (Not on Wayland sessions, macOS, Windows, offscreen.)"""
    if not sys.platform.startswith("linux"):
        return False
    chosen = os.environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not os.environ.get("WAYLAND_DISPLAY")


def missing_libraries(binary: Path) -> list[str]:
    """Sonames `binary` needs that the dynamic loader cannot find (via ldd, which resolves the
    whole tree: the plugin's own libQt6XcbQpa and what that needs)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        out = subprocess.run([ldd, str(binary)], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = re.findall(r"^\s*(\S+)\s+=>\s+not found", out, flags=re.MULTILINE)
    return sorted(set(found))


def package_manager() -> str | None:
    for name in ("apt-get", "dnf", "pacman", "zypper"):
        if shutil.which(name):
            return name
    return None


def package_for(soname: str, manager: str) -> str:
    """libxcb-cursor.so.0 -> libxcb-cursor0 (Debian, openSUSE), xcb-util-cursor (Fedora, Arch)."""
    known = PACKAGES.get(manager, {}).get(soname)
    if known:
        return known
    m = re.match(r"^(lib.+?)\.so\.(\d+)", soname)
    if not m:
        return soname
    stem, version = m.groups()
    if manager in ("dnf", "pacman"):
        return stem
    # Debian's rule: the soname's version appended, with a dash when the name ends in a digit.
    return f"{stem}-{version}" if stem[-1].isdigit() else f"{stem}{version}"


def install_command(sonames: list[str], manager: str | None) -> str | None:
    if manager is None or not sonames:
        return None
    packages = sorted({package_for(s, manager) for s in sonames})
    return f"{INSTALL_COMMANDS[manager]} {' '.join(packages)}"


def problem(plugin: Path | None = None) -> str | None:
    """What stops the desktop app from starting here, as a message; None when nothing does."""
    if plugin is None:
        if not will_use_xcb():
            return None
        plugin = qt_xcb_plugin()
        if plugin is None:
            return None
    missing = missing_libraries(plugin)
    if not missing:
        return None
    command = install_command(missing, package_manager())
    how = (
        f"Install them with:\n\n    {command}\n"
        if command
        else "Install them with your system's package manager.\n"
    )
    return (
        "Colorizer's window cannot open: the system libraries Qt needs to draw on this X11 "
        f"desktop are missing: {', '.join(missing)}.\n{how}"
        "Then start Colorizer again. (The command line, `colorizer colorize`, works without "
        "them.)"
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m colorizer_app.gui.platform_check [--install]`: 0 when the window can open."""
    args = sys.argv[1:] if argv is None else argv
    message = problem(qt_xcb_plugin()) if sys.platform.startswith("linux") else None
    if message is None:
        return 0
    print(message, file=sys.stderr)
    if "--install" in args:
        plugin = qt_xcb_plugin()
        command = install_command(missing_libraries(plugin), package_manager()) if plugin else None
        if command and (os.geteuid() == 0 or shutil.which("sudo")):
            if os.geteuid() == 0:
                command = command.removeprefix("sudo ")
            print(f"Running: {command}", file=sys.stderr)
            if subprocess.run(command.split()).returncode == 0:
                return 0 if problem(plugin) is None else 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
