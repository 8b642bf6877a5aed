"""Entry point of the frozen app: the desktop app, or the CLI when given a command."""

import sys

from colorizer_app.cli import main

if __name__ == "__main__":
    # Frozen with console=False: `Colorizer colorize ...` still works from a terminal.
    sys.exit(main(sys.argv[1:] or None))
