"""Starting on a plain Linux desktop: missing X11 libraries are named, with the command to add
them, before Qt can abort with its generic text."""

import shutil
import subprocess

import pytest

from colorizer_app.gui.platform_check import install_command, problem, will_use_xcb


@pytest.fixture
def plugin_missing_a_library(tmp_path):
    """A real shared object, like Qt's xcb plugin, linked to a library that is then removed."""
    if shutil.which("gcc") is None or shutil.which("ldd") is None:
        pytest.skip("needs gcc and ldd to build a plugin with a missing library")
    (tmp_path / "dep.c").write_text("int dep(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text("int dep(void); int plugin(void) { return dep(); }\n")
    lib = "libxcb-colorizertest.so.0"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", lib, f"-Wl,-soname,{lib}", "dep.c"],
                   cwd=tmp_path, check=True)  # fmt: skip
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", "libqxcb.so", "plugin.c", "-L.", f"-l:{lib}"],
                   cwd=tmp_path, check=True)  # fmt: skip
    (tmp_path / lib).unlink()
    return tmp_path / "libqxcb.so"


def test_a_missing_library_is_named_with_the_command_that_installs_it(plugin_missing_a_library):
    message = problem(plugin_missing_a_library)
    assert message is not None
    assert "libxcb-colorizertest.so.0" in message
    assert "colorize" in message  # the command line still works: say so
    if shutil.which("apt-get"):
        assert "sudo apt-get install -y libxcb-colorizertest0" in message


def test_package_names_for_each_package_manager():
    libs = ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxkbcommon-x11.so.0"]
    assert install_command(libs, "apt-get") == (
        "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0"
    )
    assert install_command(libs, "dnf") == (
        "sudo dnf install -y libxkbcommon-x11 xcb-util-cursor xcb-util-wm"
    )
    assert install_command(libs, "pacman") == (
        "sudo pacman -S --needed libxkbcommon-x11 xcb-util-cursor xcb-util-wm"
    )
    assert install_command(libs, "zypper") == (
        "sudo zypper install -y libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0"
    )
    assert install_command([], "apt-get") is None


def test_only_an_x11_session_is_checked(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not will_use_xcb() and problem() is None
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert will_use_xcb()
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert not will_use_xcb()
