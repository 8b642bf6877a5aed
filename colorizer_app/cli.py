"""`colorizer`: the desktop app by default, and its subcommands for the terminal.

The parser is built from the command modules in commands/ (one per family of commands); this
module runs the one asked for and turns what escapes it into one line and an exit code: 0 done,
1 some photos failed, 2 a usage error (bad arguments, no model, a bad model file), 3 an internal
error (a bug), 128 + N stopped by signal N.
"""

from __future__ import annotations

import argparse
import logging
import sys

from . import __version__
from .commands.console import EXIT_CRASH, EXIT_OK, fail, interrupted
from .core.errors import ColorizerError
from .core.signals import Stopped, stop_on_signals


def build_parser() -> argparse.ArgumentParser:
    # Imported here, inside main's guard: Ctrl+C while they load is the same one line as later.
    from .commands.colorize import add_colorize_command, add_restore_command
    from .commands.evaluate import add_evaluate_command
    from .commands.gui import add_gui_command
    from .commands.hints import add_train_hints_command
    from .commands.models import add_models_command
    from .commands.train import add_finetune_command, add_train_command

    parser = argparse.ArgumentParser(
        prog="colorizer",
        description="Gives black-and-white photos their colour back. With no command, opens the "
        "desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"colorizer {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_command in (
        add_gui_command,
        add_colorize_command,
        add_restore_command,
        add_models_command,
        add_train_command,
        add_finetune_command,
        add_train_hints_command,
        add_evaluate_command,
    ):
        add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    code = _run(argv)
    # Looked up, not imported: only a command that can join a torchrun group has loaded it.
    distributed = sys.modules.get(f"{__package__}.core.distributed")
    return distributed.exit_after_group(code) if distributed is not None else code


def _run(argv: list[str] | None) -> int:
    try:  # Ctrl+C while the command starts: the same one line as later, no traceback
        parser = build_parser()
        args = parser.parse_args(argv)
        from .commands.gui import cmd_gui
    except KeyboardInterrupt:
        return interrupted()
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        args.files = []
        args.func = cmd_gui
    if args.func is not cmd_gui:
        stop_on_signals()  # SIGTERM, SIGHUP: a clean stop, no temporary file left behind
    try:
        return args.func(args)
    except ColorizerError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return interrupted()
    except Stopped as exc:
        print(f"\ncolorizer: stopped by {exc}; no half-written file was left", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `colorizer models info | head`: the reader has all it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a fault of the app itself, not of one photo: its own exit code
        if args.verbose:
            logging.exception("internal error")
        print(
            f"colorizer: internal error ({type(exc).__name__}: {exc}); this is a bug, please "
            "report it (run again with -v for the details)",
            file=sys.stderr,
        )
        return EXIT_CRASH


def gui_main() -> int:
    return main(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
