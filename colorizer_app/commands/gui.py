"""`colorizer gui` (and `colorizer` with no command): the desktop app, opened on any photos
named. Nothing of Qt or torch is imported until the command runs."""

from __future__ import annotations

import argparse
import sys

from .console import EXIT_SOME_FAILED, fail


def cmd_gui(args: argparse.Namespace) -> int:
    from ..gui.platform_check import problem

    message = problem()  # before Qt loads: its own failure is an abort with a cryptic text
    if message:
        print(f"colorizer: {message}", file=sys.stderr)
        return EXIT_SOME_FAILED
    try:
        from ..gui.app import run_app
    except ImportError as exc:
        return fail(
            f"the desktop app cannot start ({exc}); install PySide6-Essentials, or use "
            "`colorizer colorize` from the terminal"
        )
    return run_app([str(f) for f in getattr(args, "files", [])])


def add_gui_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop app (the default)")
    p.add_argument("files", nargs="*", help="photos or folders to open")
    p.set_defaults(func=cmd_gui)
