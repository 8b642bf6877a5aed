"""What the training commands (`train`, `finetune`, `evaluate`) share on the console: the
Ctrl+C flag, progress bars, the last line of a run. A module of its own so the commands import
it and it imports none of them (tests/test_architecture.py and an import contract say so)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path


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


def progress_printer(label: str):
    from ..core.progress import ProgressBar

    bar: dict = {}

    def on_progress(p) -> None:
        if "bar" not in bar:
            bar["bar"] = ProgressBar(p.total_steps, label)
        if p.val is not None:
            where = (
                f"step {p.val['step']}"
                if "loss" not in p.val
                else (f"epoch {p.epoch}: val loss {p.val['loss']:.4f},")
            )
            print(
                f"\n  {where} PSNR {p.val['psnr']:.2f} dB "
                f"(gray {p.val['gray_psnr']:.2f}), colourfulness {p.val['colorfulness']:.1f} "
                f"(truth {p.val['true_colorfulness']:.1f})",
                file=sys.stderr,
            )
            return
        bar["bar"].update(
            p.step, f"ep {p.epoch}/{p.epochs} loss {p.loss:.4f} {p.images_per_s:.1f} img/s"
        )

    return on_progress


def with_bar(label: str, work, show: bool = True):
    """Run `work(on_progress)` with a progress bar (`show` False: none, as on every process of
    a torchrun group but the first)."""
    from ..core.progress import ProgressBar

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
