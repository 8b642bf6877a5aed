"""The command line's exit codes and its one-line usage error, shared by its command modules."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3


def fail(message: str) -> int:
    """A usage error a person can mend, said in one line; the exit code to return."""
    print(f"colorizer: error: {message}", file=sys.stderr)
    return EXIT_USAGE
