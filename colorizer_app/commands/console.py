"""What every command shares on the terminal: the exit codes and the one-line usage error, text
shown safely, progress bars, the Ctrl+C flag of a training run, the last line of a run.

A module of its own so the command modules import it and it imports none of them (an import
contract and tests/test_architecture.py say so). No dependency beyond the standard library:
building the parser imports it on every start.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

# 0 done, 1 some photos failed, 2 a usage error (bad arguments, no model, a bad model file),
# 3 an internal error (a bug).
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3


def fail(message: str) -> int:
    """A usage error a person can mend, said in one line; the exit code to return."""
    print(f"colorizer: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def interrupted() -> int:
    print("\ncolorizer: interrupted", file=sys.stderr)
    return 130  # 128 + SIGINT, as a shell reports it


def printable(text: str) -> str:
    """A file name or message on one terminal line: newlines, tabs, escape codes shown as '?'."""
    return "".join(c if c.isprintable() else "?" for c in text)


def say(text: str) -> None:
    """One line on stdout with what names and metadata hold shown safely: a model's name or note
    with terminal escape codes in it must not move the cursor or retitle the terminal."""
    print(printable(text))


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class ProgressBar:
    """done/total, rate, ETA and a message on one terminal line (a line every few seconds when
    the output is a log file)."""

    def __init__(self, total: int, label: str = "", stream=None, width: int = 28):
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.start = time.monotonic()
        self.done = 0
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_print = 0.0

    def update(self, done: int, message: str = "", force: bool = False) -> None:
        self.done = done
        now = time.monotonic()
        if not force and not self.tty and now - self._last_print < 5 and done < self.total:
            return  # a log file gets a line every few seconds, not a flood
        self._last_print = now
        elapsed = now - self.start
        frac = done / self.total if self.total else 1.0
        eta = elapsed / done * (self.total - done) if done else 0.0
        bar = "#" * int(frac * self.width)
        line = (
            f"{self.label} [{bar:<{self.width}}] {done}/{self.total} "
            f"{format_seconds(elapsed)}<{format_seconds(eta)} {message}"
        )
        if self.tty:
            self.stream.write("\r" + line[:150].ljust(150))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


class StopFlag:
    """First Ctrl+C asks the loop to stop at the next step (it saves a checkpoint); a second one
    interrupts at once."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested

    def install(self, quiet: bool = False) -> None:
        """Ctrl+C, and SIGTERM (what torchrun sends every process when the run is stopped)."""

        def handler(signum, frame):
            if self.requested:
                raise KeyboardInterrupt
            self.requested = True
            if not quiet:
                print("\nStopping after this step (Ctrl+C again to abort)...", file=sys.stderr)

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)


def _scores_against_gray(p) -> str:
    """A held-out evaluation of a colour model: PSNR beside the gray baseline's, colourfulness
    beside the truth's."""
    val = p.val
    where = (
        f"step {val['step']}"
        if "loss" not in val
        else f"epoch {p.epoch}: val loss {val['loss']:.4f},"
    )
    return (
        f"{where} PSNR {val['psnr']:.2f} dB (gray {val['gray_psnr']:.2f}), colourfulness "
        f"{val['colorfulness']:.1f} (truth {val['true_colorfulness']:.1f})"
    )


def progress_printer(label: str, held_out=_scores_against_gray, epochs: bool = True):
    """A training loop's on_progress: a bar over the steps (with the epoch where `epochs`), and a
    line per held-out evaluation, as `held_out(progress)` says it."""
    bar: dict = {}

    def on_progress(p) -> None:
        if "bar" not in bar:
            bar["bar"] = ProgressBar(p.total_steps, label)
        if p.val is not None:
            print(f"\n  {held_out(p)}", file=sys.stderr)
            return
        epoch = f"ep {p.epoch}/{p.epochs} " if epochs else ""
        bar["bar"].update(p.step, f"{epoch}loss {p.loss:.4f} {p.images_per_s:.1f} img/s")

    return on_progress


def with_bar(label: str, work, show: bool = True):
    """Run `work(on_progress)` with a progress bar (`show` False: none, as on every process of
    a torchrun group but the first)."""
    if not show:
        return work(None)
    bar = ProgressBar(0, label)

    def on_progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done)

    result = work(on_progress)
    bar.close()
    return result


def report_written(out: Path, history, scores: str) -> None:
    """The last line of a training run: what was written, after how long, how it scores."""
    print(
        f"Wrote {out} after {history.step} steps in {history.seconds / 60:.1f} min"
        + scores
        + (" (stopped early: resume with --resume)" if history.stopped else ""),
        file=sys.stderr,
    )
